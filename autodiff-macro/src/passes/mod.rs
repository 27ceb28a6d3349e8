//! Step 3: analyses and rewrites of the lowered IR, shared by every mode: early exits into
//! flags (`structurize`), shared element reads (`cse`), which values carry a derivative
//! (`activity`), and what may run after what (`order`).

pub mod activity;
pub mod cse;
pub mod order;
pub mod structurize;
