//! The contract of design brief §2, one test (or a few) per item:
//!
//! 1. `f` stays as written;
//! 2. `d_f`'s arguments: `Duplicated` followed by its shadow, `Active` without one,
//!    `Const` passed through and never differentiated;
//! 3. return activities: `Active` (primal and gradients), `ActiveOnly` (gradients only),
//!    `Const` (primal only, no seed); one element bare, none `()`;
//! 4. gradients accumulate into shadows;
//! 5. the shadow of a `&mut` argument: seed for the final value on entry, adjoint with
//!    respect to the initial value on exit;
//! 6. the primal is bit for bit `f`'s;
//! 7. re-entrant and thread-safe;
//! 8. linear in the seed; seeding an inner function with the outer adjoint is the chain rule.

use cotangent::{autodiff_reverse, gradcheck, gradcheck_vjp};

mod common;
use common::assert_bits;

// ---------------------------------------------------------------------------------------
// helpers

#[track_caller]
fn assert_close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-14 * b.abs().max(1.0),
        "{a:e} vs expected {b:e}"
    );
}

#[track_caller]
fn assert_all_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_close(*x, *y);
    }
}

// ---------------------------------------------------------------------------------------
// 4. accumulation

/// Every element of the gradient gets exactly one contribution, so sums are exact.
#[autodiff_reverse(d_energy, Duplicated, Active)]
fn energy(x: &[f64; 3]) -> f64 {
    x[0] * x[1] + x[2].exp()
}

#[autodiff_reverse(d_other, Duplicated, Active)]
fn other(x: &[f64; 3]) -> f64 {
    x[0].sin() * x[2] - x[1] * x[1]
}

#[test]
fn shadows_accumulate_and_calling_twice_doubles() {
    let x = [1.5, -2.0, 0.5];
    let g = [-2.0, 1.5, 0.5f64.exp()];
    let mut dx = [0.0; 3];
    d_energy(&x, &mut dx, 1.0);
    assert_eq!(dx, g);
    d_energy(&x, &mut dx, 1.0);
    assert_eq!(dx, [2.0 * g[0], 2.0 * g[1], 2.0 * g[2]]);
    // the caller's contents are added to, not overwritten
    let mut dx = [10.0, 20.0, 30.0];
    d_energy(&x, &mut dx, 1.0);
    assert_eq!(dx, [10.0 + g[0], 20.0 + g[1], 30.0 + g[2]]);
}

#[test]
fn two_functions_add_up_in_one_buffer() {
    let x = [1.5, -2.0, 0.5];
    let (mut de, mut dt) = ([0.0; 3], [0.0; 3]);
    d_energy(&x, &mut de, 1.0);
    d_other(&x, &mut dt, 1.0);
    let mut both = [0.0; 3];
    d_energy(&x, &mut both, 1.0);
    d_other(&x, &mut both, 1.0);
    assert_all_close(&both, &[de[0] + dt[0], de[1] + dt[1], de[2] + dt[2]]);
    // and equal the gradient of the sum
    assert_all_close(&dt, &[1.5f64.cos() * 0.5, 4.0, 1.5f64.sin()]);
    gradcheck(
        |v| energy(&[v[0], v[1], v[2]]) + other(&[v[0], v[1], v[2]]),
        |v, d| {
            let mut buf = [0.0; 3];
            d_energy(&[v[0], v[1], v[2]], &mut buf, 1.0);
            d_other(&[v[0], v[1], v[2]], &mut buf, 1.0);
            d.copy_from_slice(&buf);
        },
        &x,
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------
// 2. Const arguments

#[autodiff_reverse(d_weighted, Duplicated, Const, Const, Active)]
fn weighted(x: &[f64], w: &[f64], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * (x[i] * scale).sin();
    }
    s
}

/// The same function with `w` and `scale` differentiated.
#[autodiff_reverse(d_weighted_all, Duplicated, Duplicated, Active, Active)]
fn weighted_all(x: &[f64], w: &[f64], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * (x[i] * scale).sin();
    }
    s
}

#[test]
fn const_arguments_are_passed_through_without_gradient() {
    let x = [0.3, -1.2, 2.0];
    let w = [1.5, -0.5, 0.25];
    let w_before = w;
    let mut dx = [0.0; 3];
    // no shadow for `w`, no gradient for `scale`: no Active parameter, so the primal is bare
    let v: f64 = d_weighted(&x, &mut dx, &w, 0.7, 1.0);
    assert_bits(v, weighted(&x, &w, 0.7));
    assert_eq!(w, w_before);
    // the gradient with respect to x does not depend on the activity of the others
    let (mut dx_all, mut dw) = ([0.0; 3], [0.0; 3]);
    let (v_all, dscale) = d_weighted_all(&x, &mut dx_all, &w, &mut dw, 0.7, 1.0);
    assert_bits(v_all, v);
    assert_bits(weighted_all(&x, &w, 0.7), v);
    assert_eq!(dx, dx_all);
    assert!(dw.iter().all(|d| *d != 0.0) && dscale != 0.0);
}

/// A `Const` `&mut` argument that only counts calls: the adjoint has the primal's side
/// effect on it, once.
#[autodiff_reverse(d_counted, Duplicated, Const, Active)]
fn counted(x: &[f64; 2], calls: &mut usize) -> f64 {
    *calls += 1;
    x[0] * x[1].cos()
}

#[test]
fn const_mut_argument_sees_the_primal_side_effect_once() {
    let x = [2.0, 0.5];
    let mut calls = 0usize;
    let v = counted(&x, &mut calls);
    assert_eq!(calls, 1);
    let mut dx = [0.0; 2];
    let v2 = d_counted(&x, &mut dx, &mut calls, 1.0);
    assert_eq!(calls, 2);
    assert_bits(v2, v);
    assert_eq!(dx, [0.5f64.cos(), -2.0 * 0.5f64.sin()]);
}

// ---------------------------------------------------------------------------------------
// 5. the shadow of a `&mut` argument

/// In place: reads and overwrites `x`; `x[2]` is overwritten without being read.
#[autodiff_reverse(d_step, Duplicated, Active)]
fn step(x: &mut [f64; 3], a: f64) {
    x[0] = x[0] * a + x[1];
    x[1] = x[1] * x[1];
    x[2] = a.sin();
}

#[test]
fn mut_shadow_is_seed_on_entry_and_initial_value_adjoint_on_exit() {
    let x0 = [1.5, -2.0, 7.0];
    let a = 0.5f64;
    let seed = [1.0, 2.0, 3.0];
    let mut x = x0;
    let mut dx = seed;
    let da: f64 = d_step(&mut x, &mut dx, a);
    // the primal effect on x is f's
    let mut expected = x0;
    step(&mut expected, a);
    assert_eq!(x, expected);
    // x0' = x0 a + x1, x1' = x1², x2' = sin a
    assert_eq!(dx, [seed[0] * a, seed[0] + seed[1] * 2.0 * x0[1], 0.0]);
    assert_close(da, seed[0] * x0[0] + seed[2] * a.cos());
    // against finite differences of seed · step(x0, a), over (x0, a)
    gradcheck_vjp(
        |v| {
            let mut x = [v[0], v[1], v[2]];
            step(&mut x, v[3]);
            x.to_vec()
        },
        |v, s, d| {
            let mut x = [v[0], v[1], v[2]];
            let mut dx = [s[0], s[1], s[2]];
            let da = d_step(&mut x, &mut dx, v[3]);
            d[..3].copy_from_slice(&dx);
            d[3] += da;
        },
        &[x0[0], x0[1], x0[2], a],
        &seed,
    )
    .unwrap();
}

/// A pure output buffer: written, never read.
#[autodiff_reverse(d_fill, Duplicated, Duplicated)]
fn fill(x: &[f64; 2], out: &mut [f64; 2]) {
    out[0] = x[0] * x[1];
    out[1] = x[0] + 1.0;
}

#[test]
fn pure_output_shadow_is_zero_afterwards() {
    let x = [3.0, -2.0];
    let mut dx = [0.0; 2];
    let mut out = [99.0, 99.0];
    let mut dout = [0.5, 4.0];
    d_fill(&x, &mut dx, &mut out, &mut dout);
    let mut expected = [0.0; 2];
    fill(&x, &mut expected);
    assert_eq!(out, expected);
    assert_eq!(out, [-6.0, 4.0]);
    assert_eq!(dout, [0.0, 0.0]);
    assert_eq!(dx, [0.5 * -2.0 + 4.0, 0.5 * 3.0]);
}

/// An accumulator: the final value depends on the initial one with slope 1.
#[autodiff_reverse(d_accumulate_into, Duplicated, Active)]
fn accumulate_into(acc: &mut f64, x: f64) {
    *acc += x * x;
}

#[test]
fn accumulator_shadow_passes_its_seed_through() {
    let mut acc = 1.0;
    let mut dacc = 2.5;
    let dx = d_accumulate_into(&mut acc, &mut dacc, 3.0);
    assert_eq!(acc, 10.0);
    let mut expected = 1.0;
    accumulate_into(&mut expected, 3.0);
    assert_eq!(acc, expected);
    assert_eq!(dacc, 2.5); // d acc_final / d acc_initial = 1, times the seed
    assert_eq!(dx, 2.5 * 6.0);
}

/// A `&mut` argument and an active return: both seeds contribute.
#[autodiff_reverse(d_normalize, Duplicated, Active)]
fn normalize(v: &mut [f64; 2]) -> f64 {
    let n = (v[0] * v[0] + v[1] * v[1]).sqrt();
    v[0] /= n;
    v[1] /= n;
    n
}

#[test]
fn mut_argument_and_active_return_seeds_add_up() {
    let v0 = [3.0, 4.0];
    let check_seed = |sv: [f64; 2], sr: f64| {
        gradcheck_vjp(
            |p| {
                let mut v = [p[0], p[1]];
                let n = normalize(&mut v);
                vec![v[0], v[1], n]
            },
            |p, s, d| {
                let mut v = [p[0], p[1]];
                let mut dv = [s[0], s[1]];
                let n = d_normalize(&mut v, &mut dv, s[2]);
                let mut expected = [p[0], p[1]];
                assert_bits(n, normalize(&mut expected));
                assert_eq!(v, expected);
                d.copy_from_slice(&dv);
            },
            &v0,
            &[sv[0], sv[1], sr],
        )
        .unwrap();
    };
    check_seed([1.0, 0.0], 0.0);
    check_seed([0.0, 1.0], 0.0);
    check_seed([0.0, 0.0], 1.0);
    check_seed([0.3, -2.0], 1.5);
    // only the return seeded: the gradient of |v| is v / |v|
    let mut v = v0;
    let mut dv = [0.0; 2];
    assert_eq!(d_normalize(&mut v, &mut dv, 1.0), 5.0);
    assert_eq!(v, [0.6, 0.8]);
    assert_all_close(&dv, &[0.6, 0.8]);
}

// ---------------------------------------------------------------------------------------
// 8. linearity in the seed; the chain rule

#[autodiff_reverse(d_mixed, Active, Duplicated, Const, Active)]
fn mixed(a: f64, x: &[f64; 2], k: f64) -> f64 {
    (a * x[0]).tanh() * k + x[1].powi(3) / (1.0 + a * a)
}

#[test]
fn seeding_is_linear() {
    let x = [0.4, -1.1];
    let mut dx1 = [0.0; 2];
    let (v1, da1) = d_mixed(0.8, &x, &mut dx1, 2.0, 1.0);
    assert_bits(v1, mixed(0.8, &x, 2.0));
    for s in [2.5, -3.0, 1e-3] {
        let mut dx = [0.0; 2];
        let (v, da) = d_mixed(0.8, &x, &mut dx, 2.0, s);
        assert_bits(v, v1);
        assert_close(da, s * da1);
        assert_all_close(&dx, &[s * dx1[0], s * dx1[1]]);
    }
    let mut dx0 = [0.0; 2];
    assert_eq!(d_mixed(0.8, &x, &mut dx0, 2.0, 0.0).1, 0.0);
    assert_eq!(dx0, [0.0, 0.0]);
    // and for a `&mut` shadow seed
    let x0 = [1.5, -2.0, 7.0];
    let (mut x1, mut x2) = (x0, x0);
    let mut ds1 = [1.0, -1.0, 0.5];
    let mut ds2 = [2.5, -2.5, 1.25];
    let a1 = d_step(&mut x1, &mut ds1, 0.3);
    let a2 = d_step(&mut x2, &mut ds2, 0.3);
    assert_close(a2, 2.5 * a1);
    assert_all_close(&ds2, &[2.5 * ds1[0], 2.5 * ds1[1], 2.5 * ds1[2]]);
}

#[autodiff_reverse(d_inner, Duplicated, Active)]
fn inner(x: &[f64; 2]) -> [f64; 2] {
    [x[0] * x[1], x[0].sin()]
}

#[autodiff_reverse(d_outer, Duplicated, Active)]
fn outer(u: &[f64; 2]) -> f64 {
    u[0].exp() + u[0] * u[1]
}

#[autodiff_reverse(d_composed, Duplicated, Active)]
fn composed(x: &[f64; 2]) -> f64 {
    let u0 = x[0] * x[1];
    let u1 = x[0].sin();
    u0.exp() + u0 * u1
}

#[test]
fn seeding_the_inner_adjoint_with_the_outer_one_is_the_chain_rule() {
    for x in [[0.5, -1.0], [1.2, 0.3], [-2.0, 0.0]] {
        let u = inner(&x);
        let mut du = [0.0; 2];
        let y = d_outer(&u, &mut du, 1.0);
        assert_bits(y, outer(&u));
        let mut dx = [0.0; 2];
        let u2 = d_inner(&x, &mut dx, du);
        assert_eq!(u2, u);
        let mut dx_direct = [0.0; 2];
        let y_direct = d_composed(&x, &mut dx_direct, 1.0);
        assert_bits(y_direct, composed(&x));
        assert_close(y, y_direct);
        assert_all_close(&dx, &dx_direct);
    }
}

// ---------------------------------------------------------------------------------------
// 6. the primal, bit for bit

#[autodiff_reverse(d_rounding, Active, Duplicated, Active)]
#[allow(clippy::needless_range_loop)]
fn rounding(a: f64, x: &[f64]) -> f64 {
    let mut s = 0.1;
    for i in 0..x.len() {
        s = s * 1.000_000_1 + x[i].mul_add(a, 1e-17) / 3.0;
        s -= (x[i] * 1e16).sin() * 1e-16;
    }
    s.sqrt() + a.exp() * 1e-300 * 1e300 - 0.3
}

#[test]
fn primal_is_bit_for_bit_f() {
    let xs: [&[f64]; 4] = [
        &[0.1, 0.2, 0.3],
        &[1e-8, -3.3, 7.0, 1e10, 2.5e-3],
        &[],
        &[f64::MIN_POSITIVE, 1.0 / 3.0],
    ];
    for x in xs {
        for a in [0.1, -0.7, 3.0, 1e-9] {
            let mut dx = vec![0.0; x.len()];
            let (v, _) = d_rounding(a, x, &mut dx, 1.0);
            assert_bits(v, rounding(a, x));
        }
    }
    // non-finite values propagate identically
    for a in [f64::INFINITY, f64::NAN, -1e308] {
        let mut dx = [0.0; 2];
        let (v, _) = d_rounding(a, &[1.0, 2.0], &mut dx, 1.0);
        assert_bits(v, rounding(a, &[1.0, 2.0]));
    }
    // for every return activity that returns the primal
    let x = [0.3, 1.7, -0.2];
    let mut dx = [0.0; 3];
    assert_bits(d_energy(&x, &mut dx, 1.0), energy(&x));
    assert_bits(d_const_ret(&x, &mut dx, 1.0), const_ret(&x, 1.0));
}

// ---------------------------------------------------------------------------------------
// 3. return activities and the shape of the result

#[autodiff_reverse(d_ao_two, Active, Active, ActiveOnly)]
fn ao_two(x: f64, y: f64) -> f64 {
    x * y.exp()
}

#[autodiff_reverse(d_ao_one, Active, ActiveOnly)]
fn ao_one(x: f64) -> f64 {
    x * x * x
}

#[autodiff_reverse(d_ao_none, Duplicated, ActiveOnly)]
fn ao_none(x: &[f64]) -> f64 {
    x[0] * x[1]
}

#[autodiff_reverse(d_ao_array, Active, ActiveOnly)]
fn ao_array(t: f64) -> [f64; 2] {
    [t.cos(), t.sin()]
}

#[test]
fn active_only_omits_the_primal() {
    let r: (f64, f64) = d_ao_two(2.0, 0.0, 1.0);
    assert_eq!(r, (1.0, 2.0));
    let r: f64 = d_ao_one(2.0, 1.0);
    assert_eq!(r, 12.0);
    let x = [3.0, 4.0];
    let mut dx = [0.0; 2];
    let r: () = d_ao_none(&x, &mut dx, 1.0);
    assert_eq!(r, ());
    assert_eq!(dx, [4.0, 3.0]);
    let r: f64 = d_ao_array(0.0, [0.0, 1.0]);
    assert_eq!(r, 1.0);
    // the functions themselves are unchanged
    assert_eq!(
        (ao_two(2.0, 0.0), ao_one(2.0), ao_none(&x)),
        (2.0, 8.0, 12.0)
    );
    assert_eq!(ao_array(0.0), [1.0, 0.0]);
}

/// `Const` return: no seed, the primal only; the gradient comes from `&mut` shadows.
#[autodiff_reverse(d_const_ret_out, Duplicated, Duplicated, Const)]
fn const_ret_out(x: &[f64; 2], out: &mut [f64; 1]) -> f64 {
    out[0] = x[0] * x[1];
    x[0] + x[1] // not differentiated
}

#[autodiff_reverse(d_const_ret, Duplicated, Const, Const)]
fn const_ret(x: &[f64], k: f64) -> f64 {
    x[0] * k
}

#[autodiff_reverse(d_count_positive, Active, Duplicated, Const)]
fn count_positive(a: f64, out: &mut [f64; 2]) -> usize {
    out[0] = a * a;
    out[1] = a.exp();
    let mut n = 0;
    if out[0] > 0.0 {
        n += 1;
    }
    if out[1] > 0.0 {
        n += 1;
    }
    n
}

#[test]
fn const_return_gives_the_primal_only() {
    let x = [2.0, 5.0];
    let mut dx = [0.0; 2];
    let mut out = [0.0];
    let mut dout = [1.0];
    let v: f64 = d_const_ret_out(&x, &mut dx, &mut out, &mut dout);
    assert_eq!(v, const_ret_out(&x, &mut [0.0]));
    assert_eq!(out, [10.0]);
    assert_eq!(dx, [5.0, 2.0]); // from out only: the return is not differentiated
    assert_eq!(dout, [0.0]);
    // nothing flows from a Const return
    let mut dx = [0.0; 3];
    let v: f64 = d_const_ret(&[1.0, 2.0, 3.0], &mut dx, 4.0);
    assert_eq!(v, 4.0);
    assert_eq!(dx, [0.0; 3]);
    // a non-float Const return with an Active parameter: (primal, gradient)
    let mut out = [0.0; 2];
    let mut dout = [1.0, 2.0];
    let (n, da): (usize, f64) = d_count_positive(1.5, &mut out, &mut dout);
    assert_eq!(n, count_positive(1.5, &mut [0.0; 2]));
    assert_eq!(n, 2);
    assert_eq!(da, 3.0 + 2.0 * 1.5f64.exp());
}

#[autodiff_reverse(d_no_active_params, Duplicated, Duplicated, Active)]
fn no_active_params(x: &[f64], y: &[f64; 2]) -> f64 {
    x[0] * y[0] + x[1] * y[1]
}

#[autodiff_reverse(d_no_return_no_active, Duplicated, Duplicated)]
fn no_return_no_active(x: &[f64; 2], out: &mut f64) {
    *out = x[0] * x[1];
}

#[test]
fn no_active_parameters_returns_just_the_primal() {
    let (x, y) = ([1.0, 2.0], [3.0, 4.0]);
    let (mut dx, mut dy) = ([0.0; 2], [0.0; 2]);
    let v: f64 = d_no_active_params(&x, &mut dx, &y, &mut dy, 1.0);
    assert_eq!(v, no_active_params(&x, &y));
    assert_eq!((dx, dy), ([3.0, 4.0], [1.0, 2.0]));
    let mut out = 0.0;
    let mut dout = 1.0;
    let mut dx = [0.0; 2];
    let r: () = d_no_return_no_active(&x, &mut dx, &mut out, &mut dout);
    assert_eq!(r, ());
    let mut expected = 0.0;
    no_return_no_active(&x, &mut expected);
    assert_eq!((out, dout, dx), (expected, 0.0, [2.0, 1.0]));
}

// ---------------------------------------------------------------------------------------
// 1. `f` is untouched; 7. re-entrancy and threads

/// Documented, inlined and `#[must_use]`: the attributes stay on `f`.
#[autodiff_reverse(d_documented, Active, Active)]
#[inline]
#[must_use]
fn documented(x: f64) -> f64 {
    x.sin() * x
}

#[test]
fn f_keeps_its_signature() {
    let f: fn(f64) -> f64 = documented;
    assert_eq!(f(2.0), 2f64.sin() * 2.0);
    let d: fn(f64, f64) -> (f64, f64) = d_documented;
    assert_eq!(d(2.0, 1.0), (f(2.0), 2f64.cos() * 2.0 + 2f64.sin()));
    let f: fn(&[f64; 3]) -> f64 = energy;
    assert_eq!(f(&[1.0, 2.0, 0.0]), 3.0);
}

#[test]
fn adjoint_is_reentrant_and_thread_safe() {
    let x: Vec<f64> = (0..16).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut reference = vec![0.0; x.len()];
    let (v_ref, da_ref) = d_rounding(0.7, &x, &mut reference, 1.0);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let x = x.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for _ in 0..200 {
                    let mut dx = vec![0.0; x.len()];
                    let (v, da) = d_rounding(0.7, &x, &mut dx, 1.0);
                    out.push((v, da, dx));
                }
                out
            })
        })
        .collect();
    for h in handles {
        for (v, da, dx) in h.join().unwrap() {
            assert_bits(v, v_ref);
            assert_bits(da, da_ref);
            assert_eq!(dx, reference);
        }
    }
    // nested use from inside another adjoint's caller: no hidden state between calls
    let mut d1 = [0.0; 3];
    let mut d2 = [0.0; 3];
    d_energy(&[1.0, 2.0, 3.0], &mut d1, 1.0);
    d_other(&[0.5, 0.5, 0.5], &mut d2, 1.0);
    let mut d3 = [0.0; 3];
    d_energy(&[1.0, 2.0, 3.0], &mut d3, 1.0);
    assert_eq!(d1, d3);
}

// Fresh adjoints start at -0.0 inside the generated code (the identity of addition, so a
// first contribution costs no addition); what the user sees must never be -0.0 where the
// mathematics says 0.
#[autodiff_reverse(d_zeros_seen, Active, Active, Duplicated, Duplicated, Active)]
fn zeros_seen(_unused: f64, a: f64, x: &[f64; 2], out: &mut [f64; 2]) -> f64 {
    out[0] = a * 2.0;
    out[1] = 3.0;
    let mut s = 0.0;
    for v in x {
        s += v * 0.0;
    }
    s + a
}

#[test]
fn no_negative_zero_reaches_the_user() {
    let x = [1.0, 2.0];
    let mut dx = [0.0; 2];
    let mut out = [0.0; 2];
    let mut d_out = [0.0, 5.0];
    let (y, d_unused, d_a) = d_zeros_seen(0.5, 1.0, &x, &mut dx, &mut out, &mut d_out, 0.0);
    assert_eq!(y, zeros_seen(0.5, 1.0, &x, &mut [0.0; 2]));
    assert_eq!(out, [2.0, 3.0]);
    for (what, v) in [("d_unused", d_unused), ("d_x[0]", dx[0]), ("d_x[1]", dx[1])] {
        assert!(v == 0.0 && v.is_sign_positive(), "{what} = {v:?}");
    }
    // d_a = seed of the return (0) + 2 * d_out[0] (0)
    assert!(d_a == 0.0 && d_a.is_sign_positive(), "d_a = {d_a:?}");
    // the pure outputs' shadows are consumed: left at +0.0
    assert!(
        d_out.iter().all(|v| *v == 0.0 && v.is_sign_positive()),
        "{d_out:?}"
    );
}
