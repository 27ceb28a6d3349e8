//! Adversarial tests for the code generator's optimizations: recomputation instead of
//! recording, sharing of repeated reads, counter re-reads, pullback pruning, skipped
//! recording of `&mut` arguments, restoring overwritten values only when needed, and the
//! sign of zero gradients.
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable};

mod common;
use common::{assert_bits as same, check_all};

// ---------------------------------------------------------------------------------------
// helpers

// ---------------------------------------------------------------------------------------
// 1. recomputation instead of recording

/// `t` is cheap arithmetic of `x[k]`, and `k` is reassigned before `t` is used.
#[autodiff_reverse(d_reassigned_index, Duplicated, Active)]
fn reassigned_index(x: &[f64]) -> f64 {
    let mut k = 0;
    let t = x[k] * 3.0 - x[k + 1];
    k = 2;
    let u = t.sin() * x[k];
    k += 1;
    u * (x[k] - t).exp()
}

#[test]
fn recompute_reassigned_index() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1],
            &[0.0, 0.0, 0.0, 0.0],
            &[1.1, 0.5, -0.4, 0.9],
        ],
        reassigned_index,
        |x, dx| same(d_reassigned_index(x, dx, 1.0), reassigned_index(x)),
    );
}

/// The same in a loop: `k` jumps around, `t` is read after `k` moved.
#[autodiff_reverse(d_loop_moving_index, Duplicated, Active)]
fn loop_moving_index(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut k = 0;
    for i in 0..n {
        let t = x[k] * 2.0 + x[i];
        k = (k + 3) % n;
        s += t.sin() * x[k];
    }
    s
}

#[test]
fn recompute_loop_moving_index() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.5],
            &[0.0; 5],
            &[1.1, 0.5, -0.4, 0.9, -1.3],
        ],
        loop_moving_index,
        |x, dx| same(d_loop_moving_index(x, dx, 1.0), loop_moving_index(x)),
    );
}

/// `t` reads a `&mut` argument that is overwritten before `t` is used.
#[autodiff_reverse(d_mut_overwritten_later, Duplicated, Duplicated, Active)]
fn mut_overwritten_later(x: &[f64], y: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = y[i] * 2.0 - x[i];
        y[i] = x[i] * x[i] + 0.5;
        s += t.sin() * y[i];
    }
    let u = y[0] * 3.0;
    y[0] = s;
    s + u * u
}

#[test]
fn recompute_mut_overwritten_later() {
    let f = |z: &[f64]| {
        let mut y = z[3..].to_vec();
        mut_overwritten_later(&z[..3], &mut y)
    };
    let g = |z: &[f64], dz: &mut [f64]| {
        let mut y = z[3..].to_vec();
        let mut dy = vec![0.0; 3];
        let (dx, _) = dz.split_at_mut(3);
        let v = d_mut_overwritten_later(&z[..3], dx, &mut y, &mut dy, 1.0);
        same(v, f(z));
        dz[3..].copy_from_slice(&dy);
    };
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.5, -0.6],
            &[0.0; 6],
            &[1.1, 0.5, -0.4, 0.9, -1.3, 0.2],
        ],
        f,
        g,
    );
}

/// A loop-carried copy of a cheap value: `prev` is `cur` of the previous iteration.
#[autodiff_reverse(d_loop_carried_prev, Duplicated, Active)]
fn loop_carried_prev(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut prev = 0.5;
    for i in 0..x.len() {
        let cur = x[i] * 2.0 - 1.0;
        s += (cur * prev).sin();
        prev = cur;
    }
    s + prev * prev
}

/// A loop-carried cheap recurrence `c = x[i] * 0.5 + c * 0.5`.
#[autodiff_reverse(d_loop_carried_mix, Duplicated, Active)]
fn loop_carried_mix(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut c = x[0] * 0.5;
    for i in 1..x.len() {
        let d = c - x[i];
        s += d.sin() * d;
        c = x[i] * 0.5 + c * 0.5;
    }
    s * c
}

#[test]
fn recompute_loop_carried() {
    let pts: &[&[f64]] = &[&[0.3, -0.2, 0.7, 0.1], &[0.0; 4], &[1.1, 0.5, -0.4, 0.9]];
    check_all(pts, loop_carried_prev, |x, dx| {
        same(d_loop_carried_prev(x, dx, 1.0), loop_carried_prev(x))
    });
    check_all(pts, loop_carried_mix, |x, dx| {
        same(d_loop_carried_mix(x, dx, 1.0), loop_carried_mix(x))
    });
}

/// Shadowing of floats and of the slice argument itself.
#[autodiff_reverse(d_shadowed, Duplicated, Active)]
fn shadowed(x: &[f64]) -> f64 {
    let a = x[0] * 2.0;
    let x = &x[1..];
    let a = a * x[0];
    let b = x[0] - 1.0;
    let b = (b * a).sin();
    b * x[1] + a * x[2]
}

/// Shadowed loop indices, in the body and in a nested loop.
#[autodiff_reverse(d_shadowed_index, Duplicated, Active)]
fn shadowed_index(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        let a = x[i] * 0.5;
        let i = n - 1 - i;
        let b = x[i] * 1.5 + a;
        for i in 0..i {
            s += (a * x[i]).sin() * b;
        }
        s += a * b;
    }
    s
}

#[test]
fn recompute_shadowing() {
    let pts: &[&[f64]] = &[&[0.3, -0.2, 0.7, 0.1], &[0.0; 4], &[1.1, 0.5, -0.4, 0.9]];
    check_all(pts, shadowed, |x, dx| {
        same(d_shadowed(x, dx, 1.0), shadowed(x))
    });
    check_all(pts, shadowed_index, |x, dx| {
        same(d_shadowed_index(x, dx, 1.0), shadowed_index(x))
    });
}

/// Nested loops; the outer loop's cheap value is read after the inner loop moved `j`.
#[autodiff_reverse(d_nested_moving, Duplicated, Active)]
fn nested_moving(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut j = 0;
    for i in 0..n {
        let t = x[i] - x[j];
        for _ in 0..2 {
            j = (j + 1) % n;
            s += (t * x[j]).cos();
        }
        s += t * t * x[j];
    }
    s
}

#[test]
fn recompute_nested_moving() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.4],
            &[0.0; 5],
            &[1.1, 0.5, -0.4, 0.9, 2.0],
        ],
        nested_moving,
        |x, dx| same(d_nested_moving(x, dx, 1.0), nested_moving(x)),
    );
}

/// `t` is set in a loop that may `break`; it is read after the loop.
#[autodiff_reverse(d_break_between, Duplicated, Active)]
fn break_between(x: &[f64]) -> f64 {
    let mut t = 1.0;
    let mut s = 0.0;
    for i in 0..x.len() {
        t = x[i] * 2.0 + 1.0;
        if x[i] > 1.0 {
            break;
        }
        s += t * t;
    }
    s + t.sin() * s
}

/// `continue` after setting a loop-carried cheap value.
#[autodiff_reverse(d_continue_between, Duplicated, Active)]
fn continue_between(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut last = 0.25;
    for i in 0..x.len() {
        let t = x[i] - 0.5;
        if t < 0.0 {
            last = t * 2.0;
            continue;
        }
        s += (t * last).sin();
    }
    s + last * last
}

/// `return` from inside the loop with a cheap value.
#[autodiff_reverse(d_return_between, Duplicated, Active)]
fn return_between(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = x[i] * 3.0 - 1.0;
        if t > 2.0 {
            return s * t.sin();
        }
        s += t.cos() * t;
    }
    s
}

/// A `while` loop whose index is incremented between the read and the use.
#[autodiff_reverse(d_while_index, Duplicated, Active)]
fn while_index(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut s = 0.5;
    while i < x.len() {
        let t = x[i] * 2.0;
        i += 1;
        s = (t * s).sin() + t;
    }
    s
}

#[test]
fn recompute_early_exits() {
    let pts: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.1],
        &[0.0; 4],
        &[0.2, 1.5, -0.4, 0.9],
        &[-0.3, 0.6, 0.2, 1.4],
    ];
    check_all(pts, break_between, |x, dx| {
        same(d_break_between(x, dx, 1.0), break_between(x))
    });
    check_all(pts, continue_between, |x, dx| {
        same(d_continue_between(x, dx, 1.0), continue_between(x))
    });
    check_all(pts, return_between, |x, dx| {
        same(d_return_between(x, dx, 1.0), return_between(x))
    });
    check_all(pts, while_index, |x, dx| {
        same(d_while_index(x, dx, 1.0), while_index(x))
    });
}

// ---------------------------------------------------------------------------------------
// 2. sharing of repeated reads

#[autodiff_reverse(d_cse_bump, Duplicated, Active)]
fn cse_bump(x: &[f64]) -> f64 {
    let mut k = 1;
    let a = x[k];
    k += 1;
    let b = x[k];
    (a * b).sin() + x[k] * a * x[k - 1]
}

#[autodiff_reverse(d_cse_shadow_index, Duplicated, Active)]
fn cse_shadow_index(x: &[f64]) -> f64 {
    let i = 0;
    let a = x[i];
    let i = 2;
    let b = x[i];
    a * b * b + (x[i] * a).sin()
}

#[autodiff_reverse(d_cse_branches, Duplicated, Const, Active)]
fn cse_branches(x: &[f64], c: bool) -> f64 {
    let mut i = 0;
    let mut a = 0.0;
    if c {
        a = x[i] * x[i];
        i = 2;
    } else {
        a += x[i + 1].sin();
        i += 3;
    }
    a * x[i] + x[i].cos() * x[0]
}

#[autodiff_reverse(d_cse_alias, Duplicated, Active)]
fn cse_alias(x: &[f64]) -> f64 {
    let r = &x[2..];
    let a = r[0] * x[0];
    let q = &x[1..3];
    (a * q[0]).sin() + r[1] * r[1] * x[1] + q[1] * x[3] * r[0]
}

#[autodiff_reverse(d_cse_while, Duplicated, Active)]
fn cse_while(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut s = 1.0;
    while i + 1 < x.len() {
        let a = x[i];
        i += 1;
        s = s * (a - x[i]).sin() + x[i] * a;
    }
    s
}

#[test]
fn cse_reads() {
    let pts: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.1, 0.8],
        &[0.0; 5],
        &[1.1, 0.5, -0.4, 0.9, -0.7],
    ];
    check_all(pts, cse_bump, |x, dx| {
        same(d_cse_bump(x, dx, 1.0), cse_bump(x))
    });
    check_all(pts, cse_shadow_index, |x, dx| {
        same(d_cse_shadow_index(x, dx, 1.0), cse_shadow_index(x))
    });
    for c in [true, false] {
        check_all(
            pts,
            |x| cse_branches(x, c),
            |x, dx| same(d_cse_branches(x, dx, c, 1.0), cse_branches(x, c)),
        );
    }
    check_all(pts, cse_alias, |x, dx| {
        same(d_cse_alias(x, dx, 1.0), cse_alias(x))
    });
    check_all(pts, cse_while, |x, dx| {
        same(d_cse_while(x, dx, 1.0), cse_while(x))
    });
}

// ---------------------------------------------------------------------------------------
// 3. counter re-reads

#[autodiff_reverse(d_counter_by_two, Duplicated, Active)]
fn counter_by_two(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for _ in 0..l.len() / 2 {
        let a = l[idx];
        idx += 2;
        s = (s + a).sin() * a + l[idx - 1];
    }
    s
}

#[autodiff_reverse(d_counter_down, Duplicated, Active)]
fn counter_down(l: &[f64]) -> f64 {
    let mut idx = l.len() - 1;
    let mut s = 0.5;
    for _ in 0..l.len() - 1 {
        let a = l[idx];
        idx -= 1;
        s = s * a + (l[idx] * a).sin();
    }
    s
}

#[autodiff_reverse(d_counter_twice, Duplicated, Active)]
fn counter_twice(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for _ in 0..l.len() / 2 {
        let a = l[idx];
        idx += 1;
        let b = l[idx];
        idx += 1;
        s += (a * b).sin() * a;
    }
    s
}

#[autodiff_reverse(d_counter_in_if, Duplicated, Active)]
fn counter_in_if(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for i in 0..l.len() {
        let a = l[idx];
        if l[i] > 0.0 {
            idx += 1;
        }
        s += (a * l[i]).sin() * a;
    }
    s
}

#[autodiff_reverse(d_counter_continue, Duplicated, Active)]
fn counter_continue(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for i in 0..l.len() {
        let a = l[idx];
        if i % 3 == 1 {
            s += (a * a).sin();
            continue;
        }
        idx += 1;
        s = (s + a).cos() * a;
    }
    s
}

#[autodiff_reverse(d_counter_two_loops, Duplicated, Active)]
fn counter_two_loops(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for _ in 0..2 {
        let a = l[idx];
        idx += 1;
        s += a.sin() * a;
    }
    for _ in 0..2 {
        let b = l[idx];
        idx += 1;
        s = s * b + b.cos();
    }
    s
}

#[autodiff_reverse(d_counter_reset, Duplicated, Active)]
fn counter_reset(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    for r in 0..3 {
        for _ in 0..2 {
            let a = l[idx];
            idx += 1;
            s = (s + a * (r as f64 + 1.0)).sin() * a;
        }
        if r == 1 {
            idx = 0;
        }
    }
    let mut t = 0.0;
    for r in 0..3 {
        idx = r;
        for _ in 0..2 {
            let a = l[idx];
            idx += 1;
            t = t * a + (a * s).sin();
        }
    }
    s + t
}

#[autodiff_reverse(d_counter_scaled, Duplicated, Active)]
fn counter_scaled(l: &[f64]) -> f64 {
    let mut idx = 0;
    let mut s = 0.0;
    while 2 * idx + 1 < l.len() {
        let a = l[2 * idx + 1];
        idx += 1;
        s = (s * a).sin() + a * a;
    }
    s
}

#[test]
fn counter_rereads() {
    let pts: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.1, 0.8, -0.5],
        &[0.0; 6],
        &[1.1, 0.5, -0.4, 0.9, -0.7, 0.25],
    ];
    check_all(pts, counter_by_two, |x, dx| {
        same(d_counter_by_two(x, dx, 1.0), counter_by_two(x))
    });
    check_all(pts, counter_down, |x, dx| {
        same(d_counter_down(x, dx, 1.0), counter_down(x))
    });
    check_all(pts, counter_twice, |x, dx| {
        same(d_counter_twice(x, dx, 1.0), counter_twice(x))
    });
    let pts_nz: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.1, 0.8, -0.5],
        &[1.1, 0.5, -0.4, 0.9, -0.7, 0.25],
    ];
    check_all(pts_nz, counter_in_if, |x, dx| {
        same(d_counter_in_if(x, dx, 1.0), counter_in_if(x))
    });
    check_all(pts, counter_continue, |x, dx| {
        same(d_counter_continue(x, dx, 1.0), counter_continue(x))
    });
    check_all(pts, counter_two_loops, |x, dx| {
        same(d_counter_two_loops(x, dx, 1.0), counter_two_loops(x))
    });
    check_all(pts, counter_reset, |x, dx| {
        same(d_counter_reset(x, dx, 1.0), counter_reset(x))
    });
    check_all(pts, counter_scaled, |x, dx| {
        same(d_counter_scaled(x, dx, 1.0), counter_scaled(x))
    });
}

// ---------------------------------------------------------------------------------------
// aliases and copies whose referent changes between the definition and the use

/// `r` borrows `x[k..]` with the value `k` has at the `let`; `k` moves afterwards.
#[autodiff_reverse(d_alias_moving_start, Duplicated, Active)]
fn alias_moving_start(x: &[f64]) -> f64 {
    let mut k = 0;
    let r = &x[k..];
    k += 2;
    (r[0] * x[k]).sin() + r[1] * r[1]
}

#[test]
fn alias_with_moving_start() {
    check_all(
        &[&[0.3, -0.2, 0.7, 0.1], &[0.0; 4], &[1.1, 0.5, -0.4, 0.9]],
        alias_moving_start,
        |x, dx| same(d_alias_moving_start(x, dx, 1.0), alias_moving_start(x)),
    );
}

#[differentiable]
fn energy(v: &[f64]) -> f64 {
    v[0] * v[1] + v[2].sin() * v[0]
}

/// A copy `prev = u` of a local array that is updated in place (stores, not assignments)
/// after the copy, and `prev` passed to a helper.
#[autodiff_reverse(d_copy_then_store, Duplicated, Active)]
fn copy_then_store(x: &[f64]) -> f64 {
    let mut u = [x[0], x[1], x[2]];
    let mut s = 0.0;
    for step in 0..3 {
        let prev = u;
        s += energy(&prev);
        for i in 0..3 {
            u[i] = prev[i] * 0.5 + (prev[(i + 1) % 3] * (step as f64 + 1.0)).sin();
        }
    }
    s + energy(&u)
}

#[test]
fn copy_of_local_array_then_stores() {
    check_all(
        &[&[0.3, -0.2, 0.7], &[0.0; 3], &[1.1, 0.5, -0.4]],
        copy_then_store,
        |x, dx| same(d_copy_then_store(x, dx, 1.0), copy_then_store(x)),
    );
}

/// A predicate (`is_sign_negative`) on a `&mut` parameter decides a helper's branch.
#[differentiable]
fn leaky_in_place(v: &mut [f64]) {
    for i in 0..v.len() {
        if v[i].is_sign_negative() {
            v[i] *= 0.1;
        } else {
            v[i] *= 2.0;
        }
    }
}

#[autodiff_reverse(d_uses_leaky, Duplicated, Active)]
fn uses_leaky(x: &[f64]) -> f64 {
    let mut v = [x[0], x[1], x[2]];
    leaky_in_place(&mut v);
    for i in 0..3 {
        v[i] = -v[i] - 1.0;
    }
    v[0] + v[1] * 3.0 + v[2] * 5.0
}

#[test]
fn predicate_on_mut_parameter_in_helper() {
    check_all(
        &[&[0.3, -0.2, 0.7], &[1.1, 0.5, -0.4], &[-1.0, -2.0, 3.0]],
        uses_leaky,
        |x, dx| same(d_uses_leaky(x, dx, 1.0), uses_leaky(x)),
    );
}

// minimal reproductions of the three bugs these tests found (fixed)

#[autodiff_reverse(d_min_alias, Duplicated, Active)]
fn min_alias(x: &[f64]) -> f64 {
    let mut k = 0;
    let r = &x[k..];
    k += 1;
    r[0] * x[k]
}

#[test]
fn min_alias_test() {
    let x = [2.0, 3.0];
    let mut dx = [0.0; 2];
    let v = d_min_alias(&x, &mut dx, 1.0);
    assert_eq!(v, min_alias(&x));
    assert_eq!(dx, [3.0, 2.0]);
}

#[differentiable]
fn sq0(v: &[f64]) -> f64 {
    v[0] * v[0]
}

#[autodiff_reverse(d_min_copy, Duplicated, Active)]
fn min_copy(x: &[f64]) -> f64 {
    let mut u = [x[0]];
    let mut s = 0.0;
    for _ in 0..2 {
        let prev = u;
        s += sq0(&prev);
        u[0] = prev[0] + 1.0;
    }
    s
}

#[test]
fn min_copy_test() {
    // s = x^2 + (x + 1)^2, ds/dx = 4x + 2
    let x = [2.0];
    let mut dx = [0.0];
    let v = d_min_copy(&x, &mut dx, 1.0);
    assert_eq!(v, min_copy(&x));
    assert_eq!(dx, [10.0]);
}

#[differentiable]
fn flip_scale(v: &mut [f64]) {
    if v[0].is_sign_negative() {
        v[0] *= 3.0;
    }
}

#[autodiff_reverse(d_min_pred, Duplicated, Active)]
fn min_pred(x: &[f64]) -> f64 {
    let mut v = [x[0]];
    flip_scale(&mut v);
    v[0] = -v[0];
    v[0]
}

#[test]
fn min_pred_test() {
    // x = -1: v = -3, then 3; d/dx = -3
    let x = [-1.0];
    let mut dx = [0.0];
    let v = d_min_pred(&x, &mut dx, 1.0);
    assert_eq!(v, min_pred(&x));
    assert_eq!(dx, [-3.0]);
}

// ---------------------------------------------------------------------------------------
// 4. pullback pruning

/// Writes an output, reads it back, returns a value.
#[differentiable]
fn sin_into_readback(x: &[f64], out: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        out[i] = x[i].sin();
        s += out[i] * out[i];
    }
    s
}

#[autodiff_reverse(d_uses_readback, Duplicated, Active)]
fn uses_readback(x: &[f64]) -> f64 {
    let mut h = vec![0.0; x.len()];
    let s = sin_into_readback(x, &mut h);
    let t = sin_into_readback(&h.clone(), &mut h);
    s * h[0] + h[1].exp() * t
}

#[differentiable]
fn mix(a: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for i in 0..n {
        out[i] = a[i] * x[i] + x[(i + 1) % n] * x[i];
    }
}

/// An output buffer that is the input of later calls, and overwritten again.
#[autodiff_reverse(d_chained_buffers, Duplicated, Duplicated, Active)]
fn chained_buffers(w: &[f64], x: &[f64]) -> f64 {
    let mut h1 = [0.0; 3];
    let mut h2 = [0.0; 3];
    mix(w, x, &mut h1);
    mix(w, &h1, &mut h2);
    let h2c = h2;
    mix(&h2, &h2c, &mut h1);
    let mut s = 0.0;
    for i in 0..3 {
        s += h1[i] * h2[i];
    }
    s
}

#[test]
fn pruning_outputs_read_back_and_chained() {
    check_all(
        &[&[0.3, -0.2, 0.7], &[0.0; 3], &[1.1, 0.5, -0.4]],
        uses_readback,
        |x, dx| same(d_uses_readback(x, dx, 1.0), uses_readback(x)),
    );
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.5, 0.1, -0.6],
            &[0.0; 6],
            &[1.1, 0.5, -0.4, -0.3, 0.8, 0.2],
        ],
        |z| chained_buffers(&z[..3], &z[3..]),
        |z, dz| {
            let (dw, dx) = dz.split_at_mut(3);
            same(
                d_chained_buffers(&z[..3], dw, &z[3..], dx, 1.0),
                chained_buffers(&z[..3], &z[3..]),
            )
        },
    );
}

/// f32, a typed `let`, an output read back, a result and an array intermediate.
#[differentiable]
fn norm_into32(x: &[f32], out: &mut [f32]) -> f32 {
    let n2: f32 = x.iter().map(|v| v * v).sum::<f32>();
    let nrm = n2.sqrt();
    for i in 0..x.len() {
        out[i] = x[i] / nrm;
    }
    let pair = [out[0], out[1]];
    let c: f32 = pair[0] * pair[1];
    nrm + c
}

#[autodiff_reverse(d_uses_norm32, Duplicated, Active)]
fn uses_norm32(x: &[f32]) -> f32 {
    let mut u = [0.0f32; 3];
    let r = norm_into32(x, &mut u);
    u[0] * r + u[2].sin()
}

#[test]
fn pruning_f32_typed_lets_and_arrays() {
    for p in [[0.3f32, -0.2, 0.7], [1.1, 0.5, -0.4], [2.0, 1.0, 0.5]] {
        let mut dx = [0.0f32; 3];
        same(
            f64::from(d_uses_norm32(&p, &mut dx, 1.0)),
            f64::from(uses_norm32(&p)),
        );
        // central differences in f64 of the f32 function are too coarse: use h = 1e-2
        for k in 0..3 {
            let h = 1e-2f32;
            let (mut a, mut b) = (p, p);
            a[k] += h;
            b[k] -= h;
            let fd = (uses_norm32(&a) - uses_norm32(&b)) / (2.0 * h);
            assert!(
                (fd - dx[k]).abs() < 2e-2 * (1.0 + fd.abs()),
                "at {p:?}, k = {k}: {} vs fd {fd}",
                dx[k]
            );
        }
    }
}

/// A typed let, an array intermediate and an iterator chain, f64.
#[differentiable]
fn row_stats(x: &[f64], out: &mut [f64]) -> f64 {
    let s: f64 = x.iter().map(|v| v.sin()).sum::<f64>();
    let row = [s, x[0] * s];
    out[0] = row[0] * row[1];
    out[1] = row[1].exp();
    let total: f64 = row.iter().sum::<f64>();
    total * total
}

#[differentiable]
fn row_stats_twice(x: &[f64], out: &mut [f64]) -> f64 {
    let a = row_stats(x, out);
    let b = row_stats(&x[1..], &mut out[1..]);
    a + b * out[0]
}

#[autodiff_reverse(d_uses_row_stats, Duplicated, Active)]
fn uses_row_stats(x: &[f64]) -> f64 {
    let mut out = [0.0; 3];
    let mut s = 0.0;
    for i in 0..2 {
        s += row_stats_twice(&x[i..], &mut out);
        s += out[0] * out[1] - out[2];
    }
    s
}

#[test]
fn pruning_nested_pullbacks_in_loops() {
    check_all(
        &[&[0.3, -0.2, 0.7, 0.1], &[0.0; 4], &[1.1, 0.5, -0.4, 0.25]],
        uses_row_stats,
        |x, dx| same(d_uses_row_stats(x, dx, 1.0), uses_row_stats(x)),
    );
}

struct Model {
    scale: f64,
}

impl Model {
    #[differentiable]
    fn squash(&self, x: &[f64], out: &mut [f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            out[i] = (self.scale * x[i]).tanh();
            s += out[i] * x[i];
        }
        s
    }

    #[differentiable]
    fn combine(a: &[f64], out: &mut [f64]) {
        for i in 0..a.len() {
            out[i] = out[i] * a[i] + a[i];
        }
    }

    #[autodiff_reverse(d_run, Const, Duplicated, Active)]
    fn run(&self, x: &[f64]) -> f64 {
        let mut h = [0.0; 3];
        let mut g = [1.0; 3];
        let mut total = 0.0;
        for _ in 0..2 {
            total += self.squash(x, &mut h);
            Model::combine(&h, &mut g);
            total += Self::combine_sum(&g) * h[1];
        }
        total
    }

    #[differentiable]
    fn combine_sum(a: &[f64]) -> f64 {
        a[0] * a[1] + a[2]
    }
}

#[test]
fn pruning_methods_and_paths() {
    let m = Model { scale: 0.7 };
    check_all(
        &[&[0.3, -0.2, 0.7], &[0.0; 3], &[1.1, 0.5, -0.4]],
        |x| m.run(x),
        |x, dx| same(m.d_run(x, dx, 1.0), m.run(x)),
    );
}

/// A scratch buffer the caller never reads after the call: inactive in the caller, but
/// carrying active values inside the helper.
#[differentiable]
fn with_scratch(x: &[f64], scratch: &mut [f64]) -> f64 {
    for i in 0..x.len() {
        scratch[i] = x[i] * 2.0;
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += scratch[i] * scratch[i] * x[i];
    }
    s
}

#[autodiff_reverse(d_uses_scratch, Duplicated, Active)]
fn uses_scratch(x: &[f64]) -> f64 {
    let mut scratch = vec![0.0; x.len()];
    let a = with_scratch(x, &mut scratch);
    let b = with_scratch(&x[1..], &mut scratch);
    a * b
}

#[test]
fn pruning_scratch_buffer() {
    check_all(
        &[&[0.3, -0.2, 0.7], &[0.0; 3], &[1.1, 0.5, -0.4]],
        uses_scratch,
        |x, dx| same(d_uses_scratch(x, dx, 1.0), uses_scratch(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 5. callers skipping the recording of `&mut` arguments

#[differentiable]
fn acc_squares(x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] += x[i] * x[i];
    }
}

#[autodiff_reverse(d_uses_acc, Duplicated, Active)]
fn uses_acc(x: &[f64]) -> f64 {
    let mut b = [x[2], x[0] * x[1]];
    let mut s = 0.0;
    for k in 0..3 {
        acc_squares(&x[k..], &mut b);
        s += b[0] * b[1] + (b[0] * 0.1).sin();
    }
    acc_squares(x, &mut b);
    let y = b[0] * b[0];
    s + y
}

#[differentiable]
fn maybe_set(v: f64, out: &mut [f64]) {
    if v > 0.0 {
        out[0] = v * v;
    }
}

#[autodiff_reverse(d_uses_maybe_set, Duplicated, Active)]
fn uses_maybe_set(x: &[f64]) -> f64 {
    let mut b = [x[0], 1.0];
    let mut s = 0.0;
    for i in 0..x.len() {
        maybe_set(x[i], &mut b);
        s += b[0] * b[0] * x[i];
        maybe_set(x[i] - 0.5, &mut b);
        s += (b[0] * b[1]).sin();
        b[1] = b[0] + x[i];
    }
    s
}

#[differentiable]
fn overwrite_pair(a: f64, b: f64, out: &mut [f64]) {
    out[0] = a * b;
    out[1] = a - b;
}

#[autodiff_reverse(d_same_buffer_many_calls, Duplicated, Active)]
fn same_buffer_many_calls(x: &[f64]) -> f64 {
    let mut o = [0.0; 2];
    let mut s = 0.0;
    overwrite_pair(x[0], x[1], &mut o);
    let y = o[0] * o[0];
    overwrite_pair(o[1], x[2], &mut o);
    s += y * o[1];
    for i in 0..x.len() - 1 {
        overwrite_pair(o[0], x[i + 1], &mut o);
        s += o[0] * o[1];
        overwrite_pair(x[i], o[1], &mut o);
    }
    s + o[0] * o[1]
}

#[test]
fn skipped_recording_of_mut_arguments() {
    let pts: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.4],
        &[1.1, 0.55, -0.4, 0.9],
        &[-0.3, 0.6, 0.8, -0.9],
    ];
    check_all(pts, uses_acc, |x, dx| {
        same(d_uses_acc(x, dx, 1.0), uses_acc(x))
    });
    check_all(pts, uses_maybe_set, |x, dx| {
        same(d_uses_maybe_set(x, dx, 1.0), uses_maybe_set(x))
    });
    check_all(pts, same_buffer_many_calls, |x, dx| {
        same(
            d_same_buffer_many_calls(x, dx, 1.0),
            same_buffer_many_calls(x),
        )
    });
    check_all(&[&[0.0; 4]], uses_acc, |x, dx| {
        same(d_uses_acc(x, dx, 1.0), uses_acc(x))
    });
}

// ---------------------------------------------------------------------------------------
// 6. restoring overwritten variables

#[autodiff_reverse(d_running_product, Duplicated, Active)]
#[allow(clippy::assign_op_pattern)] // the `p = p * x[i]` form is the one under test
fn running_product(x: &[f64]) -> f64 {
    let mut p = 1.0;
    for i in 0..x.len() {
        p = p * x[i];
    }
    p
}

#[autodiff_reverse(d_sin_recurrence, Duplicated, Active)]
fn sin_recurrence(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc += s * x[i];
        s = (s + x[i]).sin();
        acc += s * s;
    }
    acc * s
}

#[autodiff_reverse(d_running_max, Duplicated, Active)]
fn running_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    let mut acc = 0.0;
    for i in 1..x.len() {
        acc += (m * x[i]).sin();
        m = m.max(x[i]);
        acc += m * m * x[i];
    }
    acc + m * m
}

#[autodiff_reverse(d_branch_overwrite, Duplicated, Active)]
#[allow(clippy::assign_op_pattern)] // the `s = s * x[i]` form is the one under test
fn branch_overwrite(x: &[f64]) -> f64 {
    let mut s = 0.5;
    let mut t = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s = (s + x[i]).sin();
        } else {
            s = s * x[i];
        }
        t += s * s;
    }
    s * t
}

#[autodiff_reverse(d_linear_then_nonlinear, Duplicated, Active)]
fn linear_then_nonlinear(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut acc = 0.0;
    for i in 0..x.len() {
        s -= x[i] * 0.5;
        acc += (s * x[i]).sin();
        s += x[i];
    }
    acc * s
}

#[autodiff_reverse(d_old_and_new, Duplicated, Active)]
fn old_and_new(x: &[f64]) -> f64 {
    let mut s = 1.0;
    let mut acc = 0.0;
    for i in 0..x.len() {
        let old = s;
        s = x[i] * 2.0;
        acc += old * s;
        s = s.sin();
        s = s * s;
    }
    acc + s
}

#[test]
fn restoring_overwritten_values() {
    let pts: &[&[f64]] = &[
        &[0.3, -0.2, 0.7, 0.4],
        &[1.1, 0.55, -0.4, 0.9],
        &[-0.3, 0.6, 0.8, -0.9],
    ];
    check_all(pts, running_product, |x, dx| {
        same(d_running_product(x, dx, 1.0), running_product(x))
    });
    check_all(pts, sin_recurrence, |x, dx| {
        same(d_sin_recurrence(x, dx, 1.0), sin_recurrence(x))
    });
    check_all(pts, running_max, |x, dx| {
        same(d_running_max(x, dx, 1.0), running_max(x))
    });
    check_all(pts, branch_overwrite, |x, dx| {
        same(d_branch_overwrite(x, dx, 1.0), branch_overwrite(x))
    });
    check_all(pts, linear_then_nonlinear, |x, dx| {
        same(
            d_linear_then_nonlinear(x, dx, 1.0),
            linear_then_nonlinear(x),
        )
    });
    check_all(pts, old_and_new, |x, dx| {
        same(d_old_and_new(x, dx, 1.0), old_and_new(x))
    });
    for f in [sin_recurrence, linear_then_nonlinear, old_and_new] {
        let _ = f(&[0.0; 4]);
    }
    check_all(&[&[0.0; 4]], sin_recurrence, |x, dx| {
        same(d_sin_recurrence(x, dx, 1.0), sin_recurrence(x))
    });
    check_all(&[&[0.0; 4]], old_and_new, |x, dx| {
        same(d_old_and_new(x, dx, 1.0), old_and_new(x))
    });
    // exact products of integers, with a zero
    let x = [2.0, 3.0, 0.0, 5.0];
    let mut dx = [0.0; 4];
    assert_eq!(d_running_product(&x, &mut dx, 1.0), 0.0);
    assert_eq!(dx, [0.0, 0.0, 30.0, 0.0]);
    assert!(dx.iter().all(|d| d.is_sign_positive()));
    let x = [2.0, 3.0, 4.0, 5.0];
    let mut dx = [0.0; 4];
    assert_eq!(d_running_product(&x, &mut dx, 1.0), 120.0);
    assert_eq!(dx, [60.0, 40.0, 30.0, 24.0]);
}

// ---------------------------------------------------------------------------------------
// 7. signs of zero gradients, exact values

#[autodiff_reverse(d_ignores_y, Active, Active, Active)]
fn ignores_y(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        x * x
    } else {
        y * x
    }
}

#[autodiff_reverse(d_zero_trips, Active, Const, Active)]
fn zero_trips(x: f64, n: usize) -> f64 {
    let mut s = 1.0;
    for _ in 0..n {
        s = s * x + x.sin();
    }
    s
}

#[autodiff_reverse(d_tie_max, Active, Active, Active)]
fn tie_max(a: f64, b: f64) -> f64 {
    a.max(b) * 3.0
}

#[autodiff_reverse(d_pair_out, Active, Active, Active)]
fn pair_out(a: f64, _b: f64) -> [f64; 2] {
    [a * 2.0, a * a]
}

#[autodiff_reverse(d_unused32, Active, Active, Active)]
fn unused32(a: f32, _b: f32) -> f32 {
    a * a
}

/// Pure outputs through `iter_mut().zip(..)`, a deref store and an overwritten element.
#[autodiff_reverse(d_outputs, Duplicated, Duplicated, Duplicated)]
fn outputs(x: &[f64], out: &mut [f64], last: &mut f64) {
    for (o, xi) in out.iter_mut().zip(x.iter()) {
        *o = xi * xi;
    }
    out[0] = out[1] * x[0];
    *last = x[1] * 3.0;
}

#[differentiable]
fn fill_product(x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x[i] * x[i + 1];
    }
}

#[autodiff_reverse(d_outputs_via_helper, Duplicated, Duplicated)]
fn outputs_via_helper(x: &[f64], out: &mut [f64]) {
    fill_product(x, &mut out[1..]);
    fill_product(&x[1..], &mut out[..2]);
}

#[test]
fn zero_gradients_are_positive_and_exact() {
    let (v, dx, dy) = d_ignores_y(2.0, 5.0, 1.0);
    same(v, ignores_y(2.0, 5.0));
    assert_eq!((v, dx, dy), (4.0, 4.0, 0.0));
    assert!(dy.is_sign_positive());
    let (_, _, dy) = d_ignores_y(2.0, 5.0, -1.0);
    assert!(dy.is_sign_positive(), "{dy}");

    for seed in [1.0, -1.0] {
        let (v, dx) = d_zero_trips(0.7, 0, seed);
        same(v, zero_trips(0.7, 0));
        assert!(dx == 0.0 && dx.is_sign_positive(), "{dx}");
    }
    // s = (1 x + sin x) x + sin x at x = 0: ds/dx = 2x + x cos x + sin x + cos x = 1 at 0
    let (_, dx) = d_zero_trips(0.0, 2, 1.0);
    assert_eq!(dx, 1.0);

    let (v, da, db) = d_tie_max(2.0, 2.0, 1.0);
    same(v, tie_max(2.0, 2.0));
    assert_eq!((v, da, db), (6.0, 3.0, 0.0));
    assert!(db.is_sign_positive());
    let (_, da, db) = d_tie_max(1.0, 2.0, -1.0);
    assert_eq!((da, db), (0.0, -3.0));
    assert!(da.is_sign_positive());

    let (v, da, db) = d_pair_out(3.0, 4.0, [1.0, 1.0]);
    assert_eq!(v, pair_out(3.0, 4.0));
    assert_eq!(v, [6.0, 9.0]);
    assert_eq!((da, db), (8.0, 0.0));
    assert!(db.is_sign_positive());

    let (v, da, db) = d_unused32(3.0, 4.0, -2.0);
    assert_eq!(v, unused32(3.0, 4.0));
    assert_eq!((v, da, db), (9.0, -12.0, 0.0));
    assert!(db.is_sign_positive());

    let x = [2.0, 3.0, 5.0];
    let (mut out, mut last) = ([0.0; 3], 0.0);
    let (mut dx, mut dout, mut dlast) = ([0.0f64; 3], [1.0f64, -1.0, 2.0], -1.0f64);
    d_outputs(&x, &mut dx, &mut out, &mut dout, &mut last, &mut dlast);
    let (mut out2, mut last2) = ([0.0; 3], 0.0);
    outputs(&x, &mut out2, &mut last2);
    assert_eq!((out, last), (out2, last2));
    // out = [x1^2 x0, x1^2, x2^2], last = 3 x1: seeds [1, -1, 2], -1
    // dx0 = x1^2 = 9; dx1 = 2 x1 x0 - 2 x1 - 3 = 12 - 6 - 3 = 3; dx2 = 2 * 2 x2 = 20
    assert_eq!(dx, [9.0, 3.0, 20.0]);
    assert!(
        dout.iter().all(|d| *d == 0.0 && d.is_sign_positive()),
        "{dout:?}"
    );
    assert!(dlast == 0.0 && dlast.is_sign_positive(), "{dlast}");

    let x = [2.0, 3.0, 5.0, 7.0];
    let mut out = [0.0; 3];
    let (mut dx, mut dout) = ([0.0f64; 4], [-1.0f64, 1.0, -2.0]);
    d_outputs_via_helper(&x, &mut dx, &mut out, &mut dout);
    // out = [x1 x2, x2 x3, x1 x2] (out[0..2] overwritten by the second call)
    let mut out2 = [0.0; 3];
    outputs_via_helper(&x, &mut out2);
    assert_eq!(out, out2);
    assert_eq!(out, [15.0, 35.0, 15.0]);
    // seeds: out0 = x1 x2 (-1), out1 = x2 x3 (1), out2 = x1 x2 (-2)
    // dx0 = 0, dx1 = -3 x2 = -15, dx2 = -3 x1 + x3 = -9 + 7 = -2, dx3 = x2 = 5
    assert_eq!(dx, [0.0, -15.0, -2.0, 5.0]);
    assert!(dx[0].is_sign_positive());
    assert!(
        dout.iter().all(|d| *d == 0.0 && d.is_sign_positive()),
        "{dout:?}"
    );
}

// more variants of the findings above

/// A local array modified by a helper call (not by stores) after a copy of it.
#[differentiable]
fn rotate_into(v: &mut [f64]) {
    let t = v[0];
    v[0] = v[1] * 0.5;
    v[1] = t;
}

#[autodiff_reverse(d_copy_then_call, Duplicated, Active)]
fn copy_then_call(x: &[f64]) -> f64 {
    let mut u = [x[0], x[1]];
    let mut s = 0.0;
    for _ in 0..3 {
        let prev = u;
        s += sq0(&prev) * 0.5;
        rotate_into(&mut u);
        u[0] *= 1.5;
    }
    s
}

#[test]
fn copy_of_local_array_then_call() {
    check_all(
        &[&[0.3, -0.2], &[0.0; 2], &[1.1, 0.5]],
        copy_then_call,
        |x, dx| same(d_copy_then_call(x, dx, 1.0), copy_then_call(x)),
    );
}

/// `is_nan` / `to_bits` as guards in a helper that updates its `&mut` argument in place.
#[differentiable]
fn guarded_square(v: &mut [f64]) {
    for i in 0..v.len() {
        if !v[i].is_nan() && v[i].to_bits() != 0 {
            v[i] = v[i] * v[i];
        }
    }
}

#[autodiff_reverse(d_uses_guarded, Duplicated, Active)]
fn uses_guarded(x: &[f64]) -> f64 {
    let mut v = [x[0], x[1]];
    guarded_square(&mut v);
    v[0] * 2.0 + v[1]
}

#[test]
fn nan_guard_on_mut_parameter_in_helper() {
    check_all(&[&[0.3, -0.2], &[1.1, 0.5]], uses_guarded, |x, dx| {
        same(d_uses_guarded(x, dx, 1.0), uses_guarded(x))
    });
}

// Rejected at compile time (README does not list reassigning a reference, so not a
// contract violation): "references (`&x`) are not supported in a differentiated function
// yet: index the value directly", at `&x[1..]`.
//
// #[autodiff_reverse(d_walk, Duplicated, Active)]
// fn walk(mut x: &[f64]) -> f64 {
//     let mut s = 0.0;
//     while x.len() > 1 {
//         s += (x[0] * x[1]).sin();
//         x = &x[1..];
//     }
//     s
// }
