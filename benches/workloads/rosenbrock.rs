//! The extended Rosenbrock function `sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`.
#![allow(clippy::needless_range_loop)]

use cotangent::autodiff_reverse;
use num_dual::{Dual64, DualNum};
use reverse::Gradient;

#[autodiff_reverse(d_rosenbrock, Duplicated, Active)]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// The same function written with iterators, as many Rust users would: the macro lowers
/// the chain to the indexed loop above, so its gradient should cost the same.
#[autodiff_reverse(d_rosenbrock_iter, Duplicated, Active)]
pub fn rosenbrock_iter(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| {
            let a = w[1] - w[0] * w[0];
            let b = 1.0 - w[0];
            100.0 * a * a + b * b
        })
        .sum()
}

/// The gradient a person writes: one fused loop. The contribution to `dx[i + 1]` is
/// carried in a register to the next iteration instead of being stored and re-loaded
/// (a store-to-load dependency chain would cost about 2x here).
pub fn rosenbrock_hand(x: &[f64], dx: &mut [f64], seed: f64) -> f64 {
    let n = x.len();
    assert_eq!(dx.len(), n);
    let mut s = 0.0;
    let mut carry = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        let da = 200.0 * a * seed;
        dx[i] += carry - 2.0 * x[i] * da - 2.0 * b * seed;
        carry = da;
    }
    dx[n - 1] += carry;
    s
}

/// Peer: the `reverse` crate (a new tape per call, as its documentation does).
pub fn rosenbrock_tape(x: &[f64]) -> (f64, Vec<f64>) {
    let tape = reverse::Tape::new();
    let v = tape.add_vars(x);
    let mut s = tape.add_var(0.0);
    for i in 0..v.len() - 1 {
        let a = v[i + 1] - v[i] * v[i];
        let b = 1.0 - v[i];
        s = s + a * a * 100.0 + b * b;
    }
    let g = s.grad();
    (s.val(), g.wrt(&v))
}

/// Rosenbrock over any dual number type.
pub fn rosenbrock_generic<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = -x[i] + 1.0;
        s += a * a * 100.0 + b * b;
    }
    s
}

/// Peer: `num-dual` forward mode, one pass per input.
pub fn rosenbrock_dual(x: &[f64], dx: &mut [f64]) {
    let mut d: Vec<Dual64> = x.iter().map(|&v| Dual64::from_re(v)).collect();
    for p in 0..x.len() {
        d[p].eps = 1.0;
        dx[p] += rosenbrock_generic(&d).eps;
        d[p].eps = 0.0;
    }
}

/// Deterministic input of size `n`.
pub fn input(n: usize) -> Vec<f64> {
    crate::common::Lcg(n as u64).vec(n, 1.5)
}

/// Checks every gradient against the hand-written one.
pub fn check(n: usize, with_dual: bool) {
    let x = input(n);
    let mut want = vec![0.0; n];
    let v = rosenbrock_hand(&x, &mut want, 1.0);
    let mut got = vec![0.0; n];
    let vg = d_rosenbrock(&x, &mut got, 1.0);
    assert_eq!(vg, rosenbrock(&x), "rosenbrock: primal not bit for bit");
    assert!((v - vg).abs() <= 1e-12 * v.abs());
    crate::common::assert_close("rosenbrock generated", &got, &want, 1e-13);
    let mut got = vec![0.0; n];
    let vi = d_rosenbrock_iter(&x, &mut got, 1.0);
    assert_eq!(
        vi,
        rosenbrock_iter(&x),
        "rosenbrock_iter: primal not bit for bit"
    );
    crate::common::assert_close("rosenbrock generated (iterators)", &got, &want, 1e-13);
    let (_, t) = rosenbrock_tape(&x);
    crate::common::assert_close("rosenbrock reverse", &t, &want, 1e-13);
    if with_dual {
        let mut d = vec![0.0; n];
        rosenbrock_dual(&x, &mut d);
        crate::common::assert_close("rosenbrock num-dual", &d, &want, 1e-13);
    }
}
