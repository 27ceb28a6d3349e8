//! Control flow under `#[autodiff_reverse]`: every supported construct against central
//! finite differences of the untouched primal, on several inputs each (branch flips,
//! empty and single-iteration loops, exits on the first and the last iteration), plus
//! exact values where they are known.
//!
//! Every adjoint call also checks contract item 6: the primal `d_f` returns is bit for bit
//! what `f` returns.
//!
//! The differentiated functions loop over indices (`for i in 0..x.len()`), the form the
//! macro differentiates and the subject of these tests; hence the `needless_range_loop`
//! allowance.
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, gradcheck_vjp};

mod common;
use common::{assert_bits, check_all};

// ---------------------------------------------------------------------------------------
// helpers

/// Relative closeness for comparisons with analytic derivatives.
#[track_caller]
fn assert_close(a: f64, b: f64, rtol: f64) {
    assert!(
        (a - b).abs() <= rtol * b.abs().max(1e-300),
        "{a:e} vs {b:e} (rtol {rtol:e})"
    );
}

// ---------------------------------------------------------------------------------------
// `for` over ranges

#[autodiff_reverse(d_range_sum, Duplicated, Active)]
fn range_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = x[i] * x[i].sin(); // overwritten every iteration
        s += t * t.cos();
    }
    s
}

#[test]
fn for_range_accumulates() {
    check_all(
        &[&[0.3], &[1.0, -2.0, 0.5], &[0.0, 3.0, -1.5, 2.2, 0.7]],
        range_sum,
        |x, dx| assert_bits(d_range_sum(x, dx, 1.0), range_sum(x)),
    );
}

/// A nonlinear recurrence over a window `lo..hi` given by `Const` bounds.
#[autodiff_reverse(d_window, Duplicated, Const, Const, Active)]
fn window(x: &[f64], lo: usize, hi: usize) -> f64 {
    let mut s = 1.0;
    for i in lo..hi {
        s = s * x[i].cos() + x[i];
    }
    s
}

#[test]
fn for_range_full_single_and_empty() {
    let points: &[&[f64]] = &[&[0.5, -1.0, 2.0, 0.25], &[1.5, 0.0, -0.3, 4.0]];
    for (lo, hi) in [(0, 4), (1, 3), (2, 3), (3, 4), (2, 2), (4, 4)] {
        check_all(
            points,
            |x| window(x, lo, hi),
            |x, dx| assert_bits(d_window(x, dx, lo, hi, 1.0), window(x, lo, hi)),
        );
    }
}

#[test]
fn for_range_with_zero_trip_count_is_exact() {
    let x = [0.5, -1.0, 2.0, 0.25];
    for (lo, hi) in [(0, 0), (2, 2), (3, 1)] {
        let mut dx = [7.0; 4]; // accumulates: stays as it was
        let v = d_window(&x, &mut dx, lo, hi, 1.0);
        assert_eq!(v, 1.0);
        assert_eq!(dx, [7.0; 4]);
    }
    // a single iteration: s = cos(x2) + x2, ds/dx2 = 1 - sin(x2)
    let mut dx = [0.0; 4];
    let v = d_window(&x, &mut dx, 2, 3, 1.0);
    assert_bits(v, 2.0f64.cos() + 2.0);
    assert_eq!(dx, [0.0, 0.0, 1.0 - 2.0f64.sin(), 0.0]);
}

#[autodiff_reverse(d_inclusive, Duplicated, Const, Const, Active)]
fn inclusive(x: &[f64], first: usize, last: usize) -> f64 {
    let mut s = 0.0;
    for i in first..=last {
        s = (s + x[i]).tanh() * (i as f64 + 1.0);
    }
    s
}

#[test]
fn for_inclusive_range() {
    let points: &[&[f64]] = &[&[0.2, -0.4, 0.9, 0.1], &[-1.0, 0.0, 0.3, 2.0]];
    for (first, last) in [(0, 3), (1, 2), (2, 2), (0, 0), (3, 2)] {
        check_all(
            points,
            |x| inclusive(x, first, last),
            |x, dx| {
                assert_bits(
                    d_inclusive(x, dx, first, last, 1.0),
                    inclusive(x, first, last),
                )
            },
        );
    }
    // `3..=2` is empty
    let mut dx = [0.0; 4];
    assert_eq!(d_inclusive(&[1.0; 4], &mut dx, 3, 2, 1.0), 0.0);
    assert_eq!(dx, [0.0; 4]);
}

#[autodiff_reverse(d_reversed, Duplicated, Active)]
fn reversed(x: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in (0..x.len()).rev() {
        acc = (0.5 * acc + x[i]).sin() * (i as f64 + 1.0);
    }
    acc
}

/// The same recurrence in forward order, to be sure `.rev()` changes the result.
fn forwards(x: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc = (0.5 * acc + x[i]).sin() * (i as f64 + 1.0);
    }
    acc
}

#[test]
fn for_reversed_range() {
    let x = [0.3, -0.8, 1.1];
    assert_ne!(reversed(&x), forwards(&x));
    check_all(
        &[&[0.7], &x, &[1.0, 0.5, -0.25, 2.0, 0.0]],
        reversed,
        |x, dx| assert_bits(d_reversed(x, dx, 1.0), reversed(x)),
    );
    let mut dx: [f64; 0] = [];
    assert_eq!(d_reversed(&[], &mut dx, 1.0), 0.0);
}

#[autodiff_reverse(d_strided, Duplicated, Const, Active)]
fn strided(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in (1..x.len()).step_by(k) {
        s += x[i] * x[i - 1].exp();
    }
    s
}

#[autodiff_reverse(d_strided_rev, Duplicated, Const, Active)]
fn strided_rev(x: &[f64], k: usize) -> f64 {
    let mut s = 0.5;
    for i in (0..x.len()).rev().step_by(k) {
        s = s * x[i] + (s * x[i]).sin();
    }
    s
}

#[test]
fn for_step_by() {
    let points: &[&[f64]] = &[&[0.1, 0.2], &[1.0, -2.0, 0.5, 0.3, -0.7, 1.2, 0.9]];
    for k in [1, 2, 3, 10] {
        check_all(
            points,
            |x| strided(x, k),
            |x, dx| assert_bits(d_strided(x, dx, k, 1.0), strided(x, k)),
        );
        check_all(
            points,
            |x| strided_rev(x, k),
            |x, dx| assert_bits(d_strided_rev(x, dx, k, 1.0), strided_rev(x, k)),
        );
    }
    // k = 3 on 7 entries visits i = 1 and 4: x[2], x[5], x[6] get exactly nothing
    let x = [1.0, -2.0, 0.5, 0.3, -0.7, 1.2, 0.9];
    let mut dx = [0.0; 7];
    d_strided(&x, &mut dx, 3, 1.0);
    assert_eq!([dx[2], dx[5], dx[6]], [0.0, 0.0, 0.0]);
    assert_eq!([dx[1], dx[4]], [x[0].exp(), x[3].exp()]);
    assert_eq!([dx[0], dx[3]], [x[1] * x[0].exp(), x[4] * x[3].exp()]);
}

#[autodiff_reverse(d_quad_form, Duplicated, Duplicated, Active)]
fn quad_form(a: &[[f64; 3]; 3], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let mut row = 0.0;
        for j in 0..3 {
            row += a[i][j] * x[j];
        }
        s += x[i] * row.tanh();
    }
    s
}

fn unpack_quad(v: &[f64]) -> ([[f64; 3]; 3], [f64; 3]) {
    let a = [[v[0], v[1], v[2]], [v[3], v[4], v[5]], [v[6], v[7], v[8]]];
    (a, [v[9], v[10], v[11]])
}

#[test]
fn nested_for_loops() {
    let p1: Vec<f64> = (0..12).map(|i| (i as f64 * 0.7).sin()).collect();
    let p2: Vec<f64> = (0..12).map(|i| 1.0 - 0.3 * i as f64).collect();
    check_all(
        &[&p1, &p2],
        |v| {
            let (a, x) = unpack_quad(v);
            quad_form(&a, &x)
        },
        |v, dv| {
            let (a, x) = unpack_quad(v);
            let (mut da, mut dx) = ([[0.0; 3]; 3], [0.0; 3]);
            assert_bits(
                d_quad_form(&a, &mut da, &x, &mut dx, 1.0),
                quad_form(&a, &x),
            );
            for (d, g) in dv.iter_mut().zip(da.iter().flatten().chain(&dx)) {
                *d += g;
            }
        },
    );
}

/// Triangular loops: the inner trip count depends on the outer index, and the inner
/// accumulator is overwritten every outer iteration.
#[autodiff_reverse(d_triangular, Duplicated, Active)]
fn triangular(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        let mut inner = 1.0;
        for j in 0..i {
            inner = inner * x[j].cos() + x[i] * x[j];
        }
        for j in i..n {
            inner += (x[j] - x[i]).powi(2);
        }
        s += inner.sin();
    }
    s
}

#[test]
fn triangular_nested_loops() {
    check_all(
        &[&[0.4], &[0.4, -1.2], &[0.3, 1.0, -0.5, 2.0, 0.1]],
        triangular,
        |x, dx| assert_bits(d_triangular(x, dx, 1.0), triangular(x)),
    );
}

/// The logistic map, with `_` as the loop variable.
#[autodiff_reverse(d_logistic, Active, Active, Const, Active)]
fn logistic(x0: f64, r: f64, n: usize) -> f64 {
    let mut x = x0;
    for _ in 0..n {
        x = r * x * (1.0 - x);
    }
    x
}

#[test]
fn underscore_loop_variable() {
    for n in [0, 1, 2, 7, 30] {
        check_all(
            &[&[0.2, 2.5], &[0.7, 3.2], &[0.5, 1.0]],
            |v| logistic(v[0], v[1], n),
            |v, dv| {
                let (x, d0, dr) = d_logistic(v[0], v[1], n, 1.0);
                assert_bits(x, logistic(v[0], v[1], n));
                dv[0] += d0;
                dv[1] += dr;
            },
        );
    }
    // n = 0: the identity in x0, nothing on r
    assert_eq!(d_logistic(0.2, 2.5, 0, 1.0), (0.2, 1.0, 0.0));
    // n = 1: x = r x0 (1 - x0)
    let (x, d0, dr) = d_logistic(0.25, 2.0, 1, 1.0);
    assert_eq!((x, d0, dr), (0.375, 2.0 * (1.0 - 0.5), 0.25 * 0.75));
}

// ---------------------------------------------------------------------------------------
// `while` and `loop`

/// The trip count depends on active values.
#[autodiff_reverse(d_grow_until, Active, Active, Active)]
fn grow_until(x: f64, rate: f64) -> f64 {
    let mut y = x;
    let mut steps = 0;
    while y < 10.0 {
        y = y * (1.0 + rate) + 0.1 * y.sin();
        steps += 1;
    }
    y * y + steps as f64
}

#[test]
fn while_with_active_condition() {
    let steps = |x: f64, r: f64| {
        let (mut y, mut n) = (x, 0);
        while y < 10.0 {
            y = y * (1.0 + r) + 0.1 * y.sin();
            n += 1;
        }
        n
    };
    // zero, one and many iterations
    assert_eq!(steps(12.0, 0.5), 0);
    assert_eq!(steps(9.0, 0.5), 1);
    assert!(steps(1.3, 0.2) > 5);
    check_all(
        &[
            &[12.0, 0.5],
            &[9.0, 0.5],
            &[1.3, 0.2],
            &[0.5, 1.7],
            &[3.0, 0.05],
        ],
        |v| grow_until(v[0], v[1]),
        |v, dv| {
            let (y, dx, dr) = d_grow_until(v[0], v[1], 1.0);
            assert_bits(y, grow_until(v[0], v[1]));
            dv[0] += dx;
            dv[1] += dr;
        },
    );
    // false at first: y = x, so d/dx (x^2) = 2x and nothing on the rate
    assert_eq!(d_grow_until(12.0, 0.5, 1.0), (144.0, 24.0, 0.0));
}

/// `while` with `&&`, a `continue` (after advancing the counter) and a `break`.
#[autodiff_reverse(d_while_exits, Duplicated, Active)]
fn while_exits(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut s = 0.0;
    while i < x.len() && s < 4.0 {
        let v = x[i];
        i += 1;
        if v < 0.0 {
            s = s * 0.5 - v * 0.1;
            continue;
        }
        s += v.sqrt() * (1.0 + s);
        if v > 3.0 {
            break;
        }
    }
    s
}

#[test]
fn while_with_continue_and_break() {
    check_all(
        &[
            &[],
            &[0.5],
            &[-1.0],
            &[0.5, -0.3, 1.0, 0.2, 0.4],
            &[3.5, 1.0, 1.0],      // break on the first iteration
            &[0.1, -0.2, 3.5],     // break on the last
            &[2.0, 2.0, 2.0, 2.0], // stops through the condition on `s`
        ],
        while_exits,
        |x, dx| assert_bits(d_while_exits(x, dx, 1.0), while_exits(x)),
    );
}

/// `loop` with two `break`s, one of them on an active condition.
#[autodiff_reverse(d_first_crossing, Duplicated, Active)]
fn first_crossing(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut s = 0.0;
    loop {
        if i == x.len() {
            break;
        }
        s += x[i].exp() * (s + 1.0);
        if s > 5.0 {
            break;
        }
        i += 1;
    }
    s.ln_1p()
}

#[test]
fn loop_with_break() {
    check_all(
        &[
            &[],
            &[0.1],
            &[2.0, 0.0, 0.0], // breaks on the first iteration
            &[0.1, -0.5, 0.3],
            &[0.1, 0.2, 0.3, 0.4, 1.5],
        ],
        first_crossing,
        |x, dx| assert_bits(d_first_crossing(x, dx, 1.0), first_crossing(x)),
    );
    // breaks on the first iteration: later entries get exactly nothing
    let mut dx = [0.0; 3];
    d_first_crossing(&[2.0, 1.0, 1.0], &mut dx, 1.0);
    assert!(dx[0] > 0.0);
    assert_eq!(&dx[1..], &[0.0, 0.0]);
}

/// Newton's iteration for `sqrt(a)` until it stops moving.
#[autodiff_reverse(d_newton_sqrt, Active, Active)]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = if a > 1.0 { a } else { 1.0 };
    let mut iterations = 0;
    loop {
        let next = 0.5 * (x + a / x);
        iterations += 1;
        if (next - x).abs() < 1e-12 || iterations == 100 {
            x = next;
            break;
        }
        x = next;
    }
    x
}

#[test]
fn convergence_loop_matches_the_analytic_derivative() {
    for a in [0.01, 0.5, 1.0, 2.0, 9.0, 123.456, 1e4] {
        let (root, d_a) = d_newton_sqrt(a, 1.0);
        assert_bits(root, newton_sqrt(a));
        assert_close(root, a.sqrt(), 1e-14);
        // differentiating the iterations converges to d sqrt(a)/da = 1/(2 sqrt(a))
        assert_close(d_a, 0.5 / a.sqrt(), 1e-10);
    }
    check_all(
        &[&[0.3], &[4.0], &[50.0]],
        |v| newton_sqrt(v[0]),
        |v, dv| dv[0] += d_newton_sqrt(v[0], 1.0).1,
    );
}

// ---------------------------------------------------------------------------------------
// branches

#[autodiff_reverse(d_piecewise, Active, Active, Active)]
fn piecewise(x: f64, y: f64) -> f64 {
    let mut r = x * 0.5;
    if x < -1.0 {
        r = x * y;
    } else if x < 1.0 {
        r += x.sin() * y * y;
    } else if y > 0.0 {
        r += y.exp() / x;
    } else {
        r -= y * y * x;
    }
    r
}

#[test]
fn if_else_if_else_statement() {
    check_all(
        // every branch, each side of each boundary
        &[
            &[-2.0, 0.5],
            &[-1.0001, 3.0],
            &[-0.9999, 3.0],
            &[0.3, -1.2],
            &[0.9999, 2.0],
            &[1.0001, 2.0],
            &[2.5, 0.7],
            &[2.5, -0.7],
        ],
        |v| piecewise(v[0], v[1]),
        |v, dv| {
            let (r, dx, dy) = d_piecewise(v[0], v[1], 1.0);
            assert_bits(r, piecewise(v[0], v[1]));
            dv[0] += dx;
            dv[1] += dy;
        },
    );
    // first branch: r = x y, exactly
    assert_eq!(d_piecewise(-2.0, 0.5, 1.0), (-1.0, 0.5, -2.0));
}

#[autodiff_reverse(d_if_value, Active, Active, Active)]
fn if_value(x: f64, y: f64) -> f64 {
    let h = if x > y {
        x * y
    } else if x > 0.0 {
        x.exp()
    } else {
        y - x * x
    };
    let g = if h > 1.0 { h.ln() } else { h - 1.0 };
    h * y + g.sin()
}

#[test]
fn if_expression_used_later() {
    check_all(
        &[
            &[2.0, 1.0],
            &[2.0, 0.4],
            &[0.5, 1.0],
            &[0.01, 1.0],
            &[-0.5, 1.0],
            &[-0.5, 3.0],
        ],
        |v| if_value(v[0], v[1]),
        |v, dv| {
            let (r, dx, dy) = d_if_value(v[0], v[1], 1.0);
            assert_bits(r, if_value(v[0], v[1]));
            dv[0] += dx;
            dv[1] += dy;
        },
    );
}

/// An if-expression inside a loop, decided differently on different iterations, whose
/// value is used after the `if` and carried to the next iteration.
#[autodiff_reverse(d_soft_clip_sum, Duplicated, Active, Active)]
fn soft_clip_sum(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    let mut prev = 0.0;
    for i in 0..x.len() {
        let c = if x[i] > limit {
            limit + (x[i] - limit).ln_1p()
        } else if x[i] < -limit {
            -limit
        } else {
            x[i]
        };
        s += c * c + c * prev;
        prev = c;
    }
    s
}

#[test]
fn if_expression_in_a_loop() {
    check_all(
        &[
            &[0.5, 1.0],
            &[0.5, -3.0, 2.0, 0.1, 4.0, 1.0],
            &[-2.0, -2.0, 2.0, 2.0, 1.5],
        ],
        |v| soft_clip_sum(&v[..v.len() - 1], v[v.len() - 1]),
        |v, dv| {
            let (x, limit) = v.split_at(v.len() - 1);
            let (dx, dl) = dv.split_at_mut(v.len() - 1);
            let (r, d_limit) = d_soft_clip_sum(x, dx, limit[0], 1.0);
            assert_bits(r, soft_clip_sum(x, limit[0]));
            dl[0] += d_limit;
        },
    );
}

// ---------------------------------------------------------------------------------------
// `break` and `continue` in `for`

/// `break` at the end of the body (after the update).
#[autodiff_reverse(d_until_large, Duplicated, Const, Active)]
fn until_large(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.25;
    for i in 0..x.len() {
        s = s * x[i] + x[i].sin();
        if x[i] > limit {
            break;
        }
    }
    s
}

/// `break` in the middle of the body: the statement after it must not run on the last
/// iteration, and its adjoint must not run either.
#[autodiff_reverse(d_break_mid, Duplicated, Const, Active)]
fn break_mid(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.25;
    for i in 0..x.len() {
        s = s * x[i] + 1.0;
        if s > limit {
            break;
        }
        s = s.sin() * 2.0;
    }
    s
}

#[test]
fn break_on_first_middle_last_and_never() {
    let limit = 1.0;
    let points: &[&[f64]] = &[
        &[1.5, 0.3, 0.4, 0.5],  // breaks on the first iteration
        &[0.2, 0.3, 1.7, 0.5],  // in the middle
        &[0.2, 0.3, 0.4, 1.9],  // on the last
        &[0.2, -0.3, 0.4, 0.5], // never
    ];
    check_all(
        points,
        |x| until_large(x, limit),
        |x, dx| assert_bits(d_until_large(x, dx, limit, 1.0), until_large(x, limit)),
    );
    // after a break on the first iteration only x[0] matters: s = 0.25 x0 + sin x0
    let mut dx = [0.0; 4];
    let s = d_until_large(points[0], &mut dx, limit, 1.0);
    assert_bits(s, 0.25 * 1.5 + 1.5f64.sin());
    assert_eq!(dx, [0.25 + 1.5f64.cos(), 0.0, 0.0, 0.0]);

    for limit in [1.2, 1.9, 10.0] {
        check_all(
            &[
                &[0.9, 0.3, 0.4, 0.5],
                &[0.2, 1.3, 0.4, 1.5],
                &[1.1, 0.1, 2.0],
            ],
            |x| break_mid(x, limit),
            |x, dx| assert_bits(d_break_mid(x, dx, limit, 1.0), break_mid(x, limit)),
        );
    }
    // breaks on the first iteration: s = 0.25 x0 + 1 and the `sin` never runs
    let mut dx = [0.0; 3];
    let s = d_break_mid(&[2.0, 0.5, 0.5], &mut dx, 1.2, 1.0);
    assert_eq!(s, 1.5);
    assert_eq!(dx, [0.25, 0.0, 0.0]);
}

/// `continue` in both loops of a nest, and code after the inner loop that a `continue` of
/// the inner loop must not skip.
#[autodiff_reverse(d_skip_pairs, Duplicated, Active)]
fn skip_pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] < 0.0 {
            continue;
        }
        for j in 0..x.len() {
            if i == j {
                continue;
            }
            let t = x[i] * x[j];
            if t > 2.0 {
                continue;
            }
            s += t.sin() + s * 0.1 * x[j];
        }
        s = s * 0.9 + x[i];
    }
    s
}

#[test]
fn continue_in_nested_loops() {
    check_all(
        &[
            &[0.5],
            &[-0.5],
            &[0.5, -1.0, 1.2, 0.3],
            &[2.0, 1.5, -0.1, 0.4, 1.1],
            &[-1.0, -2.0, 3.0],
        ],
        skip_pairs,
        |x, dx| assert_bits(d_skip_pairs(x, dx, 1.0), skip_pairs(x)),
    );
    // every outer iteration continues: nothing depends on x
    let mut dx = [0.0; 2];
    assert_eq!(d_skip_pairs(&[-1.0, -2.0], &mut dx, 1.0), 0.0);
    assert_eq!(dx, [0.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// products with exact zeros, Horner

#[autodiff_reverse(d_product, Duplicated, Active)]
#[allow(clippy::assign_op_pattern)] // `p = p * x[i]` on purpose; `*=` is `product_assign`
fn product(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for i in 0..x.len() {
        p = p * x[i];
    }
    p
}

#[autodiff_reverse(d_product_assign, Duplicated, Active)]
fn product_assign(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for i in 0..x.len() {
        p *= x[i];
    }
    p
}

#[test]
fn product_with_zeros_is_exact() {
    let cases: &[(&[f64], &[f64])] = &[
        (&[2.0, 0.0, 3.0, 4.0], &[0.0, 24.0, 0.0, 0.0]),
        (&[2.0, 3.0, 0.0], &[0.0, 0.0, 6.0]),
        (&[0.0, 5.0, -2.0], &[-10.0, 0.0, 0.0]),
        (&[0.0, 5.0, 0.0], &[0.0, 0.0, 0.0]),
        (&[0.0], &[1.0]),
        (&[], &[]),
        (&[2.0, -3.0, 0.5], &[-1.5, 1.0, -6.0]),
    ];
    for (x, want) in cases {
        let mut dx = vec![0.0; x.len()];
        assert_bits(d_product(x, &mut dx, 1.0), product(x));
        assert_eq!(&dx, want, "d product at {x:?}");
        let mut dx = vec![0.0; x.len()];
        assert_bits(d_product_assign(x, &mut dx, 1.0), product_assign(x));
        assert_eq!(&dx, want, "d product_assign at {x:?}");
    }
    check_all(
        &[&[0.3, -1.2, 2.0, 0.0, 1.1], &[0.7, 0.8, 0.9]],
        product,
        |x, dx| assert_bits(d_product(x, dx, 1.0), product(x)),
    );
}

#[autodiff_reverse(d_horner, Active, Duplicated, Active)]
fn horner(x: f64, c: &[f64]) -> f64 {
    let mut acc = 0.0;
    for k in 0..c.len() {
        acc = acc * x + c[k];
    }
    acc
}

#[test]
fn horner_recurrence() {
    // p(x) = x^3 - 3x^2 + 2: p(2) = -2, p'(2) = 3*4 - 12 = 0, dp/dc = [x^3, x^2, x, 1]
    let c = [1.0, -3.0, 0.0, 2.0];
    let mut dc = [0.0; 4];
    assert_eq!(d_horner(2.0, &c, &mut dc, 1.0), (-2.0, 0.0));
    assert_eq!(dc, [8.0, 4.0, 2.0, 1.0]);
    // p'(3) = 27 - 18 = 9
    let mut dc = [0.0; 4];
    assert_eq!(d_horner(3.0, &c, &mut dc, 1.0), (2.0, 9.0));
    assert_eq!(dc, [27.0, 9.0, 3.0, 1.0]);
    // at x = 0 only the constant term matters
    let mut dc = [0.0; 4];
    assert_eq!(d_horner(0.0, &c, &mut dc, 1.0), (2.0, 0.0));
    assert_eq!(dc, [0.0, 0.0, 0.0, 1.0]);

    check_all(
        &[&[0.7, 1.0, -2.0, 0.5, 3.0], &[-1.3, 0.2, 0.0], &[2.0, 4.0]],
        |v| horner(v[0], &v[1..]),
        |v, dv| {
            let (dx, dc) = dv.split_at_mut(1);
            let (p, d) = d_horner(v[0], &v[1..], dc, 1.0);
            assert_bits(p, horner(v[0], &v[1..]));
            dx[0] += d;
        },
    );
}

// ---------------------------------------------------------------------------------------
// time stepping

/// Exponential decay `y' = -k y` with explicit Euler, `while t < t_end`.
#[autodiff_reverse(d_decay, Active, Active, Const, Const, Active)]
fn decay(y0: f64, k: f64, dt: f64, t_end: f64) -> f64 {
    let mut y = y0;
    let mut t = 0.0;
    while t < t_end {
        y += dt * (-k * y);
        t += dt;
    }
    y
}

#[test]
fn euler_decay_matches_closed_form() {
    let (dt, t_end) = (0.01, 1.0);
    let mut n = 0;
    let mut t = 0.0;
    while t < t_end {
        t += dt;
        n += 1;
    }
    for (y0, k) in [(1.0, 0.5), (2.5, 3.0), (-1.0, 0.1)] {
        let (y, dy0, dk) = d_decay(y0, k, dt, t_end, 1.0);
        assert_bits(y, decay(y0, k, dt, t_end));
        // y_n = y0 (1 - k dt)^n
        let g = 1.0 - k * dt;
        assert_close(y, y0 * g.powi(n), 1e-12);
        assert_close(dy0, g.powi(n), 1e-12);
        assert_close(dk, -(n as f64) * dt * y0 * g.powi(n - 1), 1e-12);
    }
    // `while` false at first
    assert_eq!(d_decay(2.0, 1.0, 0.1, 0.0, 1.0), (2.0, 1.0, 0.0));
}

/// A damped, driven oscillator with quadratic drag: every parameter active.
#[autodiff_reverse(d_oscillator, Active, Active, Active, Active, Const, Const, Active)]
fn oscillator(k: f64, c: f64, drag: f64, x0: f64, dt: f64, t_end: f64) -> f64 {
    let mut x = x0;
    let mut v = 0.0;
    let mut t = 0.0;
    let mut energy = 0.0;
    while t < t_end {
        let a = -k * x - c * v - drag * v * v.abs() + (2.0 * t).sin();
        x += dt * v;
        v += dt * a;
        t += dt;
        energy += dt * v * v;
    }
    x + 0.1 * energy
}

#[test]
fn euler_oscillator_with_active_parameters() {
    for (dt, t_end) in [(0.01, 2.0), (0.05, 0.3), (0.1, 0.05)] {
        check_all(
            &[
                &[1.0, 0.2, 0.1, 1.0],
                &[4.0, 0.0, 0.5, -0.5],
                &[0.3, 1.0, 0.0, 2.0],
            ],
            |p| oscillator(p[0], p[1], p[2], p[3], dt, t_end),
            |p, dp| {
                let (x, dk, dc, dd, dx0) = d_oscillator(p[0], p[1], p[2], p[3], dt, t_end, 1.0);
                assert_bits(x, oscillator(p[0], p[1], p[2], p[3], dt, t_end));
                for (d, g) in dp.iter_mut().zip([dk, dc, dd, dx0]) {
                    *d += g;
                }
            },
        );
    }
}

/// Explicit heat equation with a nonlinear reaction term on a rod with fixed ends,
/// updated in place over `steps` time steps.
#[autodiff_reverse(d_heat, Duplicated, Active, Const, Const, Active)]
fn heat(u: &mut [f64], alpha: f64, reaction: f64, steps: usize) -> f64 {
    let n = u.len();
    for _ in 0..steps {
        let mut left = u[0];
        for i in 1..n - 1 {
            let centre = u[i];
            u[i] = centre + alpha * (left - 2.0 * centre + u[i + 1]) - reaction * centre.powi(3);
            left = centre;
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += u[i] * u[i];
    }
    s
}

#[test]
fn in_place_stencil_on_a_mut_argument() {
    let u0 = [0.0, 0.3, 0.9, -0.4, 0.6, 0.2, 0.0];
    let n = u0.len();
    for steps in [0, 1, 5, 40] {
        // the &mut contract: d_u on entry seeds the final u, on exit is the adjoint with
        // respect to the initial u; the return's seed is the last argument
        let seed_u: Vec<f64> = (0..n).map(|i| 0.5 - 0.1 * i as f64).collect();
        let seed_ret = 0.7;
        // x = [u0.., alpha], outputs = [final u.., returned value]
        let f = |x: &[f64]| {
            let mut u = x[..n].to_vec();
            let s = heat(&mut u, x[n], 0.2, steps);
            u.push(s);
            u
        };
        let vjp = |x: &[f64], seed: &[f64], dx: &mut [f64]| {
            let mut u = x[..n].to_vec();
            let mut d_u = seed[..n].to_vec();
            let (s, d_alpha) = d_heat(&mut u, &mut d_u, x[n], 0.2, steps, seed[n]);
            // primal return and primal side effect, bit for bit
            let mut u_f = x[..n].to_vec();
            assert_bits(s, heat(&mut u_f, x[n], 0.2, steps));
            assert_eq!(
                u.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                u_f.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            for i in 0..n {
                dx[i] += d_u[i];
            }
            dx[n] += d_alpha;
        };
        let mut seed = seed_u.clone();
        seed.push(seed_ret);
        for alpha in [0.1, 0.3] {
            let mut x = u0.to_vec();
            x.push(alpha);
            if let Err(e) = gradcheck_vjp(f, vjp, &x, &seed) {
                panic!("steps = {steps}, alpha = {alpha}\n{e:?}");
            }
        }
        if steps == 0 {
            // identity map: d_u = seed_u + 2 u0 seed_ret
            let mut u = u0;
            let mut d_u = [0.0; 7];
            d_u.copy_from_slice(&seed_u);
            let (_, d_alpha) = d_heat(&mut u, &mut d_u, 0.1, 0.2, 0, seed_ret);
            assert_eq!(d_alpha, 0.0);
            for i in 0..n {
                assert_close(d_u[i], seed_u[i] + 2.0 * u0[i] * seed_ret, 1e-15);
            }
        }
    }
}

/// Double buffering through a local `vec!`, overwritten every step, and a local array
/// updated in place.
#[autodiff_reverse(d_smooth, Duplicated, Active, Active)]
#[allow(clippy::manual_memcpy, clippy::useless_vec)] // element loops and `vec!` on purpose
fn smooth(x: &[f64; 5], w: f64) -> f64 {
    let mut buf = [0.0; 5];
    for i in 0..5 {
        buf[i] = x[i];
    }
    let mut next = vec![0.0; 5];
    for _ in 0..3 {
        next[0] = buf[0];
        next[4] = buf[4];
        for i in 1..4 {
            next[i] = (w * buf[i - 1] + buf[i] + w * buf[i + 1]).sin();
        }
        for i in 0..5 {
            buf[i] = next[i];
        }
    }
    let mut s = 0.0;
    for i in 0..5 {
        s += buf[i] * buf[i] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn local_buffers_updated_in_place() {
    check_all(
        &[
            &[0.1, 0.5, -0.3, 0.8, 0.2, 0.4],
            &[1.0, -1.0, 2.0, 0.0, 0.5, -0.7],
        ],
        |v| smooth(&[v[0], v[1], v[2], v[3], v[4]], v[5]),
        |v, dv| {
            let x = [v[0], v[1], v[2], v[3], v[4]];
            let mut dx = [0.0; 5];
            let (s, dw) = d_smooth(&x, &mut dx, v[5], 1.0);
            assert_bits(s, smooth(&x, v[5]));
            dv[..5].copy_from_slice(&dx);
            dv[5] += dw;
        },
    );
}

/// A pure output buffer written inside a loop.
#[autodiff_reverse(d_running_norm, Duplicated, Duplicated)]
fn running_norm(x: &[f64], out: &mut [f64]) {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
        out[i] = s.sqrt();
    }
}

#[test]
fn output_buffer_written_in_a_loop() {
    let x = [0.5, -1.0, 2.0, 0.3];
    let seed = [1.0, -0.5, 0.25, 2.0];
    let f = |x: &[f64]| {
        let mut out = vec![0.0; x.len()];
        running_norm(x, &mut out);
        out
    };
    let vjp = |x: &[f64], seed: &[f64], dx: &mut [f64]| {
        let mut out = vec![f64::NAN; x.len()]; // overwritten before it is read
        let mut d_out = seed.to_vec();
        d_running_norm(x, dx, &mut out, &mut d_out);
        assert_eq!(out, f(x));
        // a pure output's shadow is zero afterwards
        assert!(d_out.iter().all(|&d| d == 0.0), "{d_out:?}");
    };
    gradcheck_vjp(f, vjp, &x, &seed).unwrap();
    gradcheck_vjp(f, vjp, &[3.0, 0.0, -4.0], &[0.0, 1.0, 1.0]).unwrap();
}

// ---------------------------------------------------------------------------------------
// `return`

/// `return` inside a loop inside an `if`, and at the top before any loop.
#[autodiff_reverse(d_early_exit, Duplicated, Active, Active)]
fn early_exit(x: &[f64], budget: f64) -> f64 {
    if x.is_empty() {
        return budget * budget;
    }
    let mut s = 0.0;
    if budget > 0.0 {
        for i in 0..x.len() {
            s += x[i] * x[i] * budget;
            if s > budget {
                return s.sqrt() * budget;
            }
        }
    } else {
        s = -budget * x[0];
    }
    s * budget + x[0]
}

#[test]
fn early_return_from_a_loop_inside_an_if() {
    let cases: &[&[f64]] = &[
        &[2.0],                     // empty x: the first return
        &[0.3, 0.2, 0.1, 1.0],      // returns in the loop on the last iteration
        &[2.0, 0.2, 0.1, 1.0],      // ... on the first
        &[0.3, 0.2, 1.5, 0.1, 1.0], // ... in the middle
        &[0.3, 0.2, 0.1, 0.1, 1.0], // finishes the loop
        &[0.3, 0.2, 0.1, -0.5],     // else branch
    ];
    check_all(
        cases,
        |v| {
            let (x, b) = v.split_at(v.len() - 1);
            early_exit(x, b[0])
        },
        |v, dv| {
            let (x, b) = v.split_at(v.len() - 1);
            let (dx, db) = dv.split_at_mut(v.len() - 1);
            let (r, d_b) = d_early_exit(x, dx, b[0], 1.0);
            assert_bits(r, early_exit(x, b[0]));
            db[0] += d_b;
        },
    );
    // the first return: budget^2
    let mut dx: [f64; 0] = [];
    assert_eq!(d_early_exit(&[], &mut dx, 3.0, 1.0), (9.0, 6.0));
    // a return on the first iteration: r = sqrt(x0^2 b) b = |x0| b^1.5, later x get nothing
    let mut dx = [0.0; 3];
    let (r, _) = d_early_exit(&[2.0, 5.0, 5.0], &mut dx, 1.0, 1.0);
    assert_eq!(r, 2.0);
    assert_eq!(dx, [1.0, 0.0, 0.0]);
}

/// `return` from a `while` nested in a `for`.
#[autodiff_reverse(d_return_nested, Duplicated, Active, Active)]
fn return_nested(x: &[f64], a: f64) -> f64 {
    let mut acc = 1.0;
    for i in 0..x.len() {
        let mut y = x[i];
        while y < a {
            y = y * 1.5 + 0.25;
            acc *= y;
            if acc > 100.0 {
                return acc.ln() + y;
            }
        }
        acc += y.sin();
    }
    acc
}

#[test]
fn return_from_a_while_inside_a_for() {
    check_all(
        &[
            &[0.5, 0.7, 2.0],
            &[1.0, 3.0, 3.5],
            &[0.1, 0.2, 0.3, 0.2, 0.1, 4.0],
            &[5.0, 6.0, 1.0],
        ],
        |v| {
            let (x, a) = v.split_at(v.len() - 1);
            return_nested(x, a[0])
        },
        |v, dv| {
            let (x, a) = v.split_at(v.len() - 1);
            let (dx, da) = dv.split_at_mut(v.len() - 1);
            let (r, d_a) = d_return_nested(x, dx, a[0], 1.0);
            assert_bits(r, return_nested(x, a[0]));
            da[0] += d_a;
        },
    );
}

// ---------------------------------------------------------------------------------------
// nested combinations

/// A `while` inside a `for` inside an `if`.
#[autodiff_reverse(d_combo, Duplicated, Active, Active)]
fn combo(x: &[f64], scale: f64) -> f64 {
    let mut total = 0.0;
    if scale > 0.0 {
        for i in 0..x.len() {
            let mut y = x[i] * scale;
            let mut n = 0;
            while y.abs() > 1.0 && n < 10 {
                y = y * 0.5 + 0.1 * y.sin();
                n += 1;
            }
            total += y * y + n as f64 + total * 0.01;
        }
    } else {
        total = scale * scale;
        for i in 0..x.len() {
            total += x[i];
        }
    }
    total
}

#[test]
fn while_inside_for_inside_if() {
    check_all(
        &[
            &[0.5, 0.3, 1.0],
            &[3.0, -7.0, 0.2, 20.0, 1.0],
            &[3.0, -7.0, 0.2, 20.0, 0.01],
            &[3.0, -7.0, 0.2, -0.5],
            &[4.0],
        ],
        |v| {
            let (x, s) = v.split_at(v.len() - 1);
            combo(x, s[0])
        },
        |v, dv| {
            let (x, s) = v.split_at(v.len() - 1);
            let (dx, ds) = dv.split_at_mut(v.len() - 1);
            let (r, d_s) = d_combo(x, dx, s[0], 1.0);
            assert_bits(r, combo(x, s[0]));
            ds[0] += d_s;
        },
    );
}

/// An `if` inside a `while` inside a `for`, with `break` and `continue` at two levels and
/// a value carried across both loops.
#[autodiff_reverse(d_tangle, Duplicated, Active)]
fn tangle(x: &[f64]) -> f64 {
    let mut carry = 0.5;
    for i in 0..x.len() {
        if x[i] == 0.0 {
            continue;
        }
        let mut k = 0;
        while k < 4 {
            k += 1;
            let z = carry * x[i];
            if z.abs() < 0.05 {
                continue;
            } else if z > 3.0 {
                break;
            }
            carry = z.tanh() + carry * 0.5;
        }
        if carry < -0.9 {
            break;
        }
    }
    carry
}

#[test]
fn mixed_exits_at_two_levels() {
    check_all(
        &[
            &[1.0, 2.0, -1.5, 0.7],
            &[0.0, 0.05, 8.0, 1.0],
            &[-3.0, -3.0, 1.0],
            &[0.01, 0.02],
        ],
        tangle,
        |x, dx| assert_bits(d_tangle(x, dx, 1.0), tangle(x)),
    );
}

// ---------------------------------------------------------------------------------------
// the adjoint of a loop can be called again (tapes are per call)

#[test]
fn loop_adjoints_accumulate_over_calls() {
    let x = [0.3, -1.2, 0.8, 2.0, 0.4];
    let mut once = [0.0; 5];
    d_skip_pairs(&x, &mut once, 1.0);
    // a fresh call gives the same bits: no state survives a call
    let mut again = [0.0; 5];
    d_skip_pairs(&x, &mut again, 1.0);
    assert_eq!(once, again);
    // a second call on the same buffer adds (each contribution is added to the buffer
    // one by one, so the sum is not bit-for-bit `2 * once`)
    d_skip_pairs(&x, &mut again, 1.0);
    for i in 0..5 {
        assert_close(again[i], 2.0 * once[i], 1e-14);
    }
    // seeding is linear (a power of two scales every product exactly)
    let mut scaled = [0.0; 5];
    d_skip_pairs(&x, &mut scaled, -0.5);
    for i in 0..5 {
        assert_eq!(scaled[i], -0.5 * once[i]);
    }
}

// ---------------------------------------------------------------------------------------
// more shapes of the same constructs

/// Conditional overwrites: a value overwritten in one branch only is needed later, and a
/// variable assigned in both branches of an `if` without an `else if`.
#[autodiff_reverse(d_conditional_overwrite, Duplicated, Active)]
fn conditional_overwrite(x: &[f64]) -> f64 {
    let mut y = 1.0;
    let mut z: f64 = 0.5;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            y = y * x[i] + z.sin();
        } else {
            z = z * y - x[i];
        }
        let mut t = 0.0;
        if y > z {
            t = y * z;
        }
        let y2 = y * y; // shadowing-style temporaries
        let y2 = y2.tanh();
        y = y2 + t * 0.1;
    }
    y * z
}

#[test]
fn conditional_overwrites_in_a_loop() {
    check_all(
        &[
            &[0.5, -0.3, 1.2, -2.0, 0.1],
            &[-1.0, -1.0, 2.0],
            &[3.0, 3.0, 3.0],
            &[-0.2],
        ],
        conditional_overwrite,
        |x, dx| {
            assert_bits(
                d_conditional_overwrite(x, dx, 1.0),
                conditional_overwrite(x),
            )
        },
    );
}

/// `break` out of the inner loop only; `loop` inside `loop`.
#[autodiff_reverse(d_inner_break, Duplicated, Active)]
fn inner_break(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut i = 0;
    loop {
        if i >= n {
            break;
        }
        let mut j = i;
        let mut run = 1.0;
        loop {
            run = run * x[j] + 0.1;
            j += 1;
            if j == n || x[j] < 0.0 {
                break;
            }
        }
        s += run.sin() * (1.0 + s);
        i = j + 1;
    }
    s
}

#[test]
fn nested_loops_with_inner_break() {
    check_all(
        &[
            &[0.5],
            &[0.5, -0.2],
            &[0.5, 0.6, -0.2, 0.9, 1.1, -0.3, 0.4],
            &[-0.5, -0.6, -0.7],
            &[1.0, 1.1, 1.2, 1.3],
        ],
        inner_break,
        |x, dx| assert_bits(d_inner_break(x, dx, 1.0), inner_break(x)),
    );
}

/// Gauss-Seidel sweeps on a `&mut` argument: every update reads the neighbour updated
/// just before it. The result is returned only through the buffer (`Const` return, `()`).
#[autodiff_reverse(d_gauss_seidel, Duplicated, Duplicated, Const, Active)]
fn gauss_seidel(u: &mut [f64], rhs: &[f64], sweeps: usize, omega: f64) {
    let n = u.len();
    for _ in 0..sweeps {
        for i in 1..n - 1 {
            let target = 0.5 * (u[i - 1] + u[i + 1] + rhs[i] * u[i].cos());
            u[i] = (1.0 - omega) * u[i] + omega * target;
        }
        for i in (1..n - 1).rev() {
            u[i] = 0.5 * (u[i] + 0.5 * (u[i - 1] + u[i + 1]));
        }
    }
}

#[test]
fn gauss_seidel_in_place_with_mut_shadow() {
    let n = 6;
    let u0 = [0.0, 0.5, -0.25, 1.0, 0.75, 0.0];
    let rhs = [0.0, 0.3, -0.1, 0.4, 0.2, 0.0];
    let seed = [0.1, 1.0, -0.5, 0.25, 2.0, -1.0];
    for sweeps in [0, 1, 3] {
        // x = [u0.., rhs.., omega]
        let f = |x: &[f64]| {
            let mut u = x[..n].to_vec();
            gauss_seidel(&mut u, &x[n..2 * n], sweeps, x[2 * n]);
            u
        };
        let vjp = |x: &[f64], seed: &[f64], dx: &mut [f64]| {
            let mut u = x[..n].to_vec();
            let mut d_u = seed.to_vec();
            let (dx_u, rest) = dx.split_at_mut(n);
            let (d_rhs, d_omega) = rest.split_at_mut(n);
            let dw = d_gauss_seidel(&mut u, &mut d_u, &x[n..2 * n], d_rhs, sweeps, x[2 * n]);
            assert_eq!(u, f(x));
            for i in 0..n {
                dx_u[i] += d_u[i];
            }
            d_omega[0] += dw;
        };
        let mut x = u0.to_vec();
        x.extend_from_slice(&rhs);
        x.push(1.2);
        if let Err(e) = gradcheck_vjp(f, vjp, &x, &seed) {
            panic!("sweeps = {sweeps}\n{e:?}");
        }
        if sweeps == 0 {
            // nothing happens: the shadow passes through unchanged
            let mut u = u0;
            let mut d_u = seed;
            let mut d_rhs = [0.0; 6];
            let dw = d_gauss_seidel(&mut u, &mut d_u, &rhs, &mut d_rhs, 0, 1.2);
            assert_eq!((u, d_u, d_rhs, dw), (u0, seed, [0.0; 6], 0.0));
        }
    }
}

/// Two `&mut` state arrays stepped in time, plus a scatter into a local array with
/// repeated, computed indices.
#[autodiff_reverse(d_two_states, Duplicated, Duplicated, Active, Const, Active)]
fn two_states(pos: &mut [f64; 3], vel: &mut [f64; 3], k: f64, steps: usize) -> f64 {
    let dt = 0.05;
    let mut bins = [0.0; 2];
    for step in 0..steps {
        for i in 0..3 {
            let left = pos[(i + 2) % 3];
            let force = -k * (pos[i] - left) - 0.1 * vel[i] * vel[i].abs();
            vel[i] += dt * force;
            pos[i] += dt * vel[i];
            bins[(i + step) % 2] += pos[i] * pos[i];
        }
    }
    bins[0] - 0.5 * bins[1]
}

#[test]
fn coupled_mut_states_and_scatter() {
    let (p0, v0) = ([0.1, -0.4, 0.3], [0.0, 0.2, -0.1]);
    for steps in [0, 1, 10] {
        // x = [pos.., vel.., k]; outputs = [pos.., vel.., returned]
        let f = |x: &[f64]| {
            let mut p = [x[0], x[1], x[2]];
            let mut v = [x[3], x[4], x[5]];
            let r = two_states(&mut p, &mut v, x[6], steps);
            vec![p[0], p[1], p[2], v[0], v[1], v[2], r]
        };
        let vjp = |x: &[f64], s: &[f64], dx: &mut [f64]| {
            let mut p = [x[0], x[1], x[2]];
            let mut v = [x[3], x[4], x[5]];
            let mut dp = [s[0], s[1], s[2]];
            let mut dv = [s[3], s[4], s[5]];
            let (r, dk) = d_two_states(&mut p, &mut dp, &mut v, &mut dv, x[6], steps, s[6]);
            let want = f(x);
            assert_bits(r, want[6]);
            assert_eq!([p, v].concat(), &want[..6]);
            for (d, g) in dx.iter_mut().zip(dp.iter().chain(&dv).chain([&dk])) {
                *d += g;
            }
        };
        let mut x = [p0, v0].concat();
        x.push(2.0);
        if let Err(e) = gradcheck_vjp(f, vjp, &x, &[0.5, -1.0, 0.25, 1.0, 0.0, -0.5, 1.5]) {
            panic!("steps = {steps}\n{e:?}");
        }
    }
}

/// `step_by` on an inclusive range, bounds computed from the length, index arithmetic.
#[autodiff_reverse(d_strided_inclusive, Duplicated, Active)]
fn strided_inclusive(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in (1..=n - 2).step_by(2) {
        s += x[i - 1] * x[i + 1] - x[n - 1 - i].powi(2);
    }
    s
}

#[test]
fn step_by_on_inclusive_range() {
    check_all(
        &[
            &[0.5, 1.0],
            &[0.5, 1.0, -2.0],
            &[0.3, -0.7, 1.1, 0.4, 2.0, -1.0],
        ],
        strided_inclusive,
        |x, dx| assert_bits(d_strided_inclusive(x, dx, 1.0), strided_inclusive(x)),
    );
}

/// The same kind of loop in `f32`.
#[autodiff_reverse(d_horner32, Active, Duplicated, Active)]
fn horner32(x: f32, c: &[f32]) -> f32 {
    let mut acc = 0.0f32;
    let mut k = 0;
    while k < c.len() {
        acc = acc * x + c[k];
        k += 1;
        if acc.abs() > 1e6 {
            break;
        }
    }
    acc
}

#[test]
fn f32_loop() {
    let c = [1.0f32, -3.0, 0.0, 2.0];
    let mut dc = [0.0f32; 4];
    let (p, dx) = d_horner32(3.0, &c, &mut dc, 1.0);
    assert_eq!(p.to_bits(), horner32(3.0, &c).to_bits());
    assert_eq!((p, dx), (2.0, 9.0));
    assert_eq!(dc, [27.0, 9.0, 3.0, 1.0]);
}

/// A periodic stencil: every point sees its right neighbour, wrapping around, through a
/// parenthesised index expression.
#[autodiff_reverse(d_periodic, Duplicated, Active)]
fn periodic(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        s += x[(i + 1) % n].sin() + (x[i] - x[(i + n - 1) % n]).powi(2) * x[i];
    }
    s
}

#[test]
fn periodic_index() {
    check_all(
        &[&[0.3], &[0.3, -0.5], &[0.3, -0.5, 1.2, 0.8]],
        periodic,
        |x, dx| assert_bits(d_periodic(x, dx, 1.0), periodic(x)),
    );
}

/// An inner `for` that breaks, inside an outer `for`: the inner trip count differs per
/// outer iteration and must be recorded, not recomputed.
#[autodiff_reverse(d_inner_for_break, Duplicated, Active)]
fn inner_for_break(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut run = 1.0;
        for j in 0..4 {
            run = run * x[i] + 0.1;
            if j == i % 3 {
                break;
            }
        }
        s += run.sin();
    }
    s
}

/// A `while` inside a `for`, with a different trip count per outer iteration.
#[autodiff_reverse(d_inner_while, Duplicated, Active)]
fn inner_while(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut y = x[i];
        while y < 1.0 {
            y = y * 1.5 + 0.3;
        }
        s += y.sin();
    }
    s
}

#[test]
fn inner_loop_trip_counts_per_outer_iteration() {
    let points: &[&[f64]] = &[&[0.45], &[0.3, 0.55, -0.2, 1.3, 0.9], &[1.2, -0.5, 0.05]];
    check_all(points, inner_for_break, |x, dx| {
        assert_bits(d_inner_for_break(x, dx, 1.0), inner_for_break(x))
    });
    check_all(points, inner_while, |x, dx| {
        assert_bits(d_inner_while(x, dx, 1.0), inner_while(x))
    });
    // one iteration of the inner `for` (i = 0 breaks at j = 0): run = x0 + 0.1
    let mut dx = [0.0];
    d_inner_for_break(&[0.45], &mut dx, 1.0);
    assert_eq!(dx[0], (0.45f64 + 0.1).cos());
    // the `while` does not run for x >= 1: s = sin(x)
    let mut dx = [0.0];
    d_inner_while(&[1.2], &mut dx, 1.0);
    assert_eq!(dx[0], 1.2f64.cos());
}

// ---------------------------------------------------------------------------------------
// BUG: the function below does not compile under the macro (at commits 652a30f and
// 17f8452); it and its test are commented out until the macro is fixed. Uncomment to
// reproduce.
//
// An if-expression with a diverging arm (`return`, `break` or `continue`): the adjoint
// declares `let h;`, assigns it only in the arm that does not diverge, then reads it
// unconditionally (tapes it, or uses it under the `!returned` flag), so rustc rejects the
// generated code with E0381 "used binding isn't initialized". Also at the top level,
// outside any loop: `let h = if x > 0.0 { x.sqrt() } else { return x * x; };`.
//
// #[autodiff_reverse(d_sqrt_until_negative, Duplicated, Active)]
// fn sqrt_until_negative(x: &[f64]) -> f64 {
//     let mut s = 0.0;
//     for i in 0..x.len() {
//         let h = if x[i] > 0.0 {
//             x[i].sqrt()
//         } else {
//             return s * x[i];
//         };
//         s += h * s + h;
//     }
//     s
// }
//
// #[test]
// fn if_expression_with_a_returning_arm() {
//     check_all(
//         &[&[0.5, 0.7, 1.2], &[0.5, -0.7, 1.2], &[-1.0, 2.0]],
//         sqrt_until_negative,
//         |x, dx| assert_bits(d_sqrt_until_negative(x, dx, 1.0), sqrt_until_negative(x)),
//     );
// }

// ---------------------------------------------------------------------------------------
// branches whose arm leaves early, and conditions the branch itself changes

#[autodiff_reverse(d_value_or_return, Active, Active)]
fn value_or_return(x: f64) -> f64 {
    let h = if x > 0.0 {
        x * x
    } else {
        return -x.sin();
    };
    h * 3.0
}

#[test]
fn if_expression_with_an_arm_that_returns() {
    for x in [-2.0, -0.5, 0.5, 2.0] {
        let (y, g) = d_value_or_return(x, 1.0);
        assert_bits(y, value_or_return(x));
        let exact = if x > 0.0 { 6.0 * x } else { -x.cos() };
        assert_close(g, exact, 1e-15);
    }
    // at the boundary x = 0 the `else` arm runs: d/dx (-sin x) = -1
    assert_eq!(d_value_or_return(0.0, 1.0), (-0.0, -1.0));
    check_all(
        &[&[-1.3], &[0.7]],
        |x| value_or_return(x[0]),
        |x, g| g[0] += d_value_or_return(x[0], 1.0).1,
    );
}

#[autodiff_reverse(d_skip_negatives, Duplicated, Active)]
fn skip_negatives(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let v = if x[i] >= 0.0 { x[i].sqrt() } else { continue };
        s += v * x[i];
    }
    s
}

#[test]
fn if_expression_with_an_arm_that_continues() {
    check_all(
        &[&[1.0, -2.0, 0.5], &[-1.0, -3.0], &[4.0, 0.25, 9.0]],
        skip_negatives,
        |x, g| {
            d_skip_negatives(x, g, 1.0);
        },
    );
    let mut g = [0.0; 3];
    assert_bits(d_skip_negatives(&[4.0, -1.0, 1.0], &mut g, 1.0), 9.0);
    // d/dx x^1.5 = 1.5 sqrt(x); zero for the skipped element
    assert_eq!(g, [3.0, 0.0, 1.5]);
}

#[autodiff_reverse(d_first_differs, Duplicated, Active)]
fn first_differs(x: &[f64]) -> f64 {
    let mut first = true;
    let mut s = 0.0;
    for i in 0..x.len() {
        if first {
            first = false;
            s += x[i] * x[i];
        } else {
            s += 2.0 * x[i] * s;
        }
    }
    s
}

#[test]
fn condition_reassigned_inside_its_branch() {
    check_all(
        &[&[2.0], &[2.0, 3.0, 4.0], &[0.0, -1.0, 0.5, 1.5]],
        first_differs,
        |x, g| {
            d_first_differs(x, g, 1.0);
        },
    );
    let mut g = [0.0; 2];
    // s = x0^2 (1 + 2 x1): ds/dx0 = 2 x0 (1 + 2 x1), ds/dx1 = 2 x0^2
    assert_bits(d_first_differs(&[2.0, 3.0], &mut g, 1.0), 28.0);
    assert_eq!(g, [28.0, 8.0]);
}

// ---------------------------------------------------------------------------------------
// reads at a counter that is incremented after them (packed triangular storage): the
// reverse sweep re-reads them at the counter's earlier value

#[autodiff_reverse(d_packed_lower, Duplicated, Duplicated, Active)]
fn packed_lower(l: &[f64], x: &[f64]) -> f64 {
    let d = x.len();
    let mut idx = 0;
    let mut s = 0.0;
    for i in 0..d {
        for j in i + 1..d {
            let a = l[idx];
            idx += 1;
            let b = l[idx - 1] * x[j];
            s += (a * x[i]).sin() * b;
        }
    }
    s
}

#[autodiff_reverse(d_strided_counter, Duplicated, Active)]
fn strided_counter(x: &[f64]) -> f64 {
    let mut k = 0;
    let mut s = 0.0;
    while k + 1 < x.len() {
        let a = x[k];
        let b = x[k + 1];
        k += 1;
        if a > 0.0 {
            k += 1; // changed in a branch: the reads before it are recorded instead
        }
        s += a.exp() * b * b;
    }
    s
}

#[test]
fn reads_before_counter_increments() {
    for (l, x) in [
        (vec![0.5, -1.0, 2.0], vec![1.0, 2.0, -1.0]),
        (
            vec![0.0, 0.0, 0.0, 0.3, 0.1, -0.2],
            vec![0.0, 1.5, -0.5, 2.0],
        ),
    ] {
        let nl = l.len();
        let mut z = l.clone();
        z.extend(&x);
        check_all(
            &[&z],
            |z| packed_lower(&z[..nl], &z[nl..]),
            |z, g| {
                let (gl, gx) = g.split_at_mut(nl);
                assert_bits(
                    d_packed_lower(&z[..nl], gl, &z[nl..], gx, 1.0),
                    packed_lower(&z[..nl], &z[nl..]),
                );
            },
        );
    }
    check_all(
        &[
            &[0.5, -1.0, 2.0, 0.25],
            &[-0.5, -1.0, -2.0],
            &[0.1, 0.0, -0.5, 1.0, 3.0],
        ],
        strided_counter,
        |x, g| {
            assert_bits(d_strided_counter(x, g, 1.0), strided_counter(x));
        },
    );
}

// ---------------------------------------------------------------------------------------
// whole-buffer writes: `fill` and `copy_from_slice` (double-buffered stencils)

#[autodiff_reverse(d_buffered_stencil, Duplicated, Active)]
fn buffered_stencil(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut next = vec![0.0; x.len()];
    for _ in 0..3 {
        next.fill(0.0);
        for i in 1..u.len() - 1 {
            next[i] = u[i] + 0.1 * (u[i - 1] - 2.0 * u[i] + u[i + 1]).sin();
        }
        next[0] = u[0] * u[1];
        u.copy_from_slice(&next);
    }
    u.iter().map(|v| v * v).sum()
}

#[autodiff_reverse(d_fill_with_active, Active, Active)]
fn fill_with_active(a: f64) -> f64 {
    let mut buf = [0.0; 3];
    buf.fill(a * a);
    let mut copy = [0.0; 3];
    copy.clone_from_slice(&buf);
    copy[0] + copy[1] * copy[2]
}

#[test]
fn fill_and_copy_from_slice() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.5],
            &[0.0; 5],
            &[1.1, 0.5, -0.4, 0.9, -1.0],
        ],
        buffered_stencil,
        |x, g| assert_bits(d_buffered_stencil(x, g, 1.0), buffered_stencil(x)),
    );
    // y = a^2 + a^4: dy/da = 2a + 4a^3
    for a in [0.0, 1.0, -1.5] {
        let (y, d) = d_fill_with_active(a, 1.0);
        assert_bits(y, fill_with_active(a));
        assert_eq!(d, 2.0 * a + 4.0 * a * a * a);
    }
}

#[autodiff_reverse(d_copy_mismatch, Duplicated, Active)]
fn copy_mismatch(x: &[f64]) -> f64 {
    let mut u = [0.0; 2];
    u.copy_from_slice(x);
    u[0] * u[1]
}

#[test]
#[should_panic(expected = "does not match destination slice length")]
fn copy_from_slice_of_another_length_panics_like_std() {
    let mut g = [0.0; 2];
    let (y, _) = (
        copy_mismatch(&[1.0, 2.0]),
        d_copy_mismatch(&[1.0, 2.0], &mut g, 1.0),
    );
    assert_eq!((y, g), (2.0, [2.0, 1.0]));
    let mut g = [0.0; 3];
    d_copy_mismatch(&[1.0, 2.0, 3.0], &mut g, 1.0);
}
