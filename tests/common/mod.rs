//! Checks shared by the numeric test files (each includes this module with `mod common;`).
#![allow(dead_code)]

use cotangent::{gradcheck, gradcheck_vjp};

/// `a` and `b` are the same `f64`, bit for bit (contract item 6: the primal `d_f` returns
/// is `f`'s).
#[track_caller]
pub fn assert_bits(a: f64, b: f64) {
    assert_eq!(a.to_bits(), b.to_bits(), "primal differs: {a:e} vs {b:e}");
}

/// `gradcheck` at every point; the panic names the failing point.
#[track_caller]
pub fn check_all(points: &[&[f64]], f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64], &mut [f64])) {
    for &x in points {
        if let Err(e) = gradcheck(&f, &grad, x) {
            panic!("gradcheck failed at x = {x:?}\n{e:?}");
        }
    }
}

/// `gradcheck_vjp` at every point and seed.
#[track_caller]
pub fn check_vjp_all(
    points: &[&[f64]],
    seeds: &[&[f64]],
    f: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64], &[f64], &mut [f64]),
) {
    for &x in points {
        for &s in seeds {
            if let Err(e) = gradcheck_vjp(&f, &vjp, x, s) {
                panic!("gradcheck_vjp failed at x = {x:?}, seed = {s:?}\n{e:?}");
            }
        }
    }
}
