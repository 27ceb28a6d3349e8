//! `#[autodiff_forward(NAME, WIDTH, ..)]`: WIDTH tangents per `Dual` value in one pass,
//! checked lane by lane against the width-1 derivative (same function, same inputs), and
//! forward mode against reverse mode on the same functions: `jvp(v) == dot(v, grad)`.

#![allow(dead_code, clippy::needless_range_loop)]

use cotangent::{autodiff_forward, autodiff_reverse};

#[autodiff_forward(d_rosen, Dual, Dual)]
#[autodiff_forward(d_rosen2, 2, Dual, Dual)]
#[autodiff_forward(d_rosen4, 4, Dual, DualOnly)]
#[autodiff_reverse(g_rosen, Duplicated, Active)]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

const X: [f64; 4] = [0.5, -1.2, 1.0, 0.0];
const V: [[f64; 4]; 4] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.3, -0.5, 2.0, 1.0],
    [0.0, 0.0, 0.0, 1.0],
    [-1.0, 1.0, -1.0, 1.0],
];

#[test]
fn width_2_and_4_match_width_1() {
    let one: Vec<(f64, f64)> = V.iter().map(|v| d_rosen(&X, v)).collect();
    let [y, t0, t1] = d_rosen2(&X, &V[0], &V[1]);
    assert_eq!(y.to_bits(), rosen(&X).to_bits());
    assert_eq!([t0, t1], [one[0].1, one[1].1]);
    let t = d_rosen4(&X, &V[0], &V[1], &V[2], &V[3]);
    assert_eq!(t, [one[0].1, one[1].1, one[2].1, one[3].1]);
}

#[test]
fn jvp_is_vjp_transposed() {
    let mut g = [0.0; 4];
    let y = g_rosen(&X, &mut g, 1.0);
    for v in V {
        let (y1, t) = d_rosen(&X, &v);
        assert_eq!(y1.to_bits(), y.to_bits());
        let dot: f64 = v.iter().zip(&g).map(|(a, b)| a * b).sum();
        assert!((t - dot).abs() <= 1e-12 * (1.0 + dot.abs()), "{t} vs {dot}");
    }
}

#[autodiff_forward(d_polar, Dual, Dual, Dual)]
#[autodiff_forward(d_polar2, 2, Dual, Dual, Dual)]
fn polar(r: f64, th: f64) -> [f64; 2] {
    [r * th.cos(), r * th.sin()]
}

#[test]
fn width_with_scalars_and_arrays() {
    // Both columns of the Jacobian in one call.
    let [y, c0, c1] = d_polar2(2.0, 1.0, 0.0, 0.5, 0.0, 1.0);
    assert_eq!(y, polar(2.0, 0.5));
    assert_eq!(c0, d_polar(2.0, 1.0, 0.5, 0.0).1);
    assert_eq!(c1, d_polar(2.0, 0.0, 0.5, 1.0).1);
    assert_eq!(c0, [0.5f64.cos(), 0.5f64.sin()]);
}

#[autodiff_forward(d_step, Dual, Dual)]
#[autodiff_forward(d_step2, 2, Dual, Dual)]
fn step(h: f64, u: &mut [f64]) {
    let n = u.len();
    let mut prev = u[n - 1];
    for i in 0..n {
        let cur = u[i];
        u[i] = cur + h * (prev - cur).sin();
        prev = cur;
    }
}

#[test]
fn width_with_mut_outputs() {
    let u0 = [0.1, 0.5, -0.3];
    let (du_a, du_b) = ([1.0, 0.0, 2.0], [0.0, -1.0, 0.5]);
    let (mut u, mut a, mut b) = (u0, du_a, du_b);
    d_step2(0.2, 1.0, -2.0, &mut u, &mut a, &mut b);
    let (mut u1, mut a1) = (u0, du_a);
    d_step(0.2, 1.0, &mut u1, &mut a1);
    let (mut u2, mut b1) = (u0, du_b);
    d_step(0.2, -2.0, &mut u2, &mut b1);
    assert_eq!((u, a, b), (u1, a1, b1));
    let mut plain = u0;
    step(0.2, &mut plain);
    assert_eq!(u, plain);
}

// ---- JVP == VJP transposed on a set of functions ----

#[autodiff_forward(f_mix, Dual, Dual, Const, Dual)]
#[autodiff_reverse(r_mix, Duplicated, Active, Const, Active)]
fn mix(x: &[f64], a: f64, k: usize) -> f64 {
    let mut s = a;
    let mut i = 0;
    while i < x.len() {
        let t = match (i + k) % 3 {
            0 => x[i].exp() * a,
            1 => (x[i] * a).sin(),
            _ => x[i].max(a) / (1.0 + x[i] * x[i]),
        };
        if t > 2.0 {
            break;
        }
        s += t;
        i += 1;
    }
    s
}

#[autodiff_forward(f_softmax_dot, Dual, Dual, Dual)]
#[autodiff_reverse(r_softmax_dot, Duplicated, Duplicated, Active)]
fn softmax_dot(z: &[f64], w: &[f64]) -> f64 {
    let m = z.iter().fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let total: f64 = e.iter().sum();
    e.iter().zip(w.iter()).map(|(a, b)| a / total * b).sum()
}

#[test]
fn jvp_is_vjp_transposed_on_several_functions() {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    for k in 0..3 {
        for (x, a) in [([0.3, -0.2, 0.1], 0.7), ([1.0, 0.2, -2.0], -0.4)] {
            let mut gx = [0.0; 3];
            let (_, ga) = r_mix(&x, &mut gx, a, k, 1.0);
            for (v, va) in [([1.0, 0.0, 0.0], 0.0), ([0.5, -1.0, 2.0], 1.5)] {
                let (_, t) = f_mix(&x, &v, a, va, k);
                let dot: f64 = v.iter().zip(&gx).map(|(p, q)| p * q).sum::<f64>() + va * ga;
                assert!(close(t, dot), "k = {k}: {t} vs {dot}");
            }
        }
    }
    let (z, w) = ([0.2, 1.5, -0.3], [1.0, -2.0, 0.5]);
    let (mut gz, mut gw) = ([0.0; 3], [0.0; 3]);
    r_softmax_dot(&z, &mut gz, &w, &mut gw, 1.0);
    for (vz, vw) in [
        ([1.0, 0.0, 0.0], [0.0; 3]),
        ([0.3, 0.1, -0.7], [1.0, 2.0, 3.0]),
    ] {
        let (_, t) = f_softmax_dot(&z, &vz, &w, &vw);
        let dot: f64 = (0..3).map(|i| vz[i] * gz[i] + vw[i] * gw[i]).sum();
        assert!(close(t, dot), "{t} vs {dot}");
    }
}
