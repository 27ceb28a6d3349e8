//! Hygiene: user names that look like generated ones, user items that shadow common
//! names, and strict crate-level lints, all with right gradients.
#![forbid(unsafe_code)]
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use cotangent::{autodiff_reverse, differentiable, gradcheck};

// User items named like things generated code might use.
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
fn sin(_: f64) -> f64 {
    unreachable!("the method `x.sin()` is meant, not this function")
}
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod std {}
#[allow(dead_code, non_upper_case_globals)]
const g: f64 = 100.0;
#[allow(dead_code, non_upper_case_globals)]
const primal: f64 = 100.0;

#[allow(non_upper_case_globals)]
const tape: f64 = 2.0;

/// Parameters and locals named like adjoints, seeds, tapes and scratch values.
#[autodiff_reverse(d_clash, Active, Duplicated, Active, Active)]
fn clash(d_ret: f64, d_x: &[f64], dx: f64) -> f64 {
    let mut _t0 = d_ret * d_x[0];
    let __tape = dx.sin();
    let adj = _t0 * __tape;
    let tape_d_x = adj + tape;
    let w_adj = tape_d_x * d_ret;
    let mut d_d_ret = 0.0;
    for i in 0..d_x.len() {
        let d_x_1 = d_x[i] * w_adj;
        d_d_ret += d_x_1.tanh();
        _t0 *= d_x[i];
    }
    d_d_ret + _t0
}

#[test]
fn generated_looking_names_are_plain_names() {
    for p in [
        [0.5, 1.0, -0.5, 0.3],
        [0.0, 2.0, 1.0, -1.0],
        [1.5, -0.25, 0.75, 0.0],
    ] {
        gradcheck(
            |v| clash(v[0], &v[1..3], v[3]),
            |v, dv| {
                let (dr, rest) = dv.split_at_mut(1);
                let (dxs, ddx) = rest.split_at_mut(2);
                let (value, a, b) = d_clash(v[0], &v[1..3], dxs, v[3], 1.0);
                assert_eq!(value.to_bits(), clash(v[0], &v[1..3], v[3]).to_bits());
                dr[0] += a;
                ddx[0] += b;
            },
            &p,
        )
        .unwrap();
    }
}

#[differentiable]
fn helper(g2: &[f64], primal2: f64) -> f64 {
    g2[0] * primal2
}

/// A seed parameter called `d_ret` next to the generated seed, a helper whose parameter
/// names look generated, and a user constant called `g`.
#[autodiff_reverse(d_seeded, Duplicated, Active)]
fn seeded(d_ret: &[f64]) -> f64 {
    helper(d_ret, 3.0) * g / 100.0
}

#[test]
fn a_parameter_named_like_the_seed() {
    let x = [2.0];
    let mut dx = [0.0];
    let v = d_seeded(&x, &mut dx, 1.0);
    assert_eq!(v, seeded(&x));
    assert_eq!(dx, [3.0]);
}
