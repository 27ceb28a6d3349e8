//! The GMM example's objective against ADBench's published values and finite differences.
// ADBench publishes its values with 18 digits; they are kept as published.
#![allow(clippy::excessive_precision)]

#[path = "../examples/gmm/objective.rs"]
#[allow(dead_code)]
mod objective;

use objective::GmmInput;

fn test_input() -> GmmInput {
    GmmInput::parse(include_str!("data/adbench/gmm_test.txt")).expect("test.txt parses")
}

#[test]
fn objective_matches_adbench() {
    let input = test_input();
    let value = input.objective();
    assert!(
        (value - 8.073_804_080_049_757_91).abs() < 1e-8,
        "objective {value}"
    );
}

#[test]
fn gradient_matches_adbench_published_entries() {
    let input = test_input();
    let (value, gradient) = input.gradient();
    assert_eq!(value.to_bits(), input.objective().to_bits());
    let expected = [
        1.086_628_555_086_524_56e-1,
        -7.412_700_395_238_984_72e-1,
        6.326_071_840_152_460_71e-1,
    ];
    for (g, e) in gradient.iter().zip(expected) {
        assert!((g - e).abs() < 1e-8, "gradient {g} vs ADBench {e}");
    }
    // The alphas' gradient sums to 0 (the objective is invariant to shifting all alphas).
    let sum: f64 = gradient[..input.k].iter().sum();
    assert!(sum.abs() < 1e-12, "{sum}");
}

#[test]
fn gradient_matches_finite_differences() {
    let input = test_input();
    let (na, nm) = (input.alphas.len(), input.means.len());
    let flat: Vec<f64> = input
        .alphas
        .iter()
        .chain(&input.means)
        .chain(&input.icf)
        .copied()
        .collect();
    let split = |p: &[f64]| {
        (
            p[..na].to_vec(),
            p[na..na + nm].to_vec(),
            p[na + nm..].to_vec(),
        )
    };
    cotangent::gradcheck(
        |p| {
            let (a, m, q) = split(p);
            objective::gmm_objective(&a, &m, &q, &input.x, input.d, input.gamma, input.m)
        },
        |p, dp| {
            let (a, m, q) = split(p);
            let (da, rest) = dp.split_at_mut(na);
            let (dm, dq) = rest.split_at_mut(nm);
            objective::d_gmm_objective(
                &a,
                da,
                &m,
                dm,
                &q,
                dq,
                &input.x,
                input.d,
                input.gamma,
                input.m,
                1.0,
            );
        },
        &flat,
    )
    .unwrap();
}

#[test]
fn logsumexp_matches_its_definition() {
    let x = [0.3, -1.2, 2.5];
    let lse = objective::logsumexp(&x);
    let exact: f64 = x.iter().map(|v| v.exp()).sum::<f64>().ln();
    assert!((lse - exact).abs() < 1e-14);
}

#[test]
fn ln_gamma_is_accurate() {
    // Γ(5) = 24, Γ(0.5) = √π.
    assert!((objective::ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
    assert!((objective::ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
}
