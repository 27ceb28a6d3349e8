//! Step 1: the attribute's arguments and the function's signature, parsed and validated
//! into a typed view that keeps the user's syntax for spans. Nothing here sees the body.

pub mod args;
pub mod signature;
