//! Newton's method on a system of two equations, with the Jacobian from forward mode:
//! `#[autodiff_forward(jac, 2, ..)]` gives both columns of the 2x2 Jacobian in one pass
//! (vector mode, WIDTH 2), next to the residual itself.
//!
//! Solves the intersection of the circle x² + y² = 4 with the curve y = eˣ - 1.
//!
//! cargo run --example newton

use cotangent::autodiff_forward;

/// The residual F(p) = (x² + y² - 4, eˣ - 1 - y); its root is the intersection.
#[autodiff_forward(jac, 2, Dual, Dual)]
fn residual(p: [f64; 2]) -> [f64; 2] {
    let [x, y] = p;
    [x * x + y * y - 4.0, x.exp() - 1.0 - y]
}

fn main() {
    let mut p = [1.0, 1.0];
    for step in 0..20 {
        // One call: F(p), J e₁ and J e₂ (the Jacobian's columns).
        let [f, c1, c2] = jac(p, [1.0, 0.0], [0.0, 1.0]);
        assert_eq!(f, residual(p));
        let norm = f[0].hypot(f[1]);
        println!(
            "step {step}: p = ({:.12}, {:.12}), |F| = {norm:.3e}",
            p[0], p[1]
        );
        if norm < 1e-13 {
            break;
        }
        // Solve J d = -F for the 2x2 J = [c1 c2] (Cramer's rule).
        let det = c1[0] * c2[1] - c2[0] * c1[1];
        let dx = (-f[0] * c2[1] + f[1] * c2[0]) / det;
        let dy = (-c1[0] * f[1] + c1[1] * f[0]) / det;
        p = [p[0] + dx, p[1] + dy];
    }
    let f = residual(p);
    assert!(
        f[0].abs() < 1e-12 && f[1].abs() < 1e-12,
        "Newton did not converge: {f:?}"
    );
    println!("root: ({:.12}, {:.12})", p[0], p[1]);
}
