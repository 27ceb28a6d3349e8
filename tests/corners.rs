//! Corners not covered elsewhere: const generics, helpers returning arrays, helpers
//! nested three deep with `&mut` outputs, early exits inside helpers called from loops,
//! loop conditions reading helper results, array-valued `if` expressions, shadowed
//! parameters, sub-slices of sub-slices, float-to-index casts, closures capturing locals,
//! three-way `zip`, short-circuit conditions on active values, `powi` with negative
//! exponents, `powf` with an active exponent, `&mut self` methods, `Vec<[f64; 2]>` and
//! `[[f64; 2]; 3]` inputs, `ActiveOnly` with buffers.
#![allow(clippy::needless_range_loop)]
#![allow(clippy::assign_op_pattern, clippy::manual_memcpy)]
// `!(a > b)` on active values and a `&Vec<[f64; 2]>` parameter are the points of tests.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::ptr_arg)]

use cotangent::{autodiff_reverse, differentiable, gradcheck_vjp};

mod common;
use common::{assert_bits, check_all};

#[track_caller]
fn same_slice(a: &[f64], b: &[f64]) {
    let ab: Vec<u64> = a.iter().map(|v| v.to_bits()).collect();
    let bb: Vec<u64> = b.iter().map(|v| v.to_bits()).collect();
    assert_eq!(ab, bb, "buffers differ: {a:?} vs {b:?}");
}

#[track_caller]
fn check_vjp(
    points: &[&[f64]],
    seed: &[f64],
    f: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64], &[f64], &mut [f64]),
) {
    for &x in points {
        if let Err(e) = gradcheck_vjp(&f, &vjp, x, seed) {
            panic!("gradcheck_vjp failed at x = {x:?}, seed = {seed:?}\n{e:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1. const generics: the differentiated function and its helper both generic over N.

#[differentiable]
fn cg_energy<const N: usize>(v: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += v[i] * v[i] * (i as f64 + 1.0);
    }
    s
}

#[autodiff_reverse(d_cg_top, Duplicated, Active)]
fn cg_top<const N: usize>(x: &[f64; N]) -> f64 {
    let mut y = [0.0; N];
    for i in 0..N {
        y[i] = x[i].sin() * x[(i + 1) % N];
    }
    cg_energy(&y).sqrt() + cg_energy(x)
}

#[test]
fn t_const_generic() {
    fn run<const N: usize>(points: &[&[f64]]) {
        check_all(
            points,
            |z| cg_top::<N>(z.try_into().unwrap()),
            |z, dz| {
                let x: &[f64; N] = z.try_into().unwrap();
                let mut dx = [0.0; N];
                assert_bits(d_cg_top(x, &mut dx, 1.0), cg_top(x));
                dz.copy_from_slice(&dx);
            },
        );
    }
    run::<3>(&[&[0.3, -0.7, 1.2], &[1.1, 0.4, -0.2]]);
    run::<5>(&[&[0.3, -0.7, 1.2, 0.5, -1.5]]);
}

// ---------------------------------------------------------------------------------------
// 2. a helper returning `[f64; 2]`, used inside a loop.

#[differentiable]
fn rot2(a: f64, t: f64) -> [f64; 2] {
    [a * t.cos(), a * t.sin()]
}

#[autodiff_reverse(d_arr_helper_loop, Duplicated, Active)]
fn arr_helper_loop(x: &[f64]) -> f64 {
    let mut p = [1.0, 0.0];
    for i in 0..x.len() - 1 {
        let r = rot2(x[i], x[i + 1]);
        p = [p[0] * r[0] - p[1] * r[1], p[0] * r[1] + p[1] * r[0]];
    }
    p[0] + 2.0 * p[1]
}

#[test]
fn t_arr_helper_loop() {
    check_all(
        &[&[0.9, 0.3, -1.1, 0.5], &[1.2, -0.4, 0.8]],
        arr_helper_loop,
        |x, dx| assert_bits(d_arr_helper_loop(x, dx, 1.0), arr_helper_loop(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 3. three levels of helpers passing `&mut` outputs (sub-slices) down.

#[differentiable]
fn lvl3(x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = out[i] * x[i].cos() + x[i];
    }
}

#[differentiable]
fn lvl2(x: &[f64], out: &mut [f64]) {
    lvl3(&x[1..], &mut out[1..]);
    out[0] = out[0] * out[1] + x[0].exp();
}

#[differentiable]
fn lvl1(x: &[f64], out: &mut [f64]) {
    out[0] += x[0];
    lvl2(x, out);
    out[2] *= out[0];
}

#[autodiff_reverse(d_three_levels, Duplicated, Duplicated, Active)]
fn three_levels(x: &[f64], out: &mut [f64]) -> f64 {
    lvl1(x, out);
    lvl1(x, out);
    out[0] * out[2]
}

#[test]
fn t_three_levels() {
    let f = |z: &[f64]| {
        let mut out = z[3..].to_vec();
        let r = three_levels(&z[..3], &mut out);
        out.push(r);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[3..].to_vec();
        let mut d_out = seed[..3].to_vec();
        let (dx, dz_out) = dz.split_at_mut(3);
        let r = d_three_levels(&z[..3], dx, &mut out, &mut d_out, seed[3]);
        let mut out_f = z[3..].to_vec();
        assert_bits(r, three_levels(&z[..3], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..3 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.5, 0.7, 0.2, 0.4, -0.3],
            &[-0.6, 0.8, 0.1, 1.1, -0.2, 0.5],
        ],
        &[0.5, -1.0, 0.25, 1.5],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 4. an early `return` from inside a loop of a helper called in a loop.

#[differentiable]
fn first_over(x: &[f64], t: f64) -> f64 {
    for i in 0..x.len() {
        if x[i] > t {
            return x[i] * x[i] * t;
        }
    }
    t.sin()
}

#[autodiff_reverse(d_early_in_helper, Duplicated, Active, Active)]
fn early_in_helper(x: &[f64], t: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..4 {
        let th = t + k as f64 * 0.4;
        s += first_over(&x[k..], th) * x[k];
    }
    s
}

#[test]
fn t_early_in_helper() {
    check_all(
        &[
            &[0.3, 1.5, -0.2, 0.9, 2.1, 0.1, 1.7, 0.2],
            &[3.1, 0.1, 0.5, 2.5, 0.2, -1.0, 0.3, 0.25],
        ],
        |z| early_in_helper(&z[..7], z[7]),
        |z, dz| {
            let (dx, dt) = dz.split_at_mut(7);
            let (r, g) = d_early_in_helper(&z[..7], dx, z[7], 1.0);
            dt[0] += g;
            assert_bits(r, early_in_helper(&z[..7], z[7]));
        },
    );
}

// ---------------------------------------------------------------------------------------
// 5. a `while` whose condition reads a helper's result.

#[differentiable]
fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum()
}

#[autodiff_reverse(d_while_helper_cond, Duplicated, Active)]
fn while_helper_cond(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let mut k = 0;
    while norm2(&v) > 0.5 && k < 30 {
        let j = k % v.len();
        v[j] = v[j] * 0.8 + v[(j + 1) % v.len()] * 0.05;
        k += 1;
    }
    norm2(&v) * (k as f64 + 1.0) + v[0]
}

#[test]
fn t_while_helper_cond() {
    check_all(
        &[&[0.9, -0.7, 1.3], &[0.2, 0.1, -0.3], &[2.0, 1.5, -1.7]],
        while_helper_cond,
        |x, dx| assert_bits(d_while_helper_cond(x, dx, 1.0), while_helper_cond(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 6. `loop { helper(..); if .. { break } }`.

#[differentiable]
fn newton_step(a: f64, y: &mut [f64]) {
    y[0] = 0.5 * (y[0] + a / y[0]);
}

#[autodiff_reverse(d_loop_break_helper, Active, Active)]
fn loop_break_helper(a: f64) -> f64 {
    let mut y = [a.max(1.0)];
    let mut n = 0;
    loop {
        newton_step(a, &mut y);
        n += 1;
        if (y[0] * y[0] - a).abs() < 1e-12 || n > 50 {
            break;
        }
    }
    y[0] * a
}

#[test]
fn t_loop_break_helper() {
    check_all(
        &[&[2.0], &[0.3], &[7.5]],
        |z| loop_break_helper(z[0]),
        |z, dz| {
            let (r, g) = d_loop_break_helper(z[0], 1.0);
            assert_bits(r, loop_break_helper(z[0]));
            dz[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 7. `if` expressions producing arrays, in a loop.

#[autodiff_reverse(d_if_array, Duplicated, Active)]
fn if_array(x: &[f64]) -> f64 {
    let mut acc = [0.0; 2];
    for i in 0..x.len() - 1 {
        let p = if x[i] > x[i + 1] {
            [x[i] * x[i + 1], x[i].exp()]
        } else if x[i] < -1.0 {
            [x[i + 1], x[i]]
        } else {
            [x[i + 1].sin(), x[i] * 3.0]
        };
        acc[0] += p[0] * acc[1];
        acc[1] += p[1];
    }
    acc[0] + acc[1] * acc[1]
}

#[test]
fn t_if_array() {
    check_all(
        &[&[0.3, 1.5, -1.2, 0.9, 2.1], &[-1.5, 0.1, 0.5, -2.5, 0.2]],
        if_array,
        |x, dx| assert_bits(d_if_array(x, dx, 1.0), if_array(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 8. shadowed parameters: `let x = &x[1..];`, `let a = a * 2.0;`.

#[autodiff_reverse(d_shadow_params, Duplicated, Active, Active)]
fn shadow_params(x: &[f64], a: f64) -> f64 {
    let head = x[0];
    let x = &x[1..];
    let a = a * 2.0;
    let a = a.sin() + head;
    let x = &x[..x.len() - 1];
    let mut s = 0.0;
    for v in x {
        s += v * a;
    }
    s * head
}

#[test]
fn t_shadow_params() {
    check_all(
        &[
            &[0.3, 1.5, -1.2, 0.9, 2.1, 0.4],
            &[-1.5, 0.1, 0.5, -2.5, 0.2, 1.3],
        ],
        |z| shadow_params(&z[..5], z[5]),
        |z, dz| {
            let (dx, da) = dz.split_at_mut(5);
            let (r, g) = d_shadow_params(&z[..5], dx, z[5], 1.0);
            assert_bits(r, shadow_params(&z[..5], z[5]));
            da[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 9. sub-slices of sub-slices passed to helpers.

#[differentiable]
fn dot_w(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i].tanh();
    }
    s
}

#[autodiff_reverse(d_subsub, Duplicated, Active)]
fn subsub(x: &[f64]) -> f64 {
    let a = dot_w(&x[1..][..2], &x[3..5][..2]);
    let y = &x[2..];
    let b = dot_w(&y[1..][1..3], &x[..4][1..3]);
    a * b + dot_w(&x[x.len() - 2..][..1], &y[..1])
}

#[test]
fn t_subsub() {
    check_all(
        &[
            &[0.3, 1.5, -1.2, 0.9, 2.1, 0.4],
            &[-1.5, 0.1, 0.5, -2.5, 0.2, 1.3],
        ],
        subsub,
        |x, dx| assert_bits(d_subsub(x, dx, 1.0), subsub(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 10. indices computed from active floats; a `usize` counter used as a float.

#[autodiff_reverse(d_float_index, Duplicated, Active, Active)]
fn float_index(x: &[f64], t: f64) -> f64 {
    let j = (t * 3.0) as usize;
    let k = (x[0].abs() * 2.0).floor() as usize % x.len();
    let mut s = x[j] * t + x[k] * x[k];
    for i in 1..x.len() {
        let w = i as f64 * t;
        s += (x[i] * w).sin() / (i as f64);
    }
    s
}

#[test]
fn t_float_index() {
    check_all(
        &[&[0.3, 1.5, -1.2, 0.9, 0.7], &[1.6, 0.1, 0.5, -2.5, 1.1]],
        |z| float_index(&z[..4], z[4]),
        |z, dz| {
            let (dx, dt) = dz.split_at_mut(4);
            let (r, g) = d_float_index(&z[..4], dx, z[4], 1.0);
            assert_bits(r, float_index(&z[..4], z[4]));
            dt[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 11. closures in `map` capturing a local array and an active scalar.

#[autodiff_reverse(d_closure_capture, Duplicated, Active, Active)]
fn closure_capture(x: &[f64], c: f64) -> f64 {
    let w = [x[0] * c, x[1].cos(), c * c];
    let m = c.exp();
    let s: f64 = x
        .iter()
        .enumerate()
        .map(|(i, v)| v * w[i % 3] + m * v.sin())
        .sum();
    let p: f64 = x.iter().skip(1).map(|v| w[1] + v * c).product();
    s + p
}

#[test]
fn t_closure_capture() {
    check_all(
        &[&[0.3, 1.5, -1.2, 0.9, 0.7], &[1.6, 0.1, 0.5, -2.5, -0.4]],
        |z| closure_capture(&z[..4], z[4]),
        |z, dz| {
            let (dx, dc) = dz.split_at_mut(4);
            let (r, g) = d_closure_capture(&z[..4], dx, z[4], 1.0);
            assert_bits(r, closure_capture(&z[..4], z[4]));
            dc[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 12. `zip` of three iterators, and `rev().enumerate()` on a zip.

#[autodiff_reverse(d_zip3, Duplicated, Duplicated, Duplicated, Active)]
fn zip3(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let s: f64 = a
        .iter()
        .zip(b.iter())
        .zip(c.iter())
        .map(|((p, q), r)| p * q.sin() + r * p)
        .sum();
    let mut t = 0.0;
    for (i, ((p, q), r)) in a.iter().zip(b).zip(c).rev().enumerate() {
        t = t * 0.5 + p * q * r * (i as f64 + 1.0);
    }
    s * t
}

#[test]
fn t_zip3() {
    check_all(
        &[
            &[0.3, 1.5, -1.2, 0.9, 0.7, 0.2, -0.4, 1.1, 0.6],
            &[1.6, 0.1, 0.5, -2.5, -0.4, 0.8, 0.3, 0.2, -0.9],
        ],
        |z| zip3(&z[..3], &z[3..6], &z[6..]),
        |z, dz| {
            let (da, rest) = dz.split_at_mut(3);
            let (db, dc) = rest.split_at_mut(3);
            let r = d_zip3(&z[..3], da, &z[3..6], db, &z[6..], dc, 1.0);
            assert_bits(r, zip3(&z[..3], &z[3..6], &z[6..]));
        },
    );
}

// ---------------------------------------------------------------------------------------
// 13. short-circuit `&&` / `||` on active comparisons.

#[autodiff_reverse(d_short_circuit, Duplicated, Active)]
fn short_circuit(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        if x[i] > 0.0 && x[i] * x[i + 1] < 1.0 || x[i] < -2.0 {
            s += x[i].exp() * x[i + 1];
        } else if !(x[i + 1] > 0.5) || s > 1.0 {
            s = s * x[i] + x[i + 1];
        } else {
            s -= x[i] * x[i];
        }
    }
    s
}

#[test]
fn t_short_circuit() {
    check_all(
        &[
            &[0.3, 1.5, -1.2, 0.9, 0.7, -2.5, 0.8],
            &[1.6, 0.1, 0.5, -2.5, -0.4, 0.8, 3.0],
        ],
        short_circuit,
        |x, dx| assert_bits(d_short_circuit(x, dx, 1.0), short_circuit(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 14. `max` / `min` folds with `f64::max` as a function path.

#[autodiff_reverse(d_max_fold, Duplicated, Active)]
fn max_fold(x: &[f64]) -> f64 {
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = x.iter().fold(f64::INFINITY, |m, &v| f64::min(m, v));
    // `fold(0.0, |m: f64, v| ..)` fails to compile: see FINDING 1 below.
    let soft = x.iter().fold(0.0f64, |m, v| m.max(v * 0.5) + 0.1 * v);
    hi * lo + soft
}

#[test]
fn t_max_fold() {
    check_all(
        &[&[0.3, 1.5, -1.2, 0.9, 0.7], &[1.6, 0.1, 0.5, -2.5, -0.4]],
        max_fold,
        |x, dx| assert_bits(d_max_fold(x, dx, 1.0), max_fold(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 15. `abs` / `signum` / `clamp` combinations away from the kinks.

#[autodiff_reverse(d_abs_sig_clamp, Active, Active, Active)]
fn abs_sig_clamp(x: f64, y: f64) -> f64 {
    let a = (x * y).abs().clamp(0.1, 2.0) * x.signum();
    let b = y.abs().sqrt() * (x - y).signum() + (x.abs() - y.abs()).abs();
    let c = (x * 3.0).clamp(-1.0, 1.0) * y.clamp(-0.5, 0.5);
    a * b + c + x.abs().max(y.abs()).min(1.5)
}

#[test]
fn t_abs_sig_clamp() {
    check_all(
        &[&[0.7, -1.3], &[-0.2, 0.3], &[1.9, 2.4], &[-0.8, -0.05]],
        |z| abs_sig_clamp(z[0], z[1]),
        |z, dz| {
            let (r, gx, gy) = d_abs_sig_clamp(z[0], z[1], 1.0);
            assert_bits(r, abs_sig_clamp(z[0], z[1]));
            dz[0] += gx;
            dz[1] += gy;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 16. `powi` with negative (and computed) exponents.

#[autodiff_reverse(d_powi_neg, Duplicated, Active)]
fn powi_neg(x: &[f64]) -> f64 {
    let mut s = x[0].powi(-2) + x[1].powi(-3) * x[0] + f64::powi(x[2], -1);
    for i in 0..x.len() {
        let e = -(i as i32) + 1;
        s += x[i].powi(e) * (i as f64 + 0.5);
    }
    s
}

#[test]
fn t_powi_neg() {
    check_all(
        &[&[0.7, -1.3, 2.0, 0.9], &[-1.2, 0.6, -0.8, 1.5]],
        powi_neg,
        |x, dx| assert_bits(d_powi_neg(x, dx, 1.0), powi_neg(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 17. `powf` with an active exponent, constant base, and both active.

#[autodiff_reverse(d_powf_active_exp, Active, Active, Active)]
fn powf_active_exp(x: f64, y: f64) -> f64 {
    let a = x.powf(y);
    let b = 2.0f64.powf(y * x);
    let c = f64::powf(1.5, -y) * x.powf(x);
    let d = x.powf(2.5);
    a + b * c + d
}

#[test]
fn t_powf_active_exp() {
    check_all(
        &[&[0.7, -1.3], &[1.6, 0.4], &[2.3, 1.7]],
        |z| powf_active_exp(z[0], z[1]),
        |z, dz| {
            let (r, gx, gy) = d_powf_active_exp(z[0], z[1], 1.0);
            assert_bits(r, powf_active_exp(z[0], z[1]));
            dz[0] += gx;
            dz[1] += gy;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 18. `atan2` in a loop (turning angle of a polyline), `hypot` of helper results.

#[differentiable]
fn seg_dx(p: &[f64], i: usize) -> f64 {
    p[2 * i + 2] - p[2 * i]
}

#[differentiable]
fn seg_dy(p: &[f64], i: usize) -> f64 {
    p[2 * i + 3] - p[2 * i + 1]
}

#[autodiff_reverse(d_polyline, Duplicated, Active)]
fn polyline(p: &[f64]) -> f64 {
    let n = p.len() / 2 - 1;
    let mut len = 0.0;
    let mut turn = 0.0;
    let mut prev = 0.0;
    for i in 0..n {
        len += seg_dx(p, i).hypot(seg_dy(p, i));
        let ang = seg_dy(p, i).atan2(seg_dx(p, i));
        if i > 0 {
            turn += (ang - prev) * (ang - prev);
        }
        prev = ang;
    }
    len + turn
}

#[test]
fn t_polyline() {
    check_all(
        &[
            &[0.0, 0.0, 1.0, 0.2, 1.5, 1.0, 1.2, 2.0, 2.0, 2.5],
            &[0.3, -0.1, 0.9, 0.7, 0.2, 1.4, -0.5, 1.1],
        ],
        polyline,
        |x, dx| assert_bits(d_polyline(x, dx, 1.0), polyline(x)),
    );
}

// ---------------------------------------------------------------------------------------
// 19. `mul_add` with every position active / inactive, Horner in a loop.

#[autodiff_reverse(d_mul_add_mix, Duplicated, Active, Active)]
fn mul_add_mix(c: &[f64], t: f64) -> f64 {
    let mut acc = 0.0f64;
    for i in (0..c.len()).rev() {
        acc = acc.mul_add(t, c[i]);
    }
    let a = t.mul_add(2.0, 1.0);
    let b = 3.0f64.mul_add(t, c[0]);
    let d = f64::mul_add(c[1], c[2], t);
    let e = 0.5f64.mul_add(2.0, t * t);
    acc * a + b * d + e
}

#[test]
fn t_mul_add_mix() {
    check_all(
        &[&[0.3, 1.5, -1.2, 0.9, 0.7], &[1.6, 0.1, 0.5, -2.5, -0.4]],
        |z| mul_add_mix(&z[..4], z[4]),
        |z, dz| {
            let (dc, dt) = dz.split_at_mut(4);
            let (r, g) = d_mul_add_mix(&z[..4], dc, z[4], 1.0);
            assert_bits(r, mul_add_mix(&z[..4], z[4]));
            dt[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 20. a `&mut self` method updating `self.v[i]` through fields (Duplicated `self`).

#[derive(Clone, Debug)]
struct Relax {
    w: f64,
    v: [f64; 3],
}

impl Relax {
    #[autodiff_reverse(d_sweep, Duplicated, Active, Active)]
    fn sweep(&mut self, h: f64) -> f64 {
        for k in 0..2 {
            for i in 0..3 {
                self.v[i] += h * (self.w * self.v[(i + 1) % 3]).sin() + k as f64 * 0.1;
            }
            self.w *= 0.9 + h;
        }
        self.v[0] * self.v[2] + self.w
    }
}

#[test]
fn t_mut_self_sweep() {
    // z = [w, v0, v1, v2, h]; outputs: [w, v0, v1, v2, ret]
    let f = |z: &[f64]| {
        let mut s = Relax {
            w: z[0],
            v: [z[1], z[2], z[3]],
        };
        let r = s.sweep(z[4]);
        vec![s.w, s.v[0], s.v[1], s.v[2], r]
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut s = Relax {
            w: z[0],
            v: [z[1], z[2], z[3]],
        };
        let mut ds = Relax {
            w: seed[0],
            v: [seed[1], seed[2], seed[3]],
        };
        let (r, gh) = s.d_sweep(&mut ds, z[4], seed[4]);
        let mut s_f = Relax {
            w: z[0],
            v: [z[1], z[2], z[3]],
        };
        assert_bits(r, s_f.sweep(z[4]));
        same_slice(
            &[s.w, s.v[0], s.v[1], s.v[2]],
            &[s_f.w, s_f.v[0], s_f.v[1], s_f.v[2]],
        );
        dz[0] += ds.w;
        for i in 0..3 {
            dz[1 + i] += ds.v[i];
        }
        dz[4] += gh;
    };
    check_vjp(
        &[&[0.7, 0.3, -0.5, 1.1, 0.2], &[1.3, -0.4, 0.9, 0.2, 0.05]],
        &[0.5, -1.0, 0.25, 2.0, 1.5],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 21. `Vec<[f64; 2]>` input with a `Vec<[f64; 2]>` shadow.

#[autodiff_reverse(d_vec_pairs, Duplicated, Active)]
fn vec_pairs(p: &Vec<[f64; 2]>) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() {
        let j = (i + 1) % p.len();
        s += p[i][0] * p[j][1] - p[j][0] * p[i][1];
    }
    let mut t = 0.0;
    for q in p.iter() {
        t += (q[0] * q[1]).sin();
    }
    s * 0.5 + t
}

#[test]
fn t_vec_pairs() {
    let split = |z: &[f64]| -> Vec<[f64; 2]> { z.chunks(2).map(|c| [c[0], c[1]]).collect() };
    check_all(
        &[
            &[0.0, 0.0, 1.0, 0.2, 1.5, 1.0, 0.2, 1.1],
            &[0.3, -0.1, 0.9, 0.7, 0.2, 1.4],
        ],
        |z| vec_pairs(&split(z)),
        |z, dz| {
            let p = split(z);
            let mut dp = vec![[0.0; 2]; p.len()];
            assert_bits(d_vec_pairs(&p, &mut dp, 1.0), vec_pairs(&p));
            for (i, d) in dp.iter().enumerate() {
                dz[2 * i] += d[0];
                dz[2 * i + 1] += d[1];
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// 22. nested arrays `&[[f64; 2]; 3]` by reference, with a `&mut [[f64; 2]; 3]` output.

#[autodiff_reverse(d_nested_arr, Duplicated, Duplicated, Active)]
fn nested_arr(a: &[[f64; 2]; 3], out: &mut [[f64; 2]; 3]) -> f64 {
    for i in 0..3 {
        for j in 0..2 {
            out[i][j] = out[i][j] * a[i][1 - j] + a[(i + 1) % 3][j].cos();
        }
    }
    let row = a[1];
    out[0][0] * row[0] + out[2][1] * row[1]
}

#[test]
fn t_nested_arr() {
    let unflat = |z: &[f64]| [[z[0], z[1]], [z[2], z[3]], [z[4], z[5]]];
    let f = |z: &[f64]| {
        let a = unflat(&z[..6]);
        let mut out = unflat(&z[6..]);
        let r = nested_arr(&a, &mut out);
        let mut v: Vec<f64> = out.iter().flatten().copied().collect();
        v.push(r);
        v
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let a = unflat(&z[..6]);
        let mut out = unflat(&z[6..]);
        let mut da = [[0.0; 2]; 3];
        let mut dout = unflat(&seed[..6]);
        let r = d_nested_arr(&a, &mut da, &mut out, &mut dout, seed[6]);
        let mut out_f = unflat(&z[6..]);
        assert_bits(r, nested_arr(&a, &mut out_f));
        assert_eq!(out, out_f);
        for (k, v) in da.iter().flatten().chain(dout.iter().flatten()).enumerate() {
            dz[k] += v;
        }
    };
    check_vjp(
        &[
            &[
                0.3, -0.5, 0.7, 0.2, 0.4, -0.3, 1.0, 0.5, -0.2, 0.8, 0.1, 0.6,
            ],
            &[
                -0.6, 0.8, 0.1, 1.1, -0.2, 0.5, 0.3, 0.2, 0.9, -1.0, 0.4, 0.7,
            ],
        ],
        &[0.5, -1.0, 0.25, 1.5, 0.3, -0.7, 2.0],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 23. `ActiveOnly` with a Duplicated buffer, an Active scalar and an array return.

#[autodiff_reverse(d_ao_mix, Duplicated, Active, ActiveOnly)]
fn ao_mix(x: &[f64], t: f64) -> [f64; 2] {
    let mut s = 0.0;
    let mut p = 1.0;
    for v in x {
        s += v * t;
        p *= (v + t).cos();
    }
    [s * p, s - p]
}

#[test]
fn t_ao_mix() {
    for seed in [[1.0, 0.0], [0.3, -2.0]] {
        let f = |z: &[f64]| ao_mix(&z[..3], z[3]).to_vec();
        let vjp = |z: &[f64], s: &[f64], dz: &mut [f64]| {
            let (dx, dt) = dz.split_at_mut(3);
            let g: f64 = d_ao_mix(&z[..3], dx, z[3], [s[0], s[1]]);
            dt[0] += g;
        };
        check_vjp(
            &[&[0.3, -0.5, 0.7, 0.2], &[1.1, 0.4, -0.9, -0.6]],
            &seed,
            f,
            vjp,
        );
    }
}

// ---------------------------------------------------------------------------------------
// 24. a `[f64; N]`-returning const-generic helper called from a loop.

#[differentiable]
fn cg_scale<const N: usize>(v: &[f64; N], a: f64) -> [f64; N] {
    let mut r = [0.0; N];
    for i in 0..N {
        r[i] = v[i] * a + v[(i + 1) % N] * v[i];
    }
    r
}

#[autodiff_reverse(d_cg_iter, Duplicated, Active, Active)]
fn cg_iter(x: &[f64; 3], a: f64) -> f64 {
    let mut v = *x;
    for _ in 0..3 {
        v = cg_scale(&v, a);
        v[1] = v[1].tanh();
    }
    v[0] + v[1] * v[2]
}

#[test]
fn t_cg_iter() {
    check_all(
        &[&[0.3, -0.5, 0.7, 0.2], &[0.4, 0.2, -0.3, -0.6]],
        |z| cg_iter(&[z[0], z[1], z[2]], z[3]),
        |z, dz| {
            let x = [z[0], z[1], z[2]];
            let mut dx = [0.0; 3];
            let (r, g) = d_cg_iter(&x, &mut dx, z[3], 1.0);
            assert_bits(r, cg_iter(&x, z[3]));
            dz[..3].copy_from_slice(&dx);
            dz[3] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 25. `Const` return with `&mut` output written by a helper in a `while` with `break`.

#[differentiable]
fn smooth(x: &[f64], out: &mut [f64]) -> f64 {
    let mut change = 0.0;
    for i in 1..out.len() - 1 {
        let nv = 0.25 * out[i - 1] + 0.5 * out[i] + 0.25 * out[i + 1] + x[i] * 0.1;
        change += (nv - out[i]).abs();
        out[i] = nv;
    }
    change
}

#[autodiff_reverse(d_relax_const, Duplicated, Duplicated, Const)]
fn relax_const(x: &[f64], out: &mut [f64]) -> usize {
    let mut it = 0;
    while it < 40 {
        let c = smooth(x, out);
        it += 1;
        if c < 1e-3 {
            break;
        }
    }
    it
}

#[test]
fn t_relax_const() {
    let f = |z: &[f64]| {
        let mut out = z[5..].to_vec();
        relax_const(&z[..5], &mut out);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[5..].to_vec();
        let mut d_out = seed.to_vec();
        let (dx, dz_out) = dz.split_at_mut(5);
        let it = d_relax_const(&z[..5], dx, &mut out, &mut d_out);
        let mut out_f = z[5..].to_vec();
        assert_eq!(it, relax_const(&z[..5], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..5 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.5, 0.7, 0.2, 0.4, 1.0, 0.2, -0.3, 0.6, 0.1],
            &[-0.6, 0.8, 0.1, 1.1, -0.2, 0.0, 0.5, 0.9, -0.4, 2.0],
        ],
        &[0.5, -1.0, 0.25, 1.5, 0.3],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 26. f32 parameters mixed with `as f64` / `f64::from` and back.

#[autodiff_reverse(d_mixed_width, Active, Duplicated, Active)]
fn mixed_width(a: f32, x: &[f64]) -> f64 {
    let mut s = f64::from(a) * x[0];
    let b = (x[1] as f32) * a;
    s += f64::from(b.sin()) + (s as f32 * 2.0f32) as f64;
    s
}

#[test]
fn t_mixed_width() {
    let opts = cotangent::GradcheckOptions {
        eps: 1e-3,
        atol: 2e-3,
        rtol: 2e-2,
    };
    for z in [[0.7, 0.3, -0.5], [-1.2, 1.1, 0.4]] {
        cotangent::gradcheck_with(
            opts,
            |z| mixed_width(z[0] as f32, &z[1..]),
            |z, dz| {
                let (da, dx) = dz.split_at_mut(1);
                let (r, g) = d_mixed_width(z[0] as f32, &z[1..], dx, 1.0);
                assert_bits(r, mixed_width(z[0] as f32, &z[1..]));
                da[0] += g as f64;
            },
            &z,
        )
        .unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// 27. a `&mut self` method passing a field to a free helper before and after changing it
// (works; compare FINDING 2, where the helper is a `&self` method).

#[differentiable]
fn sq_field(a: &f64) -> f64 {
    *a * *a
}

#[derive(Debug, PartialEq)]
struct Cell {
    a: f64,
}

impl Cell {
    #[autodiff_reverse(d_free_before_after, Duplicated, Active)]
    fn free_before_after(&mut self) -> f64 {
        let e0 = sq_field(&self.a);
        self.a = self.a * 3.0;
        e0 + sq_field(&self.a).sin()
    }
}

#[test]
fn t_free_helper_on_field_before_after() {
    let f = |z: &[f64]| {
        let mut c = Cell { a: z[0] };
        let r = c.free_before_after();
        vec![c.a, r]
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut c = Cell { a: z[0] };
        let mut dc = Cell { a: seed[0] };
        let r = c.d_free_before_after(&mut dc, seed[1]);
        let mut c_f = Cell { a: z[0] };
        assert_bits(r, c_f.free_before_after());
        assert_eq!(c, c_f);
        dz[0] += dc.a;
    };
    check_vjp(&[&[0.7], &[-0.45]], &[0.5, 1.5], f, vjp);
}

// FINDING 2 (now a compile error, tests/ui/receiver_changed.rs): a `&self` method's
// pullback called from a `&mut self` method that changes `self` after the call saw the
// changed `self`.

// FINDING 1 (fixed): a type annotation on a `fold` closure's accumulator was dropped, so
// the adjoint did not compile although `f` did.
#[autodiff_reverse(d_fold_annot, Duplicated, Active)]
fn fold_annot(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m: f64, v| m.max(v * 0.5))
}

#[test]
fn t_finding1_fold_annotation() {
    check_all(&[&[0.3, 1.4, -0.2], &[2.0, 0.5]], fold_annot, |x, g| {
        assert_bits(d_fold_annot(x, g, 1.0), fold_annot(x))
    });
}
