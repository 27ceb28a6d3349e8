//! The ADBench GMM objective (`examples/gmm/objective.rs`, differentiated by the macro)
//! against a hand-written gradient and the peers, on ADBench's own input files.
#![allow(clippy::needless_range_loop)]

#[path = "../../examples/gmm/objective.rs"]
#[allow(dead_code)]
pub mod objective;

use num_dual::{Dual64, DualNum};
pub use objective::GmmInput;
use reverse::Gradient;

/// The files measured, from `../shared/data/adbench/gmm/`.
pub const FILES: [&str; 4] = [
    "1k_gmm_d2_K5",
    "1k_gmm_d10_K25",
    "1k_gmm_d20_K25",
    "1k_gmm_d64_K10",
];

/// Reads the files that exist; `None` (with a message) if the folder is missing.
pub fn read_inputs() -> Option<Vec<(&'static str, GmmInput)>> {
    let dir = std::path::Path::new("../shared/data/adbench/gmm");
    if !dir.is_dir() {
        eprintln!(
            "gmm: {} not found (run from the project root, with shared/ beside it): skipped",
            dir.display()
        );
        return None;
    }
    let mut out = Vec::new();
    for name in FILES {
        let path = dir.join(format!("{name}.txt"));
        match GmmInput::read(&path) {
            Ok(input) => out.push((name, input)),
            Err(e) => eprintln!("gmm: {e}: skipped"),
        }
    }
    Some(out)
}

/// The constant part of the objective (everything that depends on no parameter).
fn constants(inp: &GmmInput) -> f64 {
    let (d, k, n) = (inp.d as f64, inp.k as f64, inp.n as f64);
    let ln_2pi = (2.0 * std::f64::consts::PI).ln();
    let n_p = d + inp.m + 1.0;
    let mut lgd = 0.25 * (inp.d * (inp.d - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=inp.d {
        lgd += objective::ln_gamma(0.5 * n_p + 0.5 * (1.0 - j as f64));
    }
    let c = n_p * d * (inp.gamma.ln() - 0.5 * 2.0f64.ln()) - lgd;
    -n * d * 0.5 * ln_2pi - k * c
}

/// Gradient buffers, in ADBench's order.
pub struct GmmGrad {
    pub alphas: Vec<f64>,
    pub means: Vec<f64>,
    pub icf: Vec<f64>,
}

impl GmmGrad {
    pub fn new(inp: &GmmInput) -> Self {
        GmmGrad {
            alphas: vec![0.0; inp.alphas.len()],
            means: vec![0.0; inp.means.len()],
            icf: vec![0.0; inp.icf.len()],
        }
    }
    pub fn zero(&mut self) {
        self.alphas.fill(0.0);
        self.means.fill(0.0);
        self.icf.fill(0.0);
    }
    pub fn flat(&self) -> Vec<f64> {
        let mut v = self.alphas.clone();
        v.extend(&self.means);
        v.extend(&self.icf);
        v
    }
}

pub fn forward(inp: &GmmInput) -> f64 {
    objective::gmm_objective(
        &inp.alphas,
        &inp.means,
        &inp.icf,
        &inp.x,
        inp.d,
        inp.gamma,
        inp.m,
    )
}

pub fn generated(inp: &GmmInput, g: &mut GmmGrad) -> f64 {
    objective::d_gmm_objective(
        &inp.alphas,
        &mut g.alphas,
        &inp.means,
        &mut g.means,
        &inp.icf,
        &mut g.icf,
        &inp.x,
        inp.d,
        inp.gamma,
        inp.m,
        1.0,
    )
}

/// The gradient a person writes: per data point, the K main terms forward, their
/// log-sum-exp, then each component's adjoint at once; the prior in closed form.
pub fn hand(inp: &GmmInput, g: &mut GmmGrad) -> f64 {
    let (d, k, n) = (inp.d, inp.k, inp.n);
    let icf_size = d * (d + 1) / 2;
    let (alphas, means, icf, x) = (&inp.alphas, &inp.means, &inp.icf, &inp.x);
    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        for id in 0..d {
            let q = icf[ik * icf_size + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }
    let mut xc = vec![0.0; k * d];
    let mut qxc = vec![0.0; k * d];
    let mut main = vec![0.0; k];
    let mut v = vec![0.0; d];
    let mut slse = 0.0;
    for ix in 0..n {
        let xi = &x[ix * d..(ix + 1) * d];
        for ik in 0..k {
            let xck = &mut xc[ik * d..(ik + 1) * d];
            let qk = &mut qxc[ik * d..(ik + 1) * d];
            let qd = &qdiags[ik * d..(ik + 1) * d];
            let lt = &icf[ik * icf_size + d..(ik + 1) * icf_size];
            let mk = &means[ik * d..(ik + 1) * d];
            for id in 0..d {
                xck[id] = xi[id] - mk[id];
                qk[id] = qd[id] * xck[id];
            }
            let mut idx = 0;
            for i in 0..d {
                for j in i + 1..d {
                    qk[j] += lt[idx] * xck[i];
                    idx += 1;
                }
            }
            let sq: f64 = qk.iter().map(|v| v * v).sum();
            main[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq;
        }
        let mx = main.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let se: f64 = main.iter().map(|v| (v - mx).exp()).sum();
        let lse = se.ln() + mx;
        slse += lse;
        for ik in 0..k {
            let w = (main[ik] - lse).exp();
            g.alphas[ik] += w;
            let xck = &xc[ik * d..(ik + 1) * d];
            let qk = &qxc[ik * d..(ik + 1) * d];
            let qd = &qdiags[ik * d..(ik + 1) * d];
            let lt = &icf[ik * icf_size + d..(ik + 1) * icf_size];
            let dicf = &mut g.icf[ik * icf_size..(ik + 1) * icf_size];
            let dmean = &mut g.means[ik * d..(ik + 1) * d];
            // v = d main / d (Q xc) = -w Q xc
            for id in 0..d {
                v[id] = -w * qk[id];
            }
            let (ddiag, dlt) = dicf.split_at_mut(d);
            let mut idx = 0;
            for i in 0..d {
                ddiag[i] += w + v[i] * xck[i] * qd[i];
                let len = d - i - 1;
                let (col, dcol, vs) = (&lt[idx..idx + len], &mut dlt[idx..idx + len], &v[i + 1..]);
                let dot = if len < 16 {
                    // Short columns: one fused loop.
                    let mut dot = 0.0;
                    for ((dl, l), vj) in dcol.iter_mut().zip(col).zip(vs) {
                        *dl += vj * xck[i];
                        dot += l * vj;
                    }
                    dot
                } else {
                    // d L[j][i] = v[j] xc[i]: a vectorised update.
                    for (dl, vj) in dcol.iter_mut().zip(vs) {
                        *dl += vj * xck[i];
                    }
                    // (L^T v)[i]: a dot product with four accumulators.
                    let mut acc = [0.0; 4];
                    let (c4, v4) = (col.chunks_exact(4), vs.chunks_exact(4));
                    let tail: f64 = c4
                        .remainder()
                        .iter()
                        .zip(v4.remainder())
                        .map(|(l, v)| l * v)
                        .sum();
                    for (c, vv) in c4.zip(v4) {
                        for t in 0..4 {
                            acc[t] += c[t] * vv[t];
                        }
                    }
                    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
                };
                // d xc[i] = (Q^T v)[i]; d mean = -d xc.
                dmean[i] -= qd[i] * v[i] + dot;
                idx += len;
            }
        }
    }
    // - n logsumexp(alphas)
    let mx = alphas.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let se: f64 = alphas.iter().map(|v| (v - mx).exp()).sum();
    let lse_alphas = se.ln() + mx;
    for ik in 0..k {
        g.alphas[ik] -= n as f64 * (alphas[ik] - lse_alphas).exp();
    }
    // Wishart prior: 0.5 gamma^2 (|qdiag|^2 + |L|^2) - m sum_qs
    let g2 = inp.gamma * inp.gamma;
    let mut prior = 0.0;
    for ik in 0..k {
        let mut fro = 0.0;
        for id in 0..d {
            let q = qdiags[ik * d + id];
            fro += q * q;
            g.icf[ik * icf_size + id] += g2 * q * q - inp.m;
        }
        for il in d..icf_size {
            let l = icf[ik * icf_size + il];
            fro += l * l;
            g.icf[ik * icf_size + il] += g2 * l;
        }
        prior += 0.5 * g2 * fro - inp.m * sum_qs[ik];
    }
    constants(inp) + slse - n as f64 * lse_alphas + prior
}

fn lse_var<'a>(v: &[reverse::Var<'a>]) -> reverse::Var<'a> {
    let mx = v.iter().fold(f64::NEG_INFINITY, |m, a| m.max(a.val()));
    let mut s = (v[0] - mx).exp();
    for a in &v[1..] {
        s = s + (*a - mx).exp();
    }
    s.ln() + mx
}

/// Peer: the `reverse` crate. Returns the value and the flattened gradient.
pub fn tape(inp: &GmmInput) -> (f64, Vec<f64>) {
    let (d, k, n) = (inp.d, inp.k, inp.n);
    let icf_size = d * (d + 1) / 2;
    let t = reverse::Tape::new();
    let alphas = t.add_vars(&inp.alphas);
    let means = t.add_vars(&inp.means);
    let icf = t.add_vars(&inp.icf);
    let x = &inp.x;
    let mut qdiags = Vec::with_capacity(k * d);
    let mut sum_qs = Vec::with_capacity(k);
    for ik in 0..k {
        let mut s = icf[ik * icf_size];
        qdiags.push(s.exp());
        for id in 1..d {
            let q = icf[ik * icf_size + id];
            s = s + q;
            qdiags.push(q.exp());
        }
        sum_qs.push(s);
    }
    let mut slse = t.add_var(0.0);
    let mut main = Vec::with_capacity(k);
    let mut qxc = Vec::with_capacity(d);
    for ix in 0..n {
        main.clear();
        for ik in 0..k {
            let xc: Vec<_> = (0..d)
                .map(|id| x[ix * d + id] - means[ik * d + id])
                .collect();
            qxc.clear();
            qxc.extend((0..d).map(|id| qdiags[ik * d + id] * xc[id]));
            let mut idx = 0;
            for i in 0..d {
                for j in i + 1..d {
                    qxc[j] = qxc[j] + icf[ik * icf_size + d + idx] * xc[i];
                    idx += 1;
                }
            }
            let mut sq = qxc[0] * qxc[0];
            for q in &qxc[1..] {
                sq = sq + *q * *q;
            }
            main.push(alphas[ik] + sum_qs[ik] - sq * 0.5);
        }
        slse = slse + lse_var(&main);
    }
    let mut prior = t.add_var(0.0);
    let g2 = inp.gamma * inp.gamma;
    for ik in 0..k {
        let mut fro = t.add_var(0.0);
        for id in 0..d {
            fro = fro + qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        for il in d..icf_size {
            fro = fro + icf[ik * icf_size + il] * icf[ik * icf_size + il];
        }
        prior = prior + fro * (0.5 * g2) - sum_qs[ik] * inp.m;
    }
    let total = slse - lse_var(&alphas) * n as f64 + prior + constants(inp);
    let g = total.grad();
    let mut out = g.wrt(&alphas);
    out.extend(g.wrt(&means));
    out.extend(g.wrt(&icf));
    (total.val(), out)
}

/// The objective over any dual number type (parameters only; constants left out).
pub fn generic<D: DualNum<Primitive = f64> + Copy>(
    inp: &GmmInput,
    alphas: &[D],
    means: &[D],
    icf: &[D],
) -> D {
    let (d, k, n) = (inp.d, inp.k, inp.n);
    let icf_size = d * (d + 1) / 2;
    let lse = |v: &[D]| {
        let mut mx = v[0];
        for a in v {
            if *a > mx {
                mx = *a;
            }
        }
        let mut s = D::from(0.0);
        for a in v {
            s += (*a - mx).exp();
        }
        s.ln() + mx
    };
    let mut qdiags = vec![D::from(0.0); k * d];
    let mut sum_qs = vec![D::from(0.0); k];
    for ik in 0..k {
        for id in 0..d {
            let q = icf[ik * icf_size + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }
    let mut xc = vec![D::from(0.0); d];
    let mut qxc = vec![D::from(0.0); d];
    let mut main = vec![D::from(0.0); k];
    let mut slse = D::from(0.0);
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xc[id] = -means[ik * d + id] + inp.x[ix * d + id];
                qxc[id] = qdiags[ik * d + id] * xc[id];
            }
            let mut idx = 0;
            for i in 0..d {
                for j in i + 1..d {
                    qxc[j] += icf[ik * icf_size + d + idx] * xc[i];
                    idx += 1;
                }
            }
            let mut sq = D::from(0.0);
            for q in &qxc {
                sq += *q * *q;
            }
            main[ik] = alphas[ik] + sum_qs[ik] - sq * 0.5;
        }
        slse += lse(&main);
    }
    let g2 = inp.gamma * inp.gamma;
    let mut prior = D::from(0.0);
    for ik in 0..k {
        let mut fro = D::from(0.0);
        for id in 0..d {
            fro += qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        for il in d..icf_size {
            fro += icf[ik * icf_size + il] * icf[ik * icf_size + il];
        }
        prior += fro * (0.5 * g2) - sum_qs[ik] * inp.m;
    }
    slse - lse(alphas) * n as f64 + prior
}

/// Peer: `num-dual` forward mode, one pass per parameter.
pub fn dual(inp: &GmmInput) -> Vec<f64> {
    let lift = |v: &[f64]| -> Vec<Dual64> { v.iter().map(|&a| Dual64::from_re(a)).collect() };
    let (mut a, mut m, mut q) = (lift(&inp.alphas), lift(&inp.means), lift(&inp.icf));
    let mut out = Vec::with_capacity(a.len() + m.len() + q.len());
    for which in 0..3 {
        let len = [a.len(), m.len(), q.len()][which];
        for p in 0..len {
            [&mut a, &mut m, &mut q][which][p].eps = 1.0;
            out.push(generic(inp, &a, &m, &q).eps);
            [&mut a, &mut m, &mut q][which][p].eps = 0.0;
        }
    }
    out
}

/// Checks every gradient against the hand-written one.
pub fn check(name: &str, inp: &GmmInput, with_dual: bool) {
    let mut want = GmmGrad::new(inp);
    let v = hand(inp, &mut want);
    let want = want.flat();
    let mut got = GmmGrad::new(inp);
    let vg = generated(inp, &mut got);
    assert_eq!(vg, forward(inp), "gmm {name}: primal not bit for bit");
    assert!((v - vg).abs() <= 1e-10 * v.abs(), "gmm {name}: {v} vs {vg}");
    crate::common::assert_close(&format!("gmm {name} generated"), &got.flat(), &want, 1e-10);
    if with_dual {
        let d = dual(inp);
        crate::common::assert_close(&format!("gmm {name} num-dual"), &d, &want, 1e-10);
    }
}

/// The tape peer's check, separate because it is slow on the large files.
pub fn check_tape(name: &str, inp: &GmmInput) {
    let mut want = GmmGrad::new(inp);
    let v = hand(inp, &mut want);
    let (vt, t) = tape(inp);
    assert!(
        (v - vt).abs() <= 1e-10 * v.abs(),
        "gmm {name} reverse: {v} vs {vt}"
    );
    crate::common::assert_close(&format!("gmm {name} reverse"), &t, &want.flat(), 1e-10);
}
