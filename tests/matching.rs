//! `match`, `matches!` and `if let` without bindings under `#[autodiff_reverse]`: lowered
//! to a chain of `if`s, checked against central finite differences of the untouched
//! primal on inputs that take every arm, and on the boundaries of range patterns.
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable};

mod common;
use common::{assert_bits, check_all};

/// An integer mode selects the formula (the usual "activation kind" argument).
#[autodiff_reverse(d_activation, Active, Const, Active)]
fn activation(x: f64, kind: u8) -> f64 {
    match kind {
        0 => x.tanh(),
        1 | 2 => x.max(0.0) * kind as f64,
        3..=5 => x.exp_m1(),
        _ => x * x,
    }
}

#[test]
fn match_on_an_integer_takes_every_arm() {
    for kind in 0..8u8 {
        check_all(
            &[&[0.7], &[-1.3], &[2.0]],
            |v| activation(v[0], kind),
            |v, d| {
                let (y, g) = d_activation(v[0], kind, 1.0);
                assert_bits(y, activation(v[0], kind));
                d[0] += g;
            },
        );
    }
    // exact: d/dx x*x = 2x in the wildcard arm; tanh'(0) = 1 in the first.
    assert_eq!(d_activation(1.5, 9, 1.0).1, 3.0);
    assert_eq!(d_activation(0.0, 0, 2.0).1, 2.0);
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Loss {
    Squared,
    Absolute,
    Huber,
}

/// A `match` on a user enum behind a reference, as a value, with a guard on an active
/// binding.
#[autodiff_reverse(d_loss, Duplicated, Duplicated, Const, Active)]
fn loss(pred: &[f64], target: &[f64], kind: &Loss) -> f64 {
    let mut s = 0.0;
    for i in 0..pred.len() {
        let r = pred[i] - target[i];
        s += match kind {
            Loss::Squared => r * r,
            Loss::Absolute => r.abs(),
            Loss::Huber => match r {
                small if small.abs() <= 1.0 => 0.5 * small * small,
                big => big.abs() - 0.5,
            },
        };
    }
    s / pred.len() as f64
}

#[test]
fn match_on_an_enum_with_guards() {
    for kind in [Loss::Squared, Loss::Absolute, Loss::Huber] {
        check_all(
            // residuals inside, outside and near the Huber boundary |r| = 1
            &[
                &[0.3, -2.5, 1.2, 0.0, 0.4, -0.1],
                &[1.5, 0.2, 0.99, 3.0, -1.0, 0.5],
            ],
            |v| loss(&v[..3], &v[3..], &kind),
            |v, d| {
                let (dp, dt) = d.split_at_mut(3);
                let y = d_loss(&v[..3], dp, &v[3..], dt, &kind, 1.0);
                assert_bits(y, loss(&v[..3], &v[3..], &kind));
            },
        );
    }
}

/// A `match` on a tuple of inactive tests, as boundary conditions of a stencil usually
/// look, with statements (no value) in the arms.
#[autodiff_reverse(d_stencil, Duplicated, Duplicated, Active)]
fn stencil(u: &[f64], out: &mut [f64]) -> f64 {
    let n = u.len();
    for i in 0..n {
        match (i == 0, i + 1 == n) {
            (true, true) => out[i] = u[i],
            (true, false) => out[i] = u[i + 1] - u[i],
            (false, true) => out[i] = u[i] - u[i - 1],
            _ => {
                out[i] = u[i + 1] - 2.0 * u[i] * u[i] + u[i - 1];
            }
        }
    }
    let mut e = 0.0;
    for i in 0..n {
        e += out[i].sin();
    }
    e
}

#[test]
fn match_on_a_tuple_of_conditions() {
    check_all(
        &[&[0.5], &[0.1, 0.7], &[0.0, 1.0, -0.5, 2.0, 0.3]],
        |v| stencil(v, &mut vec![0.0; v.len()]),
        |v, d| {
            let mut out = vec![0.0; v.len()];
            let mut d_out = vec![0.0; v.len()];
            d_stencil(v, d, &mut out, &mut d_out, 1.0);
        },
    );
}

/// A binding with `@` and a range, `matches!`, and `if let` with a unit variant.
#[autodiff_reverse(d_piecewise, Duplicated, Const, Active)]
fn piecewise(x: &[f64], mode: Option<usize>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let w = match i % 4 {
            k @ 0..=1 => (k + 1) as f64 * x[i],
            2 => x[i].sin(),
            _ => x[i] * x[i] * x[i],
        };
        if matches!(mode, Some(1) | Some(2)) {
            s += w * w;
        } else if let Some(0) = mode {
            s += w;
        } else {
            s -= w.cos();
        }
    }
    s
}

#[test]
fn bindings_at_ranges_and_matches_macro() {
    for mode in [None, Some(0), Some(1), Some(2), Some(7)] {
        check_all(
            &[&[0.4, -1.2, 0.9, 1.1, 0.0, 2.0], &[0.0, 0.0, 0.0, 0.5]],
            |v| piecewise(v, mode),
            |v, d| assert_bits(d_piecewise(v, d, mode, 1.0), piecewise(v, mode)),
        );
    }
}

/// A `match` whose arms return early or break out of the loop, and an arm that calls a
/// differentiable helper.
#[differentiable]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

#[autodiff_reverse(d_early, Duplicated, Const, Active)]
fn early(x: &[f64], stop: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        match i {
            k if k == stop => break,
            7 => return s * x[i],
            _ => s += softplus(x[i]) * x[i],
        }
    }
    s
}

#[test]
fn match_arms_that_leave_early() {
    let long = [0.3, -0.2, 1.5, 0.0, 2.0, -1.0, 0.7, 0.9, 1.1, 0.4];
    for stop in [0, 1, 3, 20] {
        check_all(
            &[&[0.5, 1.0, -2.0, 0.25], &long],
            |v| early(v, stop),
            |v, d| assert_bits(d_early(v, d, stop, 1.0), early(v, stop)),
        );
    }
}

/// A non-`Copy` enum field of a `Const` struct is matched in place, not moved.
#[allow(dead_code)]
enum Penalty {
    None,
    Ridge(Vec<f64>),
}

struct Config {
    penalty: Penalty,
    scale: f64,
}

#[autodiff_reverse(d_penalised, Duplicated, Const, Active)]
fn penalised(w: &[f64], cfg: &Config) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += (w[i] - 1.0) * (w[i] - 1.0);
        let extra = match cfg.penalty {
            Penalty::None => 0.0,
            Penalty::Ridge(_) => cfg.scale * w[i] * w[i],
        };
        s += extra;
    }
    s
}

#[test]
fn match_on_a_non_copy_field_in_place() {
    for cfg in [
        Config {
            penalty: Penalty::None,
            scale: 0.5,
        },
        Config {
            penalty: Penalty::Ridge(vec![1.0]),
            scale: 0.5,
        },
    ] {
        check_all(
            &[&[0.0, 1.0, -2.0], &[3.0]],
            |v| penalised(v, &cfg),
            |v, d| assert_bits(d_penalised(v, d, &cfg, 1.0), penalised(v, &cfg)),
        );
    }
    // exact: d/dw[(w-1)^2 + 0.5 w^2] at w = 2 is 2 + 2 = 4.
    let mut d = [0.0];
    let ridge = Config {
        penalty: Penalty::Ridge(vec![]),
        scale: 0.5,
    };
    d_penalised(&[2.0], &mut d, &ridge, 1.0);
    assert_eq!(d, [4.0]);
}

/// Enum settings with payloads, bound in `match` arms (with a guard) and by `if let`.
#[derive(Clone, Debug)]
enum Robust {
    Squared,
    Huber(f64),
    Tukey { c: f64, scale: f64 },
}

#[autodiff_reverse(d_robust, Duplicated, Const, Const, Active)]
fn robust(r: &[f64], loss: &Robust, skip: Option<usize>) -> f64 {
    let mut s = 0.0;
    for (i, &x) in r.iter().enumerate() {
        if let Some(k) = skip {
            if k == i {
                continue;
            }
        }
        s += match loss {
            Robust::Squared => x * x,
            Robust::Huber(d) if x.abs() <= *d => 0.5 * x * x,
            Robust::Huber(d) => d * (x.abs() - 0.5 * d),
            Robust::Tukey { c, scale } => {
                let u = (x / c).min(1.0);
                scale * (1.0 - (1.0 - u * u).powi(3))
            }
        };
    }
    s
}

#[test]
fn payloads_of_const_enums() {
    let losses = [
        Robust::Squared,
        Robust::Huber(1.0),
        Robust::Tukey { c: 2.0, scale: 0.5 },
    ];
    for loss in &losses {
        for skip in [None, Some(1)] {
            check_all(
                &[&[0.3, -2.5, 1.2, 0.0], &[1.5, 0.2, -0.7, 3.0]],
                |r| robust(r, loss, skip),
                |r, d| assert_bits(d_robust(r, d, loss, skip, 1.0), robust(r, loss, skip)),
            );
        }
    }
}
