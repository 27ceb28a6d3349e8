//! Forward mode on the buffer and reference forms reverse mode supports: aliases,
//! sub-slices, `split_at`, `iter_mut`, `swap`, `copy_from_slice`, `fill`, `*out = ..`.

#![allow(dead_code, clippy::needless_range_loop, clippy::manual_memcpy)]

use cotangent::autodiff_forward;

#[autodiff_forward(d_forms, Dual, Dual)]
fn forms(x: &[f64], out: &mut [f64]) {
    let r = x;
    let (head, tail) = r.split_at(1);
    let mut u = vec![0.0; tail.len()];
    for (k, v) in u.iter_mut().enumerate() {
        *v = tail[k] * head[0];
    }
    let mut w = vec![1.0; u.len()];
    std::mem::swap(&mut u, &mut w);
    out.fill(0.0);
    out[..w.len()].copy_from_slice(&w);
    out.swap(0, 1);
    let s = &x[1..];
    out[2] += s[0].exp();
}

#[autodiff_forward(d_store_scalar, Dual, Dual)]
fn store_scalar(x: f64, out: &mut f64) {
    *out = *out * x + x.sin();
}

#[test]
fn buffer_forms() {
    let h = 1e-6;
    let (x, v) = ([0.5, 2.0, -1.0, 0.3], [1.0, -0.5, 0.25, 2.0]);
    let run = |e: f64| {
        let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + e * h * b).collect();
        let mut out = [7.0; 4];
        forms(&p, &mut out);
        out
    };
    let (p, m) = (run(1.0), run(-1.0));
    let mut out = [7.0; 4];
    let mut dout = [5.0; 4];
    d_forms(&x, &v, &mut out, &mut dout);
    assert_eq!(out, run(0.0));
    for k in 0..4 {
        let fd = (p[k] - m[k]) / (2.0 * h);
        assert!(
            (dout[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{k}: {} vs {fd}",
            dout[k]
        );
    }
    let (mut o, mut d) = (3.0, 0.5);
    d_store_scalar(2.0, 1.0, &mut o, &mut d);
    assert_eq!(o, 6.0 + 2f64.sin());
    // d(out x + sin x) = dout x + out dx + cos x dx
    assert_eq!(d, 0.5 * 2.0 + 3.0 + 2f64.cos());
}
