//! Calls from differentiated code: `#[differentiable]` helpers with several activity
//! patterns, sub-slices, `&mut` outputs, methods, recursion and custom derivatives.
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable, gradcheck};

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

// Three callers, three activity patterns of `dot`: (d, d), (d, c), (c, d).
#[autodiff_reverse(d_both, Duplicated, Duplicated, Active)]
fn both(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b)
}

#[autodiff_reverse(d_first, Duplicated, Const, Active)]
fn first(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b) * 2.0
}

#[autodiff_reverse(d_second, Const, Duplicated, Active)]
fn second(a: &[f64], b: &[f64]) -> f64 {
    let c = [1.0, -1.0, 0.5];
    dot(&c, b) + dot(a, b).sin()
}

const POINTS: [[f64; 6]; 3] = [
    [1.0, 2.0, 3.0, 0.5, -1.0, 2.0],
    [0.0; 6],
    [-0.3, 0.0, 1.5, 2.0, 0.1, -0.7],
];

#[test]
fn one_helper_three_activity_patterns() {
    for p in POINTS {
        let (a, b) = (&p[..3], &p[3..]);
        gradcheck(
            |x| both(&x[..3], &x[3..]),
            |x, dx| {
                let (da, db) = dx.split_at_mut(3);
                d_both(&x[..3], da, &x[3..], db, 1.0);
            },
            &p,
        )
        .unwrap();
        gradcheck(
            |x| first(x, b),
            |x, dx| {
                d_first(x, dx, b, 1.0);
            },
            a,
        )
        .unwrap();
        gradcheck(
            |x| second(a, x),
            |x, dx| {
                d_second(a, x, dx, 1.0);
            },
            b,
        )
        .unwrap();
    }
    // Exact values: d(a·b)/da = b and d(a·b)/db = a.
    let (a, b) = ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
    let (mut da, mut db) = ([0.0; 3], [0.0; 3]);
    d_both(&a, &mut da, &b, &mut db, 1.0);
    assert_eq!((da, db), (b, a));
    let mut da = [0.0; 3];
    d_first(&a, &mut da, &b, 1.0);
    assert_eq!(da, [8.0, 10.0, 12.0]);
}

#[differentiable]
fn scale_into(k: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = k * x[i];
    }
}

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    dot(x, x)
}

// Sub-slices of arguments and locals, an output buffer written by a helper, a helper
// called in a loop and on a buffer it overwrites later.
#[autodiff_reverse(d_blocks, Duplicated, Active, Active)]
fn blocks(x: &[f64], k: f64) -> f64 {
    let mut buf = vec![0.0; 4];
    scale_into(k, &x[1..], &mut buf[..3]);
    let mut s = sqnorm(&buf) + sqnorm(&x[..2]);
    for i in 0..3 {
        scale_into(k * x[i], &x[i..i + 1], &mut buf[i..i + 1]);
        s += sqnorm(&buf[..2]).sqrt();
    }
    s
}

#[test]
fn sub_slices_outputs_and_helpers_in_loops() {
    for p in [
        [1.0, 2.0, 3.0, 4.0, 0.5],
        [0.5, -1.0, 0.25, 2.0, -1.5],
        [1.0, 0.0, 2.0, 0.0, 1.0],
    ] {
        gradcheck(
            |x| blocks(&x[..4], x[4]),
            |x, dx| {
                let (dv, dk) = dx.split_at_mut(4);
                let (_, g) = d_blocks(&x[..4], dv, x[4], 1.0);
                dk[0] += g;
            },
            &p,
        )
        .unwrap();
    }
    let x = [1.0, 2.0, 3.0, 4.0];
    let mut dx = [0.0; 4];
    let (v, _) = d_blocks(&x, &mut dx, 0.5, 1.0);
    assert_eq!(v.to_bits(), blocks(&x, 0.5).to_bits());
}

#[differentiable]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 {
        return 1.0;
    }
    x * power(x, n - 1)
}

#[autodiff_reverse(d_recursive, Active, Active)]
fn recursive(x: f64) -> f64 {
    power(x, 5)
}

#[test]
fn recursion() {
    for x in [0.0, 1.5, -2.0] {
        let (v, dx) = d_recursive(x, 1.0);
        assert_eq!(v, recursive(x));
        assert_eq!(v, x.powi(5));
        assert!((dx - 5.0 * x.powi(4)).abs() < 1e-12, "{dx}");
    }
}

#[differentiable(custom = softplus_pullback)]
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// The stable derivative: the logistic function.
fn softplus_pullback(x: f64, d_ret: f64) -> f64 {
    d_ret / (1.0 + (-x).exp())
}

#[autodiff_reverse(d_soft, Active, Active)]
fn soft(x: f64) -> f64 {
    softplus(2.0 * x) + softplus(x)
}

#[test]
fn custom_derivative_is_used() {
    for x in [-3.0, 0.0, 0.7, 40.0] {
        let (v, dx) = d_soft(x, 1.0);
        assert_eq!(v, soft(x));
        let sigmoid = |t: f64| 1.0 / (1.0 + (-t).exp());
        assert!((dx - (2.0 * sigmoid(2.0 * x) + sigmoid(x))).abs() < 1e-12);
    }
    // At x = 40 the primal takes the `x` branch; the custom rule is used regardless.
    let (_, dx) = d_soft(40.0, 1.0);
    assert!((dx - 3.0).abs() < 1e-12);
}

#[differentiable(custom = norm_pullback)]
fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

fn norm_pullback(x: &[f64], d_x: &mut [f64], d_ret: f64) {
    let n = norm(x);
    for i in 0..x.len() {
        d_x[i] += d_ret * x[i] / n;
    }
}

#[autodiff_reverse(d_uses_norm, Duplicated, Const, Active)]
fn uses_norm(x: &[f64], y: &[f64]) -> f64 {
    norm(x) * norm(y)
}

#[test]
fn custom_derivative_with_a_shadow_and_a_const_pattern() {
    let (x, y) = ([3.0, 4.0], [1.0, 0.0]);
    let mut dx = [0.0; 2];
    let v = d_uses_norm(&x, &mut dx, &y, 1.0);
    assert_eq!(v, 5.0);
    assert_eq!(v, uses_norm(&x, &y));
    assert!((dx[0] - 0.6).abs() < 1e-15 && (dx[1] - 0.8).abs() < 1e-15);
}

struct Layer {
    w: Vec<f64>,
    b: f64,
}

impl Layer {
    #[differentiable]
    fn pre(&self, x: &[f64]) -> f64 {
        dot(&self.w, x) + self.b
    }

    #[autodiff_reverse(d_out, Const, Duplicated, Active)]
    fn out(&self, x: &[f64]) -> f64 {
        self.pre(x).tanh()
    }
}

#[test]
fn methods_calling_methods() {
    let layer = Layer {
        w: vec![0.5, -0.25, 1.0],
        b: 0.1,
    };
    for p in [[1.0, 2.0, 3.0], [0.0; 3], [-1.0, 0.5, 0.25]] {
        gradcheck(
            |x| layer.out(x),
            |x, dx| {
                layer.d_out(x, dx, 1.0);
            },
            &p,
        )
        .unwrap();
    }
}

fn ln_gamma_like(k: f64) -> f64 {
    k * 0.5
}

#[autodiff_reverse(d_with_unknown, Active, Active)]
fn with_unknown(x: f64) -> f64 {
    // An unmarked function of constants only is called as it is.
    let c = ln_gamma_like(3.0);
    c * x * x
}

#[test]
fn unknown_functions_of_constants() {
    let (v, dx) = d_with_unknown(2.0, 1.0);
    assert_eq!(v, 6.0);
    assert_eq!(v, with_unknown(2.0));
    assert_eq!(dx, 6.0);
}

// ---------------------------------------------------------------------------------------
// Pullbacks skip what their reverse sweep does not read (the helper's result and its
// `&mut` outputs); the adjoints must not change, in f32 as in f64, for outputs that are
// overwritten, accumulated into, or read back by the helper itself.

#[differentiable]
fn affine32(w: &[f32], x: &[f32], out: &mut [f32]) -> f32 {
    let n = x.len();
    let mut total = 0.0;
    for j in 0..out.len() {
        let mut z = 0.0;
        for k in 0..n {
            z += w[j * n + k] * x[k];
        }
        out[j] = z;
        total += z;
    }
    total
}

#[autodiff_reverse(d_uses_affine32, Duplicated, Duplicated, Active)]
fn uses_affine32(w: &[f32], x: &[f32]) -> f32 {
    let mut out = [0.0f32; 2];
    let total = affine32(w, x, &mut out);
    out[0] * out[1] + total
}

#[test]
fn f32_helper_with_skipped_outputs() {
    let w = [0.5f32, -1.0, 2.0, 0.25, 1.5, -0.5];
    let x = [1.0f32, 2.0, -1.0];
    let (mut dw, mut dx) = ([0.0f32; 6], [0.0f32; 3]);
    let y = d_uses_affine32(&w, &mut dw, &x, &mut dx, 1.0);
    assert_eq!(y, uses_affine32(&w, &x));
    // z0 = w0·x = -3.5, z1 = w1·x = 3.75; y = z0 z1 + z0 + z1
    let (z0, z1) = (-3.5f32, 3.75f32);
    for k in 0..3 {
        assert!((dw[k] - (z1 + 1.0) * x[k]).abs() < 1e-5);
        assert!((dw[3 + k] - (z0 + 1.0) * x[k]).abs() < 1e-5);
        let want = (z1 + 1.0) * w[k] + (z0 + 1.0) * w[3 + k];
        assert!((dx[k] - want).abs() < 1e-5);
    }
}

#[differentiable]
fn smooth_in_place(v: &mut [f64], a: f64) {
    for i in 1..v.len() {
        v[i] = v[i] * a + v[i - 1] * (1.0 - a);
    }
}

#[differentiable]
fn norm_after(v: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        v[i] = v[i].tanh();
        s += v[i] * v[i];
    }
    s
}

#[autodiff_reverse(d_in_place_chain, Duplicated, Active, Active)]
fn in_place_chain(x: &[f64], a: f64) -> f64 {
    let mut v = x.to_vec();
    smooth_in_place(&mut v, a);
    let s = norm_after(&mut v);
    s + v[0] * v[v.len() - 1]
}

#[test]
fn pullbacks_of_in_place_helpers() {
    for p in [
        [0.3, -0.7, 1.1, 0.4],
        [0.0, 0.0, 0.0, 0.5],
        [1.2, 0.8, -0.6, -0.9],
    ] {
        let f = |z: &[f64]| in_place_chain(&z[..3], z[3]);
        let g = |z: &[f64], d: &mut [f64]| {
            let (dx, da) = d.split_at_mut(3);
            let (y, a) = d_in_place_chain(&z[..3], dx, z[3], 1.0);
            assert_eq!(y, in_place_chain(&z[..3], z[3]));
            da[0] += a;
        };
        if let Err(e) = gradcheck(f, g, &p) {
            panic!("at {p:?}: {e:?}");
        }
    }
}

// Associated functions and methods called by path, writing `&mut` outputs: one output is
// overwritten (the pullback neither reads nor writes it, so the caller records nothing),
// the other is accumulated into (the pullback reads its old value: recorded).
struct Stepper {
    rate: f64,
}

impl Stepper {
    #[differentiable]
    fn rhs(&self, u: &[f64], du: &mut [f64]) {
        du[0] = self.rate * u[0] * u[1];
        du[1] = -u[0];
    }

    #[differentiable]
    fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
        for i in 0..y.len() {
            y[i] += a * x[i];
        }
    }
}

#[autodiff_reverse(d_stepped, Const, Duplicated, Active, Active)]
fn stepped(s: &Stepper, u0: &[f64], h: f64) -> f64 {
    let mut u = [u0[0], u0[1]];
    let mut k = [0.0; 2];
    for _ in 0..3 {
        Stepper::rhs(s, &u, &mut k);
        Stepper::axpy(h, &k, &mut u);
        s.rhs(&u, &mut k);
        Stepper::axpy(0.5 * h, &k, &mut u);
    }
    u[0] * u[1]
}

#[test]
fn path_calls_with_recorded_and_unrecorded_outputs() {
    let s = Stepper { rate: 0.7 };
    for p in [[1.0, 0.5, 0.1], [0.0, 1.0, 0.2], [-0.5, 2.0, 0.0]] {
        gradcheck(
            |z| stepped(&s, &z[..2], z[2]),
            |z, g| {
                let (gu, gh) = g.split_at_mut(2);
                let (y, dh) = d_stepped(&s, &z[..2], gu, z[2], 1.0);
                assert_eq!(y, stepped(&s, &z[..2], z[2]));
                gh[0] += dh;
            },
            &p,
        )
        .unwrap();
    }
}

// Functions generic over the float type (`T: cotangent::Real`), helper and caller, at
// `f64` and `f32`.
#[differentiable]
fn sum_of_squares<T: cotangent::Real>(x: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[autodiff_reverse(d_generic_energy, Duplicated, Active)]
fn generic_energy<T: cotangent::Real>(x: &[T]) -> T {
    let mut p = T::ONE;
    for v in x {
        p = p * *v;
    }
    let half = T::ONE / (T::ONE + T::ONE);
    p + sum_of_squares(x) * half
}

#[test]
fn generic_float_functions() {
    for p in [[1.0, 2.0, 3.0], [0.0, -1.5, 0.5], [0.3, 0.7, -2.0]] {
        gradcheck(
            generic_energy::<f64>,
            |x, dx| {
                assert_eq!(d_generic_energy(x, dx, 1.0), generic_energy(x));
            },
            &p,
        )
        .unwrap();
    }
    // y = x0 x1 x2 + (x0^2 + x1^2 + x2^2) / 2, exact in f32 at small integers
    let mut dx = [0.0f32; 3];
    let y = d_generic_energy(&[1.0f32, 2.0, 3.0], &mut dx, 1.0);
    assert_eq!(y, 6.0 + 7.0);
    assert_eq!(dx, [6.0 + 1.0, 3.0 + 2.0, 2.0 + 3.0]);
}

// A by-value `Const` configuration struct, and a `Const` `&self` calling plain methods and
// integer-only `Vec` methods: the hidden pullbacks keep what the user declared `Const`.
#[derive(Clone, Copy)]
struct Config {
    scale: f64,
    repeats: usize,
}

struct Scaler2 {
    k: f64,
}

impl Scaler2 {
    fn factor(&self) -> f64 {
        2.0 * self.k
    }

    #[autodiff_reverse(d_apply, Const, Active, Const, Active)]
    fn apply(&self, x: f64, cfg: Config) -> f64 {
        let mut picked = Vec::new();
        for i in 0..cfg.repeats {
            if i % 2 == 0 {
                picked.push(i);
            }
        }
        let mut s = 0.0;
        for k in 0..picked.len() {
            s += (x * cfg.scale * self.factor()).sin() * (picked[k] as f64 + 1.0);
        }
        s
    }
}

#[test]
fn const_struct_and_const_self_with_plain_methods() {
    let m = Scaler2 { k: 0.75 };
    let cfg = Config {
        scale: 0.5,
        repeats: 5,
    };
    for x in [0.0, 0.4, -1.3] {
        let (y, dx) = m.d_apply(x, cfg, 1.0);
        assert_eq!(y, m.apply(x, cfg));
        // s = sin(0.75 x) (1 + 3 + 5)
        let exact = 9.0 * 0.75 * (0.75 * x).cos();
        assert!((dx - exact).abs() < 1e-12, "{dx} vs {exact}");
    }
}

/// A `#[differentiable]` helper calls an `#[autodiff_reverse]` function whose slice
/// parameter was declared `Const` there: the helper lists its activities so that it
/// never asks for a pullback differentiating that parameter.
#[autodiff_reverse(d_weighted, Duplicated, Const, Active)]
fn weighted(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += (w[i] * x[i]).sin();
    }
    s
}

#[differentiable(Duplicated, Const)]
fn weighted_twice(w: &[f64], x: &[f64]) -> f64 {
    weighted(w, x) * weighted(w, x).cos()
}

#[autodiff_reverse(d_through_const, Duplicated, Const, Active)]
fn through_const(w: &[f64], x: &[f64]) -> f64 {
    weighted_twice(w, x)
}

#[test]
fn const_data_of_an_adjoint_called_from_a_helper() {
    let x = [0.5, -1.0];
    for w in [[2.0, 0.3], [0.0, 1.0]] {
        gradcheck(
            |w| through_const(w, &x),
            |w, dw| {
                assert_eq!(
                    d_through_const(w, dw, &x, 1.0).to_bits(),
                    through_const(w, &x).to_bits()
                )
            },
            &w,
        )
        .unwrap();
    }
    // The public adjoint keeps its declared convention: no shadow for `x`.
    let mut dw = [0.0; 2];
    let _ = d_weighted(&[1.0, 2.0], &mut dw, &[0.0, 0.0], 1.0);
    assert_eq!(dw, [0.0, 0.0]);
}

/// A reduction whose sum type comes only from the place it is stored into: the pullback
/// that skips the sum (`x` inactive) must still type it.
#[differentiable]
fn sq_sum_into(x: &[f64], out: &mut [f64]) {
    out[0] = x.iter().map(|v| v * v).sum();
}

#[autodiff_reverse(d_sums, Duplicated, Const, Active)]
fn sums(x: &[f64], c: &[f64]) -> f64 {
    let mut o = [0.0; 2];
    sq_sum_into(x, &mut o[..1]);
    sq_sum_into(c, &mut o[1..]);
    o[0] * o[1] + o[0].sin()
}

#[test]
fn untyped_sum_into_a_place() {
    let c = [0.5, -1.5];
    for p in [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]] {
        gradcheck(
            |v| sums(v, &c),
            |v, dv| assert_eq!(d_sums(v, dv, &c, 1.0).to_bits(), sums(v, &c).to_bits()),
            &p,
        )
        .unwrap();
    }
}

struct Net {
    first: Box<Layer>,
    scale: f64,
}

impl Net {
    // Methods reached through `&mut self` and through a `Box` field: the caller's
    // fallback for unmarked helpers (README, "Calls") must not shadow `Layer::pre`.
    #[autodiff_reverse(d_run, Const, Duplicated, Active)]
    fn run(&mut self, x: &[f64]) -> f64 {
        self.first.pre(x) * self.scale
    }
}

#[test]
fn methods_through_a_box_and_mut_self() {
    let mut net = Net {
        first: Box::new(Layer {
            w: vec![0.5, -0.25, 1.0],
            b: 0.1,
        }),
        scale: 1.5,
    };
    for p in [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]] {
        let mut dx = [0.0; 3];
        net.d_run(&p, &mut dx, 1.0);
        let fd: Vec<f64> = (0..3)
            .map(|i| {
                let (mut a, mut b) = (p, p);
                a[i] += 1e-6;
                b[i] -= 1e-6;
                (net.run(&a) - net.run(&b)) / 2e-6
            })
            .collect();
        for i in 0..3 {
            assert!((dx[i] - fd[i]).abs() < 1e-6, "{dx:?} vs {fd:?}");
        }
    }
}
