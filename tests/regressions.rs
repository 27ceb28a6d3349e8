//! Wrong gradients found by adversarial probing, each kept as a regression test against
//! central finite differences of the untouched primal and exact values.
#![allow(clippy::needless_range_loop, clippy::match_single_binding)]

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all};

#[path = "regressions/seeds.rs"]
mod seeds;
#[path = "regressions/writes.rs"]
mod writes;

/// A local that holds a read element and is changed afterwards is not the element any
/// more: a second read of the element must not reuse it.
#[autodiff_reverse(d_reread, Duplicated, Active)]
fn reread(x: &[f64]) -> f64 {
    let mut b = x[1];
    b *= x[0];
    let mut s = x[0];
    for i in 1..x.len() {
        s = s * x[i] + x[0];
    }
    b * x[1] + s
}

#[autodiff_reverse(d_reread_deref, Active, Duplicated, Active)]
fn reread_deref(k: f64, p: &f64) -> f64 {
    let mut m = *p;
    m *= 3.0 + k;
    m + *p
}

#[test]
fn reassigned_holder_of_a_read() {
    check_all(
        &[&[2.0, 3.0, 4.0], &[0.5, -1.0], &[0.0, 1.0, 2.0]],
        reread,
        |x, d| assert_bits(d_reread(x, d, 1.0), reread(x)),
    );
    let mut d = [0.0; 2];
    assert_eq!(d_reread(&[2.0, 3.0], &mut d, 1.0), 18.0 + 8.0);
    assert_eq!(d, [9.0 + 4.0, 12.0 + 2.0]);
    let mut dp = 0.0;
    let (y, dk) = d_reread_deref(0.0, &2.0, &mut dp, 1.0);
    assert_eq!((y, dk, dp), (8.0, 2.0, 4.0));
    assert_eq!(y, reread_deref(0.0, &2.0));
}

/// A named closure sees its captures as they were where it was defined.
#[autodiff_reverse(d_captures, Active, Active, Active, Active)]
fn captures(x: f64, y: f64, z: f64) -> f64 {
    let c = x;
    let k = |v: f64| v * c;
    let c = z;
    k(y) + c
}

#[autodiff_reverse(d_loop_capture, Duplicated, Active)]
fn loop_capture(x: &[f64]) -> f64 {
    let w = 2.0;
    let f = |v: f64| v * w;
    let mut s = 0.0;
    for i in 0..x.len() {
        let w = x[i].sin();
        s += f(x[i]) * w;
    }
    s
}

#[test]
fn closure_captures_at_definition() {
    let (y, gx, gy, gz) = d_captures(2.0, 3.0, 5.0, 1.0);
    assert_eq!((y, gx, gy, gz), (11.0, 3.0, 2.0, 1.0));
    assert_eq!(y, captures(2.0, 3.0, 5.0));
    check_all(&[&[0.7, -0.4], &[0.0, 1.0, 2.0]], loop_capture, |x, d| {
        assert_bits(d_loop_capture(x, d, 1.0), loop_capture(x))
    });
}

/// A whole-value binding of a `match` is a copy: the arm may change the scrutinee.
#[autodiff_reverse(d_copy_binding, Duplicated, Const, Active)]
fn copy_binding(x: &[f64], k0: usize) -> f64 {
    let mut k = k0;
    match k {
        m => {
            k = 2;
            x[m] * 10.0 + x[k]
        }
    }
}

#[test]
fn match_binding_is_a_copy() {
    let mut d = [0.0; 3];
    assert_eq!(d_copy_binding(&[1.0, 2.0, 3.0], &mut d, 0, 1.0), 13.0);
    assert_eq!(d, [10.0, 0.0, 1.0]);
    check_all(
        &[&[1.0, 2.0, 3.0]],
        |x| copy_binding(x, 1),
        |x, d| assert_bits(d_copy_binding(x, d, 1, 1.0), copy_binding(x, 1)),
    );
}

/// A value `match` with one arm that returns and one that breaks; a pair fold whose
/// closure is a block.
#[autodiff_reverse(d_exits, Duplicated, Active)]
fn exits(x: &[f64]) -> f64 {
    let mut s = x[0];
    for i in 1..x.len() {
        let t = match i {
            3 => return s,
            2 => break,
            _ => x[i] * s,
        };
        s = t;
    }
    let (m, z) = x.iter().fold((f64::NEG_INFINITY, 0.0), |(m, z), &v| {
        let nm = m.max(v);
        (nm, z + (v - nm).exp())
    });
    s + m + z
}

#[test]
fn exits_in_value_arms_and_block_pair_folds() {
    check_all(
        &[&[2.0, 3.0, 5.0, 7.0], &[0.5, -1.0], &[1.5]],
        exits,
        |x, d| assert_bits(d_exits(x, d, 1.0), exits(x)),
    );
}

/// A named closure taking `&f64` dereferences its parameter, as an inline one does.
#[autodiff_reverse(d_deref_closure, Duplicated, Active)]
fn deref_closure(x: &[f64]) -> f64 {
    let f = |v: &f64| (*v - 1.0).sin();
    x.iter().map(f).sum::<f64>() + f(&x[0])
}

#[test]
fn named_closure_with_a_reference_parameter() {
    check_all(&[&[0.5, -1.0, 2.0], &[0.0]], deref_closure, |x, d| {
        assert_bits(d_deref_closure(x, d, 1.0), deref_closure(x))
    });
}

/// Settings passed to helpers: an enum by value is never a derivative candidate, and a
/// pattern that cannot be differentiated (binding the payload of a `&Blend` made
/// `Duplicated`) is left out of a helper's pullbacks instead of failing them all.
#[derive(Clone, Copy)]
enum Activation {
    Tanh,
    Relu,
}

#[cotangent::differentiable]
fn activate(act: Activation, v: &mut [f64]) {
    for x in v.iter_mut() {
        *x = match act {
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.max(0.0),
        };
    }
}

enum Blend {
    Hard,
    Smooth(f64),
}

#[cotangent::differentiable]
fn combine(a: f64, b: f64, blend: &Blend) -> f64 {
    match blend {
        Blend::Hard => a.min(b),
        Blend::Smooth(k) => -k * ((-a / k).exp() + (-b / k).exp()).ln(),
    }
}

#[autodiff_reverse(d_settings, Duplicated, Const, Const, Active)]
fn settings(x: &[f64], act: Activation, blend: &Blend) -> f64 {
    let mut h = x.to_vec();
    activate(act, &mut h);
    let mut s = 0.0;
    for i in 1..h.len() {
        s += combine(h[i - 1], h[i], blend);
    }
    s
}

#[test]
fn settings_enums_in_helpers() {
    for act in [Activation::Tanh, Activation::Relu] {
        for blend in [Blend::Hard, Blend::Smooth(0.5)] {
            check_all(
                &[&[0.5, -1.0, 2.0, 0.3]],
                |x| settings(x, act, &blend),
                |x, d| assert_bits(d_settings(x, d, act, &blend, 1.0), settings(x, act, &blend)),
            );
        }
    }
}

/// Small vectors by value in helpers (`y: [f64; 3]`), and an explicit `Active` on a float
/// alias the inference does not know.
type Num = f64;

#[cotangent::differentiable]
fn lorenz_step(y: [f64; 3], dt: f64) -> [f64; 3] {
    let d = [
        10.0 * (y[1] - y[0]),
        y[0] * (28.0 - y[2]) - y[1],
        y[0] * y[1] - 8.0 / 3.0 * y[2],
    ];
    [y[0] + dt * d[0], y[1] + dt * d[1], y[2] + dt * d[2]]
}

#[cotangent::differentiable(Active)]
fn sq_alias(x: Num) -> Num {
    x * x
}

#[autodiff_reverse(d_lorenz, Duplicated, Const, Active)]
fn lorenz(y0: &[f64; 3], steps: usize) -> f64 {
    let mut y = *y0;
    for _ in 0..steps {
        y = lorenz_step(y, 0.001);
    }
    sq_alias(y[0]) + y[1] * y[2]
}

#[test]
fn arrays_by_value_and_explicit_active() {
    for steps in [0, 1, 20] {
        check_all(
            &[&[1.0, 1.0, 1.0], &[0.5, -0.3, 2.0]],
            |y| lorenz(&[y[0], y[1], y[2]], steps),
            |y, d| {
                let y0 = [y[0], y[1], y[2]];
                let mut dy = [0.0; 3];
                assert_bits(d_lorenz(&y0, &mut dy, steps, 1.0), lorenz(&y0, steps));
                d.copy_from_slice(&dy);
            },
        );
    }
}

/// Float aliases by value (`type V3 = [f64; 3]`) are inferred candidates again.
type V3 = [f64; 3];

#[cotangent::differentiable]
fn add3(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] * b[2]]
}

#[autodiff_reverse(d_alias_sum, Duplicated, Duplicated, Active)]
fn alias_sum(x: &V3, v: &V3) -> f64 {
    let s = add3(*x, *v);
    s[0] * s[1] + s[2]
}

#[test]
fn float_aliases_by_value() {
    check_all(
        &[&[1.0, 2.0, 3.0, 0.5, -1.0, 2.0]],
        |p| alias_sum(&[p[0], p[1], p[2]], &[p[3], p[4], p[5]]),
        |p, d| {
            let (x, v) = ([p[0], p[1], p[2]], [p[3], p[4], p[5]]);
            let (mut dx, mut dv) = ([0.0; 3], [0.0; 3]);
            assert_bits(
                d_alias_sum(&x, &mut dx, &v, &mut dv, 1.0),
                alias_sum(&x, &v),
            );
            d[..3].copy_from_slice(&dx);
            d[3..].copy_from_slice(&dv);
        },
    );
}

/// A helper's result changed in place: the variable is active, but the value the call
/// defines is not when no argument carries a derivative (`__cotangent_pb_f_ca` calls `h`
/// on a `Const` slice), so no all-`Const` pullback of `h` may be asked for.
#[cotangent::differentiable]
fn prod2(v: &[f64]) -> f64 {
    v[0] * v[1]
}

#[autodiff_reverse(d_scaled_helper, Duplicated, Active, Active)]
fn scaled_helper(x: &[f64], w: f64) -> f64 {
    let mut s = prod2(x);
    s *= w;
    s
}

#[allow(clippy::assign_op_pattern)]
#[autodiff_reverse(d_shifted_helper, Duplicated, Active, Active)]
fn shifted_helper(x: &[f64], w: f64) -> f64 {
    let mut s = prod2(x);
    s += 1.0;
    s = s * w;
    s
}

#[autodiff_reverse(d_helper_of_helper, Duplicated, Active, Active)]
fn helper_of_helper(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        s += scaled_helper(x, w) * shifted_helper(x, 2.0 + i as f64);
    }
    s
}

#[test]
fn helper_result_changed_in_place() {
    let points: &[&[f64]] = &[&[2.0, 3.0, 5.0], &[0.5, -1.0, 0.3], &[0.0, 1.5, -2.0]];
    check_all(
        points,
        |p| scaled_helper(&p[..2], p[2]),
        |p, d| {
            let (dx, dw) = d.split_at_mut(2);
            let (y, g) = d_scaled_helper(&p[..2], dx, p[2], 1.0);
            assert_bits(y, scaled_helper(&p[..2], p[2]));
            dw[0] += g;
        },
    );
    check_all(
        points,
        |p| shifted_helper(&p[..2], p[2]),
        |p, d| {
            let (dx, dw) = d.split_at_mut(2);
            let (y, g) = d_shifted_helper(&p[..2], dx, p[2], 1.0);
            assert_bits(y, shifted_helper(&p[..2], p[2]));
            dw[0] += g;
        },
    );
    check_all(
        points,
        |p| helper_of_helper(&p[..2], p[2]),
        |p, d| {
            let (dx, dw) = d.split_at_mut(2);
            let (y, g) = d_helper_of_helper(&p[..2], dx, p[2], 1.0);
            assert_bits(y, helper_of_helper(&p[..2], p[2]));
            dw[0] += g;
        },
    );
    let mut dx = [0.0; 2];
    assert_eq!(d_scaled_helper(&[2.0, 3.0], &mut dx, 5.0, 1.0), (30.0, 6.0));
    assert_eq!(dx, [15.0, 10.0]);
}

/// A guard starting with a block (`1 if { x[i] } > 0.1 =>`): the guard and the arm are
/// kept as the syntax trees they were parsed as, not printed into `{ lets.. #guard }` and
/// read again (where the block would be a statement of its own).
#[autodiff_reverse(d_block_guard, Duplicated, Active)]
fn block_guard(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += match i % 2 {
            1 if { x[i] } > 0.1 => x[i] * x[i],
            k @ 0 if { k } + 1 == 1 && { x[i] }.abs() < 2.0 => { x[i] }.sin() * 2.0,
            _ => x[i],
        };
    }
    s
}

#[autodiff_reverse(d_block_guard_variants, Duplicated, Const, Active)]
fn block_guard_variants(x: &[f64], skip: Option<usize>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if matches!(i % 3, 1 | 2 if { x[i] } > 0.1) {
            s += x[i].sin();
        }
        if let Some(j) = skip {
            if j == i {
                continue;
            }
        } else if { x[i] } > 0.1 {
            s += x[i] * x[0];
        }
        let odd = match i {
            0 => matches!(skip, Some(1)),
            _ => i % 2 == 1 && { x[i] } < 1.0,
        };
        if odd {
            s += x[i].exp();
        }
    }
    s
}

#[test]
fn guards_starting_with_a_block() {
    let points: &[&[f64]] = &[
        &[0.5, -0.3, 0.7, 1.2],
        &[-1.0, 2.0, 0.05, 0.3],
        &[1.5, 0.2, -0.4],
    ];
    check_all(points, block_guard, |x, d| {
        assert_bits(d_block_guard(x, d, 1.0), block_guard(x))
    });
    for skip in [None, Some(1), Some(2)] {
        check_all(
            points,
            |x| block_guard_variants(x, skip),
            |x, d| {
                assert_bits(
                    d_block_guard_variants(x, d, skip, 1.0),
                    block_guard_variants(x, skip),
                )
            },
        );
    }
}

/// Parentheses are transparent everywhere: a predicate or method on a parenthesised
/// literal (`(1.0_f64).is_finite()`), a doubly parenthesised element, parenthesised
/// receivers, iterators, closures and `vec!`/`matches!` operands. They are taken out of the
/// tree once, before lowering, instead of being looked through construct by construct.
#[autodiff_reverse(d_paren_literal, Duplicated, Active)]
fn paren_literal(x: &[f64]) -> f64 {
    let mut s = x[0] * x[1];
    if (1.0_f64).is_finite() {
        s += x[0].sin();
    }
    if (0.5_f64).total_cmp(&x[0]).is_lt() {
        s *= x[1];
    }
    s + (2.0_f64).powi(2) * x[1]
}

#[allow(unused_parens, clippy::double_parens)]
#[autodiff_reverse(d_paren_everywhere, Duplicated, Active)]
fn paren_everywhere(x: &[f64]) -> f64 {
    let mut s = (x[0]) * (x[1]);
    s += (x[0] + 1.0) * (2.0);
    let v = vec![(x[0] + 1.0) * 2.0, (x[1])];
    for (a, b) in std::iter::zip((x).iter(), (&v)) {
        s += (a * (b + 1.0)) * 2.0;
    }
    let c = |z: f64| (z + 1.0) * x[0];
    s += (c)(x[1]);
    if matches!((x.len() + 1) * 2, 6 if (x[0]) > 0.0) {
        s += (x[1]).exp();
    }
    s
}

#[test]
fn parentheses_are_transparent() {
    let points: &[&[f64]] = &[&[0.7, -0.4], &[0.2, 1.3], &[-1.5, 0.6]];
    check_all(points, paren_literal, |x, d| {
        assert_bits(d_paren_literal(x, d, 1.0), paren_literal(x))
    });
    check_all(points, paren_everywhere, |x, d| {
        assert_bits(d_paren_everywhere(x, d, 1.0), paren_everywhere(x))
    });
}

/// A `move` closure capturing a reference copies the reference, not the referent: it
/// reads (and would write) the same place as a closure without `move`.
#[autodiff_reverse(d_move_capture, Duplicated, Active)]
fn move_capture(x: &[f64]) -> f64 {
    let cl = move |z: f64| z * x[0];
    cl(x[1]) + x.iter().map(move |v| v * x[1]).sum::<f64>()
}

#[autodiff_reverse(d_move_capture_out, Duplicated, Duplicated, Active)]
fn move_capture_out(x: &[f64], out: &mut [f64]) -> f64 {
    out[0] = x[0] * x[1];
    let r = &x[1..];
    let k = 2.0;
    let cl = move |z: f64| z * out[0] + r[0].sin() * k;
    let v = cl(x[1]);
    let w = cl(x[0]);
    v * w
}

#[test]
fn move_closures_capture_references() {
    let points: &[&[f64]] = &[&[0.7, -0.4], &[0.2, 1.3, 0.5], &[-1.5, 0.6]];
    check_all(points, move_capture, |x, d| {
        assert_bits(d_move_capture(x, d, 1.0), move_capture(x))
    });
    let primal = |x: &[f64]| move_capture_out(x, &mut vec![0.0; x.len()]);
    check_all(points, primal, |x, d| {
        let (mut out, mut d_out) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        assert_bits(
            d_move_capture_out(x, d, &mut out, &mut d_out, 1.0),
            primal(x),
        );
        let mut expected = vec![0.0; x.len()];
        move_capture_out(x, &mut expected);
        assert_eq!(out, expected);
    });
}

/// A helper's result nobody reads (`let hv = grow(x, w);`): no pullback runs for it, so
/// none is seeded with a zero of the wrong shape (an empty `Vec` for a `Vec` of 4).
#[cotangent::differentiable]
fn grow(x: &[f64], w: f64) -> Vec<f64> {
    let mut v = Vec::new();
    for i in 0..x.len() {
        v.push(x[i] * w);
    }
    v
}

#[cotangent::differentiable]
fn triple(x: &[f64], w: f64) -> [f64; 3] {
    [x[0] * w, x[1].sin(), w * w]
}

#[allow(unused_variables)]
#[autodiff_reverse(d_unused_vec, Duplicated, Active, Active)]
fn unused_vec(x: &[f64], w: f64) -> f64 {
    let hv = grow(x, w);
    x[0] * w
}

#[allow(unused_variables)]
#[autodiff_reverse(d_unused_array, Duplicated, Active, Active)]
fn unused_array(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        let unused = triple(&x[i..], w);
        s += x[i] * w;
    }
    let t = triple(x, w);
    s + t[1]
}

#[test]
fn unused_helper_results() {
    let points: &[&[f64]] = &[&[0.7, -0.4, 1.0, 2.0, 1.5], &[0.2, 1.3, 0.5, -2.0]];
    let split = |p: &[f64]| (p[..p.len() - 1].to_vec(), p[p.len() - 1]);
    check_all(
        points,
        |p| unused_vec(&split(p).0, split(p).1),
        |p, d| {
            let (x, w) = split(p);
            let (dx, dw) = d.split_at_mut(x.len());
            let (y, g) = d_unused_vec(&x, dx, w, 1.0);
            assert_bits(y, unused_vec(&x, w));
            dw[0] += g;
        },
    );
    check_all(
        points,
        |p| unused_array(&split(p).0, split(p).1),
        |p, d| {
            let (x, w) = split(p);
            let (dx, dw) = d.split_at_mut(x.len());
            let (y, g) = d_unused_array(&x, dx, w, 1.0);
            assert_bits(y, unused_array(&x, w));
            dw[0] += g;
        },
    );
}
