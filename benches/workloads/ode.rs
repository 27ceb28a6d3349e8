//! Time stepping: Lotka-Volterra `x' = a x - b x y`, `y' = d x y - c y`, RK4 with 10 000
//! steps of h = 1e-3; loss = squared distance of the final state to a target; gradient
//! with respect to the four parameters (a, b, c, d).
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable};
use num_dual::{Dual64, DualNum};
use reverse::Gradient;

pub const STEPS: usize = 10_000;
pub const H: f64 = 1e-3;
pub const P: [f64; 4] = [1.5, 1.0, 3.0, 1.0];
pub const U0: [f64; 2] = [1.0, 1.0];
pub const TARGET: [f64; 2] = [2.0, 0.5];

/// The right-hand side, `du = f(p, u)`.
#[differentiable]
pub fn lotka_volterra(p: &[f64], u: &[f64], du: &mut [f64]) {
    du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
    du[1] = p[3] * u[0] * u[1] - p[2] * u[1];
}

#[autodiff_reverse(d_ode_loss, Duplicated, Const, Const, Const, Const, Active)]
pub fn ode_loss(p: &[f64], u0: &[f64], target: &[f64], steps: usize, h: f64) -> f64 {
    let mut u = [u0[0], u0[1]];
    let mut k1 = [0.0; 2];
    let mut k2 = [0.0; 2];
    let mut k3 = [0.0; 2];
    let mut k4 = [0.0; 2];
    let mut tmp = [0.0; 2];
    for _ in 0..steps {
        lotka_volterra(p, &u, &mut k1);
        for i in 0..2 {
            tmp[i] = u[i] + 0.5 * h * k1[i];
        }
        lotka_volterra(p, &tmp, &mut k2);
        for i in 0..2 {
            tmp[i] = u[i] + 0.5 * h * k2[i];
        }
        lotka_volterra(p, &tmp, &mut k3);
        for i in 0..2 {
            tmp[i] = u[i] + h * k3[i];
        }
        lotka_volterra(p, &tmp, &mut k4);
        for i in 0..2 {
            u[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    let ex = u[0] - target[0];
    let ey = u[1] - target[1];
    ex * ex + ey * ey
}

#[inline(always)]
fn rhs(p: &[f64; 4], u: [f64; 2]) -> [f64; 2] {
    [
        p[0] * u[0] - p[1] * u[0] * u[1],
        p[3] * u[0] * u[1] - p[2] * u[1],
    ]
}

/// Adjoint of `rhs` at `u`: adds `J_u^T g` to `du` and `J_p^T g` to `dp`.
#[inline(always)]
fn rhs_adjoint(p: &[f64; 4], u: [f64; 2], g: [f64; 2], du: &mut [f64; 2], dp: &mut [f64; 4]) {
    let (x, y) = (u[0], u[1]);
    du[0] += g[0] * (p[0] - p[1] * y) + g[1] * p[3] * y;
    du[1] += -g[0] * p[1] * x + g[1] * (p[3] * x - p[2]);
    dp[0] += g[0] * x;
    dp[1] -= g[0] * x * y;
    dp[2] -= g[1] * y;
    dp[3] += g[1] * x * y;
}

/// The discrete adjoint a person writes: store the state at each step (16 bytes a step),
/// then walk back, recomputing each step's stages from its starting state.
pub fn ode_hand(
    p: &[f64; 4],
    dp: &mut [f64; 4],
    u0: &[f64; 2],
    target: &[f64; 2],
    steps: usize,
    h: f64,
    seed: f64,
) -> f64 {
    let mut states = Vec::with_capacity(steps);
    let mut u = *u0;
    let add = |a: [f64; 2], s: f64, b: [f64; 2]| [a[0] + s * b[0], a[1] + s * b[1]];
    for _ in 0..steps {
        states.push(u);
        let k1 = rhs(p, u);
        let k2 = rhs(p, add(u, 0.5 * h, k1));
        let k3 = rhs(p, add(u, 0.5 * h, k2));
        let k4 = rhs(p, add(u, h, k3));
        for i in 0..2 {
            u[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    let (ex, ey) = (u[0] - target[0], u[1] - target[1]);
    let mut du = [2.0 * ex * seed, 2.0 * ey * seed];
    for u in states.iter().rev() {
        let u = *u;
        let k1 = rhs(p, u);
        let u2 = add(u, 0.5 * h, k1);
        let k2 = rhs(p, u2);
        let u3 = add(u, 0.5 * h, k2);
        let k3 = rhs(p, u3);
        let u4 = add(u, h, k3);
        // u_next = u + h/6 (k1 + 2 k2 + 2 k3 + k4)
        let mut dk4 = [h / 6.0 * du[0], h / 6.0 * du[1]];
        let mut dk3 = [2.0 * dk4[0], 2.0 * dk4[1]];
        let mut dk2 = dk3;
        let mut dk1 = dk4;
        let mut du_prev = du;
        let mut d4 = [0.0; 2];
        rhs_adjoint(p, u4, dk4, &mut d4, dp);
        dk4 = d4;
        for i in 0..2 {
            du_prev[i] += dk4[i];
            dk3[i] += h * dk4[i];
        }
        let mut d3 = [0.0; 2];
        rhs_adjoint(p, u3, dk3, &mut d3, dp);
        for i in 0..2 {
            du_prev[i] += d3[i];
            dk2[i] += 0.5 * h * d3[i];
        }
        let mut d2 = [0.0; 2];
        rhs_adjoint(p, u2, dk2, &mut d2, dp);
        for i in 0..2 {
            du_prev[i] += d2[i];
            dk1[i] += 0.5 * h * d2[i];
        }
        let mut d1 = [0.0; 2];
        rhs_adjoint(p, u, dk1, &mut d1, dp);
        for i in 0..2 {
            du_prev[i] += d1[i];
        }
        du = du_prev;
    }
    ex * ex + ey * ey
}

/// Peer: the `reverse` crate.
pub fn ode_tape(p: &[f64; 4], u0: &[f64; 2], target: &[f64; 2], steps: usize, h: f64) -> [f64; 4] {
    let t = reverse::Tape::new();
    ode_tape_on(&t, p, u0, target, steps, h)
}

fn ode_tape_on<'a>(
    t: &'a reverse::Tape,
    p: &[f64; 4],
    u0: &[f64; 2],
    target: &[f64; 2],
    steps: usize,
    h: f64,
) -> [f64; 4] {
    let pv = t.add_vars(p);
    let f = |u: [reverse::Var<'a>; 2]| -> [reverse::Var<'a>; 2] {
        [
            pv[0] * u[0] - pv[1] * u[0] * u[1],
            pv[3] * u[0] * u[1] - pv[2] * u[1],
        ]
    };
    let mut u = [t.add_var(u0[0]), t.add_var(u0[1])];
    for _ in 0..steps {
        let k1 = f(u);
        let k2 = f([u[0] + k1[0] * (0.5 * h), u[1] + k1[1] * (0.5 * h)]);
        let k3 = f([u[0] + k2[0] * (0.5 * h), u[1] + k2[1] * (0.5 * h)]);
        let k4 = f([u[0] + k3[0] * h, u[1] + k3[1] * h]);
        for i in 0..2 {
            u[i] = u[i] + (k1[i] + k2[i] * 2.0 + k3[i] * 2.0 + k4[i]) * (h / 6.0);
        }
    }
    let (ex, ey) = (u[0] - target[0], u[1] - target[1]);
    let loss = ex * ex + ey * ey;
    let g = loss.grad();
    [g.wrt(&pv[0]), g.wrt(&pv[1]), g.wrt(&pv[2]), g.wrt(&pv[3])]
}

/// The loss over any dual number type.
pub fn ode_generic<D: DualNum<Primitive = f64> + Copy>(
    p: &[D; 4],
    u0: &[f64; 2],
    target: &[f64; 2],
    steps: usize,
    h: f64,
) -> D {
    let f = |u: [D; 2]| {
        [
            p[0] * u[0] - p[1] * u[0] * u[1],
            p[3] * u[0] * u[1] - p[2] * u[1],
        ]
    };
    let mut u = [D::from(u0[0]), D::from(u0[1])];
    for _ in 0..steps {
        let k1 = f(u);
        let k2 = f([u[0] + k1[0] * (0.5 * h), u[1] + k1[1] * (0.5 * h)]);
        let k3 = f([u[0] + k2[0] * (0.5 * h), u[1] + k2[1] * (0.5 * h)]);
        let k4 = f([u[0] + k3[0] * h, u[1] + k3[1] * h]);
        for i in 0..2 {
            u[i] += (k1[i] + k2[i] * 2.0 + k3[i] * 2.0 + k4[i]) * (h / 6.0);
        }
    }
    let (ex, ey) = (u[0] - target[0], u[1] - target[1]);
    ex * ex + ey * ey
}

/// Peer: `num-dual` forward mode, one pass per parameter (four passes).
pub fn ode_dual(p: &[f64; 4], u0: &[f64; 2], target: &[f64; 2], steps: usize, h: f64) -> [f64; 4] {
    let mut out = [0.0; 4];
    for q in 0..4 {
        let mut pd = p.map(Dual64::from_re);
        pd[q].eps = 1.0;
        out[q] = ode_generic(&pd, u0, target, steps, h).eps;
    }
    out
}

/// Checks every gradient against the hand-written one.
pub fn check() {
    let mut want = [0.0; 4];
    let v = ode_hand(&P, &mut want, &U0, &TARGET, STEPS, H, 1.0);
    let mut got = [0.0; 4];
    let vg = d_ode_loss(&P, &mut got, &U0, &TARGET, STEPS, H, 1.0);
    assert_eq!(
        vg,
        ode_loss(&P, &U0, &TARGET, STEPS, H),
        "ode: primal not bit for bit"
    );
    assert!((v - vg).abs() <= 1e-12 * v.abs(), "ode: {v} vs {vg}");
    crate::common::assert_close("ode generated", &got, &want, 1e-10);
    let t = ode_tape(&P, &U0, &TARGET, STEPS, H);
    crate::common::assert_close("ode reverse", &t, &want, 1e-10);
    let d = ode_dual(&P, &U0, &TARGET, STEPS, H);
    crate::common::assert_close("ode num-dual", &d, &want, 1e-10);
}
