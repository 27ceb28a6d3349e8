//! Step 4, forward mode: the primal and its tangents side by side, in program order
//! (`tangent_sweep`), in a function with std::autodiff's `#[autodiff_forward]` signature
//! (`emitter`); calls go through the callees' hidden forward derivatives (`calls`).
//! Forward mode records nothing: it needs the `passes/` results (early exits
//! as flags, what is varied) and the `rules/` table only.

pub mod calls;
pub mod emitter;
pub mod tangent_sweep;
