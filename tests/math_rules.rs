//! One test per math primitive the macro differentiates, in method form (`x.exp()`) and
//! path form (`f64::exp(x)`), for `f64` and (for a selection) `f32`.
//!
//! Each test checks, at several inputs (zero where defined, negative values, both sides of
//! branch boundaries):
//! - the primal `d_f` returns is bit for bit `f`'s;
//! - the adjoint agrees with an analytic derivative to rounding;
//! - the adjoint agrees with central finite differences of the untouched primal;
//!
//! and, where known, exact values (`sin'(0) = 1`) and the documented conventions at kinks
//! (`abs'(0) = 0`, `copysign` at `x = 0`, ties of `max`/`min` to the receiver, `clamp`
//! bounds inclusive, `powi(x, 0)' = 0`, `powf` exponent at `x = 0`, `hypot`/`atan2` at
//! the origin).

use cotangent::{autodiff_reverse, gradcheck, gradcheck_with, GradcheckOptions};
use std::f64::consts::{LN_10, LN_2, PI};

// ---------------------------------------------------------------------------------------
// helpers

type D1 = fn(f64, f64) -> (f64, f64);
type D2 = fn(f64, f64, f64) -> (f64, f64, f64);
type D3 = fn(f64, f64, f64, f64) -> (f64, f64, f64, f64);

#[track_caller]
fn assert_bits(a: f64, b: f64) {
    assert_eq!(a.to_bits(), b.to_bits(), "primal differs: {a:e} vs {b:e}");
}

/// `a` agrees with the analytic `b` to rounding (relative, absolute near zero).
#[track_caller]
fn assert_close(a: f64, b: f64, rtol: f64, what: &str) {
    assert!(
        a == b || (a - b).abs() <= rtol * b.abs().max(1.0),
        "{what}: adjoint {a:e} vs analytic {b:e}"
    );
}

#[track_caller]
fn check(x: &[f64], f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64], &mut [f64])) {
    if let Err(e) = gradcheck(f, grad, x) {
        panic!("gradcheck failed at {x:?}\n{e:?}");
    }
}

/// Options for `f32` functions: a larger step, looser tolerances.
const F32_OPTIONS: GradcheckOptions = GradcheckOptions {
    eps: 1e-3,
    atol: 1e-3,
    rtol: 1e-2,
};

#[track_caller]
fn check32(x: &[f64], f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64], &mut [f64])) {
    if let Err(e) = gradcheck_with(F32_OPTIONS, f, grad, x) {
        panic!("f32 gradcheck failed at {x:?}\n{e:?}");
    }
}

/// A unary `f`: primal bits, analytic derivative `df_dx`, finite differences.
#[track_caller]
fn unary(f: fn(f64) -> f64, d_f: D1, points: &[f64], df_dx: impl Fn(f64) -> f64) {
    for &x in points {
        let (y, g) = d_f(x, 1.0);
        assert_bits(y, f(x));
        assert_close(g, df_dx(x), 1e-12, &format!("x = {x:e}"));
        check(&[x], |v| f(v[0]), |v, d| d[0] += d_f(v[0], 1.0).1);
    }
}

/// A binary `f(x, y)`: primal bits, analytic gradient, finite differences.
#[track_caller]
fn binary(
    f: fn(f64, f64) -> f64,
    d_f: D2,
    points: &[(f64, f64)],
    grad: impl Fn(f64, f64) -> (f64, f64),
) {
    for &(x, y) in points {
        let (v, gx, gy) = d_f(x, y, 1.0);
        assert_bits(v, f(x, y));
        let (ex, ey) = grad(x, y);
        assert_close(gx, ex, 1e-12, &format!("d/dx at ({x:e}, {y:e})"));
        assert_close(gy, ey, 1e-12, &format!("d/dy at ({x:e}, {y:e})"));
        check(
            &[x, y],
            |v| f(v[0], v[1]),
            |v, d| {
                let (_, gx, gy) = d_f(v[0], v[1], 1.0);
                d[0] += gx;
                d[1] += gy;
            },
        );
    }
}

/// A ternary `f(x, a, b)`: primal bits, analytic gradient, finite differences (skipped
/// where `fd` is false: at kinks).
#[track_caller]
fn ternary(
    f: fn(f64, f64, f64) -> f64,
    d_f: D3,
    points: &[(f64, f64, f64)],
    grad: impl Fn(f64, f64, f64) -> (f64, f64, f64),
    fd: bool,
) {
    for &(x, a, b) in points {
        let (v, gx, ga, gb) = d_f(x, a, b, 1.0);
        assert_bits(v, f(x, a, b));
        assert_eq!((gx, ga, gb), grad(x, a, b), "at ({x:e}, {a:e}, {b:e})");
        if fd {
            check(
                &[x, a, b],
                |v| f(v[0], v[1], v[2]),
                |v, d| {
                    let (_, gx, ga, gb) = d_f(v[0], v[1], v[2], 1.0);
                    d[0] += gx;
                    d[1] += ga;
                    d[2] += gb;
                },
            );
        }
    }
}

/// A unary `f32` function against the `f64` analytic derivative.
#[track_caller]
fn unary32(
    f: fn(f32) -> f32,
    d_f: fn(f32, f32) -> (f32, f32),
    points: &[f32],
    df_dx: impl Fn(f64) -> f64,
) {
    for &x in points {
        let (y, g) = d_f(x, 1.0);
        assert_eq!(y.to_bits(), f(x).to_bits(), "f32 primal differs at {x:e}");
        assert_close(g as f64, df_dx(x as f64), 1e-5, &format!("f32 x = {x:e}"));
        check32(
            &[x as f64],
            |v| f(v[0] as f32) as f64,
            |v, d| d[0] += d_f(v[0] as f32, 1.0).1 as f64,
        );
    }
}

/// A binary `f32` function against the `f64` analytic gradient.
#[track_caller]
fn binary32(
    f: fn(f32, f32) -> f32,
    d_f: fn(f32, f32, f32) -> (f32, f32, f32),
    points: &[(f32, f32)],
    grad: impl Fn(f64, f64) -> (f64, f64),
) {
    for &(x, y) in points {
        let (v, gx, gy) = d_f(x, y, 1.0);
        assert_eq!(v.to_bits(), f(x, y).to_bits(), "f32 primal differs");
        let (ex, ey) = grad(x as f64, y as f64);
        assert_close(gx as f64, ex, 1e-5, &format!("f32 d/dx at ({x:e}, {y:e})"));
        assert_close(gy as f64, ey, 1e-5, &format!("f32 d/dy at ({x:e}, {y:e})"));
        check32(
            &[x as f64, y as f64],
            |v| f(v[0] as f32, v[1] as f32) as f64,
            |v, d| {
                let (_, gx, gy) = d_f(v[0] as f32, v[1] as f32, 1.0);
                d[0] += gx as f64;
                d[1] += gy as f64;
            },
        );
    }
}

// ---------------------------------------------------------------------------------------
// exponentials and logarithms

#[autodiff_reverse(d_exp_m, Active, Active)]
fn exp_m(x: f64) -> f64 {
    x.exp()
}
#[autodiff_reverse(d_exp_p, Active, Active)]
fn exp_p(x: f64) -> f64 {
    f64::exp(x)
}
#[autodiff_reverse(d_exp_32, Active, Active)]
fn exp_32(x: f32) -> f32 {
    x.exp()
}
#[autodiff_reverse(d_exp_32p, Active, Active)]
fn exp_32p(x: f32) -> f32 {
    f32::exp(x)
}

#[test]
fn rule_exp() {
    let pts = [-2.0, 0.0, 0.5, 3.0];
    unary(exp_m, d_exp_m, &pts, f64::exp);
    unary(exp_p, d_exp_p, &pts, f64::exp);
    assert_eq!(d_exp_m(0.0, 1.0), (1.0, 1.0));
    assert_eq!(d_exp_p(0.0, 1.0), (1.0, 1.0));
    let pts32 = [-2.0f32, 0.0, 0.5, 3.0];
    unary32(exp_32, d_exp_32, &pts32, f64::exp);
    unary32(exp_32p, d_exp_32p, &pts32, f64::exp);
    assert_eq!(d_exp_32(0.0, 1.0), (1.0, 1.0));
}

#[autodiff_reverse(d_exp2_m, Active, Active)]
fn exp2_m(x: f64) -> f64 {
    x.exp2()
}
#[autodiff_reverse(d_exp2_p, Active, Active)]
fn exp2_p(x: f64) -> f64 {
    f64::exp2(x)
}

#[test]
fn rule_exp2() {
    let pts = [-1.5, 0.0, 1.0, 3.3];
    let d = |x: f64| x.exp2() * LN_2;
    unary(exp2_m, d_exp2_m, &pts, d);
    unary(exp2_p, d_exp2_p, &pts, d);
    assert_eq!(d_exp2_m(0.0, 1.0).1, LN_2);
    assert_eq!(d_exp2_p(3.0, 1.0).1, 8.0 * LN_2);
}

#[autodiff_reverse(d_exp_m1_m, Active, Active)]
fn exp_m1_m(x: f64) -> f64 {
    x.exp_m1()
}
#[autodiff_reverse(d_exp_m1_p, Active, Active)]
fn exp_m1_p(x: f64) -> f64 {
    f64::exp_m1(x)
}

#[test]
fn rule_exp_m1() {
    let pts = [-1.0, 0.0, 1e-3, 2.0];
    unary(exp_m1_m, d_exp_m1_m, &pts, f64::exp);
    unary(exp_m1_p, d_exp_m1_p, &pts, f64::exp);
    assert_eq!(d_exp_m1_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_exp_m1_p(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_ln_m, Active, Active)]
fn ln_m(x: f64) -> f64 {
    x.ln()
}
#[autodiff_reverse(d_ln_p, Active, Active)]
fn ln_p(x: f64) -> f64 {
    f64::ln(x)
}
#[autodiff_reverse(d_ln_32, Active, Active)]
fn ln_32(x: f32) -> f32 {
    x.ln()
}

#[test]
fn rule_ln() {
    let pts = [0.1, 1.0, 2.5, 10.0];
    unary(ln_m, d_ln_m, &pts, f64::recip);
    unary(ln_p, d_ln_p, &pts, f64::recip);
    assert_eq!(d_ln_m(1.0, 1.0), (0.0, 1.0));
    assert_eq!(d_ln_p(4.0, 1.0).1, 0.25);
    unary32(ln_32, d_ln_32, &[0.1, 1.0, 2.5, 10.0], f64::recip);
    assert_eq!(d_ln_32(4.0, 1.0).1, 0.25);
}

#[autodiff_reverse(d_ln_1p_m, Active, Active)]
fn ln_1p_m(x: f64) -> f64 {
    x.ln_1p()
}
#[autodiff_reverse(d_ln_1p_p, Active, Active)]
fn ln_1p_p(x: f64) -> f64 {
    f64::ln_1p(x)
}

#[test]
fn rule_ln_1p() {
    let pts = [-0.5, 0.0, 1e-4, 3.0];
    let d = |x: f64| 1.0 / (1.0 + x);
    unary(ln_1p_m, d_ln_1p_m, &pts, d);
    unary(ln_1p_p, d_ln_1p_p, &pts, d);
    assert_eq!(d_ln_1p_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_ln_1p_p(1.0, 1.0).1, 0.5);
}

#[autodiff_reverse(d_log_m, Active, Active, Active)]
fn log_m(x: f64, b: f64) -> f64 {
    x.log(b)
}
#[autodiff_reverse(d_log_p, Active, Active, Active)]
fn log_p(x: f64, b: f64) -> f64 {
    f64::log(x, b)
}
#[autodiff_reverse(d_log_3, Active, Active)]
fn log_3(x: f64) -> f64 {
    x.log(3.0)
}

#[test]
fn rule_log() {
    let pts = [(2.0, 10.0), (0.5, 3.0), (8.0, 2.0), (1.0, 5.0), (7.0, 0.5)];
    let grad = |x: f64, b: f64| {
        let lb = b.ln();
        (1.0 / (x * lb), -x.ln() / (b * lb * lb))
    };
    binary(log_m, d_log_m, &pts, grad);
    binary(log_p, d_log_p, &pts, grad);
    // log_b(1) = 0 does not depend on b
    assert_eq!(d_log_m(1.0, 7.0, 1.0).2, 0.0);
    unary(log_3, d_log_3, &[0.2, 1.0, 9.0], |x| 1.0 / (x * 3f64.ln()));
}

#[autodiff_reverse(d_log2_m, Active, Active)]
fn log2_m(x: f64) -> f64 {
    x.log2()
}
#[autodiff_reverse(d_log2_p, Active, Active)]
fn log2_p(x: f64) -> f64 {
    f64::log2(x)
}

#[test]
fn rule_log2() {
    let pts = [0.25, 1.0, 3.0, 8.0];
    let d = |x: f64| 1.0 / (x * LN_2);
    unary(log2_m, d_log2_m, &pts, d);
    unary(log2_p, d_log2_p, &pts, d);
    assert_eq!(d_log2_m(1.0, 1.0), (0.0, 1.0 / LN_2));
}

#[autodiff_reverse(d_log10_m, Active, Active)]
fn log10_m(x: f64) -> f64 {
    x.log10()
}
#[autodiff_reverse(d_log10_p, Active, Active)]
fn log10_p(x: f64) -> f64 {
    f64::log10(x)
}

#[test]
fn rule_log10() {
    let pts = [0.01, 1.0, 7.0, 100.0];
    let d = |x: f64| 1.0 / (x * LN_10);
    unary(log10_m, d_log10_m, &pts, d);
    unary(log10_p, d_log10_p, &pts, d);
    assert_eq!(d_log10_p(1.0, 1.0), (0.0, 1.0 / LN_10));
}

// ---------------------------------------------------------------------------------------
// powers and roots

#[autodiff_reverse(d_sqrt_m, Active, Active)]
fn sqrt_m(x: f64) -> f64 {
    x.sqrt()
}
#[autodiff_reverse(d_sqrt_p, Active, Active)]
fn sqrt_p(x: f64) -> f64 {
    f64::sqrt(x)
}
#[autodiff_reverse(d_sqrt_32, Active, Active)]
fn sqrt_32(x: f32) -> f32 {
    x.sqrt()
}

#[test]
fn rule_sqrt() {
    let pts = [0.25, 1.0, 2.0, 9.0];
    let d = |x: f64| 0.5 / x.sqrt();
    unary(sqrt_m, d_sqrt_m, &pts, d);
    unary(sqrt_p, d_sqrt_p, &pts, d);
    assert_eq!(d_sqrt_m(4.0, 1.0), (2.0, 0.25));
    assert_eq!(d_sqrt_p(4.0, 1.0), (2.0, 0.25));
    // documented: sqrt'(0) = +inf as in IEEE arithmetic
    assert_eq!(d_sqrt_m(0.0, 1.0), (0.0, f64::INFINITY));
    unary32(sqrt_32, d_sqrt_32, &[0.25, 1.0, 2.0, 9.0], d);
    assert_eq!(d_sqrt_32(4.0, 1.0), (2.0, 0.25));
}

#[autodiff_reverse(d_cbrt_m, Active, Active)]
fn cbrt_m(x: f64) -> f64 {
    x.cbrt()
}
#[autodiff_reverse(d_cbrt_p, Active, Active)]
fn cbrt_p(x: f64) -> f64 {
    f64::cbrt(x)
}

#[test]
fn rule_cbrt() {
    let pts = [-8.0, -0.5, 0.3, 27.0];
    let d = |x: f64| 1.0 / (3.0 * x.cbrt() * x.cbrt());
    unary(cbrt_m, d_cbrt_m, &pts, d);
    unary(cbrt_p, d_cbrt_p, &pts, d);
    assert_eq!(d_cbrt_m(8.0, 1.0), (2.0, 1.0 / 12.0));
    assert_eq!(d_cbrt_p(-8.0, 1.0), (-2.0, 1.0 / 12.0));
}

#[autodiff_reverse(d_powi_m, Active, Active)]
fn powi_m(x: f64) -> f64 {
    x.powi(3)
}
#[autodiff_reverse(d_powi_p, Active, Active)]
fn powi_p(x: f64) -> f64 {
    f64::powi(x, 3)
}
#[autodiff_reverse(d_powi_n, Active, Const, Active)]
fn powi_n(x: f64, n: i32) -> f64 {
    x.powi(n)
}
#[autodiff_reverse(d_powi_np, Active, Const, Active)]
fn powi_np(x: f64, n: i32) -> f64 {
    f64::powi(x, n)
}
#[autodiff_reverse(d_powi_32, Active, Const, Active)]
fn powi_32(x: f32, n: i32) -> f32 {
    x.powi(n)
}

#[test]
fn rule_powi() {
    let pts = [-2.0, 0.0, 0.7, 1.5];
    let d = |x: f64| 3.0 * x * x;
    unary(powi_m, d_powi_m, &pts, d);
    unary(powi_p, d_powi_p, &pts, d);
    assert_eq!(d_powi_m(2.0, 1.0), (8.0, 12.0));
    for n in [-3, -2, -1, 0, 1, 2, 5] {
        for x in [-1.7f64, -0.5, 0.3, 2.0] {
            let expected = if n == 0 {
                0.0
            } else {
                n as f64 * x.powi(n - 1)
            };
            for (f, d_f) in [
                (
                    powi_n as fn(f64, i32) -> f64,
                    d_powi_n as fn(f64, i32, f64) -> (f64, f64),
                ),
                (powi_np, d_powi_np),
            ] {
                let (y, g) = d_f(x, n, 1.0);
                assert_bits(y, f(x, n));
                assert_close(g, expected, 1e-12, &format!("powi({x}, {n})"));
                check(&[x], |v| f(v[0], n), |v, dv| dv[0] += d_f(v[0], n, 1.0).1);
            }
            let (y, g) = d_powi_32(x as f32, n, 1.0);
            assert_eq!(y.to_bits(), powi_32(x as f32, n).to_bits());
            assert_close(g as f64, expected, 1e-5, &format!("f32 powi({x}, {n})"));
        }
    }
    // documented: powi(x, 0)' = 0, also at x = 0 (where 0 * 0^-1 would be NaN)
    assert_eq!(d_powi_n(0.0, 0, 1.0), (1.0, 0.0));
    assert_eq!(d_powi_np(0.0, 0, 1.0), (1.0, 0.0));
    assert_eq!(d_powi_32(0.0, 0, 1.0), (1.0, 0.0));
    assert_eq!(d_powi_n(0.0, 1, 1.0), (0.0, 1.0));
    assert_eq!(d_powi_n(0.0, 2, 1.0), (0.0, 0.0));
    assert_eq!(d_powi_m(0.0, 1.0), (0.0, 0.0));
}

#[autodiff_reverse(d_powf_m, Active, Active, Active)]
fn powf_m(x: f64, p: f64) -> f64 {
    x.powf(p)
}
#[autodiff_reverse(d_powf_p, Active, Active, Active)]
fn powf_p(x: f64, p: f64) -> f64 {
    f64::powf(x, p)
}
#[autodiff_reverse(d_powf_32, Active, Active, Active)]
fn powf_32(x: f32, p: f32) -> f32 {
    x.powf(p)
}
#[autodiff_reverse(d_powf_half, Active, Active)]
fn powf_half(x: f64) -> f64 {
    x.powf(0.5)
}

#[test]
fn rule_powf() {
    let pts = [(0.5, 2.5), (2.0, -1.3), (3.0, 0.0), (1.0, 0.7), (4.0, 0.5)];
    let grad = |x: f64, p: f64| {
        let dx = if p == 0.0 { 0.0 } else { p * x.powf(p - 1.0) };
        (dx, x.powf(p) * x.ln())
    };
    binary(powf_m, d_powf_m, &pts, grad);
    binary(powf_p, d_powf_p, &pts, grad);
    assert_eq!(d_powf_m(4.0, 0.5, 1.0), (2.0, 0.25, 2.0 * 4f64.ln()));
    // documented: the exponent's derivative at x = 0 is 0 (y ln x would be 0 * -inf)
    assert_eq!(d_powf_m(0.0, 2.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_powf_p(0.0, 2.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_powf_32(0.0, 2.0, 1.0), (0.0, 0.0, 0.0));
    // p = 0: exactly 0 with respect to x, also at x = 0
    assert_eq!(d_powf_m(0.0, 0.0, 1.0), (1.0, 0.0, 0.0));
    assert_eq!(d_powf_m(2.0, 0.0, 1.0).1, 0.0);
    binary32(
        powf_32,
        d_powf_32,
        &[(0.5, 2.5), (2.0, -1.3), (1.5, 0.7)],
        grad,
    );
    unary(powf_half, d_powf_half, &[0.25, 1.0, 9.0], |x| {
        0.5 / x.sqrt()
    });
}

#[autodiff_reverse(d_recip_m, Active, Active)]
fn recip_m(x: f64) -> f64 {
    x.recip()
}
#[autodiff_reverse(d_recip_p, Active, Active)]
fn recip_p(x: f64) -> f64 {
    f64::recip(x)
}

#[test]
fn rule_recip() {
    let pts = [-2.0, -0.5, 0.25, 3.0];
    let d = |x: f64| -1.0 / (x * x);
    unary(recip_m, d_recip_m, &pts, d);
    unary(recip_p, d_recip_p, &pts, d);
    assert_eq!(d_recip_m(2.0, 1.0), (0.5, -0.25));
    assert_eq!(d_recip_p(-0.5, 1.0), (-2.0, -4.0));
}

// ---------------------------------------------------------------------------------------
// trigonometric

#[autodiff_reverse(d_sin_m, Active, Active)]
fn sin_m(x: f64) -> f64 {
    x.sin()
}
#[autodiff_reverse(d_sin_p, Active, Active)]
fn sin_p(x: f64) -> f64 {
    f64::sin(x)
}
#[autodiff_reverse(d_sin_32, Active, Active)]
fn sin_32(x: f32) -> f32 {
    f32::sin(x)
}

#[test]
fn rule_sin() {
    let pts = [-2.0, 0.0, 0.5, PI];
    unary(sin_m, d_sin_m, &pts, f64::cos);
    unary(sin_p, d_sin_p, &pts, f64::cos);
    assert_eq!(d_sin_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_sin_p(0.0, 1.0), (0.0, 1.0));
    unary32(sin_32, d_sin_32, &[-2.0, 0.0, 0.5, 3.0], f64::cos);
    assert_eq!(d_sin_32(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_cos_m, Active, Active)]
fn cos_m(x: f64) -> f64 {
    x.cos()
}
#[autodiff_reverse(d_cos_p, Active, Active)]
fn cos_p(x: f64) -> f64 {
    f64::cos(x)
}
#[autodiff_reverse(d_cos_32, Active, Active)]
fn cos_32(x: f32) -> f32 {
    x.cos()
}

#[test]
fn rule_cos() {
    let pts = [-1.0, 0.0, 1.2, 3.0];
    let d = |x: f64| -x.sin();
    unary(cos_m, d_cos_m, &pts, d);
    unary(cos_p, d_cos_p, &pts, d);
    assert_eq!(d_cos_m(0.0, 1.0), (1.0, 0.0));
    assert_eq!(d_cos_p(PI / 2.0, 1.0).1, -1.0);
    unary32(cos_32, d_cos_32, &[-1.0, 0.0, 1.2, 3.0], d);
}

#[autodiff_reverse(d_tan_m, Active, Active)]
fn tan_m(x: f64) -> f64 {
    x.tan()
}
#[autodiff_reverse(d_tan_p, Active, Active)]
fn tan_p(x: f64) -> f64 {
    f64::tan(x)
}

#[test]
fn rule_tan() {
    let pts = [-1.2, 0.0, 0.5, 1.3];
    let d = |x: f64| 1.0 / (x.cos() * x.cos());
    unary(tan_m, d_tan_m, &pts, d);
    unary(tan_p, d_tan_p, &pts, d);
    assert_eq!(d_tan_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_tan_p(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_asin_m, Active, Active)]
fn asin_m(x: f64) -> f64 {
    x.asin()
}
#[autodiff_reverse(d_asin_p, Active, Active)]
fn asin_p(x: f64) -> f64 {
    f64::asin(x)
}

#[test]
fn rule_asin() {
    let pts = [-0.9, -0.5, 0.0, 0.5, 0.9];
    let d = |x: f64| 1.0 / (1.0 - x * x).sqrt();
    unary(asin_m, d_asin_m, &pts, d);
    unary(asin_p, d_asin_p, &pts, d);
    assert_eq!(d_asin_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_asin_p(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_acos_m, Active, Active)]
fn acos_m(x: f64) -> f64 {
    x.acos()
}
#[autodiff_reverse(d_acos_p, Active, Active)]
fn acos_p(x: f64) -> f64 {
    f64::acos(x)
}

#[test]
fn rule_acos() {
    let pts = [-0.9, -0.5, 0.0, 0.5, 0.9];
    let d = |x: f64| -1.0 / (1.0 - x * x).sqrt();
    unary(acos_m, d_acos_m, &pts, d);
    unary(acos_p, d_acos_p, &pts, d);
    assert_eq!(d_acos_m(0.0, 1.0).1, -1.0);
    assert_eq!(d_acos_p(0.0, 1.0).1, -1.0);
}

#[autodiff_reverse(d_atan_m, Active, Active)]
fn atan_m(x: f64) -> f64 {
    x.atan()
}
#[autodiff_reverse(d_atan_p, Active, Active)]
fn atan_p(x: f64) -> f64 {
    f64::atan(x)
}

#[test]
fn rule_atan() {
    let pts = [-3.0, -1.0, 0.0, 0.5, 10.0];
    let d = |x: f64| 1.0 / (1.0 + x * x);
    unary(atan_m, d_atan_m, &pts, d);
    unary(atan_p, d_atan_p, &pts, d);
    assert_eq!(d_atan_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_atan_p(1.0, 1.0).1, 0.5);
}

#[autodiff_reverse(d_atan2_m, Active, Active, Active)]
fn atan2_m(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
#[autodiff_reverse(d_atan2_p, Active, Active, Active)]
fn atan2_p(y: f64, x: f64) -> f64 {
    f64::atan2(y, x)
}
#[autodiff_reverse(d_atan2_32, Active, Active, Active)]
fn atan2_32(y: f32, x: f32) -> f32 {
    y.atan2(x)
}

#[test]
fn rule_atan2() {
    // every quadrant and the axes, away from the branch cut (y = 0, x < 0)
    let pts = [
        (1.0, 1.0),
        (-1.0, 2.0),
        (0.5, -2.0),
        (-0.3, -0.7),
        (0.0, 1.0),
        (1.0, 0.0),
        (-1.0, 0.0),
    ];
    let grad = |y: f64, x: f64| {
        let r2 = x * x + y * y;
        (x / r2, -y / r2)
    };
    binary(atan2_m, d_atan2_m, &pts, grad);
    binary(atan2_p, d_atan2_p, &pts, grad);
    assert_eq!(d_atan2_m(0.0, 1.0, 1.0), (0.0, 1.0, 0.0));
    assert_eq!(d_atan2_p(1.0, 0.0, 1.0).1, 0.0);
    assert_eq!(d_atan2_p(1.0, 0.0, 1.0).2, -1.0);
    // on the branch cut the adjoint is still the one-sided derivative
    let (_, gy, gx) = d_atan2_m(0.0, -2.0, 1.0);
    assert_eq!((gy, gx), (-0.5, 0.0));
    // documented: 0 at the origin
    assert_eq!(d_atan2_m(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_atan2_p(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_atan2_32(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    binary32(
        atan2_32,
        d_atan2_32,
        &[(1.0, 1.0), (-1.0, 2.0), (0.5, -2.0)],
        grad,
    );
}

// ---------------------------------------------------------------------------------------
// hyperbolic

#[autodiff_reverse(d_sinh_m, Active, Active)]
fn sinh_m(x: f64) -> f64 {
    x.sinh()
}
#[autodiff_reverse(d_sinh_p, Active, Active)]
fn sinh_p(x: f64) -> f64 {
    f64::sinh(x)
}

#[test]
fn rule_sinh() {
    let pts = [-2.0, 0.0, 0.5, 3.0];
    unary(sinh_m, d_sinh_m, &pts, f64::cosh);
    unary(sinh_p, d_sinh_p, &pts, f64::cosh);
    assert_eq!(d_sinh_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_sinh_p(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_cosh_m, Active, Active)]
fn cosh_m(x: f64) -> f64 {
    x.cosh()
}
#[autodiff_reverse(d_cosh_p, Active, Active)]
fn cosh_p(x: f64) -> f64 {
    f64::cosh(x)
}

#[test]
fn rule_cosh() {
    let pts = [-2.0, 0.0, 0.5, 3.0];
    unary(cosh_m, d_cosh_m, &pts, f64::sinh);
    unary(cosh_p, d_cosh_p, &pts, f64::sinh);
    assert_eq!(d_cosh_m(0.0, 1.0), (1.0, 0.0));
    assert_eq!(d_cosh_p(0.0, 1.0), (1.0, 0.0));
}

#[autodiff_reverse(d_tanh_m, Active, Active)]
fn tanh_m(x: f64) -> f64 {
    x.tanh()
}
#[autodiff_reverse(d_tanh_p, Active, Active)]
fn tanh_p(x: f64) -> f64 {
    f64::tanh(x)
}
#[autodiff_reverse(d_tanh_32, Active, Active)]
fn tanh_32(x: f32) -> f32 {
    x.tanh()
}

#[test]
fn rule_tanh() {
    let pts = [-2.0, 0.0, 0.5, 3.0];
    let d = |x: f64| 1.0 / (x.cosh() * x.cosh());
    unary(tanh_m, d_tanh_m, &pts, d);
    unary(tanh_p, d_tanh_p, &pts, d);
    assert_eq!(d_tanh_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_tanh_p(0.0, 1.0), (0.0, 1.0));
    unary32(tanh_32, d_tanh_32, &[-2.0, 0.0, 0.5, 3.0], d);
}

#[autodiff_reverse(d_asinh_m, Active, Active)]
fn asinh_m(x: f64) -> f64 {
    x.asinh()
}
#[autodiff_reverse(d_asinh_p, Active, Active)]
fn asinh_p(x: f64) -> f64 {
    f64::asinh(x)
}

#[test]
fn rule_asinh() {
    let pts = [-3.0, 0.0, 0.5, 10.0];
    let d = |x: f64| 1.0 / (x * x + 1.0).sqrt();
    unary(asinh_m, d_asinh_m, &pts, d);
    unary(asinh_p, d_asinh_p, &pts, d);
    assert_eq!(d_asinh_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_asinh_p(0.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_acosh_m, Active, Active)]
fn acosh_m(x: f64) -> f64 {
    x.acosh()
}
#[autodiff_reverse(d_acosh_p, Active, Active)]
fn acosh_p(x: f64) -> f64 {
    f64::acosh(x)
}

#[test]
fn rule_acosh() {
    let pts = [1.1, 1.5, 3.0, 10.0];
    let d = |x: f64| 1.0 / (x * x - 1.0).sqrt();
    unary(acosh_m, d_acosh_m, &pts, d);
    unary(acosh_p, d_acosh_p, &pts, d);
    // x = sqrt(2): x^2 - 1 = 1 (to rounding)
    assert_close(d_acosh_m(2f64.sqrt(), 1.0).1, 1.0, 1e-12, "acosh'(sqrt 2)");
}

#[autodiff_reverse(d_atanh_m, Active, Active)]
fn atanh_m(x: f64) -> f64 {
    x.atanh()
}
#[autodiff_reverse(d_atanh_p, Active, Active)]
fn atanh_p(x: f64) -> f64 {
    f64::atanh(x)
}

#[test]
fn rule_atanh() {
    let pts = [-0.9, 0.0, 0.3, 0.99];
    let d = |x: f64| 1.0 / (1.0 - x * x);
    unary(atanh_m, d_atanh_m, &pts, d);
    unary(atanh_p, d_atanh_p, &pts, d);
    assert_eq!(d_atanh_m(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_atanh_p(0.5, 1.0).1, 1.0 / 0.75);
}

#[autodiff_reverse(d_hypot_m, Active, Active, Active)]
fn hypot_m(a: f64, b: f64) -> f64 {
    a.hypot(b)
}
#[autodiff_reverse(d_hypot_p, Active, Active, Active)]
fn hypot_p(a: f64, b: f64) -> f64 {
    f64::hypot(a, b)
}
#[autodiff_reverse(d_hypot_32, Active, Active, Active)]
fn hypot_32(a: f32, b: f32) -> f32 {
    a.hypot(b)
}

#[test]
fn rule_hypot() {
    let pts = [
        (3.0, 4.0),
        (-3.0, 4.0),
        (0.0, 2.0),
        (1e-3, -2.0),
        (-1.5, -0.5),
    ];
    let grad = |a: f64, b: f64| {
        let r = a.hypot(b);
        (a / r, b / r)
    };
    binary(hypot_m, d_hypot_m, &pts, grad);
    binary(hypot_p, d_hypot_p, &pts, grad);
    assert_eq!(d_hypot_m(3.0, 4.0, 1.0), (5.0, 0.6, 0.8));
    assert_eq!(d_hypot_p(-3.0, 4.0, 1.0), (5.0, -0.6, 0.8));
    // documented: 0 at the origin
    assert_eq!(d_hypot_m(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_hypot_p(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_hypot_32(0.0, 0.0, 1.0), (0.0, 0.0, 0.0));
    binary32(hypot_32, d_hypot_32, &[(3.0, 4.0), (-1.5, 0.5)], grad);
    assert_eq!(d_hypot_32(3.0, 4.0, 1.0), (5.0, 0.6, 0.8));
}

// ---------------------------------------------------------------------------------------
// piecewise: abs, signum, max, min, clamp, floor/ceil/round/trunc, fract, %

#[autodiff_reverse(d_abs_m, Active, Active)]
fn abs_m(x: f64) -> f64 {
    x.abs()
}
#[autodiff_reverse(d_abs_p, Active, Active)]
fn abs_p(x: f64) -> f64 {
    f64::abs(x)
}
#[autodiff_reverse(d_abs_32, Active, Active)]
fn abs_32(x: f32) -> f32 {
    x.abs()
}

#[test]
fn rule_abs() {
    let pts = [-2.0, -1e-3, 1e-3, 3.0];
    let d = |x: f64| x.signum();
    unary(abs_m, d_abs_m, &pts, d);
    unary(abs_p, d_abs_p, &pts, d);
    assert_eq!(d_abs_m(-2.0, 1.0), (2.0, -1.0));
    assert_eq!(d_abs_p(2.0, 1.0), (2.0, 1.0));
    // documented: abs'(0) = 0, also at -0.0
    assert_eq!(d_abs_m(0.0, 1.0), (0.0, 0.0));
    assert_eq!(d_abs_m(-0.0, 1.0), (0.0, 0.0));
    assert_eq!(d_abs_p(0.0, 1.0), (0.0, 0.0));
    assert_eq!(d_abs_32(0.0, 1.0), (0.0, 0.0));
    unary32(abs_32, d_abs_32, &[-2.0, -0.01, 0.01, 3.0], d);
}

#[autodiff_reverse(d_copysign_m, Active, Active, Active)]
fn copysign_m(x: f64, s: f64) -> f64 {
    x.copysign(s)
}
#[autodiff_reverse(d_copysign_p, Active, Active, Active)]
fn copysign_p(x: f64, s: f64) -> f64 {
    f64::copysign(x, s)
}
#[autodiff_reverse(d_copysign_32, Active, Active, Active)]
fn copysign_32(x: f32, s: f32) -> f32 {
    x.copysign(s)
}
/// A constant sign, and the result used twice (the rule reads `x` and the result).
#[autodiff_reverse(d_copysign_poly, Active, Const, Active)]
fn copysign_poly(x: f64, s: f64) -> f64 {
    let y = x.copysign(s);
    y * y * y + 2.0 * y
}

#[test]
fn rule_copysign() {
    // Both signs of `x` and `s`, near zero, and `x = 0` (central differences of `|x|` at
    // 0 are 0, the convention). Not `s = 0`, where the function jumps.
    let pts = [
        (2.0, 3.0),
        (2.0, -3.0),
        (-2.0, 3.0),
        (-2.0, -3.0),
        (0.5, -1e-3),
        (-1e-3, 0.25),
        (0.0, 1.0),
        (0.0, -1.0),
    ];
    let grad = |x: f64, s: f64| {
        let d = if x == 0.0 {
            0.0
        } else if x.signum() == s.signum() {
            1.0
        } else {
            -1.0
        };
        (d, 0.0)
    };
    binary(copysign_m, d_copysign_m, &pts, grad);
    binary(copysign_p, d_copysign_p, &pts, grad);
    assert_eq!(d_copysign_m(-2.0, 3.0, 1.0), (2.0, -1.0, 0.0));
    assert_eq!(d_copysign_p(-2.0, -3.0, 1.0), (-2.0, 1.0, 0.0));
    // documented: 0 at `x = 0`, as `abs`; a signed zero `s` decides the sign
    assert_eq!(d_copysign_m(0.0, 5.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_copysign_m(-0.0, 5.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(d_copysign_m(2.0, 0.0, 1.0), (2.0, 1.0, 0.0));
    assert_eq!(d_copysign_m(2.0, -0.0, 1.0), (-2.0, -1.0, 0.0));
    assert_eq!(d_copysign_32(-1.5, 0.0, 1.0), (1.5, -1.0, 0.0));
    binary32(
        copysign_32,
        d_copysign_32,
        &[(1.5, 2.0), (1.5, -2.0), (-0.5, 0.25), (-0.5, -0.25)],
        grad,
    );
    for &(x, s) in &[
        (1.5, 2.0),
        (1.5, -2.0),
        (-0.5, 3.0),
        (-0.5, -3.0),
        (0.0, -1.0),
    ] {
        let (v, gx) = d_copysign_poly(x, s, 1.0);
        assert_bits(v, copysign_poly(x, s));
        let y = x.copysign(s);
        let expected = if x == 0.0 {
            0.0
        } else {
            (3.0 * y * y + 2.0) * y / x
        };
        assert_close(gx, expected, 1e-12, &format!("at ({x:e}, {s:e})"));
        check(
            &[x],
            |v| copysign_poly(v[0], s),
            |v, d| d[0] += d_copysign_poly(v[0], s, 1.0).1,
        );
    }
}

#[autodiff_reverse(d_signum_m, Active, Active)]
fn signum_m(x: f64) -> f64 {
    x.signum()
}
#[autodiff_reverse(d_signum_p, Active, Active)]
fn signum_p(x: f64) -> f64 {
    f64::signum(x)
}
/// `signum(x) * x * x`: the inactive factor scales the active part.
#[autodiff_reverse(d_signed_square, Active, Active)]
fn signed_square(x: f64) -> f64 {
    x.signum() * x * x
}

#[test]
fn rule_signum() {
    let pts = [-2.0, -1e-3, 0.5, 3.0];
    unary(signum_m, d_signum_m, &pts, |_| 0.0);
    unary(signum_p, d_signum_p, &pts, |_| 0.0);
    assert_eq!(d_signum_m(0.0, 1.0), (1.0, 0.0));
    unary(signed_square, d_signed_square, &pts, |x| 2.0 * x.abs());
    assert_eq!(d_signed_square(-3.0, 1.0), (-9.0, 6.0));
}

#[autodiff_reverse(d_mul_add_m, Active, Active, Active, Active)]
fn mul_add_m(x: f64, a: f64, b: f64) -> f64 {
    x.mul_add(a, b)
}
#[autodiff_reverse(d_mul_add_p, Active, Active, Active, Active)]
fn mul_add_p(x: f64, a: f64, b: f64) -> f64 {
    f64::mul_add(x, a, b)
}
#[autodiff_reverse(d_mul_add_32, Active, Active, Active, Active)]
fn mul_add_32(x: f32, a: f32, b: f32) -> f32 {
    x.mul_add(a, b)
}

#[test]
fn rule_mul_add() {
    let pts = [(2.0, 3.0, 4.0), (-1.5, 0.0, 2.0), (0.0, -2.0, -1.0)];
    let grad = |x: f64, a: f64, _b: f64| (a, x, 1.0);
    ternary(mul_add_m, d_mul_add_m, &pts, grad, true);
    ternary(mul_add_p, d_mul_add_p, &pts, grad, true);
    assert_eq!(d_mul_add_32(2.0, 3.0, 4.0, 1.0), (10.0, 3.0, 2.0, 1.0));
    assert_eq!(
        d_mul_add_32(-1.5, 0.1, 0.7, 1.0).0.to_bits(),
        mul_add_32(-1.5, 0.1, 0.7).to_bits()
    );
}

#[autodiff_reverse(d_max_m, Active, Active, Active)]
fn max_m(x: f64, y: f64) -> f64 {
    x.max(y)
}
#[autodiff_reverse(d_max_p, Active, Active, Active)]
fn max_p(x: f64, y: f64) -> f64 {
    f64::max(x, y)
}
/// The receiver is `y`: ties go to `y`.
#[autodiff_reverse(d_max_swapped, Active, Active, Active)]
fn max_swapped(x: f64, y: f64) -> f64 {
    y.max(x)
}
#[autodiff_reverse(d_relu, Active, Active)]
fn relu(x: f64) -> f64 {
    x.max(0.0)
}
#[autodiff_reverse(d_relu_const_receiver, Active, Active)]
fn relu_const_receiver(x: f64) -> f64 {
    0.0f64.max(x)
}
#[autodiff_reverse(d_max_32, Active, Active, Active)]
fn max_32(x: f32, y: f32) -> f32 {
    x.max(y)
}

#[test]
fn rule_max() {
    let pts = [
        (1.0, 2.0),
        (2.0, 1.0),
        (-1.0, -3.0),
        (0.0, 1e-3),
        (-1e-3, 0.0),
    ];
    let grad = |x: f64, y: f64| if x >= y { (1.0, 0.0) } else { (0.0, 1.0) };
    binary(max_m, d_max_m, &pts, grad);
    binary(max_p, d_max_p, &pts, grad);
    binary(max_swapped, d_max_swapped, &pts, grad);
    // documented: a tie goes to the receiver
    assert_eq!(d_max_m(1.5, 1.5, 1.0), (1.5, 1.0, 0.0));
    assert_eq!(d_max_p(1.5, 1.5, 1.0), (1.5, 1.0, 0.0));
    assert_eq!(d_max_swapped(1.5, 1.5, 1.0), (1.5, 0.0, 1.0));
    assert_eq!(d_max_32(1.5, 1.5, 1.0), (1.5, 1.0, 0.0));
    assert_eq!(d_max_32(1.0, 2.0, 1.0), (2.0, 0.0, 1.0));
    binary32(max_32, d_max_32, &[(1.0, 2.0), (-1.0, -3.0)], grad);
    // a NaN argument is ignored by `max`, and so is its adjoint
    assert_eq!(d_max_m(1.0, f64::NAN, 1.0), (1.0, 1.0, 0.0));
    let (v, gx, gy) = d_max_m(f64::NAN, 1.0, 1.0);
    assert_eq!((v, gx, gy), (1.0, 0.0, 1.0));
    // relu at the kink: the receiver `x` gets the tie
    unary(relu, d_relu, &[-2.0, -1e-3, 1e-3, 3.0], |x| {
        if x > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    assert_eq!(d_relu(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_relu_const_receiver(0.0, 1.0), (0.0, 0.0));
    assert_eq!(d_relu_const_receiver(2.0, 1.0), (2.0, 1.0));
    assert_eq!(
        d_relu_const_receiver(-2.0, 1.0),
        (relu_const_receiver(-2.0), 0.0)
    );
}

#[autodiff_reverse(d_min_m, Active, Active, Active)]
fn min_m(x: f64, y: f64) -> f64 {
    x.min(y)
}
#[autodiff_reverse(d_min_p, Active, Active, Active)]
fn min_p(x: f64, y: f64) -> f64 {
    f64::min(x, y)
}
#[autodiff_reverse(d_min_swapped, Active, Active, Active)]
fn min_swapped(x: f64, y: f64) -> f64 {
    y.min(x)
}
#[autodiff_reverse(d_min_32, Active, Active, Active)]
fn min_32(x: f32, y: f32) -> f32 {
    f32::min(x, y)
}

#[test]
fn rule_min() {
    let pts = [
        (1.0, 2.0),
        (2.0, 1.0),
        (-1.0, -3.0),
        (0.0, 1e-3),
        (-1e-3, 0.0),
    ];
    let grad = |x: f64, y: f64| if x <= y { (1.0, 0.0) } else { (0.0, 1.0) };
    binary(min_m, d_min_m, &pts, grad);
    binary(min_p, d_min_p, &pts, grad);
    binary(min_swapped, d_min_swapped, &pts, grad);
    assert_eq!(d_min_m(-0.5, -0.5, 1.0), (-0.5, 1.0, 0.0));
    assert_eq!(d_min_p(-0.5, -0.5, 1.0), (-0.5, 1.0, 0.0));
    assert_eq!(d_min_swapped(-0.5, -0.5, 1.0), (-0.5, 0.0, 1.0));
    assert_eq!(d_min_32(-0.5, -0.5, 1.0), (-0.5, 1.0, 0.0));
    assert_eq!(d_min_32(1.0, 2.0, 1.0), (1.0, 1.0, 0.0));
    binary32(min_32, d_min_32, &[(1.0, 2.0), (-1.0, -3.0)], grad);
    assert_eq!(d_min_m(1.0, f64::NAN, 1.0), (1.0, 1.0, 0.0));
}

#[autodiff_reverse(d_clamp_m, Active, Active, Active, Active)]
fn clamp_m(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}
#[autodiff_reverse(d_clamp_p, Active, Active, Active, Active)]
fn clamp_p(x: f64, lo: f64, hi: f64) -> f64 {
    f64::clamp(x, lo, hi)
}
#[autodiff_reverse(d_clamp_unit, Active, Active)]
fn clamp_unit(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}
#[autodiff_reverse(d_clamp_32, Active, Active, Active, Active)]
fn clamp_32(x: f32, lo: f32, hi: f32) -> f32 {
    x.clamp(lo, hi)
}

#[test]
fn rule_clamp() {
    let grad = |x: f64, lo: f64, hi: f64| {
        if x < lo {
            (0.0, 1.0, 0.0)
        } else if x > hi {
            (0.0, 0.0, 1.0)
        } else {
            (1.0, 0.0, 0.0)
        }
    };
    // inside, below, above, and close to each bound on both sides
    let away = [
        (0.5, 0.0, 1.0),
        (-2.0, -1.0, 1.0),
        (3.0, -1.0, 1.0),
        (-1.0 + 1e-3, -1.0, 1.0),
        (-1.0 - 1e-3, -1.0, 1.0),
        (1.0 + 1e-3, -1.0, 1.0),
        (1.0 - 1e-3, -1.0, 1.0),
    ];
    ternary(clamp_m, d_clamp_m, &away, grad, true);
    ternary(clamp_p, d_clamp_p, &away, grad, true);
    // documented: bounds are inclusive and pass the gradient to x
    let bounds = [(-1.0, -1.0, 1.0), (1.0, -1.0, 1.0), (2.0, 2.0, 2.0)];
    ternary(clamp_m, d_clamp_m, &bounds, grad, false);
    ternary(clamp_p, d_clamp_p, &bounds, grad, false);
    assert_eq!(d_clamp_m(1.0, -1.0, 1.0, 1.0), (1.0, 1.0, 0.0, 0.0));
    assert_eq!(d_clamp_m(-1.0, -1.0, 1.0, 1.0), (-1.0, 1.0, 0.0, 0.0));
    assert_eq!(d_clamp_32(1.0, -1.0, 1.0, 1.0), (1.0, 1.0, 0.0, 0.0));
    assert_eq!(d_clamp_32(5.0, -1.0, 1.0, 1.0), (1.0, 0.0, 0.0, 1.0));
    assert_eq!(d_clamp_32(-5.0, -1.0, 1.0, 1.0), (-1.0, 0.0, 1.0, 0.0));
    assert_eq!(
        d_clamp_32(0.3, -1.0, 1.0, 1.0),
        (clamp_32(0.3, -1.0, 1.0), 1.0, 0.0, 0.0)
    );
    unary(
        clamp_unit,
        d_clamp_unit,
        &[-3.0, -0.5, 0.0, 0.99, 1.01],
        |x| {
            if x.abs() <= 1.0 {
                1.0
            } else {
                0.0
            }
        },
    );
    assert_eq!(d_clamp_unit(1.0, 1.0), (1.0, 1.0));
    assert_eq!(d_clamp_unit(-1.0, 1.0), (-1.0, 1.0));
}

#[autodiff_reverse(d_floor_m, Active, Active)]
fn floor_m(x: f64) -> f64 {
    x.floor()
}
#[autodiff_reverse(d_floor_p, Active, Active)]
fn floor_p(x: f64) -> f64 {
    f64::floor(x)
}
#[autodiff_reverse(d_ceil_m, Active, Active)]
fn ceil_m(x: f64) -> f64 {
    x.ceil()
}
#[autodiff_reverse(d_ceil_p, Active, Active)]
fn ceil_p(x: f64) -> f64 {
    f64::ceil(x)
}
#[autodiff_reverse(d_round_m, Active, Active)]
fn round_m(x: f64) -> f64 {
    x.round()
}
#[autodiff_reverse(d_round_p, Active, Active)]
fn round_p(x: f64) -> f64 {
    f64::round(x)
}
#[autodiff_reverse(d_trunc_m, Active, Active)]
fn trunc_m(x: f64) -> f64 {
    x.trunc()
}
#[autodiff_reverse(d_trunc_p, Active, Active)]
fn trunc_p(x: f64) -> f64 {
    f64::trunc(x)
}
/// A piecewise-constant factor times an active value, plus the value itself.
#[autodiff_reverse(d_staircase, Active, Active)]
fn staircase(x: f64) -> f64 {
    x.floor() * x + x.ceil() - x.round() * x.trunc() + x
}
#[autodiff_reverse(d_floor_32, Active, Active)]
fn floor_32(x: f32) -> f32 {
    x.floor() + f32::round(x) + x
}

#[test]
fn rule_floor_ceil_round_trunc() {
    let pts = [-2.7, -0.3, 0.25, 1.6, 3.4];
    for (f, d_f) in [
        (floor_m as fn(f64) -> f64, d_floor_m as D1),
        (floor_p, d_floor_p),
        (ceil_m, d_ceil_m),
        (ceil_p, d_ceil_p),
        (round_m, d_round_m),
        (round_p, d_round_p),
        (trunc_m, d_trunc_m),
        (trunc_p, d_trunc_p),
    ] {
        unary(f, d_f, &pts, |_| 0.0);
        // zero also at the jumps
        for x in [-1.0, 0.0, 0.5, 2.0] {
            assert_eq!(d_f(x, 1.0), (f(x), 0.0));
        }
    }
    unary(staircase, d_staircase, &pts, |x| x.floor() + 1.0);
    assert_eq!(d_floor_32(2.5, 1.0), (7.5, 1.0));
    unary32(floor_32, d_floor_32, &[-2.7, -0.3, 0.25, 1.6], |_| 1.0);
}

#[autodiff_reverse(d_to_degrees_m, Active, Active)]
fn to_degrees_m(x: f64) -> f64 {
    x.to_degrees()
}
#[autodiff_reverse(d_to_degrees_p, Active, Active)]
fn to_degrees_p(x: f64) -> f64 {
    f64::to_degrees(x)
}
#[autodiff_reverse(d_to_radians_m, Active, Active)]
fn to_radians_m(x: f64) -> f64 {
    x.to_radians()
}
#[autodiff_reverse(d_to_radians_p, Active, Active)]
fn to_radians_p(x: f64) -> f64 {
    f64::to_radians(x)
}
#[autodiff_reverse(d_to_degrees_32, Active, Active)]
fn to_degrees_32(x: f32) -> f32 {
    x.to_degrees()
}

#[test]
fn rule_to_degrees_to_radians() {
    let pts = [-3.0, 0.0, 1.0, 90.0];
    let deg = 180.0 / PI;
    unary(to_degrees_m, d_to_degrees_m, &pts, |_| deg);
    unary(to_degrees_p, d_to_degrees_p, &pts, |_| deg);
    unary(to_radians_m, d_to_radians_m, &pts, |_| PI / 180.0);
    unary(to_radians_p, d_to_radians_p, &pts, |_| PI / 180.0);
    unary32(to_degrees_32, d_to_degrees_32, &[-3.0, 0.0, 1.0], |_| deg);
}

#[autodiff_reverse(d_fract_m, Active, Active)]
fn fract_m(x: f64) -> f64 {
    x.fract()
}
#[autodiff_reverse(d_fract_p, Active, Active)]
fn fract_p(x: f64) -> f64 {
    f64::fract(x)
}

#[test]
fn rule_fract() {
    let pts = [-2.5, -0.3, 0.0, 0.25, 3.7];
    unary(fract_m, d_fract_m, &pts, |_| 1.0);
    unary(fract_p, d_fract_p, &pts, |_| 1.0);
    assert_eq!(d_fract_m(2.0, 1.0), (0.0, 1.0));
}

#[autodiff_reverse(d_rem, Active, Active, Active)]
fn rem(x: f64, m: f64) -> f64 {
    x % m
}
#[autodiff_reverse(d_rem_two, Active, Active)]
fn rem_two(x: f64) -> f64 {
    x % 2.0
}
#[autodiff_reverse(d_rem_32, Active, Active, Active)]
fn rem_32(x: f32, m: f32) -> f32 {
    x % m
}

#[test]
fn rule_rem() {
    let pts = [(5.5, 2.0), (-5.5, 2.0), (1.0, 3.0), (7.5, -2.0), (0.0, 1.5)];
    let grad = |x: f64, m: f64| (1.0, -(x / m).trunc());
    binary(rem, d_rem, &pts, grad);
    assert_eq!(d_rem(5.5, 2.0, 1.0), (1.5, 1.0, -2.0));
    assert_eq!(d_rem(-5.5, 2.0, 1.0), (-1.5, 1.0, 2.0));
    assert_eq!(d_rem(7.5, -2.0, 1.0), (1.5, 1.0, 3.0));
    unary(rem_two, d_rem_two, &[-3.3, 0.5, 4.1], |_| 1.0);
    binary32(rem_32, d_rem_32, &[(5.5, 2.0), (-5.5, 2.0)], grad);
    assert_eq!(d_rem_32(5.5, 2.0, 1.0), (1.5, 1.0, -2.0));
}

// ---------------------------------------------------------------------------------------
// rules applied to intermediate values (the operand of a rule is a temporary, not a
// parameter), and a seed other than 1 passing through each rule

#[autodiff_reverse(d_chain_exp_log, Active, Active, Active)]
fn chain_exp_log(x: f64, y: f64) -> f64 {
    let a = (x * y).exp() + (x * x + 1.0).ln() - (y * y + 2.0).sqrt();
    let b = (x - y).exp2() * (1.0 + x * x).log2() + (2.0 + y * y).log10();
    let c = (0.5 * x).exp_m1() / (y * y).ln_1p().max(0.1) + (x * x + 3.0).log(y * y + 2.0);
    a * b + c + (x * y).cbrt() + (x + 3.0).powf(y) + (x * y).powi(3) + (1.0 + y * y).recip()
}

#[autodiff_reverse(d_chain_trig, Active, Active, Active)]
fn chain_trig(x: f64, y: f64) -> f64 {
    let a = (x * y).sin() * (x + y).cos() + (0.3 * x).tan();
    let b = (0.2 * x * y).asin() + (0.1 * (x - y)).acos() + (x / 3.0).atan();
    let c = (2.0 * y).atan2(x - 4.0) + (x * y).sinh() / (y * 0.5).cosh() + (x - y).tanh();
    let d = (x * y).asinh() + (x * x + 1.5).acosh() + (0.1 * y).atanh();
    let e = (x * 2.0).hypot(y - 1.0) + (x - y).abs();
    // BUG: `.to_degrees()` / `.to_radians()` left out here, see rule_to_degrees_to_radians
    a + b * c - d * e + (x * y).fract()
}

#[autodiff_reverse(d_chain_piecewise, Active, Active, Active)]
fn chain_piecewise(x: f64, y: f64) -> f64 {
    let a = (x * y).max(x + y) * (x - y).min(x * 0.5);
    let b = (x * x).clamp(y - 1.0, y + 1.0) + (x * y).mul_add(x - 1.0, y * y);
    a + b + (x * x) % (y + 2.5) + (x * y).floor() * x
}

#[test]
fn rules_on_intermediates() {
    type F = fn(f64, f64) -> f64;
    let cases: [(F, D2); 3] = [
        (chain_exp_log, d_chain_exp_log),
        (chain_trig, d_chain_trig),
        (chain_piecewise, d_chain_piecewise),
    ];
    let points = [(0.7, 1.3), (1.1, 0.4), (-0.6, 0.9), (0.35, -0.8)];
    for (f, d_f) in cases {
        for &(x, y) in &points {
            let (v, gx, gy) = d_f(x, y, 1.0);
            assert_bits(v, f(x, y));
            check(
                &[x, y],
                |v| f(v[0], v[1]),
                |v, d| {
                    let (_, gx, gy) = d_f(v[0], v[1], 1.0);
                    d[0] += gx;
                    d[1] += gy;
                },
            );
            // linear in the seed
            let (v2, gx2, gy2) = d_f(x, y, -2.5);
            assert_bits(v2, v);
            assert_close(gx2, -2.5 * gx, 1e-14, "seed scales d/dx");
            assert_close(gy2, -2.5 * gy, 1e-14, "seed scales d/dy");
        }
    }
}

// ---------------------------------------------------------------------------------------
// constant operands: only the active operand of a multi-operand rule gets an adjoint

#[autodiff_reverse(d_const_operands, Active, Active)]
fn const_operands(t: f64) -> f64 {
    let a = 2.0f64.powf(t); // active exponent, constant base
    let b = 3.0f64.log(t); // active base of the logarithm
    let c = f64::atan2(1.5f64, t); // active x of atan2 (see the BUG below for `1.5`)
    let d = 4.0f64.hypot(t);
    let e = 0.5f64.mul_add(t, 1.0) + 2.0f64.mul_add(3.0, t) + t.mul_add(2.0, 1.0);
    let f = 1.0f64.clamp(t - 3.0, t + 3.0) + 0.25f64.min(t) + f64::max(-1.0f64, t);
    let g = 10.0f64 % t;
    a + b + c + d + e + f + g
}

#[test]
fn rules_with_constant_operands() {
    let d = |t: f64| {
        let a = 2f64.powf(t) * LN_2;
        let b = -3f64.log(t) / (t * t.ln());
        let c = -1.5 / (t * t + 2.25);
        let d = t / 4f64.hypot(t);
        let e = 0.5 + 1.0 + 2.0;
        let clamp = if 1.0 < t - 3.0 || 1.0 > t + 3.0 {
            1.0
        } else {
            0.0
        };
        let f = clamp + if 0.25 <= t { 0.0 } else { 1.0 } + if -1.0 >= t { 0.0 } else { 1.0 };
        let g = -(10.0 / t).trunc();
        a + b + c + d + e + f + g
    };
    // t = 0.15 and 0.9 keep 1.0 inside [t - 3, t + 3]; 4.5 and 5.2 clamp it to t - 3
    unary(
        const_operands,
        d_const_operands,
        &[0.15, 0.9, 2.3, 4.5, 5.2],
        d,
    );
    // at t = 0.25 `0.25.min(t)` ties and goes to the constant receiver: 0 for t
    let (_, g) = d_const_operands(0.25, 1.0);
    assert_close(g, d(0.25), 1e-12, "tie to a constant receiver");
}

// The path form fixes the float type of untyped operands, as in plain Rust.
#[autodiff_reverse(d_path_form_literal, Active, Active)]
fn path_form_literal(t: f64) -> f64 {
    let k = 2.0;
    f64::atan2(1.5, t) + f64::max(-1.0, t) + f64::powf(k, t) + f64::hypot(3.0, t)
}

#[test]
fn path_form_with_untyped_literal_receiver() {
    let d = |t: f64| {
        -1.5 / (t * t + 2.25)
            + if t > -1.0 { 1.0 } else { 0.0 }
            + 2f64.powf(t) * LN_2
            + t / 3f64.hypot(t)
    };
    unary(
        path_form_literal,
        d_path_form_literal,
        &[-2.0, 0.0, 0.5, 3.0],
        d,
    );
}
