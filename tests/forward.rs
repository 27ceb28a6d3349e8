//! `#[autodiff_forward]`, width 1: directional derivatives against central finite
//! differences of the untouched primal (several directions, inputs that flip branches and
//! zeros), exact values where known, the primal bit for bit, and `&mut` tangents
//! overwritten with the tangent of the final value.

// Some functions are called through their derivative only.
#![allow(dead_code, clippy::needless_range_loop)]

mod common;

use common::assert_bits;
use cotangent::autodiff_forward;

/// Central differences of `f` at `x` in direction `v`.
fn fd(f: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    let at = |s: f64| -> Vec<f64> { x.iter().zip(v).map(|(a, b)| a + s * h * b).collect() };
    let (p, m) = (f(&at(1.0)), f(&at(-1.0)));
    p.iter().zip(&m).map(|(p, m)| (p - m) / (2.0 * h)).collect()
}

/// Directions for `n` inputs: each unit vector, all ones, and an irregular one.
fn directions(n: usize) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = (0..n)
        .map(|k| (0..n).map(|j| f64::from(u8::from(j == k))).collect())
        .collect();
    out.push(vec![1.0; n]);
    out.push(
        (0..n)
            .map(|j| 0.3 - 0.7 * (j as f64) + 0.1 * (j * j) as f64)
            .collect(),
    );
    out
}

/// `jvp(x, v)` gives `(primal, tangent)`: the primal is `f`'s bit for bit and the
/// tangent matches central differences in every direction at every point.
#[track_caller]
fn check(
    points: &[&[f64]],
    f: impl Fn(&[f64]) -> Vec<f64>,
    jvp: impl Fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>),
) {
    for &x in points {
        for v in directions(x.len()) {
            let (y, t) = jvp(x, &v);
            let want = f(x);
            assert_eq!(y.len(), want.len());
            for (a, b) in y.iter().zip(&want) {
                assert_bits(*a, *b);
            }
            let num = fd(&f, x, &v);
            for (k, (t, n)) in t.iter().zip(&num).enumerate() {
                assert!(
                    (t - n).abs() <= 1e-5 * (1.0 + n.abs()),
                    "output {k} at x = {x:?}, v = {v:?}: tangent {t}, finite differences {n}"
                );
            }
        }
    }
}

// ---- scalars ----

#[autodiff_forward(d_scalar, Dual, Dual, Dual)]
fn scalar(x: f64, y: f64) -> f64 {
    let a = (x * y).exp() / (1.0 + x * x);
    let b = y.powi(3) - x.max(y) + x.atan2(y);
    a + b * x.cos() - (x - y).abs()
}

#[test]
fn scalars() {
    check(
        &[
            &[0.3, 0.7],
            &[0.7, 0.3],
            &[-1.2, 0.4],
            &[0.0, 0.5],
            &[1.5, -0.2],
        ],
        |p| vec![scalar(p[0], p[1])],
        |p, v| {
            let (y, t) = d_scalar(p[0], v[0], p[1], v[1]);
            (vec![y], vec![t])
        },
    );
}

#[autodiff_forward(d_sin_x, Dual, Const, Dual)]
fn sin_scaled(x: f64, c: f64) -> f64 {
    c * x.sin()
}

#[test]
fn exact_values_and_const_parameters() {
    let (y, t) = d_sin_x(0.5, 1.0, 3.0);
    assert_bits(y, sin_scaled(0.5, 3.0));
    assert_eq!(t, 3.0 * 0.5f64.cos());
    // Linear in the tangent, zero for a zero tangent.
    assert_eq!(d_sin_x(0.5, 2.0, 3.0).1, 2.0 * t);
    assert_eq!(d_sin_x(0.5, 0.0, 3.0).1, 0.0);
}

#[autodiff_forward(d_only, Dual, DualOnly)]
fn only(x: f64) -> f64 {
    x * x * x
}

#[autodiff_forward(d_const_ret, Dual, Const)]
fn const_ret(x: f64) -> f64 {
    x * 2.0
}

#[autodiff_forward(d_ignores, Dual, Dual, Dual)]
fn ignores(x: f64, c: f64) -> f64 {
    let _ = x;
    c * 2.0
}

#[test]
fn return_activities() {
    assert_eq!(d_only(2.0, 1.0), 12.0);
    assert_eq!(d_const_ret(2.0, 1.0), 4.0);
    // A result that does not depend on the `Dual` inputs has tangent +0.
    let (y, t) = d_ignores(1.0, 1.0, 3.0, 0.0);
    assert_eq!((y, t.to_bits()), (6.0, 0.0f64.to_bits()));
}

// ---- slices and arrays ----

#[autodiff_forward(d_loss, Dual, Dual, Const, Dual)]
fn loss(w: &[f64], b: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let z = w[i] * x[i] + b[i];
        s += z.tanh();
    }
    s
}

#[test]
fn slices() {
    let x = [0.5, -1.0, 2.0];
    check(
        &[
            &[0.1, 0.2, 0.3, 0.0, 0.0, 0.0],
            &[-1.0, 2.0, 0.5, 0.3, -0.3, 1.0],
        ],
        |p| vec![loss(&p[..3], &p[3..], &x)],
        |p, v| {
            let (y, t) = d_loss(&p[..3], &v[..3], &p[3..], &v[3..], &x);
            (vec![y], vec![t])
        },
    );
}

#[autodiff_forward(d_rotate, Dual, Dual, Dual)]
fn rotate(p: [f64; 2], th: f64) -> [f64; 2] {
    let (c, s) = (th.cos(), th.sin());
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

#[test]
fn arrays() {
    check(
        &[&[1.0, 0.0, 0.0], &[0.3, -2.0, 1.1]],
        |q| rotate([q[0], q[1]], q[2]).to_vec(),
        |q, v| {
            let (y, t) = d_rotate([q[0], q[1]], [v[0], v[1]], q[2], v[2]);
            (y.to_vec(), t.to_vec())
        },
    );
    // Exact: d/dth of a rotation of (1, 0) at 0 is (0, 1).
    assert_eq!(d_rotate([1.0, 0.0], [0.0, 0.0], 0.0, 1.0).1, [-0.0, 1.0]);
}

// ---- &mut outputs: the tangent is overwritten with the tangent of the final value ----

#[autodiff_forward(d_update, Dual, Dual, Dual)]
fn update(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] = a * x[i] + y[i].sin();
    }
}

#[test]
fn mut_outputs_carry_the_initial_tangent_in() {
    // Inputs (a, x[3], y0[3]) -> y_final[3]: the tangent buffer of y holds the initial
    // value's tangent on entry and the final value's on exit.
    let f = |p: &[f64]| {
        let mut y = p[4..].to_vec();
        update(p[0], &p[1..4], &mut y);
        y
    };
    check(
        &[
            &[0.5, 1.0, -2.0, 0.3, 0.1, 0.2, -0.7],
            &[-1.5, 0.0, 0.0, 2.0, 1.0, 0.0, 3.0],
        ],
        f,
        |p, v| {
            let mut y = p[4..].to_vec();
            let mut dy = v[4..].to_vec();
            d_update(p[0], v[0], &p[1..4], &v[1..4], &mut y, &mut dy);
            (y, dy)
        },
    );
}

#[autodiff_forward(d_fill, Dual, Dual)]
fn fill(x: &[f64], out: &mut [f64]) {
    out[0] = x[0] * x[1];
    out[1] = 2.0;
    out[2] = x[1].exp();
}

#[test]
fn mut_outputs_are_overwritten_not_added_to() {
    let x = [2.0, 0.5];
    let mut out = [0.0; 4];
    // Meaningful garbage: a tangent of the initial value, overwritten where written.
    let mut dout = [100.0, 200.0, 300.0, 400.0];
    d_fill(&x, &[1.0, 0.0], &mut out, &mut dout);
    assert_eq!(out, [1.0, 2.0, 0.5f64.exp(), 0.0]);
    // out[1] = 2.0 has tangent 0; out[3] is never written: it keeps its tangent.
    assert_eq!(dout, [0.5, 0.0, 0.0, 400.0]);
    let mut dout = [100.0, 200.0, 300.0, 400.0];
    d_fill(&x, &[0.0, 1.0], &mut out, &mut dout);
    assert_eq!(dout, [2.0, 0.0, 0.5f64.exp(), 400.0]);
}

#[autodiff_forward(d_scale_in_place, Const, Dual, Dual)]
fn scale_in_place(k: usize, x: &mut [f64; 3], s: f64) {
    x[k] *= s;
    x[k] = x[k] * x[k];
}

#[test]
fn in_place_updates() {
    let mut x = [1.0, 3.0, 5.0];
    let mut dx = [0.1, 0.2, 0.3];
    d_scale_in_place(1, &mut x, &mut dx, 2.0, 1.0);
    assert_eq!(x, [1.0, 36.0, 5.0]);
    // x1' = (3 s)^2: d = 2 (3 s) (0.2 s + 3 ds) = 2 * 6 * (0.4 + 3)
    assert_eq!(dx, [0.1, 2.0 * 6.0 * (0.4 + 3.0), 0.3]);
}

// ---- control flow ----

#[autodiff_forward(d_newton_sqrt, Dual, Dual)]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    let mut k = 0;
    while (x * x - a).abs() > 1e-14 * a && k < 60 {
        x = 0.5 * (x + a / x);
        k += 1;
    }
    x
}

#[autodiff_forward(d_grow, Dual, Dual)]
fn grow(x: f64) -> f64 {
    let mut s = x;
    while s < 10.0 {
        s = s * 1.5 + 0.1;
    }
    s
}

#[test]
fn while_with_data_dependent_exit() {
    for a in [0.5, 2.0, 9.0, 100.0] {
        let (y, t) = d_newton_sqrt(a, 1.0);
        assert_bits(y, newton_sqrt(a));
        assert!((t - 0.5 / a.sqrt()).abs() < 1e-9, "{a}: {t}");
    }
    check(
        &[&[0.5], &[1.0], &[3.0], &[9.95], &[12.0]],
        |p| vec![grow(p[0])],
        |p, v| {
            let (y, t) = d_grow(p[0], v[0]);
            (vec![y], vec![t])
        },
    );
}

#[autodiff_forward(d_early, Dual, Dual)]
fn early(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] < 0.0 {
            return s * x[i];
        }
        s += x[i] * x[i];
    }
    s.sqrt()
}

#[autodiff_forward(d_first_big, Dual, Dual)]
fn first_big(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut p = 1.0;
    loop {
        p *= x[i];
        if p > 4.0 || i + 1 == x.len() {
            break;
        }
        i += 1;
    }
    p.ln()
}

#[test]
fn early_exits() {
    check(
        &[
            &[1.0, 2.0, 3.0],
            &[1.0, -2.0, 3.0],
            &[-0.5, 1.0, 1.0],
            &[0.5, 1e-3, -2.0],
        ],
        |x| vec![early(x)],
        |x, v| {
            let (y, t) = d_early(x, v);
            (vec![y], vec![t])
        },
    );
    check(
        &[&[1.0, 2.0, 3.0], &[3.0, 0.5, 1.0], &[5.0, 1.0, 1.0]],
        |x| vec![first_big(x)],
        |x, v| {
            let (y, t) = d_first_big(x, v);
            (vec![y], vec![t])
        },
    );
}

#[autodiff_forward(d_piecewise, Dual, Const, Dual)]
fn piecewise(x: f64, k: usize) -> f64 {
    let y = match k {
        0 => x.sin(),
        1 | 2 => x * x,
        _ => x.exp(),
    };
    // Continuous at the switch: 1 + ln(1) = 1.
    if y > 1.0 {
        1.0 + y.ln()
    } else {
        y
    }
}

#[test]
fn match_and_branches() {
    for k in 0..4 {
        check(
            &[&[0.3], &[1.2], &[-0.4], &[0.0], &[2.0]],
            |p| vec![piecewise(p[0], k)],
            |p, v| {
                let (y, t) = d_piecewise(p[0], v[0], k);
                (vec![y], vec![t])
            },
        );
    }
}

// ---- iterators ----

#[autodiff_forward(d_iters, Dual, Dual, Dual)]
fn iters(x: &[f64], y: &[f64]) -> f64 {
    let sq: f64 = x.iter().map(|v| v * v).sum();
    let dot: f64 = x.iter().zip(y.iter()).map(|(a, b)| a * b).sum();
    let prod = y.iter().fold(1.0, |acc, v| acc * v.cos());
    let mut m = 0.0;
    for (i, v) in x.iter().enumerate() {
        m += (i as f64 + 1.0) * v.sin();
    }
    sq * dot + prod - m
}

#[test]
fn iterators() {
    check(
        &[
            &[0.1, 0.2, 0.3, 1.0, -1.0, 0.5],
            &[2.0, -0.5, 0.0, 0.0, 0.0, 0.0],
        ],
        |p| vec![iters(&p[..3], &p[3..])],
        |p, v| {
            let (y, t) = d_iters(&p[..3], &v[..3], &p[3..], &v[3..]);
            (vec![y], vec![t])
        },
    );
}

// ---- local Vec, tuples, closures ----

#[autodiff_forward(d_cumulative, Dual, Dual)]
fn cumulative(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
        v.push(s * s);
    }
    let mut t = 0.0;
    for k in 0..v.len() {
        t += v[k].ln_1p();
    }
    t
}

#[allow(clippy::useless_vec)] // a local `vec![..]` on purpose
#[autodiff_forward(d_tuples, Dual, Dual, Dual)]
fn tuples(x: f64, w: &[f64]) -> f64 {
    let (a, mut b) = (x * 2.0, x + w[0]);
    b *= w[1];
    let scale = |v: f64| v * a;
    let h = vec![scale(b), w[2] * a];
    h[0] + h[1].tanh()
}

#[test]
fn vec_tuples_and_closures() {
    check(
        &[&[0.5, -1.0, 2.0], &[0.0, 0.0, 0.0]],
        |x| vec![cumulative(x)],
        |x, v| {
            let (y, t) = d_cumulative(x, v);
            (vec![y], vec![t])
        },
    );
    check(
        &[&[0.5, -1.0, 2.0, 0.7], &[0.0, 1.0, 0.0, -3.0]],
        |p| vec![tuples(p[0], &p[1..])],
        |p, v| {
            let (y, t) = d_tuples(p[0], v[0], &p[1..], &v[1..]);
            (vec![y], vec![t])
        },
    );
}

// ---- f32, methods, generics ----

#[autodiff_forward(d_single, Dual, Dual, Dual)]
fn single(x: f32, w: &[f32]) -> f32 {
    let mut s = 0.0f32;
    for i in 0..w.len() {
        s += (w[i] * x).sin();
    }
    s
}

#[test]
fn f32_values() {
    let w = [1.0f32, 2.0, 3.0];
    let (y, t) = d_single(0.5, 1.0, &w, &[0.0; 3]);
    assert_eq!(y.to_bits(), single(0.5, &w).to_bits());
    let exact: f32 = w.iter().map(|w| w * (w * 0.5).cos()).sum();
    assert!((t - exact).abs() < 1e-5);
}

struct Model {
    w: Vec<f64>,
    bias: f64,
}

impl Model {
    #[autodiff_forward(d_predict, Const, Dual, Dual)]
    fn predict(&self, x: &[f64]) -> f64 {
        let mut s = self.bias;
        for i in 0..x.len() {
            s += self.w[i] * x[i].tanh();
        }
        s
    }
}

#[allow(clippy::assign_op_pattern)] // `Real` has the operators, not `+=`
#[autodiff_forward(d_generic, Dual, Dual)]
fn generic<T: cotangent::Real>(x: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..x.len() {
        s = s + x[i] * x[i] * x[i];
    }
    s
}

#[test]
fn methods_and_generics() {
    let m = Model {
        w: vec![0.5, -1.0, 2.0],
        bias: 0.25,
    };
    check(
        &[&[0.5, -1.0, 2.0], &[0.0, 0.0, 0.0]],
        |x| vec![m.predict(x)],
        |x, v| {
            let (y, t) = m.d_predict(x, v);
            (vec![y], vec![t])
        },
    );
    let (y, t) = d_generic(&[1.0f64, 2.0], &[1.0, 1.0]);
    assert_eq!((y, t), (9.0, 15.0));
    let (y, t) = d_generic(&[1.0f32, 2.0], &[0.0, 1.0]);
    assert_eq!((y, t), (9.0, 12.0));
}

// ---- corners ----

#[autodiff_forward(d_scratch, Dual, Const, Dual)]
fn scratch(x: f64, buf: &mut [f64]) -> f64 {
    // A `Const` buffer that holds values derived from `x`: its tangent is local.
    buf[0] = x * x;
    buf[1] = buf[0].sin();
    buf[1] + buf[0]
}

#[autodiff_forward(d_dual_only_out, DualOnly, DualOnly)]
fn dual_only_out(x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] = x[i].exp();
    }
}

#[autodiff_forward(d_nested, Dual, Dual)]
fn nested(x: &[f64]) -> f64 {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for i in 0..x.len() {
        let mut row = Vec::new();
        for j in 0..=i {
            row.push(x[i] * x[j]);
        }
        rows.push(row);
    }
    let relu = |v: f64| v.max(0.0);
    let mut s = 0.0;
    for r in &rows {
        for v in r.iter() {
            s += relu(*v - 0.1);
        }
    }
    s
}

#[test]
fn const_buffers_dual_only_and_nested_vecs() {
    let mut buf = [0.0; 2];
    let (y, t) = d_scratch(0.5, 1.0, &mut buf);
    assert_bits(y, scratch(0.5, &mut [0.0; 2]));
    assert!((t - (2.0 * 0.5 * (0.25f64.cos() + 1.0))).abs() < 1e-15);
    // DualOnly on a `&mut` argument: the primal buffer holds the result as with `Dual`.
    let (mut y, mut dy) = ([0.0; 2], [9.0; 2]);
    d_dual_only_out(&[0.0, 1.0], &[1.0, 2.0], &mut y, &mut dy);
    assert_eq!(y, [1.0, 1.0f64.exp()]);
    assert_eq!(dy, [1.0, 2.0 * 1.0f64.exp()]);
    check(
        &[&[0.5, -1.0, 2.0], &[0.3, 0.4, 0.05]],
        |x| vec![nested(x)],
        |x, v| {
            let (y, t) = d_nested(x, v);
            (vec![y], vec![t])
        },
    );
}

#[derive(Clone)]
struct Layer {
    w: [f64; 3],
    b: f64,
    n: usize,
}

impl Layer {
    /// `&self` as `Dual`: its tangent is a `Layer` of the fields' tangents.
    #[autodiff_forward(d_out, Dual, Dual, Dual)]
    fn out(&self, x: &[f64]) -> f64 {
        let mut s = self.b;
        for i in 0..self.n {
            s += (self.w[i] * x[i]).tanh();
        }
        s * self.n as f64
    }
}

#[test]
fn dual_self() {
    let l = Layer {
        w: [0.5, -1.0, 2.0],
        b: 0.1,
        n: 3,
    };
    let x = [0.3, 0.2, -0.4];
    // Direction: w0 and b; the integer field of the tangent is ignored.
    let dl = Layer {
        w: [1.0, 0.0, 0.0],
        b: 1.0,
        n: 0,
    };
    let (y, t) = l.d_out(&dl, &x, &[0.0; 3]);
    assert_bits(y, l.out(&x));
    let exact = 3.0 * (1.0 + 0.3 / (0.5f64 * 0.3).cosh().powi(2));
    assert!((t - exact).abs() < 1e-12, "{t} vs {exact}");
}
