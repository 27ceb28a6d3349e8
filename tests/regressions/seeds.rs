//! A helper's result nobody reads, from a call whose pullback runs for an active `&mut`
//! output: the pullback gets a seed of the result's shape (a zero `Vec` of its length),
//! or `()` when it takes none.
#![allow(unused_variables)]

use cotangent::{autodiff_reverse, differentiable, Real};

use crate::common::{assert_bits, check_all};

#[differentiable]
fn pair_and_product(x: &[f64], o: &mut f64) -> Vec<f64> {
    *o = x[0] * x[1];
    vec![x[0] * 2.0, x[1]]
}

#[differentiable]
fn array_and_product(x: &[f64], o: &mut f64) -> [f64; 2] {
    *o = x[0] * x[1];
    [x[0] * 2.0, x[1]]
}

#[differentiable]
fn found_and_product(x: &[f64], o: &mut f64) -> Option<usize> {
    *o = x[0] * x[1];
    Some(1)
}

#[differentiable]
fn product(x: &[f64], o: &mut f64) {
    *o = x[0] * x[1];
}

#[differentiable]
fn generic_pair<T: Real>(x: &[T], o: &mut [T]) -> Vec<T> {
    o[0] = x[0] * x[1];
    vec![x[0], x[1]]
}

#[autodiff_reverse(d_unread_vec, Duplicated, Active)]
fn unread_vec(x: &[f64]) -> f64 {
    let mut o = 0.0;
    let gv = pair_and_product(x, &mut o);
    o * x[0]
}

#[autodiff_reverse(d_unread_in_loop, Duplicated, Active)]
fn unread_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let mut o = 0.0;
        let gv = pair_and_product(&x[i..], &mut o);
        let ga = array_and_product(&x[i..], &mut o);
        let go = found_and_product(&x[i..], &mut o);
        product(&x[i..], &mut o);
        pair_and_product(&x[i..], &mut o);
        s += o * x[i];
    }
    s
}

#[autodiff_reverse(d_unread_generic, Duplicated, Active)]
fn unread_generic<T: Real>(x: &[T]) -> T {
    let mut o = vec![x[0]];
    let gv = generic_pair(x, &mut o);
    o[0] * x[0]
}

#[test]
fn unread_results_get_seeds_of_their_shape() {
    let mut d = [0.0; 2];
    assert_eq!(d_unread_vec(&[2.0, 3.0], &mut d, 1.0), 12.0);
    assert_eq!(d, [12.0, 4.0]);
    let points: &[&[f64]] = &[&[2.0, 3.0, 0.5, -1.0], &[0.3, -1.2, 2.0], &[1.5, 0.25]];
    check_all(points, unread_vec, |x, d| {
        assert_bits(d_unread_vec(x, d, 1.0), unread_vec(x))
    });
    check_all(points, unread_in_loop, |x, d| {
        assert_bits(d_unread_in_loop(x, d, 1.0), unread_in_loop(x))
    });
    check_all(points, unread_generic::<f64>, |x, d| {
        assert_bits(d_unread_generic(x, d, 1.0), unread_generic(x))
    });
}

/// What the error for a `Vec` passed by value (tests/ui/vec_by_value.rs) tells to write:
/// the copy passed by reference carries its derivative.
#[differentiable]
fn product_of(v: &[f64]) -> f64 {
    v[0] * v[1]
}

#[autodiff_reverse(d_copy_by_reference, Duplicated, Active)]
fn copy_by_reference(x: &[f64]) -> f64 {
    let v = x.to_vec();
    let w = vec![x[1], x[0] * x[0]];
    product_of(&v) * x[0] + product_of(&w)
}

#[test]
fn vec_copies_passed_by_reference() {
    let mut d = [0.0; 2];
    assert_eq!(d_copy_by_reference(&[2.0, 3.0], &mut d, 1.0), 24.0);
    assert_eq!(d, [24.0, 8.0]);
    let points: &[&[f64]] = &[&[2.0, 3.0], &[0.3, -1.2, 2.0], &[-1.5, 0.25]];
    check_all(points, copy_by_reference, |x, d| {
        assert_bits(d_copy_by_reference(x, d, 1.0), copy_by_reference(x))
    });
}
