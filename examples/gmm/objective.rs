//! The ADBench Gaussian-mixture objective, written the way a Rust user would: plain
//! slices, index loops, small helpers working on sub-slices of bigger buffers. The
//! helpers are `#[differentiable]`; the objective gets its adjoint from
//! `#[autodiff_reverse]`.
//!
//! Shared by `examples/gmm`, `tests/gmm.rs` and `benches/gmm.rs`.
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable};

/// One ADBench GMM input file.
pub struct GmmInput {
    pub d: usize,
    pub k: usize,
    pub n: usize,
    pub alphas: Vec<f64>,
    pub means: Vec<f64>,
    pub icf: Vec<f64>,
    pub x: Vec<f64>,
    pub gamma: f64,
    pub m: f64,
}

impl GmmInput {
    /// Parses ADBench's whitespace-separated layout (see shared/data/adbench/README.md).
    pub fn parse(text: &str) -> Result<GmmInput, String> {
        let mut words = text.split_whitespace();
        let mut next = |what: &str| -> Result<f64, String> {
            let w = words.next().ok_or_else(|| format!("missing {what}"))?;
            w.parse::<f64>()
                .map_err(|e| format!("bad {what} {w:?}: {e}"))
        };
        let d = next("D")? as usize;
        let k = next("k")? as usize;
        let n = next("n")? as usize;
        let icf_size = d * (d + 1) / 2;
        let mut read = |count: usize, what: &str| {
            (0..count)
                .map(|_| next(what))
                .collect::<Result<Vec<f64>, String>>()
        };
        let alphas = read(k, "alpha")?;
        let means = read(k * d, "mean")?;
        let icf = read(k * icf_size, "icf")?;
        let x = read(n * d, "x")?;
        let wishart = read(2, "wishart")?;
        Ok(GmmInput {
            d,
            k,
            n,
            alphas,
            means,
            icf,
            x,
            gamma: wishart[0],
            m: wishart[1],
        })
    }

    /// Reads a file.
    pub fn read(path: &std::path::Path) -> Result<GmmInput, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        GmmInput::parse(&text)
    }

    /// The objective at this input.
    pub fn objective(&self) -> f64 {
        gmm_objective(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.gamma,
            self.m,
        )
    }

    /// The objective and its gradient, ordered as ADBench: alphas, then means, then icf.
    pub fn gradient(&self) -> (f64, Vec<f64>) {
        let mut d_alphas = vec![0.0; self.alphas.len()];
        let mut d_means = vec![0.0; self.means.len()];
        let mut d_icf = vec![0.0; self.icf.len()];
        let value = d_gmm_objective(
            &self.alphas,
            &mut d_alphas,
            &self.means,
            &mut d_means,
            &self.icf,
            &mut d_icf,
            &self.x,
            self.d,
            self.gamma,
            self.m,
            1.0,
        );
        d_alphas.extend(d_means);
        d_alphas.extend(d_icf);
        (value, d_alphas)
    }
}

#[differentiable]
pub fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

/// `log(sum(exp(x)))`, shifted by the maximum for stability.
#[differentiable]
pub fn logsumexp(x: &[f64]) -> f64 {
    let mut mx = x[0];
    for i in 1..x.len() {
        if x[i] > mx {
            mx = x[i];
        }
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] - mx).exp();
    }
    s.ln() + mx
}

/// `out = Q x` with `Q` lower triangular: diagonal `qdiag`, strictly-lower part `ltri`
/// packed column by column.
#[differentiable]
pub fn q_times_x(qdiag: &[f64], ltri: &[f64], x: &[f64], out: &mut [f64]) {
    let d = x.len();
    for i in 0..d {
        out[i] = qdiag[i] * x[i];
    }
    let mut idx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += ltri[idx] * x[i];
            idx += 1;
        }
    }
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7): constants of the Wishart prior only.
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// The Gaussian-mixture negative log-likelihood with a Wishart prior, ADBench's
/// definition; differentiated with respect to `alphas`, `means` and `icf`.
#[allow(clippy::too_many_arguments)]
#[autodiff_reverse(
    d_gmm_objective,
    Duplicated,
    Duplicated,
    Duplicated,
    Const,
    Const,
    Const,
    Const,
    Active
)]
pub fn gmm_objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    d: usize,
    gamma: f64,
    m: f64,
) -> f64 {
    let k = alphas.len();
    let n = x.len() / d;
    let icf_size = d * (d + 1) / 2;
    let ln_2pi = (2.0 * std::f64::consts::PI).ln();

    // Diagonals of the inverse Cholesky factors, and their log-determinants.
    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        for id in 0..d {
            let q = icf[ik * icf_size + id];
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
                xcentered[id] = x[ix * d + id] - means[ik * d + id];
            }
            q_times_x(
                &qdiags[ik * d..(ik + 1) * d],
                &icf[ik * icf_size + d..(ik + 1) * icf_size],
                &xcentered,
                &mut qxcentered,
            );
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sqnorm(&qxcentered);
        }
        slse += logsumexp(&main_term);
    }
    let lse_alphas = logsumexp(alphas);

    // Wishart prior.
    let n_p = d as f64 + m + 1.0;
    let c = n_p * d as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - log_gamma_distrib(0.5 * n_p, d);
    let mut prior = 0.0;
    for ik in 0..k {
        let frobenius = sqnorm(&qdiags[ik * d..(ik + 1) * d])
            + sqnorm(&icf[ik * icf_size + d..(ik + 1) * icf_size]);
        prior += 0.5 * gamma * gamma * frobenius - m * sum_qs[ik];
    }
    -(n as f64) * d as f64 * 0.5 * ln_2pi + slse - n as f64 * lse_alphas + prior - k as f64 * c
}
