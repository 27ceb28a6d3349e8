//! Forward mode through calls: helpers marked `#[differentiable(forward)]` get hidden
//! forward derivatives, generic over the width, which forward-mode callers call with the
//! tangents of the arguments that carry one.

#![allow(dead_code, clippy::needless_range_loop)]

use cotangent::{autodiff_forward, autodiff_reverse, differentiable};

#[differentiable(forward)]
fn softsq(x: f64, c: f64) -> f64 {
    (x * c).tanh() * x
}

#[differentiable(forward)]
fn dense(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for j in 0..out.len() {
        let mut s = 0.0;
        for i in 0..n {
            s += w[j * n + i] * x[i];
        }
        out[j] = s.tanh();
    }
}

#[differentiable(forward)]
fn norm2(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[differentiable(forward, Duplicated)]
fn outer(x: &[f64]) -> f64 {
    norm2(x).sqrt()
}

#[autodiff_forward(f_net, Dual, Dual, Dual)]
#[autodiff_forward(f_net2, 2, Dual, Dual, Dual)]
#[autodiff_reverse(r_net, Duplicated, Duplicated, Active)]
fn net(w: &[f64], x: &[f64]) -> f64 {
    let mut h = vec![0.0; 2];
    dense(w, x, &mut h);
    let a = softsq(h[0], 0.5) + softsq(1.5, h[1]);
    a + norm2(&h[..1]) + outer(&x[1..])
}

const W: [f64; 6] = [0.1, -0.2, 0.3, 0.5, 0.4, -0.6];
const X: [f64; 3] = [1.0, 2.0, -0.5];

#[test]
fn through_helpers_matches_reverse_mode() {
    let (mut gw, mut gx) = ([0.0; 6], [0.0; 3]);
    let y = r_net(&W, &mut gw, &X, &mut gx, 1.0);
    let dirs: [([f64; 6], [f64; 3]); 3] = [
        ([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0; 3]),
        ([0.0; 6], [0.0, 1.0, 0.0]),
        ([0.3, -0.1, 0.2, 1.0, -2.0, 0.5], [0.7, -0.4, 1.1]),
    ];
    for (vw, vx) in dirs {
        let (y1, t) = f_net(&W, &vw, &X, &vx);
        assert_eq!(y1.to_bits(), y.to_bits());
        assert_eq!(y1.to_bits(), net(&W, &X).to_bits());
        let dot: f64 =
            (0..6).map(|i| vw[i] * gw[i]).sum::<f64>() + (0..3).map(|i| vx[i] * gx[i]).sum::<f64>();
        assert!((t - dot).abs() < 1e-12 * (1.0 + dot.abs()), "{t} vs {dot}");
    }
    let [_, t0, t1] = f_net2(&W, &dirs[0].0, &dirs[2].0, &X, &dirs[0].1, &dirs[2].1);
    assert_eq!(t0, f_net(&W, &dirs[0].0, &X, &dirs[0].1).1);
    assert_eq!(t1, f_net(&W, &dirs[2].0, &X, &dirs[2].1).1);
}

#[test]
fn through_helpers_matches_finite_differences() {
    let h = 1e-6;
    let v = [0.3, -0.1, 0.2, 1.0, -2.0, 0.5, 0.7, -0.4, 1.1];
    let at = |s: f64| {
        let p: Vec<f64> = W
            .iter()
            .chain(&X)
            .zip(&v)
            .map(|(a, b)| a + s * h * b)
            .collect();
        net(&p[..6], &p[6..])
    };
    let fd = (at(1.0) - at(-1.0)) / (2.0 * h);
    let (_, t) = f_net(&W, &v[..6], &X, &v[6..]);
    assert!((t - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{t} vs {fd}");
}

// ---- sub-slices, &mut outputs, nested and generic helpers, methods, loops ----

#[differentiable(forward)]
fn axpy_into(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += a * x[i];
    }
}

#[differentiable(forward)]
fn energy(x: &[f64]) -> f64 {
    // A helper calling a helper.
    let n = norm2(x);
    n * n.sqrt()
}

#[differentiable(forward)]
fn gsq<T: cotangent::Real>(x: T, y: T) -> T {
    x * x * y
}

struct Scaler {
    k: f64,
}

impl Scaler {
    #[differentiable(forward)]
    fn apply(&self, x: f64) -> f64 {
        self.k * x.sin()
    }

    #[autodiff_forward(d_run, Const, Dual, Dual)]
    #[autodiff_forward(d_run4, 4, Const, Dual, Dual)]
    fn run(&self, x: &[f64]) -> f64 {
        let mut buf = vec![0.0; x.len()];
        for i in 0..x.len() {
            buf[i] = self.apply(x[i]);
        }
        // The second half accumulates the first: sub-slices in and out.
        let h = x.len() / 2;
        let lo = buf[..h].to_vec();
        axpy_into(x[0], &lo, &mut buf[h..2 * h]);
        energy(&buf[h..]) + gsq(buf[0], x[1])
    }
}

#[test]
fn sub_slices_outputs_nested_generic_and_methods() {
    let s = Scaler { k: 1.5 };
    let x = [0.3, -0.8, 1.2, 0.5];
    let h = 1e-6;
    let dirs = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.2, -0.3, 0.5, 1.0],
        [0.0; 4],
    ];
    let mut ts = [0.0; 4];
    for (k, v) in dirs.iter().enumerate() {
        let at = |e: f64| {
            let p: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + e * h * b).collect();
            s.run(&p)
        };
        let fd = (at(1.0) - at(-1.0)) / (2.0 * h);
        let (y, t) = s.d_run(&x, v);
        assert_eq!(y.to_bits(), s.run(&x).to_bits());
        assert!(
            (t - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{v:?}: {t} vs {fd}"
        );
        ts[k] = t;
    }
    let [y, t0, t1, t2, t3] = s.d_run4(&x, &dirs[0], &dirs[1], &dirs[2], &dirs[3]);
    assert_eq!(y.to_bits(), s.run(&x).to_bits());
    assert_eq!([t0, t1, t2, t3], ts);
    assert_eq!(t3, 0.0);
}

// ---- found by putting #[autodiff_forward] on the reverse-mode test suites ----

#[differentiable(forward)]
fn dot_loop(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

/// A `&mut` parameter passed on to a helper that reads it through `&`.
#[autodiff_forward(f_rnn, Dual, Dual, Const, Dual)]
fn rnn(w: &[f64], h: &mut [f64], steps: usize) -> f64 {
    for _ in 0..steps {
        let g = dot_loop(w, h);
        for j in 0..h.len() {
            h[j] = (g + h[j]).tanh();
        }
    }
    h.iter().sum()
}

#[derive(Clone)]
struct Particle {
    z: f64,
    id: usize,
}

/// An integer field of a `Dual` value, cast to a float: it carries no derivative.
#[autodiff_forward(f_particles, Dual, Dual)]
fn particles(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for p in ps {
        let w = (p.id + 1) as f64;
        e += w * (p.z * p.id as f64).sin();
    }
    e
}

#[test]
fn mut_parameters_passed_on_and_integer_fields() {
    let h = 1e-6;
    let (w, h0, dw, dh0) = ([0.7, -0.3], [2.0, 0.5], [0.1, 1.0], [-0.5, 0.3]);
    let run = |e: f64| {
        let w1 = [w[0] + e * h * dw[0], w[1] + e * h * dw[1]];
        let mut s = [h0[0] + e * h * dh0[0], h0[1] + e * h * dh0[1]];
        rnn(&w1, &mut s, 3)
    };
    let fd = (run(1.0) - run(-1.0)) / (2.0 * h);
    let (mut s, mut ds) = (h0, dh0);
    let (_, t) = f_rnn(&w, &dw, &mut s, &mut ds, 3);
    assert!((t - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{t} vs {fd}");
    let ps = [Particle { z: 0.5, id: 1 }, Particle { z: -1.0, id: 2 }];
    // The tangent's integer fields are whatever the caller passes: ignored.
    let dps = [Particle { z: 1.0, id: 7 }, Particle { z: 0.0, id: 9 }];
    let (y, t) = f_particles(&ps, &dps);
    assert_eq!(y.to_bits(), particles(&ps).to_bits());
    assert_eq!(t, 2.0 * 0.5f64.cos());
}

/// Six scalars: 64 patterns, so one full forward derivative and thin wrappers.
#[differentiable(forward)]
fn pair(x1: f64, y1: f64, z1: f64, x2: f64, y2: f64, z2: f64) -> f64 {
    let r2 = (x1 - x2).powi(2) + (y1 - y2).powi(2) + (z1 - z2).powi(2);
    let s6 = (1.0 / r2).powi(3);
    4.0 * (s6 * s6 - s6)
}

#[differentiable(forward)]
fn shift_all(x: &[f64], out: &mut [f64], a: f64, b: f64, c: f64, d: f64) {
    for i in 0..x.len() {
        out[i] = x[i] * a + b * c - d;
    }
}

#[autodiff_forward(f_energy, Dual, Dual)]
#[autodiff_forward(f_energy2, 2, Dual, Dual)]
fn energy_of(p: &[f64]) -> f64 {
    // Different patterns of the same helper: all six, then the first three only.
    let mut out = vec![0.0; 2];
    shift_all(&p[..2], &mut out, p[0], 2.0, 1.5, p[1]);
    pair(p[0], p[1], p[2], p[3], p[4], p[5]) + pair(p[0], p[1], p[2], 1.0, 1.0, 1.0) + out[1]
}

#[test]
fn many_parameters_go_through_the_widest_derivative() {
    let p = [0.1, 0.2, 0.3, 1.2, 0.9, 1.1];
    let v = [0.5, -1.0, 0.3, 0.2, 0.0, -0.7];
    let h = 1e-7;
    let at = |e: f64| {
        let q: Vec<f64> = p.iter().zip(&v).map(|(a, b)| a + e * h * b).collect();
        energy_of(&q)
    };
    let fd = (at(1.0) - at(-1.0)) / (2.0 * h);
    let (y, t) = f_energy(&p, &v);
    assert_eq!(y.to_bits(), energy_of(&p).to_bits());
    assert!((t - fd).abs() < 1e-5 * (1.0 + fd.abs()), "{t} vs {fd}");
    let [_, t0, t1] = f_energy2(&p, &v, &[0.0; 6]);
    assert_eq!((t0, t1), (t, 0.0));
}

struct Kernel {
    w: Vec<f64>,
    c: f64,
}

impl Kernel {
    #[differentiable(forward)]
    fn kernel(&self, j: usize, x: &[f64]) -> f64 {
        (self.w[j] * x[j] - self.c).tanh()
    }

    /// `&self` `Dual`, and a helper method called on it.
    #[autodiff_forward(d_total, Dual, Dual, Dual)]
    fn total(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for j in 0..x.len() {
            s += self.w[j] * self.kernel(j, x);
        }
        s
    }
}

#[test]
fn methods_on_a_dual_self() {
    let k = Kernel {
        w: vec![0.5, -1.0, 2.0],
        c: 0.3,
    };
    let x = [0.2, 0.4, -0.6];
    let (dk, dx) = (
        Kernel {
            w: vec![1.0, 0.0, -0.5],
            c: 2.0,
        },
        [0.3, 0.0, 1.0],
    );
    let h = 1e-6;
    let at = |e: f64| {
        let k1 = Kernel {
            w: k.w.iter().zip(&dk.w).map(|(a, b)| a + e * h * b).collect(),
            c: k.c + e * h * dk.c,
        };
        let x1: Vec<f64> = x.iter().zip(&dx).map(|(a, b)| a + e * h * b).collect();
        k1.total(&x1)
    };
    let fd = (at(1.0) - at(-1.0)) / (2.0 * h);
    let (y, t) = k.d_total(&dk, &x, &dx);
    assert_eq!(y.to_bits(), k.total(&x).to_bits());
    assert!((t - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{t} vs {fd}");
}
