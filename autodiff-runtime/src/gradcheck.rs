//! Central finite differences of a primal function against its adjoint, for users' own
//! tests (the analogue of `torch.autograd.gradcheck`).
//!
//! ```
//! use autodiff_runtime::gradcheck;
//! let f = |x: &[f64]| x[0] * x[1].sin();
//! let grad = |x: &[f64], dx: &mut [f64]| {
//!     dx[0] += x[1].sin();
//!     dx[1] += x[0] * x[1].cos();
//! };
//! gradcheck(f, grad, &[1.5, -0.3]).unwrap();
//! ```

use core::fmt;

/// Step and tolerances. An entry passes when `|analytic - numeric| <= atol + rtol * |numeric|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradcheckOptions {
    /// Relative step: `x_i ± eps * max(1, |x_i|)`.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    /// PyTorch's defaults: `eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`.
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// One input coordinate: the two derivatives and how far apart they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradcheckEntry {
    /// Index into the flattened input.
    pub index: usize,
    /// From the adjoint.
    pub analytic: f64,
    /// From central finite differences.
    pub numeric: f64,
    /// `|analytic - numeric|`, or infinity when either is not finite.
    pub error: f64,
    /// `error / (atol + rtol * |numeric|)`: above 1 fails.
    pub ratio: f64,
}

/// The comparison of every coordinate.
#[derive(Debug, Clone, PartialEq)]
pub struct GradcheckReport {
    /// One entry per input coordinate, in input order.
    pub entries: Vec<GradcheckEntry>,
    /// The options used.
    pub options: GradcheckOptions,
}

impl GradcheckReport {
    /// The largest `ratio`; at most 1 means passed.
    pub fn worst_ratio(&self) -> f64 {
        self.entries.iter().map(|e| e.ratio).fold(0.0, f64::max)
    }
    /// Whether every entry is within tolerance.
    pub fn passed(&self) -> bool {
        self.entries.iter().all(|e| e.ratio <= 1.0)
    }
}

impl fmt::Display for GradcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failing = self.entries.iter().filter(|e| e.ratio > 1.0).count();
        writeln!(
            f,
            "gradcheck: {failing} of {} entries outside atol={:e} + rtol={:e}*|numeric| (eps={:e})",
            self.entries.len(),
            self.options.atol,
            self.options.rtol,
            self.options.eps
        )?;
        let mut worst: Vec<&GradcheckEntry> = self.entries.iter().collect();
        worst.sort_by(|a, b| b.ratio.total_cmp(&a.ratio));
        writeln!(
            f,
            "  {:>6}  {:>16}  {:>16}  {:>10}",
            "index", "analytic", "numeric", "abs error"
        )?;
        for e in worst.iter().take(8) {
            let mark = if e.ratio > 1.0 { "  <- fails" } else { "" };
            writeln!(
                f,
                "  {:>6}  {:>16.9e}  {:>16.9e}  {:>10.3e}{mark}",
                e.index, e.analytic, e.numeric, e.error
            )?;
        }
        Ok(())
    }
}

/// The report of a failed check; its `Debug` is the readable report, so `.unwrap()` in a
/// test prints the worst entries.
#[derive(Clone, PartialEq)]
pub struct GradcheckError {
    /// The full comparison.
    pub report: GradcheckReport,
}

impl fmt::Debug for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)
    }
}
impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)
    }
}
impl std::error::Error for GradcheckError {}

/// Checks the gradient of a scalar function `f` at `x` with the default options.
/// `grad(x, dx)` must *add* the gradient into `dx` (it is called with `dx` zeroed), as a
/// generated adjoint with seed 1 does.
pub fn gradcheck(
    f: impl FnMut(&[f64]) -> f64,
    grad: impl FnMut(&[f64], &mut [f64]),
    x: &[f64],
) -> Result<GradcheckReport, GradcheckError> {
    gradcheck_with(GradcheckOptions::default(), f, grad, x)
}

/// [`gradcheck`] with explicit options.
pub fn gradcheck_with(
    options: GradcheckOptions,
    mut f: impl FnMut(&[f64]) -> f64,
    mut grad: impl FnMut(&[f64], &mut [f64]),
    x: &[f64],
) -> Result<GradcheckReport, GradcheckError> {
    gradcheck_vjp_with(
        options,
        |x| vec![f(x)],
        |x, seed, dx| {
            debug_assert_eq!(seed.len(), 1);
            let mut scaled = vec![0.0; dx.len()];
            grad(x, &mut scaled);
            for (d, s) in dx.iter_mut().zip(scaled) {
                *d += seed[0] * s;
            }
        },
        x,
        &[1.0],
    )
}

/// Checks a vector-Jacobian product: `vjp(x, seed, dx)` must add `seedᵀ J(x)` into `dx`,
/// where `J` is the Jacobian of `f` (the contract of an adjoint of a function with an
/// array output). The numeric side differentiates `seed · f(x)`.
pub fn gradcheck_vjp(
    f: impl FnMut(&[f64]) -> Vec<f64>,
    vjp: impl FnMut(&[f64], &[f64], &mut [f64]),
    x: &[f64],
    seed: &[f64],
) -> Result<GradcheckReport, GradcheckError> {
    gradcheck_vjp_with(GradcheckOptions::default(), f, vjp, x, seed)
}

/// [`gradcheck_vjp`] with explicit options.
pub fn gradcheck_vjp_with(
    options: GradcheckOptions,
    mut f: impl FnMut(&[f64]) -> Vec<f64>,
    mut vjp: impl FnMut(&[f64], &[f64], &mut [f64]),
    x: &[f64],
    seed: &[f64],
) -> Result<GradcheckReport, GradcheckError> {
    let mut analytic = vec![0.0; x.len()];
    vjp(x, seed, &mut analytic);
    let mut probe = x.to_vec();
    let mut seeded = |p: &[f64]| -> f64 {
        let out = f(p);
        assert_eq!(
            out.len(),
            seed.len(),
            "gradcheck: seed and output lengths differ"
        );
        out.iter().zip(seed).map(|(o, s)| o * s).sum()
    };
    let entries = (0..x.len())
        .map(|i| {
            let h = options.eps * x[i].abs().max(1.0);
            probe[i] = x[i] + h;
            let up = seeded(&probe);
            probe[i] = x[i] - h;
            let down = seeded(&probe);
            probe[i] = x[i];
            let numeric = (up - down) / (2.0 * h);
            let error = if analytic[i].is_finite() && numeric.is_finite() {
                (analytic[i] - numeric).abs()
            } else if analytic[i] == numeric {
                0.0
            } else {
                f64::INFINITY
            };
            let ratio = error / (options.atol + options.rtol * numeric.abs());
            GradcheckEntry {
                index: i,
                analytic: analytic[i],
                numeric,
                error,
                ratio,
            }
        })
        .collect();
    let report = GradcheckReport { entries, options };
    if report.passed() {
        Ok(report)
    } else {
        Err(GradcheckError { report })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_gradient_is_reported_with_its_index() {
        let err = gradcheck(
            |x| x[0] * x[0] + x[1],
            |x, dx| {
                dx[0] += 2.0 * x[0];
                dx[1] += 2.0; // wrong: should be 1
            },
            &[3.0, 4.0],
        )
        .unwrap_err();
        assert_eq!(err.report.entries.len(), 2);
        assert!(err.report.entries[0].ratio <= 1.0);
        assert!(err.report.entries[1].ratio > 1.0);
        let text = format!("{err:?}");
        assert!(text.contains("1 of 2 entries"), "{text}");
        assert!(text.contains("<- fails"), "{text}");
    }

    #[test]
    fn vjp_checks_the_seeded_sum() {
        let report = gradcheck_vjp(
            |x| vec![x[0] * x[1], x[0].exp()],
            |x, s, dx| {
                dx[0] += s[0] * x[1] + s[1] * x[0].exp();
                dx[1] += s[0] * x[0];
            },
            &[0.5, -2.0],
            &[2.0, -1.0],
        )
        .unwrap();
        assert!(report.worst_ratio() < 0.1);
    }

    #[test]
    fn nan_gradients_fail() {
        assert!(gradcheck(|x| x[0], |_, dx| dx[0] += f64::NAN, &[1.0]).is_err());
    }
}
