//! Step 4, reverse mode: the recording plan (`plan`, and `prune` for pullbacks), then the
//! emitted function: the primal sweep with its recording, and the adjoint sweep.

pub mod adjoint_sweep;
pub mod emitter;
pub mod plan;
pub mod primal_sweep;
pub mod prune;
pub mod recording;
