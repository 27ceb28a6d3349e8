//! A call that changes a value in place (`bump(&mut k)`, `k.add_assign(1)`), differentiated
//! or not, is a write of it: the reverse sweep reads the value as it was before the call.

use std::ops::{AddAssign, MulAssign};

use cotangent::{autodiff_reverse, differentiable};

use crate::common::{assert_bits, check_all};

fn bump(k: &mut usize) {
    *k += 1
}

fn double(c: &mut f64) {
    *c *= 2.0
}

#[differentiable]
fn scale(c: &mut f64, x: f64) {
    *c *= x
}

#[autodiff_reverse(d_bumped_index, Duplicated, Active)]
fn bumped_index(x: &[f64]) -> f64 {
    let mut k = 0;
    let a = x[k];
    bump(&mut k);
    let b = x[k];
    a * b * b
}

/// The same, as a helper's pullback.
#[differentiable]
fn bumped_helper(x: &[f64]) -> f64 {
    let mut k = 0;
    let a = x[k];
    bump(&mut k);
    let b = x[k];
    a * b * b
}

#[autodiff_reverse(d_calls_bumped, Duplicated, Active)]
fn calls_bumped(x: &[f64]) -> f64 {
    bumped_helper(x) * x[2]
}

#[autodiff_reverse(d_loop_bump, Duplicated, Active)]
fn loop_bump(x: &[f64]) -> f64 {
    let mut k = 0;
    let mut s = 0.0;
    for _ in 1..x.len() {
        bump(&mut k);
        s += x[k] * x[k] * x[k - 1];
    }
    s
}

/// A `&mut self` method of inactive data: the receiver is written.
#[autodiff_reverse(d_loop_add_assign, Duplicated, Active)]
fn loop_add_assign(x: &[f64]) -> f64 {
    let mut k = 0usize;
    let mut s = 0.0;
    for _ in 1..x.len() {
        let a = x[k];
        k.add_assign(1);
        s += a * x[k] * x[k];
    }
    s
}

#[test]
fn index_bumped_through_mut_reference() {
    let mut d = [0.0; 2];
    assert_eq!(d_bumped_index(&[2.0, 3.0], &mut d, 1.0), 18.0);
    assert_eq!(d, [9.0, 12.0]);
    let points: &[&[f64]] = &[&[2.0, 3.0, 0.5], &[0.3, -1.0, 2.0], &[-1.5, 0.25, 4.0, 1.0]];
    check_all(points, bumped_index, |x, d| {
        assert_bits(d_bumped_index(x, d, 1.0), bumped_index(x))
    });
    check_all(points, calls_bumped, |x, d| {
        assert_bits(d_calls_bumped(x, d, 1.0), calls_bumped(x))
    });
    check_all(points, loop_bump, |x, d| {
        assert_bits(d_loop_bump(x, d, 1.0), loop_bump(x))
    });
    check_all(points, loop_add_assign, |x, d| {
        assert_bits(d_loop_add_assign(x, d, 1.0), loop_add_assign(x))
    });
}

#[autodiff_reverse(d_doubled_factor, Active, Active)]
fn doubled_factor(x: f64) -> f64 {
    let mut c = 3.0;
    let y = x * c;
    double(&mut c);
    y + c
}

#[autodiff_reverse(d_mul_assigned_factor, Active, Active)]
fn mul_assigned_factor(x: f64) -> f64 {
    let mut c = 3.0;
    let y = x * c;
    c.mul_assign(2.0);
    y * c
}

/// A differentiated call that writes the factor: `c` becomes active at the call.
#[autodiff_reverse(d_scaled_factor, Active, Active)]
fn scaled_factor(x: f64) -> f64 {
    let mut c = 3.0;
    let y = x * c;
    scale(&mut c, x);
    y * c
}

#[test]
fn factor_changed_after_its_use() {
    assert_eq!(d_doubled_factor(1.0, 1.0), (9.0, 3.0));
    let points: &[&[f64]] = &[&[1.0], &[-0.7], &[2.5]];
    check_all(
        points,
        |p| doubled_factor(p[0]),
        |p, d| {
            let (y, g) = d_doubled_factor(p[0], 1.0);
            assert_bits(y, doubled_factor(p[0]));
            d[0] += g;
        },
    );
    check_all(
        points,
        |p| mul_assigned_factor(p[0]),
        |p, d| {
            let (y, g) = d_mul_assigned_factor(p[0], 1.0);
            assert_bits(y, mul_assigned_factor(p[0]));
            d[0] += g;
        },
    );
    check_all(
        points,
        |p| scaled_factor(p[0]),
        |p, d| {
            let (y, g) = d_scaled_factor(p[0], 1.0);
            assert_bits(y, scaled_factor(p[0]));
            d[0] += g;
        },
    );
}

/// A copy of a loop's element into a `mut` variable, which is then changed: the element
/// (`v`) keeps its value (found by the fuzzer, s10009_104: `v` and `q` were one variable).
#[autodiff_reverse(d_element_copied_then_changed, Duplicated, Active)]
fn element_copied_then_changed(x: &[f64]) -> f64 {
    let mut t = 1.0;
    for &v in x.iter() {
        let mut q = v;
        q = (q * 1.5).tanh();
        t *= v.tanh() + 0.5 * q;
    }
    t
}

#[test]
fn element_copied_into_a_changed_variable() {
    let points: &[&[f64]] = &[&[-1.233], &[0.3, -1.0, 2.0], &[-1.5, 0.25, 4.0, 1.0]];
    check_all(points, element_copied_then_changed, |x, d| {
        assert_bits(
            d_element_copied_then_changed(x, d, 1.0),
            element_copied_then_changed(x),
        )
    });
}
