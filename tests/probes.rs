//! Regression tests from differentiating code written the way users write it (physics,
//! ML and scientific kernels the macro had not seen): each function once failed to
//! compile or gave a wrong gradient, and is checked here against central finite
//! differences of the untouched primal.
#![allow(clippy::needless_range_loop)]

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all};

/// A whole `Vec` assigned to another (`h = next;`), once and per layer of a loop: the
/// adjoint sweep still reads the moved-from buffer.
#[autodiff_reverse(d_layers, Duplicated, Const, Active)]
fn layers(x: &[f64], depth: usize) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..depth {
        let mut next = vec![0.0; h.len()];
        for i in 0..h.len() {
            let left = if i > 0 { h[i - 1] } else { 0.0 };
            next[i] = (h[i] + 0.5 * left).tanh();
        }
        h = next;
    }
    let mut last = vec![0.0; h.len()];
    for i in 0..h.len() {
        last[i] = h[i] * h[i];
    }
    h = last;
    h.iter().sum()
}

#[test]
fn whole_vec_assignment() {
    for depth in [0, 1, 3] {
        check_all(
            &[&[0.5], &[0.0, 1.0, -2.0], &[0.3, -0.1, 0.7, 1.5]],
            |x| layers(x, depth),
            |x, d| assert_bits(d_layers(x, d, depth, 1.0), layers(x, depth)),
        );
    }
}

/// A by-value parameter updated in place by a helper: its pullback needs neither the
/// final value nor the sums it came from, and must not compute them from witnesses.
#[cotangent::differentiable]
fn bump(x: &[f64], mut a: f64) -> f64 {
    for i in 0..x.len() {
        a += (x[i] * x[i] + 0.5).sqrt();
    }
    a
}

#[autodiff_reverse(d_bumped, Duplicated, Active, Active)]
fn bumped(x: &[f64], a: f64) -> f64 {
    let b = bump(x, a);
    b * b
}

#[test]
fn parameter_updated_in_place_in_a_pullback() {
    check_all(
        &[&[0.5, -1.0, 0.0], &[0.0, 0.0, 2.0]],
        |v| bumped(&v[..2], v[2]),
        |v, d| {
            let (dx, da) = d.split_at_mut(2);
            let (y, ga) = d_bumped(&v[..2], dx, v[2], 1.0);
            assert_bits(y, bumped(&v[..2], v[2]));
            da[0] += ga;
        },
    );
}
