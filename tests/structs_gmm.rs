//! ADBench's GMM objective written with structs, as a Rust user would: the model's
//! parameters in a `#[derive(Differentiable)]` struct with `Vec` fields (a `Duplicated`
//! `&Gmm` whose shadow is `zero_shadow(&model)`), and the Wishart prior's parameters
//! built in the body with a struct literal `Wishart { gamma, m }` and passed by
//! reference to a helper. Checked against the slice-based objective of
//! `examples/gmm` (ADBench's published values) and finite differences.
#![allow(clippy::needless_range_loop)]

#[path = "../examples/gmm/objective.rs"]
#[allow(dead_code)]
mod objective;

use cotangent::{autodiff_reverse, differentiable, zero_shadow, Differentiable};
use objective::*;

#[derive(Differentiable, Clone, Debug)]
struct Gmm {
    alphas: Vec<f64>,
    means: Vec<f64>,
    icf: Vec<f64>,
    d: usize,
}

#[derive(Differentiable, Clone, Copy, Debug)]
struct Wishart {
    gamma: f64,
    m: f64,
}

fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// The Wishart prior of every component, from the struct of its parameters.
/// `log_gamma_distrib` (not differentiable) is computed by the caller: a field read from
/// `wishart`, which carries a derivative, counts as carrying one.
#[differentiable]
fn log_wishart_prior(
    model: &Gmm,
    wishart: &Wishart,
    lgd: f64,
    qdiags: &[f64],
    sum_qs: &[f64],
) -> f64 {
    let d = model.d;
    let k = model.alphas.len();
    let icf_size = d * (d + 1) / 2;
    let n_p = d as f64 + wishart.m + 1.0;
    let c = n_p * d as f64 * (wishart.gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    let mut prior = 0.0;
    for ik in 0..k {
        let frobenius = sqnorm(&qdiags[ik * d..(ik + 1) * d])
            + sqnorm(&model.icf[ik * icf_size + d..(ik + 1) * icf_size]);
        prior += 0.5 * wishart.gamma * wishart.gamma * frobenius - wishart.m * sum_qs[ik];
    }
    prior - k as f64 * c
}

#[autodiff_reverse(d_gmm_objective, Duplicated, Const, Active, Const, Active)]
fn gmm_objective(model: &Gmm, x: &[f64], gamma: f64, m: f64) -> f64 {
    // Typed: an integer field of a struct that carries a derivative, passed on to a
    // function that is not `#[differentiable]` (`log_gamma_distrib`).
    let d: usize = model.d;
    let k = model.alphas.len();
    let n = x.len() / d;
    let icf_size = d * (d + 1) / 2;
    let ln_2pi = (2.0 * std::f64::consts::PI).ln();

    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        for id in 0..d {
            let q = model.icf[ik * icf_size + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }

    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xcentered[id] = x[ix * d + id] - model.means[ik * d + id];
            }
            q_times_x(
                &qdiags[ik * d..(ik + 1) * d],
                &model.icf[ik * icf_size + d..(ik + 1) * icf_size],
                &xcentered,
                &mut qxcentered,
            );
            main_term[ik] = model.alphas[ik] + sum_qs[ik] - 0.5 * sqnorm(&qxcentered);
        }
        slse += logsumexp(&main_term);
    }
    let lse_alphas = logsumexp(&model.alphas);
    let wishart = Wishart { gamma, m };
    let lgd = log_gamma_distrib(0.5 * (d as f64 + m + 1.0), d);
    let prior = log_wishart_prior(model, &wishart, lgd, &qdiags, &sum_qs);
    -(n as f64) * d as f64 * 0.5 * ln_2pi + slse - n as f64 * lse_alphas + prior
}

fn input() -> GmmInput {
    GmmInput::parse(include_str!("data/adbench/gmm_test.txt")).expect("test.txt parses")
}

fn model_of(input: &GmmInput) -> Gmm {
    Gmm {
        alphas: input.alphas.clone(),
        means: input.means.clone(),
        icf: input.icf.clone(),
        d: input.d,
    }
}

#[test]
fn struct_gmm_matches_the_slice_gmm_and_adbench() {
    let input = input();
    let model = model_of(&input);
    let value = gmm_objective(&model, &input.x, input.gamma, input.m);
    let reference = input.objective();
    assert!(
        (value - reference).abs() < 1e-12 * reference.abs(),
        "{value} vs {reference}"
    );
    let mut d_model = zero_shadow(&model);
    assert_eq!(d_model.alphas.len(), model.alphas.len());
    let (primal, _d_gamma) =
        d_gmm_objective(&model, &mut d_model, &input.x, input.gamma, input.m, 1.0);
    assert_eq!(primal.to_bits(), value.to_bits());
    let (_, gradient) = input.gradient();
    let ours: Vec<f64> = d_model
        .alphas
        .iter()
        .chain(&d_model.means)
        .chain(&d_model.icf)
        .copied()
        .collect();
    assert_eq!(ours.len(), gradient.len());
    for (i, (a, b)) in ours.iter().zip(&gradient).enumerate() {
        assert!(
            (a - b).abs() < 1e-10 * (1.0 + b.abs()),
            "entry {i}: {a} vs {b}"
        );
    }
    assert_eq!(d_model.d, 0, "an integer field's shadow stays zero");
}

#[test]
fn struct_gmm_matches_finite_differences() {
    let input = input();
    let (na, nm) = (input.alphas.len(), input.means.len());
    let unflatten = |p: &[f64]| -> (Gmm, f64) {
        let model = Gmm {
            alphas: p[..na].to_vec(),
            means: p[na..na + nm].to_vec(),
            icf: p[na + nm..p.len() - 1].to_vec(),
            d: input.d,
        };
        (model, p[p.len() - 1])
    };
    let mut flat: Vec<f64> = input
        .alphas
        .iter()
        .chain(&input.means)
        .chain(&input.icf)
        .copied()
        .collect();
    flat.push(input.gamma);
    for scale in [1.0, 0.0, -0.5] {
        // Parameters at zero too (the gradient at `icf = 0`, `means = 0`).
        let point: Vec<f64> = flat
            .iter()
            .enumerate()
            .map(|(i, v)| if i + 1 == flat.len() { *v } else { v * scale })
            .collect();
        cotangent::gradcheck(
            |p| {
                let (model, gamma) = unflatten(p);
                gmm_objective(&model, &input.x, gamma, input.m)
            },
            |p, dp| {
                let (model, gamma) = unflatten(p);
                let mut d_model = zero_shadow(&model);
                let (_, d_gamma) =
                    d_gmm_objective(&model, &mut d_model, &input.x, gamma, input.m, 1.0);
                let flat_d = d_model
                    .alphas
                    .iter()
                    .chain(&d_model.means)
                    .chain(&d_model.icf);
                for (t, s) in dp.iter_mut().zip(flat_d) {
                    *t += s;
                }
                dp[p.len() - 1] += d_gamma;
            },
            &point,
        )
        .unwrap();
    }
}
