//! Generic numeric code as Rust users write it: functions over `T: num_traits::Float`,
//! `FloatCore`, `FloatConst` and plain operator bounds, with float methods and constants
//! (`T::from(0.5).unwrap()`, `T::one()`, `T::PI()`), each used at `f64` and `f32` and
//! checked against central finite differences of the untouched primal. Needs the default
//! feature `num-traits` (see `required-features` in Cargo.toml).

use std::ops::{Add, Mul, Sub};

use cotangent::num_traits::float::{FloatConst, FloatCore};
use cotangent::num_traits::{Float, NumCast};
use cotangent::{autodiff_forward, autodiff_reverse, differentiable, gradcheck};

/// `d_f` with the seed 1: `|x, dx| d_f(x, dx, 1.0)`.
macro_rules! seeded {
    ($d:ident) => {
        |x, dx| $d(x, dx, 1.0)
    };
}

/// The f64 gradient `grad` of `f` against finite differences at every point, and the
/// primal of the adjoint `value` bit-identical to `f`.
fn check(
    f: impl Fn(&[f64]) -> f64,
    adjoint: impl Fn(&[f64], &mut [f64]) -> f64,
    points: &[&[f64]],
) {
    for p in points {
        gradcheck(
            &f,
            |x, dx| assert_eq!(adjoint(x, dx).to_bits(), f(x).to_bits()),
            p,
        )
        .unwrap_or_else(|e| panic!("at {p:?}: {e}"));
    }
}

/// The f32 instantiation: its primal bit-identical to the f32 primal, its gradient close
/// to the (checked) f64 one.
fn check_f32(
    f: impl Fn(&[f32]) -> f32,
    adjoint: impl Fn(&[f32], &mut [f32]) -> f32,
    adjoint64: impl Fn(&[f64], &mut [f64]) -> f64,
    points: &[&[f64]],
) {
    for p in points {
        let x32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let mut d32 = vec![0.0f32; p.len()];
        let mut d64 = vec![0.0f64; p.len()];
        assert_eq!(adjoint(&x32, &mut d32).to_bits(), f(&x32).to_bits());
        adjoint64(p, &mut d64);
        for (a, b) in d32.iter().zip(&d64) {
            let tol = 1e-3 * (1.0 + b.abs());
            assert!(
                (*a as f64 - b).abs() < tol,
                "at {p:?}: f32 {d32:?}, f64 {d64:?}"
            );
        }
    }
}

// --- num_traits::Float --------------------------------------------------------------

/// Σ ln(1 + e^x), as a numerics crate writes it.
#[autodiff_reverse(d_softplus, Duplicated, Active)]
fn softplus<T: Float>(x: &[T]) -> T {
    let mut s = T::zero();
    for &v in x {
        s = s + (T::one() + v.exp()).ln();
    }
    s
}

/// log Σ e^x, stabilised by the maximum.
#[autodiff_reverse(d_logsumexp, Duplicated, Active)]
fn logsumexp<T: Float>(x: &[T]) -> T {
    let mut m = T::neg_infinity();
    for &v in x {
        m = m.max(v);
    }
    let mut s = T::zero();
    for &v in x {
        s = s + (v - m).exp();
    }
    m + s.ln()
}

/// The Rosenbrock function with its constants built by `T::from`.
#[autodiff_reverse(d_rosenbrock, Duplicated, Active)]
fn rosenbrock<T>(x: &[T]) -> T
where
    T: Float,
{
    let hundred = T::from(100.0).unwrap();
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = T::one() - x[i];
        let b = x[i + 1] - x[i].powi(2);
        s = s + a * a + hundred * b * b;
    }
    s
}

/// A Gaussian negative log-likelihood of `data` in the mean and log standard deviation
/// `theta = [mu, log_sigma]`, with `T::from(0.5).unwrap()` and `T::PI()`.
#[autodiff_reverse(d_gauss_nll, Duplicated, Const, Active)]
fn gauss_nll<T: Float + FloatConst>(theta: &[T], data: &[f64]) -> T {
    let half = T::from(0.5).unwrap();
    let two = T::one() + T::one();
    let mu = theta[0];
    let sigma = theta[1].exp();
    let mut nll = T::zero();
    for &d in data {
        let z = (T::from(d).unwrap() - mu) / sigma;
        nll = nll + half * z * z + sigma.ln() + half * (two * T::PI()).ln();
    }
    nll / T::from(data.len()).unwrap()
}

/// A small dense layer `tanh(W x + b)` of 2 outputs over 3 inputs, then a squared loss;
/// `p` holds `W` (row major) then `b`.
#[autodiff_reverse(d_mlp_loss, Duplicated, Const, Active)]
fn mlp_loss<T: Float>(p: &[T], x: &[T]) -> T {
    let (n_in, n_out) = (3, 2);
    let mut loss = T::zero();
    for o in 0..n_out {
        let mut z = p[n_in * n_out + o];
        for i in 0..n_in {
            z = p[o * n_in + i].mul_add(x[i], z);
        }
        let h = z.tanh() - T::epsilon().sqrt();
        loss = loss + h * h;
    }
    loss * T::from(0.5).unwrap()
}

#[test]
fn float_bound_f64_and_f32() {
    let pts: &[&[f64]] = &[&[0.3, -1.2, 2.0], &[0.0, 0.5, -0.7], &[1.5, 1.4, -3.0]];
    check(softplus::<f64>, seeded!(d_softplus), pts);
    check_f32(
        softplus::<f32>,
        seeded!(d_softplus),
        seeded!(d_softplus),
        pts,
    );
    check(logsumexp::<f64>, seeded!(d_logsumexp), pts);
    check_f32(
        logsumexp::<f32>,
        seeded!(d_logsumexp),
        seeded!(d_logsumexp),
        pts,
    );
    check(rosenbrock::<f64>, seeded!(d_rosenbrock), pts);
    check_f32(
        rosenbrock::<f32>,
        seeded!(d_rosenbrock),
        seeded!(d_rosenbrock),
        pts,
    );
    let data = [0.2, -0.4, 1.3, 0.9];
    let theta: &[&[f64]] = &[&[0.1, 0.2], &[-0.5, -0.3], &[1.0, 0.7]];
    check(
        |t| gauss_nll(t, &data),
        |t, d| d_gauss_nll(t, d, &data, 1.0),
        theta,
    );
    check_f32(
        |t| gauss_nll(t, &data),
        |t, d| d_gauss_nll(t, d, &data, 1.0),
        |t, d| d_gauss_nll(t, d, &data, 1.0),
        theta,
    );
    let x = [0.4, -0.8, 1.1];
    let x32 = x.map(|v| v as f32);
    let p: &[&[f64]] = &[
        &[0.1, -0.2, 0.3, 0.5, 0.4, -0.6, 0.05, -0.1],
        &[-0.7, 0.2, 0.9, -0.3, 0.8, 0.1, 0.3, 0.2],
    ];
    check(|p| mlp_loss(p, &x), |p, d| d_mlp_loss(p, d, &x, 1.0), p);
    check_f32(
        |p| mlp_loss(p, &x32),
        |p, d| d_mlp_loss(p, d, &x32, 1.0),
        |p, d| d_mlp_loss(p, d, &x, 1.0),
        p,
    );
}

/// Every float method with a derivative rule, on a generic `T: Float` (each term keeps
/// its operand in the method's domain for the points below, in (0.1, 0.9)).
#[autodiff_reverse(d_all_methods, Duplicated, Active)]
#[autodiff_forward(j_all_methods, Dual, Dual)]
fn all_methods<T: Float>(x: &[T]) -> T {
    let (a, b, c) = (x[0], x[1], x[2]);
    let two = T::from(2).unwrap();
    let mut s = a.exp() + a.exp2() + a.exp_m1() + a.ln() + a.ln_1p() + a.log(two + b);
    s = s + a.log2() + a.log10() + a.sqrt() + a.cbrt() + a.powi(3) + a.powf(b) + a.recip();
    s = s + a.sin() + a.cos() + a.tan() + a.asin() + a.acos() + a.atan() + a.atan2(b);
    s = s + a.sinh() + a.cosh() + a.tanh() + a.asinh() + (two + a).acosh() + a.atanh();
    s = s + a.hypot(b) + (a - b).abs() + a.mul_add(b, c) + a.max(b) + a.min(c);
    s = s + a.clamp(b, c) + a.to_degrees() + a.to_radians() + (a + two).fract();
    s = s + a.copysign(b) + a.signum() + a.floor() + a.ceil() + a.round() + a.trunc();
    s
}

#[test]
fn every_float_method() {
    let pts: &[&[f64]] = &[&[0.3, 0.45, 0.8], &[0.6, 0.2, 0.75], &[0.35, 0.5, 0.7]];
    check(all_methods::<f64>, seeded!(d_all_methods), pts);
    check_f32(
        all_methods::<f32>,
        seeded!(d_all_methods),
        seeded!(d_all_methods),
        pts,
    );
}

/// Forward mode on the same generic function: the directional derivative equals the
/// (finite-difference-checked) gradient's dot product with the direction, at f64 and f32,
/// and matches central differences of the primal along the direction.
#[test]
fn every_float_method_forward() {
    let pts: &[&[f64]] = &[&[0.3, 0.45, 0.8], &[0.6, 0.2, 0.75], &[0.35, 0.5, 0.7]];
    let dirs: &[[f64; 3]] = &[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.3, -0.5, 0.2]];
    for p in pts {
        let mut g = [0.0; 3];
        d_all_methods(p, &mut g, 1.0);
        for v in dirs {
            let (y, t) = j_all_methods(p, &v[..]);
            assert_eq!(y.to_bits(), all_methods(p).to_bits());
            let dot: f64 = g.iter().zip(v).map(|(a, b)| a * b).sum();
            assert!(
                (t - dot).abs() < 1e-9 * (1.0 + dot.abs()),
                "at {p:?}, v {v:?}: {t} vs {dot}"
            );
            let h = 1e-6;
            let at = |s: f64| all_methods(&[p[0] + s * v[0], p[1] + s * v[1], p[2] + s * v[2]]);
            let fd = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (t - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "at {p:?}, v {v:?}: {t} vs fd {fd}"
            );
            let x32: Vec<f32> = p.iter().map(|&a| a as f32).collect();
            let v32: Vec<f32> = v.iter().map(|&a| a as f32).collect();
            let (y32, t32) = j_all_methods(&x32, &v32);
            assert_eq!(y32.to_bits(), all_methods(&x32).to_bits());
            assert!(
                (t32 as f64 - t).abs() < 1e-3 * (1.0 + t.abs()),
                "f32 {t32} vs f64 {t}"
            );
        }
    }
}

// --- FloatCore, operator bounds --------------------------------------------------------

#[autodiff_reverse(d_core, Active, Active, Active)]
fn core_poly<T: FloatCore>(x: T, y: T) -> T {
    let three = <T as NumCast>::from(3).unwrap();
    x.powi(3).max(y) * x.abs() + three * x.min(y) - y.recip() + x.to_degrees()
}

/// A dot product written against the operators only.
#[autodiff_reverse(d_dot, Duplicated, Duplicated, Active)]
fn dot<T>(a: &[T], b: &[T]) -> T
where
    T: Copy + Add<Output = T> + Sub<Output = T> + Mul<Output = T>,
{
    let mut s = a[0] * b[0];
    for i in 1..a.len() {
        s = s + a[i] * b[i] - a[i] * a[i];
    }
    s
}

#[test]
fn float_core_and_operator_bounds() {
    for (x, y) in [(0.7, 1.3), (-1.2, 0.4), (2.0, -0.5)] {
        check(
            |p| core_poly(p[0], p[1]),
            |p, d| {
                let (v, dx, dy) = d_core(p[0], p[1], 1.0);
                d[0] += dx;
                d[1] += dy;
                v
            },
            &[&[x, y]],
        );
        let (v, dx, dy) = d_core(x as f32, y as f32, 1.0);
        assert_eq!(v.to_bits(), core_poly(x as f32, y as f32).to_bits());
        let (_, ex, ey) = d_core(x, y, 1.0);
        assert!((dx as f64 - ex).abs() < 1e-3 * (1.0 + ex.abs()));
        assert!((dy as f64 - ey).abs() < 1e-3 * (1.0 + ey.abs()));
    }
    let pts: &[&[f64]] = &[
        &[0.5, -1.0, 2.0, 0.3, 0.7, -0.2],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    ];
    let split = |p: &[f64]| (p[..3].to_vec(), p[3..].to_vec());
    check(
        |p| {
            let (a, b) = split(p);
            dot(&a, &b)
        },
        |p, d| {
            let (a, b) = split(p);
            let (mut da, mut db) = (vec![0.0; 3], vec![0.0; 3]);
            let v = d_dot(&a, &mut da, &b, &mut db, 1.0);
            d[..3].copy_from_slice(&da);
            d[3..].copy_from_slice(&db);
            v
        },
        pts,
    );
    let (a, b) = ([0.5f32, -1.0, 2.0], [0.3f32, 0.7, -0.2]);
    let (mut da, mut db) = ([0.0f32; 3], [0.0f32; 3]);
    assert_eq!(d_dot(&a, &mut da, &b, &mut db, 1.0), dot(&a, &b));
    assert_eq!(db, [0.5, -1.0, 2.0]);
}

// --- generic helpers ------------------------------------------------------------------

/// A generic `#[differentiable]` helper: the squared norm of a softplus.
#[differentiable]
fn soft_norm<T: Float>(x: &[T]) -> T {
    let mut s = T::zero();
    for &v in x {
        let p = v.exp().ln_1p();
        s = s + p * p;
    }
    s
}

#[autodiff_reverse(d_generic_caller, Duplicated, Active)]
fn generic_caller<T: Float>(x: &[T]) -> T {
    soft_norm(x).sqrt() + x[0].sin()
}

#[autodiff_reverse(d_concrete_caller, Duplicated, Active)]
fn concrete_caller(x: &[f64]) -> f64 {
    soft_norm(x) * x[1] + soft_norm::<f64>(&x[1..])
}

#[test]
fn generic_helper_from_generic_and_concrete() {
    let pts: &[&[f64]] = &[&[0.3, -1.2, 2.0], &[0.0, 0.5, -0.7]];
    check(generic_caller::<f64>, seeded!(d_generic_caller), pts);
    check_f32(
        generic_caller::<f32>,
        seeded!(d_generic_caller),
        seeded!(d_generic_caller),
        pts,
    );
    check(concrete_caller, seeded!(d_concrete_caller), pts);
}

// --- an `impl<T: Float>` block, the path form `T::exp(x)` ------------------------------

/// A model generic over its float type, as a struct with an `impl<T: Float>` block.
struct Decay<T> {
    rate: T,
}

impl<T: Float> Decay<T> {
    #[autodiff_reverse(d_energy, Const, Duplicated, Active)]
    fn energy(&self, x: &[T]) -> T {
        let mut e = T::zero();
        for &v in x {
            e = e + T::exp(-self.rate * v) + Float::sqrt(v * v + T::one());
        }
        e
    }
}

#[test]
fn impl_block_generics_and_path_form() {
    let pts: &[&[f64]] = &[&[0.3, -1.2, 2.0], &[0.0, 0.5, -0.7]];
    let m = Decay { rate: 0.7 };
    check(|x| m.energy(x), |x, d| m.d_energy(x, d, 1.0), pts);
    let m32 = Decay { rate: 0.7f32 };
    check_f32(
        |x| m32.energy(x),
        |x, d| m32.d_energy(x, d, 1.0),
        |x, d| m.d_energy(x, d, 1.0),
        pts,
    );
}
