//! What every timing bench shares: criterion's settings and a check that two gradients
//! agree. Included with `#[path]` (a file under `benches/workloads/` is not a bench target).
#![allow(dead_code)]

use criterion::Criterion;
use std::time::Duration;

/// Modest settings so that the whole `cargo bench` stays near ten minutes on two cores.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// Panics with the worst entry if `got` and `want` differ by more than `tol` relative to
/// the largest magnitude in `want`.
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = want.iter().fold(1e-300f64, |m, v| m.max(v.abs()));
    let (mut worst, mut at) = (0.0f64, 0);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let e = (g - w).abs() / scale;
        if e > worst || e.is_nan() {
            worst = e;
            at = i;
        }
    }
    assert!(
        worst <= tol,
        "{what}: entry {at} is {} but should be {} (relative error {worst:.2e})",
        got[at],
        want[at]
    );
}

/// A deterministic pseudo-random stream in [-1, 1) (64-bit LCG, top bits).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
    pub fn vec(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| scale * self.next_f64()).collect()
    }
}
