//! The smallest complete use of cotangent: a function, its generated gradient, and a
//! finite-difference check of it.
//!
//! Run with `cargo run --example quickstart`.

use cotangent::{autodiff_reverse, gradcheck};

/// A softened distance of a point to a circle of radius `r`, plus a penalty on `r`.
#[autodiff_reverse(d_energy, Duplicated, Active, Active)]
fn energy(p: &[f64; 2], r: f64) -> f64 {
    let d = (p[0] * p[0] + p[1] * p[1]).sqrt() - r;
    let mut e = d * d;
    if r < 0.5 {
        e += (0.5 - r).powi(2);
    }
    e
}

fn main() {
    let p = [3.0, 4.0];
    let r = 2.0;

    // d_energy(p, d_p, r, d_ret) -> (energy, ∂energy/∂r); ∂energy/∂p is added into d_p.
    let mut d_p = [0.0; 2];
    let (e, d_r) = d_energy(&p, &mut d_p, r, 1.0);
    println!("energy({p:?}, {r}) = {e}");
    println!("∂/∂p = {d_p:?}, ∂/∂r = {d_r}");

    // Exact: d = |p| - r = 3, so ∂e/∂p = 2d p/|p| = [3.6, 4.8] and ∂e/∂r = -2d = -6.
    assert_eq!(e, energy(&p, r));
    assert!((d_p[0] - 3.6).abs() < 1e-12 && (d_p[1] - 4.8).abs() < 1e-12);
    assert!((d_r + 6.0).abs() < 1e-12);

    // The same gradient against central finite differences of `energy`.
    let report = gradcheck(
        |x| energy(&[x[0], x[1]], x[2]),
        |x, dx| {
            let mut d_p = [0.0; 2];
            let (_, d_r) = d_energy(&[x[0], x[1]], &mut d_p, x[2], 1.0);
            dx[0] += d_p[0];
            dx[1] += d_p[1];
            dx[2] += d_r;
        },
        &[p[0], p[1], 0.25],
    )
    .expect("the generated gradient matches finite differences");
    println!(
        "gradcheck passed, worst error ratio {:.2e}",
        report.worst_ratio()
    );
}
