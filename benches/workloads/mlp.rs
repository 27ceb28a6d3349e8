//! A 784-128-10 multilayer perceptron: dense + tanh, dense, softmax cross-entropy, mean
//! over a batch of 32 synthetic samples; gradient with respect to weights and biases.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use cotangent::{autodiff_reverse, differentiable};
use reverse::Gradient;

pub const N_IN: usize = 784;
pub const HIDDEN: usize = 128;
pub const N_OUT: usize = 10;
pub const BATCH: usize = 32;

/// `out = w x + b` with `w` row-major `out.len() x x.len()`.
#[differentiable]
pub fn dense(w: &[f64], b: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for j in 0..out.len() {
        let mut z = b[j];
        for k in 0..n {
            z += w[j * n + k] * x[k];
        }
        out[j] = z;
    }
}

/// `-log softmax(logits)[label]`, shifted by the maximum.
#[differentiable]
pub fn cross_entropy(logits: &[f64], label: usize) -> f64 {
    let mut mx = logits[0];
    for o in 1..logits.len() {
        if logits[o] > mx {
            mx = logits[o];
        }
    }
    let mut s = 0.0;
    for o in 0..logits.len() {
        s += (logits[o] - mx).exp();
    }
    s.ln() + mx - logits[label]
}

#[autodiff_reverse(
    d_mlp_loss, Duplicated, Duplicated, Duplicated, Duplicated, Const, Const, Active
)]
pub fn mlp_loss(
    w1: &[f64],
    b1: &[f64],
    w2: &[f64],
    b2: &[f64],
    x: &[f64],
    labels: &[usize],
) -> f64 {
    let batch = labels.len();
    let n_in = x.len() / batch;
    let mut z = vec![0.0; b1.len()];
    let mut h = vec![0.0; b1.len()];
    let mut logits = vec![0.0; b2.len()];
    let mut loss = 0.0;
    for s in 0..batch {
        dense(w1, b1, &x[s * n_in..(s + 1) * n_in], &mut z);
        for j in 0..h.len() {
            h[j] = z[j].tanh();
        }
        dense(w2, b2, &h, &mut logits);
        loss += cross_entropy(&logits, labels[s]);
    }
    loss / batch as f64
}

/// Backpropagation as a person writes it, one sample at a time (the loss is a sum over
/// samples, so nothing is kept across samples).
pub fn mlp_hand(
    w1: &[f64],
    dw1: &mut [f64],
    b1: &[f64],
    db1: &mut [f64],
    w2: &[f64],
    dw2: &mut [f64],
    b2: &[f64],
    db2: &mut [f64],
    x: &[f64],
    labels: &[usize],
) -> f64 {
    let batch = labels.len();
    let (hidden, n_out) = (b1.len(), b2.len());
    let n_in = x.len() / batch;
    let scale = 1.0 / batch as f64;
    let mut h = vec![0.0; hidden];
    let mut dz = vec![0.0; hidden];
    let mut p = vec![0.0; n_out];
    let mut loss = 0.0;
    for s in 0..batch {
        let xs = &x[s * n_in..(s + 1) * n_in];
        for j in 0..hidden {
            let row = &w1[j * n_in..(j + 1) * n_in];
            let mut z = b1[j];
            for k in 0..n_in {
                z += row[k] * xs[k];
            }
            h[j] = z.tanh();
        }
        for o in 0..n_out {
            let row = &w2[o * hidden..(o + 1) * hidden];
            let mut z = b2[o];
            for j in 0..hidden {
                z += row[j] * h[j];
            }
            p[o] = z;
        }
        let label = labels[s];
        let mx = p.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let mut se = 0.0;
        for o in 0..n_out {
            p[o] = (p[o] - mx).exp();
            se += p[o];
        }
        let logit_label = (p[label]).ln() + mx;
        loss += se.ln() + mx - logit_label;
        // dlogits = (softmax - onehot) / batch
        for o in 0..n_out {
            p[o] = (p[o] / se - if o == label { 1.0 } else { 0.0 }) * scale;
        }
        dz.fill(0.0);
        for o in 0..n_out {
            let g = p[o];
            db2[o] += g;
            let row = &w2[o * hidden..(o + 1) * hidden];
            let drow = &mut dw2[o * hidden..(o + 1) * hidden];
            for j in 0..hidden {
                drow[j] += g * h[j];
                dz[j] += g * row[j];
            }
        }
        for j in 0..hidden {
            let g = dz[j] * (1.0 - h[j] * h[j]);
            db1[j] += g;
            let drow = &mut dw1[j * n_in..(j + 1) * n_in];
            for k in 0..n_in {
                drow[k] += g * xs[k];
            }
        }
    }
    loss * scale
}

/// The parameters and the batch.
pub struct Mlp {
    pub w1: Vec<f64>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: Vec<f64>,
    pub x: Vec<f64>,
    pub labels: Vec<usize>,
}

/// Gradient buffers, in the order w1, b1, w2, b2.
pub struct MlpGrad {
    pub w1: Vec<f64>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: Vec<f64>,
}

impl MlpGrad {
    pub fn new() -> Self {
        MlpGrad {
            w1: vec![0.0; HIDDEN * N_IN],
            b1: vec![0.0; HIDDEN],
            w2: vec![0.0; N_OUT * HIDDEN],
            b2: vec![0.0; N_OUT],
        }
    }
    pub fn zero(&mut self) {
        self.w1.fill(0.0);
        self.b1.fill(0.0);
        self.w2.fill(0.0);
        self.b2.fill(0.0);
    }
    pub fn flat(&self) -> Vec<f64> {
        [&self.w1, &self.b1, &self.w2, &self.b2]
            .iter()
            .flat_map(|v| v.iter().copied())
            .collect()
    }
}

impl Mlp {
    /// Deterministic synthetic data: Glorot-scaled weights, inputs in [0, 1).
    pub fn new() -> Self {
        let mut r = crate::common::Lcg(784);
        let w1 = r.vec(HIDDEN * N_IN, (6.0 / (N_IN + HIDDEN) as f64).sqrt());
        let b1 = r.vec(HIDDEN, 0.1);
        let w2 = r.vec(N_OUT * HIDDEN, (6.0 / (HIDDEN + N_OUT) as f64).sqrt());
        let b2 = r.vec(N_OUT, 0.1);
        let x = r.vec(BATCH * N_IN, 0.5).iter().map(|v| v + 0.5).collect();
        let labels = (0..BATCH).map(|s| (s * 7 + 3) % N_OUT).collect();
        Mlp {
            w1,
            b1,
            w2,
            b2,
            x,
            labels,
        }
    }
    pub fn forward(&self) -> f64 {
        mlp_loss(
            &self.w1,
            &self.b1,
            &self.w2,
            &self.b2,
            &self.x,
            &self.labels,
        )
    }
    pub fn generated(&self, g: &mut MlpGrad) -> f64 {
        d_mlp_loss(
            &self.w1,
            &mut g.w1,
            &self.b1,
            &mut g.b1,
            &self.w2,
            &mut g.w2,
            &self.b2,
            &mut g.b2,
            &self.x,
            &self.labels,
            1.0,
        )
    }
    pub fn hand(&self, g: &mut MlpGrad) -> f64 {
        mlp_hand(
            &self.w1,
            &mut g.w1,
            &self.b1,
            &mut g.b1,
            &self.w2,
            &mut g.w2,
            &self.b2,
            &mut g.b2,
            &self.x,
            &self.labels,
        )
    }

    /// Peer: the `reverse` crate; gradient flattened as w1, b1, w2, b2.
    pub fn tape(&self) -> (f64, Vec<f64>) {
        let tape = reverse::Tape::new();
        let w1 = tape.add_vars(&self.w1);
        let b1 = tape.add_vars(&self.b1);
        let w2 = tape.add_vars(&self.w2);
        let b2 = tape.add_vars(&self.b2);
        let batch = self.labels.len();
        let mut loss = tape.add_var(0.0);
        for s in 0..batch {
            let xs = &self.x[s * N_IN..(s + 1) * N_IN];
            let h: Vec<_> = (0..HIDDEN)
                .map(|j| {
                    let mut z = b1[j];
                    for k in 0..N_IN {
                        z = z + w1[j * N_IN + k] * xs[k];
                    }
                    z.tanh()
                })
                .collect();
            let logits: Vec<_> = (0..N_OUT)
                .map(|o| {
                    let mut z = b2[o];
                    for j in 0..HIDDEN {
                        z = z + w2[o * HIDDEN + j] * h[j];
                    }
                    z
                })
                .collect();
            let mx = logits.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.val()));
            let mut se = tape.add_var(0.0);
            for l in &logits {
                se = se + (*l - mx).exp();
            }
            loss = loss + se.ln() + mx - logits[self.labels[s]];
        }
        let loss = loss / batch as f64;
        let g = loss.grad();
        let mut out = g.wrt(&w1);
        out.extend(g.wrt(&b1));
        out.extend(g.wrt(&w2));
        out.extend(g.wrt(&b2));
        (loss.val(), out)
    }
}

/// Checks every gradient against the hand-written one.
pub fn check(m: &Mlp) {
    let mut want = MlpGrad::new();
    let v = m.hand(&mut want);
    let want = want.flat();
    let mut got = MlpGrad::new();
    let vg = m.generated(&mut got);
    assert_eq!(vg, m.forward(), "mlp: primal not bit for bit");
    assert!((v - vg).abs() <= 1e-12 * v.abs(), "mlp: {v} vs {vg}");
    crate::common::assert_close("mlp generated", &got.flat(), &want, 1e-12);
    let (vt, t) = m.tape();
    assert!(
        (v - vt).abs() <= 1e-12 * v.abs(),
        "mlp reverse: {v} vs {vt}"
    );
    crate::common::assert_close("mlp reverse", &t, &want, 1e-12);
}
