//! The PyTorch autograd walkthrough on 2x2 arrays: `x2 = x1 * w1`, `y = x2 * w2`,
//! `L = Y - y` (elementwise), `L.backward(gradient)` for x1, w1 and w2.
#![allow(clippy::needless_range_loop)]

use cotangent::autodiff_reverse;
use num_dual::{Dual64, DualNum};
use reverse::Gradient;

pub type M2 = [[f64; 2]; 2];

#[autodiff_reverse(d_walkthrough, Duplicated, Duplicated, Duplicated, Const, Active)]
pub fn walkthrough(x1: &M2, w1: &M2, w2: &M2, target: &M2) -> M2 {
    let mut loss = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            let x2 = x1[i][j] * w1[i][j];
            let y = x2 * w2[i][j];
            loss[i][j] = target[i][j] - y;
        }
    }
    loss
}

/// The gradient a person writes: `dx1 = -w1 w2 g`, `dw1 = -x1 w2 g`, `dw2 = -x1 w1 g`.
#[allow(clippy::too_many_arguments)]
pub fn walkthrough_hand(
    x1: &M2,
    dx1: &mut M2,
    w1: &M2,
    dw1: &mut M2,
    w2: &M2,
    dw2: &mut M2,
    target: &M2,
    seed: &M2,
) -> M2 {
    let mut loss = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            let x2 = x1[i][j] * w1[i][j];
            loss[i][j] = target[i][j] - x2 * w2[i][j];
            let dy = -seed[i][j];
            dw2[i][j] += dy * x2;
            let dx2 = dy * w2[i][j];
            dx1[i][j] += dx2 * w1[i][j];
            dw1[i][j] += dx2 * x1[i][j];
        }
    }
    loss
}

/// Peer: the `reverse` crate's runtime tape. Returns (x1, w1, w2) gradients flattened.
pub fn walkthrough_tape(x1: &M2, w1: &M2, w2: &M2, target: &M2, seed: &M2) -> [f64; 12] {
    let tape = reverse::Tape::new();
    let flat = |m: &M2| [m[0][0], m[0][1], m[1][0], m[1][1]];
    let vx1 = tape.add_vars(&flat(x1));
    let vw1 = tape.add_vars(&flat(w1));
    let vw2 = tape.add_vars(&flat(w2));
    // The seeded sum sum(seed * L) is the scalar whose gradient is L.backward(seed).
    let mut total = tape.add_var(0.0);
    for i in 0..2 {
        for j in 0..2 {
            let k = 2 * i + j;
            let x2 = vx1[k] * vw1[k];
            let y = x2 * vw2[k];
            let l = target[i][j] - y;
            total = total + l * seed[i][j];
        }
    }
    let g = total.grad();
    let mut out = [0.0; 12];
    for k in 0..4 {
        out[k] = g.wrt(&vx1[k]);
        out[4 + k] = g.wrt(&vw1[k]);
        out[8 + k] = g.wrt(&vw2[k]);
    }
    out
}

/// The walkthrough over any dual number type (forward mode).
pub fn walkthrough_generic<D: DualNum<Primitive = f64> + Copy>(
    x1: &[D; 4],
    w1: &[D; 4],
    w2: &[D; 4],
    target: &M2,
) -> [D; 4] {
    let mut loss = [D::from(0.0); 4];
    for k in 0..4 {
        let x2 = x1[k] * w1[k];
        let y = x2 * w2[k];
        loss[k] = -y + target[k / 2][k % 2];
    }
    loss
}

/// Peer: `num-dual` forward mode, one pass per input (12 passes), each dotted with the seed.
pub fn walkthrough_dual(x1: &M2, w1: &M2, w2: &M2, target: &M2, seed: &M2) -> [f64; 12] {
    let flat = |m: &M2| [m[0][0], m[0][1], m[1][0], m[1][1]];
    let mut inputs = [0.0; 12];
    inputs[..4].copy_from_slice(&flat(x1));
    inputs[4..8].copy_from_slice(&flat(w1));
    inputs[8..].copy_from_slice(&flat(w2));
    let seed = flat(seed);
    let mut out = [0.0; 12];
    for p in 0..12 {
        let mut d = [Dual64::from_re(0.0); 12];
        for (q, v) in inputs.iter().enumerate() {
            d[q] = Dual64::new(*v, if p == q { 1.0 } else { 0.0 });
        }
        let x1d = [d[0], d[1], d[2], d[3]];
        let w1d = [d[4], d[5], d[6], d[7]];
        let w2d = [d[8], d[9], d[10], d[11]];
        let loss = walkthrough_generic(&x1d, &w1d, &w2d, target);
        out[p] = (0..4).map(|k| loss[k].eps * seed[k]).sum();
    }
    out
}

/// The walkthrough's inputs: x1 = 2, w1 = 5, w2 = 6 everywhere (gradients -30, -12, -10).
pub fn inputs() -> (M2, M2, M2, M2, M2) {
    (
        [[2.0; 2]; 2],
        [[5.0; 2]; 2],
        [[6.0; 2]; 2],
        [[1.0, 2.0], [3.0, 4.0]],
        [[1.0; 2]; 2],
    )
}

fn flat3(a: &M2, b: &M2, c: &M2) -> Vec<f64> {
    [a, b, c]
        .iter()
        .flat_map(|m| [m[0][0], m[0][1], m[1][0], m[1][1]])
        .collect()
}

/// Checks every gradient against the hand-written one and the known values.
pub fn check() {
    let (x1, w1, w2, target, seed) = inputs();
    let (mut a, mut b, mut c) = ([[0.0; 2]; 2], [[0.0; 2]; 2], [[0.0; 2]; 2]);
    let l = walkthrough_hand(&x1, &mut a, &w1, &mut b, &w2, &mut c, &target, &seed);
    let want = flat3(&a, &b, &c);
    crate::common::assert_close("walkthrough hand", &want[..1], &[-30.0], 0.0);
    crate::common::assert_close("walkthrough hand", &want[4..5], &[-12.0], 0.0);
    crate::common::assert_close("walkthrough hand", &want[8..9], &[-10.0], 0.0);
    let (mut a, mut b, mut c) = ([[0.0; 2]; 2], [[0.0; 2]; 2], [[0.0; 2]; 2]);
    let lg = d_walkthrough(&x1, &mut a, &w1, &mut b, &w2, &mut c, &target, seed);
    assert_eq!(lg, l);
    assert_eq!(lg, walkthrough(&x1, &w1, &w2, &target));
    crate::common::assert_close("walkthrough generated", &flat3(&a, &b, &c), &want, 1e-15);
    let t = walkthrough_tape(&x1, &w1, &w2, &target, &seed);
    crate::common::assert_close("walkthrough reverse", &t, &want, 1e-15);
    let d = walkthrough_dual(&x1, &w1, &w2, &target, &seed);
    crate::common::assert_close("walkthrough num-dual", &d, &want, 1e-15);
}
