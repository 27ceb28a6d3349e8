//! Fitting a quadratic to noisy data by gradient descent on a mean squared error written
//! as ordinary loops, then checking the fit against the exact least-squares solution.
//!
//! Run with `cargo run --example least_squares`.

use cotangent::{autodiff_reverse, gradcheck};

/// Mean squared error of the polynomial `coef[0] + coef[1] x + coef[2] x^2 + ...` on the
/// data, evaluated with Horner's rule. Only `coef` is differentiated; the data are `Const`.
#[autodiff_reverse(d_mse, Duplicated, Const, Const, Active)]
fn mse(coef: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..xs.len() {
        let mut pred = 0.0;
        for k in (0..coef.len()).rev() {
            pred = pred * xs[i] + coef[k];
        }
        let r = pred - ys[i];
        sum += r * r;
    }
    sum / xs.len() as f64
}

/// The exact minimiser, from the normal equations `(AᵀA) c = Aᵀy` (Gaussian elimination
/// with partial pivoting), to check the descent against.
fn normal_equations(degree: usize, xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let n = degree + 1;
    let mut a = vec![vec![0.0; n + 1]; n];
    for (&x, &y) in xs.iter().zip(ys) {
        for (r, row) in a.iter_mut().enumerate() {
            for (c, entry) in row[..n].iter_mut().enumerate() {
                *entry += x.powi((r + c) as i32);
            }
            row[n] += y * x.powi(r as i32);
        }
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        let (top, bottom) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for row in bottom {
            let f = row[col] / pivot_row[col];
            for (entry, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *entry -= f * p;
            }
        }
    }
    let mut sol = vec![0.0; n];
    for r in (0..n).rev() {
        let tail: f64 = (r + 1..n).map(|c| a[r][c] * sol[c]).sum();
        sol[r] = (a[r][n] - tail) / a[r][r];
    }
    sol
}

fn main() {
    // y = 1 - 2x + 0.5x^2 plus a deterministic "noise", on 40 points in [-1, 1]
    let truth = [1.0, -2.0, 0.5];
    let xs: Vec<f64> = (0..40).map(|i| -1.0 + 2.0 * i as f64 / 39.0).collect();
    let ys: Vec<f64> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| truth[0] + truth[1] * x + truth[2] * x * x + 0.05 * (7.3 * i as f64).sin())
        .collect();

    // The generated gradient against finite differences, once, before trusting it.
    gradcheck(
        |c| mse(c, &xs, &ys),
        |c, dc| {
            d_mse(c, dc, &xs, &ys, 1.0);
        },
        &[0.3, -0.1, 0.8],
    )
    .expect("d_mse matches finite differences");

    let mut coef = [0.0; 3];
    let learning_rate = 0.5;
    let mut previous = f64::INFINITY;
    let mut first = None;
    for step in 0..=1000 {
        // `d_mse` adds into the gradient buffer, so it starts at zero every step
        let mut grad = [0.0; 3];
        let loss = d_mse(&coef, &mut grad, &xs, &ys, 1.0);
        first.get_or_insert(loss);
        if [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].contains(&step) {
            println!(
                "step {step:4}  loss {loss:.8}  coef [{:+.5}, {:+.5}, {:+.5}]",
                coef[0], coef[1], coef[2]
            );
        }
        // plain gradient descent on a convex quadratic with a small enough step never
        // increases the loss
        assert!(
            loss <= previous * (1.0 + 1e-12),
            "loss went up at step {step}"
        );
        previous = loss;
        for k in 0..3 {
            coef[k] -= learning_rate * grad[k];
        }
    }

    let exact = normal_equations(2, &xs, &ys);
    let final_loss = mse(&coef, &xs, &ys);
    println!(
        "fitted     [{:+.6}, {:+.6}, {:+.6}]",
        coef[0], coef[1], coef[2]
    );
    println!(
        "normal eq. [{:+.6}, {:+.6}, {:+.6}]",
        exact[0], exact[1], exact[2]
    );
    println!(
        "truth      [{:+.6}, {:+.6}, {:+.6}]",
        truth[0], truth[1], truth[2]
    );
    println!(
        "loss {:.3e} -> {:.3e} (optimum {:.3e})",
        first.unwrap(),
        final_loss,
        mse(&exact, &xs, &ys)
    );

    assert!(final_loss < 1e-3 * first.unwrap());
    for k in 0..3 {
        assert!(
            (coef[k] - exact[k]).abs() < 1e-6,
            "coefficient {k}: {} vs exact {}",
            coef[k],
            exact[k]
        );
        assert!(
            (coef[k] - truth[k]).abs() < 0.05,
            "coefficient {k} far from the truth"
        );
    }
    println!("gradient descent converged to the least-squares solution");
}
