//! Tuple destructuring under `#[autodiff_reverse]`: `let (a, b) = ..`, destructuring
//! assignment `(a, b) = (b, a + b)`, `x.sin_cos()`, and tuple-valued `if` / `match`,
//! against central finite differences of the untouched primal.
#![allow(clippy::needless_range_loop)]

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all};

/// A planar two-link arm: the end effector's distance to a target, with `sin_cos`.
#[autodiff_reverse(d_reach, Duplicated, Const, Active)]
fn reach(q: &[f64], target: &[f64; 2]) -> f64 {
    let (l1, l2) = (1.0, 0.7);
    let (s1, c1) = q[0].sin_cos();
    let (s12, c12) = f64::sin_cos(q[0] + q[1]);
    let (x, y): (f64, f64) = (l1 * c1 + l2 * c12, l1 * s1 + l2 * s12);
    let (dx, dy) = (x - target[0], y - target[1]);
    dx * dx + dy * dy
}

#[test]
fn let_tuples_and_sin_cos() {
    check_all(
        &[&[0.0, 0.0], &[0.3, -1.2], &[2.0, 0.5]],
        |q| reach(q, &[0.5, 0.9]),
        |q, d| assert_bits(d_reach(q, d, &[0.5, 0.9], 1.0), reach(q, &[0.5, 0.9])),
    );
}

/// Semi-implicit oscillator steps written with destructuring assignment, which must read
/// the old values of both parts.
#[autodiff_reverse(d_oscillate, Active, Active, Const, Active)]
fn oscillate(x0: f64, v0: f64, steps: usize) -> f64 {
    let (mut x, mut v) = (x0, v0);
    let dt = 0.1;
    for _ in 0..steps {
        (x, v) = (x + dt * v, v - dt * x * x * x);
    }
    let (mut a, mut b) = (x, v);
    for _ in 0..3 {
        (a, b) = (b, a * b + 0.5);
    }
    a + b * b
}

#[test]
fn destructuring_assignment_reads_old_values() {
    for steps in [0, 1, 5, 40] {
        check_all(
            &[&[0.0, 0.0], &[1.0, -0.5], &[0.3, 2.0]],
            |p| oscillate(p[0], p[1], steps),
            |p, d| {
                let (y, gx, gv) = d_oscillate(p[0], p[1], steps, 1.0);
                assert_bits(y, oscillate(p[0], p[1], steps));
                d[0] += gx;
                d[1] += gv;
            },
        );
    }
    // exact, zero steps from (0, 0): (a, b) goes (0, .5), (.5, .5), (.5, .75); by hand,
    // d b1/dv = x = 0, d a1/dv = 1, d b2/dv = b1 = .5, d b3/dv = a2 * .5 = .25, so
    // d(a3 + b3^2)/dv = .5 + 2 * .75 * .25 = .875, and nothing depends on x.
    let (_, gx, gv) = d_oscillate(0.0, 0.0, 0, 1.0);
    assert_eq!(gv, 0.875);
    assert_eq!(gx, 0.0);
}

/// A tuple-valued `if` and `match` (ordering a pair, choosing weights).
#[autodiff_reverse(d_ordered, Duplicated, Const, Active)]
fn ordered(x: &[f64], mode: u8) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        let (lo, hi) = if x[i - 1] < x[i] {
            (x[i - 1], x[i])
        } else {
            (x[i], x[i - 1])
        };
        let (wa, wb) = match mode {
            0 => (1.0, 0.0),
            1 => (lo, hi.exp()),
            _ => {
                let m = 0.5 * (lo + hi);
                (m * m, m)
            }
        };
        s += wa * hi - wb * lo * lo;
    }
    s
}

#[test]
fn tuple_valued_branches() {
    for mode in 0..3 {
        check_all(
            &[&[0.5, -1.0, 2.0, 0.0], &[1.0, 1.5, 1.2, 3.0]],
            |x| ordered(x, mode),
            |x, d| assert_bits(d_ordered(x, d, mode, 1.0), ordered(x, mode)),
        );
    }
}

/// A tuple-valued `match` with an arm that returns early, its value in parentheses: the
/// arm is rewritten as a syntax tree, whose parentheses lowering has already taken out.
#[allow(unused_parens)]
#[autodiff_reverse(d_early_pair, Duplicated, Active)]
fn early_pair(x: &[f64]) -> f64 {
    let (a, b) = match x.len() {
        1 => return ((x[0] + 1.0) * 2.0),
        2 => return (x[0] * (x[1] - 3.0)),
        _ => (x[0] * x[1], (x[1] + 1.0) * x[0]),
    };
    (a - b) * (a + 2.0)
}

#[test]
fn tuple_valued_match_with_an_early_return() {
    check_all(
        &[&[2.0], &[0.5, -1.0], &[1.5, 3.0, 0.25]],
        early_pair,
        |x, d| assert_bits(d_early_pair(x, d, 1.0), early_pair(x)),
    );
}

/// A plain function returning a tuple of indices: its arguments carry no derivative, so
/// it is called as it is and its parts are read by field.
fn interior(n: usize) -> (usize, usize) {
    (1, n.saturating_sub(1))
}

#[autodiff_reverse(d_interior_energy, Duplicated, Active)]
fn interior_energy(u: &[f64]) -> f64 {
    let (lo, hi) = interior(u.len());
    let mut e = 0.0;
    for i in lo..hi {
        let g = u[i + 1] - u[i - 1];
        e += g * g * u[i];
    }
    e
}

#[test]
fn inactive_tuple_call() {
    check_all(
        &[&[1.0], &[0.5, 1.0, -1.0], &[0.0, 2.0, 1.0, -0.5, 0.3]],
        interior_energy,
        |u, d| assert_bits(d_interior_energy(u, d, 1.0), interior_energy(u)),
    );
}
