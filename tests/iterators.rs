//! Iterators under `#[autodiff_reverse]` (issue 5): `for` over slices, arrays and `Vec`s
//! and over adaptor chains, and the chains' reductions, against central finite
//! differences of the untouched primal on several inputs, the empty one included.
//!
//! Every adjoint call also checks contract item 6: the primal `d_f` returns is bit for bit
//! what `f` returns. Since `f` runs std's own iterators, this also checks that the
//! desugared loops visit the same elements in the same order (the primals weigh elements
//! by position and combine them non-commutatively where order matters).

use cotangent::{autodiff_reverse, gradcheck};

mod common;
use common::assert_bits;

// ---------------------------------------------------------------------------------------
// helpers

const POINTS: &[&[f64]] = &[
    &[],
    &[0.7],
    &[1.0, -2.0],
    &[0.3, -1.2, 2.5],
    &[1.5, 0.25, -0.75, 2.0, -1.1],
    &[0.9, -0.4, 1.3, 0.2, -2.2, 0.6, 1.7],
];

/// One slice, `Duplicated` → `Active`: bits of the primal and gradcheck at every point.
#[track_caller]
fn check1(f: impl Fn(&[f64]) -> f64, d_f: impl Fn(&[f64], &mut [f64], f64) -> f64) {
    for &x in POINTS {
        let mut dx = vec![0.0; x.len()];
        assert_bits(d_f(x, &mut dx, 1.0), f(x));
        if let Err(e) = gradcheck(
            &f,
            |x, dx| {
                d_f(x, dx, 1.0);
            },
            x,
        ) {
            panic!("gradcheck failed at x = {x:?}\n{e:?}");
        }
    }
}

type Grad2 = dyn Fn(&[f64], &mut [f64], &[f64], &mut [f64], f64) -> f64;

/// Two slices of the given lengths cut from one probe vector (equal and unequal lengths).
#[track_caller]
fn check2(f: impl Fn(&[f64], &[f64]) -> f64, d_f: &Grad2) {
    let pool = [0.8, -1.3, 0.45, 2.1, -0.6, 1.25, -2.05, 0.15, 1.6];
    for (n, m) in [(0, 0), (0, 2), (1, 1), (3, 3), (4, 2), (2, 5), (5, 4)] {
        let z = &pool[..n + m];
        let (x, y) = z.split_at(n);
        let (mut dx, mut dy) = (vec![0.0; n], vec![0.0; m]);
        assert_bits(d_f(x, &mut dx, y, &mut dy, 1.0), f(x, y));
        let res = gradcheck(
            |z| f(&z[..n], &z[n..]),
            |z, dz| {
                let (dx, dy) = dz.split_at_mut(n);
                d_f(&z[..n], dx, &z[n..], dy, 1.0);
            },
            z,
        );
        if let Err(e) = res {
            panic!("gradcheck failed at x = {x:?}, y = {y:?}\n{e:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// `for` over slices, arrays and `Vec`s: `v`, `&v` and `*v`

#[autodiff_reverse(d_for_iter, Duplicated, Active)]
fn for_iter(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s = s * 0.5 + v * v.sin();
    }
    s
}

#[autodiff_reverse(d_for_ref_pattern, Duplicated, Active)]
fn for_ref_pattern(x: &[f64]) -> f64 {
    let mut s = 1.0;
    for &v in x {
        s = s * 0.9 + v.exp();
    }
    s
}

#[autodiff_reverse(d_for_deref, Duplicated, Active)]
fn for_deref(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in &x[x.len() / 2..] {
        s = (s + *v * *v).sqrt();
    }
    s
}

#[autodiff_reverse(d_for_mut_copy, Duplicated, Active)]
fn for_mut_copy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for mut v in x.iter().copied() {
        v *= 2.0;
        s = s * 0.5 + v * v;
    }
    s
}

#[test]
fn for_over_slices() {
    check1(for_iter, d_for_iter);
    check1(for_ref_pattern, d_for_ref_pattern);
    check1(for_deref, d_for_deref);
    check1(for_mut_copy, d_for_mut_copy);
}

#[autodiff_reverse(d_for_array, Duplicated, Active)]
fn for_array(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s = s * 0.5 + v.tanh();
    }
    let local = [x[0] * 2.0, x[1], 0.5];
    for v in local.iter().rev() {
        s *= v;
    }
    s
}

#[allow(clippy::ptr_arg)] // iterating over a `Vec` is the point
#[autodiff_reverse(d_for_vec, Duplicated, Active)]
fn for_vec(x: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    let mut w = vec![0.0; x.len()];
    for (o, v) in w.iter_mut().zip(x.iter()) {
        *o = v * v;
    }
    for v in w.into_iter() {
        s = s * 0.5 + v;
    }
    s
}

#[test]
fn for_over_arrays_and_vecs() {
    for x in [[0.3, -1.2, 2.5], [1.0, 0.0, -0.5]] {
        let mut dx = [0.0; 3];
        assert_bits(d_for_array(&x, &mut dx, 1.0), for_array(&x));
        gradcheck(
            |z| for_array(&[z[0], z[1], z[2]]),
            |z, dz| {
                let mut d = [0.0; 3];
                d_for_array(&[z[0], z[1], z[2]], &mut d, 1.0);
                dz.copy_from_slice(&d);
            },
            &x,
        )
        .unwrap();
    }
    check1(
        |x| for_vec(&x.to_vec()),
        |x, dx, s| {
            let mut d = vec![0.0; x.len()];
            let p = d_for_vec(&x.to_vec(), &mut d, s);
            dx.copy_from_slice(&d);
            p
        },
    );
}

// ---------------------------------------------------------------------------------------
// enumerate, zip, rev, skip, take, step_by, copied, cloned

#[autodiff_reverse(d_enumerate, Duplicated, Active)]
fn enumerate(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        s = s * 0.5 + (i as f64 + 1.0) * v.sin();
    }
    s
}

#[autodiff_reverse(d_zip2, Duplicated, Duplicated, Active)]
fn zip2(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in x.iter().zip(y) {
        s = s * 0.5 + a * b.cos();
    }
    s
}

#[autodiff_reverse(d_zip_rev, Duplicated, Duplicated, Active)]
fn zip_rev(x: &[f64], y: &[f64]) -> f64 {
    // Unequal lengths: the reversed side is realigned to the other's positions.
    let mut s = 0.0;
    for (a, &b) in x.iter().rev().zip(y.iter().skip(1)) {
        s = s * 0.5 + a * b * b;
    }
    s
}

#[autodiff_reverse(d_zip_enumerate, Duplicated, Duplicated, Active)]
fn zip_enumerate(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, (a, b)) in x.iter().zip(y.iter().rev()).enumerate().rev() {
        s = s * 0.75 + (i as f64 - 1.0) * a * b;
    }
    s
}

#[test]
fn enumerate_and_zip() {
    check1(enumerate, d_enumerate);
    check2(zip2, &d_zip2);
    check2(zip_rev, &d_zip_rev);
    check2(zip_enumerate, &d_zip_enumerate);
}

#[autodiff_reverse(d_zip3, Duplicated, Duplicated, Duplicated, Active)]
fn zip3(x: &[f64], y: &[f64], z: &[f64]) -> f64 {
    let mut s = 0.0;
    for ((a, b), c) in x.iter().zip(y.iter()).zip(z) {
        s = s * 0.5 + a * b - c.sin();
    }
    s
}

#[test]
fn three_way_zip() {
    let pool = [0.8, -1.3, 0.45, 2.1, -0.6, 1.25, -2.05, 0.15, 1.6, 0.3];
    for (n, m, k) in [(0, 0, 0), (2, 2, 2), (3, 2, 4), (4, 3, 1)] {
        let cut = |z: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            (
                z[..n].to_vec(),
                z[n..n + m].to_vec(),
                z[n + m..n + m + k].to_vec(),
            )
        };
        let z = &pool[..n + m + k];
        let (x, y, w) = cut(z);
        let (mut dx, mut dy, mut dw) = (vec![0.0; n], vec![0.0; m], vec![0.0; k]);
        assert_bits(
            d_zip3(&x, &mut dx, &y, &mut dy, &w, &mut dw, 1.0),
            zip3(&x, &y, &w),
        );
        gradcheck(
            |z| {
                let (x, y, w) = cut(z);
                zip3(&x, &y, &w)
            },
            |z, dz| {
                let (x, y, w) = cut(z);
                let (mut dx, mut dy, mut dw) = (vec![0.0; n], vec![0.0; m], vec![0.0; k]);
                d_zip3(&x, &mut dx, &y, &mut dy, &w, &mut dw, 1.0);
                dz.copy_from_slice(&[dx, dy, dw].concat());
            },
            z,
        )
        .unwrap();
    }
}

#[autodiff_reverse(d_positional, Duplicated, Active)]
fn positional(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate().skip(1).step_by(2) {
        s = s * 0.5 + i as f64 * v;
    }
    for v in x.iter().rev().skip(1).take(3) {
        s = s * 0.75 + v * v;
    }
    for (i, &v) in x.iter().step_by(2).rev().enumerate() {
        s = s * 0.5 + (i as f64 + 0.5) * v.sin();
    }
    for (i, v) in x.iter().rev().step_by(3).enumerate() {
        s = s * 0.5 + (i as f64 + 2.0) * v.cos();
    }
    for v in x.iter().skip(1).rev().step_by(2).take(2) {
        s = s * 0.9 + v.exp();
    }
    for (i, v) in x.iter().take(4).skip(1).rev().enumerate().rev() {
        s = s * 0.6 + (i as f64) * v;
    }
    s
}

#[autodiff_reverse(d_copied, Duplicated, Active)]
fn copied(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter().copied().rev() {
        s = s * 0.5 + v;
    }
    for v in x.iter().cloned().skip(2) {
        s *= v.cos();
    }
    s
}

#[autodiff_reverse(d_ranges, Duplicated, Active)]
fn ranges(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = (0..n).map(|i| x[i] * x[i]).sum::<f64>();
    for i in (0..n).rev().skip(1) {
        s = s * 0.5 + x[i];
    }
    for (k, i) in (1..=n).step_by(2).enumerate() {
        s = s * 0.5 + k as f64 * x[i - 1];
    }
    s
}

#[test]
fn rev_skip_take_step_by() {
    check1(positional, d_positional);
    check1(copied, d_copied);
    check1(ranges, d_ranges);
}

// ---------------------------------------------------------------------------------------
// chunks and windows: the element is a sub-slice

#[autodiff_reverse(d_chunks, Duplicated, Active)]
fn chunks(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for c in x.chunks(2) {
        s = s * 0.5 + c.iter().map(|v| v * v).sum::<f64>() * c.len() as f64;
    }
    for (i, c) in x.chunks_exact(3).enumerate() {
        s += (i as f64 + 1.0) * c[0] * c[2];
    }
    s
}

#[autodiff_reverse(d_windows, Duplicated, Active)]
fn windows(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in x.windows(2) {
        s += (w[1] - w[0]).powi(2);
    }
    for w in x.windows(3).rev() {
        s = s * 0.5 + w[0] * w[1] * w[2];
    }
    s
}

#[autodiff_reverse(d_chunks_zip, Duplicated, Duplicated, Active)]
fn chunks_zip(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (c, b) in x.chunks(2).zip(y.iter()) {
        s = s * 0.5 + c[0] * b.sin();
    }
    s
}

#[test]
fn chunks_and_windows() {
    check1(chunks, d_chunks);
    check1(windows, d_windows);
    check2(chunks_zip, &d_chunks_zip);
}

// ---------------------------------------------------------------------------------------
// iter_mut: aliases of places, written with `*v = ..` and `*v += ..`

#[autodiff_reverse(d_scale_into, Duplicated, Duplicated)]
fn scale_into(x: &[f64], out: &mut [f64]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o = *o * 2.0 + v.sin();
    }
    for o in out.iter_mut().skip(1) {
        *o += 1.0;
        *o *= *o;
    }
}

#[test]
fn iter_mut_writes_into_a_mut_argument() {
    for (x, out0) in [
        (vec![], vec![]),
        (vec![0.3], vec![1.0]),
        (vec![0.3, -1.2, 2.5], vec![1.0, -0.5, 0.25]),
        (vec![0.3, -1.2], vec![1.0, -0.5, 0.25]),
    ] {
        let n = x.len();
        let m = out0.len();
        let seed: Vec<f64> = (0..m).map(|k| 0.5 + k as f64).collect();
        // Contract 5: on entry the shadow is the seed for the final `out`; on exit it is the
        // adjoint with respect to the initial `out`.
        let mut out = out0.clone();
        let mut expected = out0.clone();
        scale_into(&x, &mut expected);
        let (mut dx, mut dout) = (vec![0.0; n], seed.clone());
        d_scale_into(&x, &mut dx, &mut out, &mut dout);
        assert_eq!(out, expected, "the adjoint leaves `out` as `f` does");
        let z: Vec<f64> = [x.clone(), out0.clone()].concat();
        let seeded = |z: &[f64]| -> f64 {
            let mut o = z[n..].to_vec();
            scale_into(&z[..n], &mut o);
            o.iter().zip(&seed).map(|(a, b)| a * b).sum()
        };
        gradcheck(
            seeded,
            |z, dz| {
                let (mut dx, mut dout) = (vec![0.0; n], seed.clone());
                let mut o = z[n..].to_vec();
                d_scale_into(&z[..n], &mut dx, &mut o, &mut dout);
                dz.copy_from_slice(&[dx, dout].concat());
            },
            &z,
        )
        .unwrap();
    }
}

#[autodiff_reverse(d_local_iter_mut, Duplicated, Active)]
fn local_iter_mut(x: &[f64]) -> f64 {
    let mut buf = [0.0; 4];
    for (i, b) in buf.iter_mut().enumerate() {
        *b = x.iter().skip(i).map(|v| v * v).sum::<f64>();
    }
    let mut w = vec![0.0; x.len()];
    for (o, v) in w.iter_mut().zip(x) {
        *o = *v;
    }
    for v in w.iter_mut().rev() {
        *v = v.sin() * 2.0;
    }
    buf.iter().product::<f64>() + w.iter().sum::<f64>()
}

#[test]
fn iter_mut_on_locals() {
    check1(local_iter_mut, d_local_iter_mut);
}

// ---------------------------------------------------------------------------------------
// reductions: sum, product, fold, map, filter, count, len

#[autodiff_reverse(d_sums, Duplicated, Active)]
fn sums(x: &[f64]) -> f64 {
    let a: f64 = x.iter().sum();
    let b = x.iter().map(|v| v * v).sum::<f64>();
    let c = x.iter().product::<f64>();
    let n = x.len() as f64;
    a * b + c + x.iter().sum::<f64>() / (n + 1.0)
}

#[autodiff_reverse(d_dot, Duplicated, Duplicated, Active)]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>()
}

#[autodiff_reverse(d_distance, Duplicated, Duplicated, Active)]
fn distance(x: &[f64], y: &[f64]) -> f64 {
    x.iter()
        .zip(y.iter())
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt()
        + 1.0
}

#[autodiff_reverse(d_folds, Duplicated, Active)]
fn folds(x: &[f64]) -> f64 {
    let horner = x.iter().rev().fold(0.0, |acc, c| acc * 0.7 + c);
    let scale = 1.5;
    let soft = x
        .iter()
        .map(|&v| {
            let e = (v * scale).exp();
            e / (1.0 + e)
        })
        .fold(1.0, |p, v| p * (0.5 + v));
    horner + soft
}

#[autodiff_reverse(d_filters, Duplicated, Active)]
fn filters(x: &[f64]) -> f64 {
    // an inactive condition (the position), then an active one (the value)
    let even: f64 = x
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, v)| v * v)
        .sum();
    let positive = x
        .iter()
        .filter(|v| **v > 0.0)
        .map(|v| v.ln_1p())
        .sum::<f64>();
    let mut s = 0.0;
    for &v in x.iter().filter(|&&v| v < 1.05).rev() {
        s = s * 0.5 + v;
    }
    let n = x.iter().filter(|v| v.abs() > 0.55).count() as f64;
    even + positive + s * (n + 1.0) + x.iter().skip(1).len() as f64
}

#[autodiff_reverse(d_for_each, Duplicated, Active)]
fn for_each(x: &[f64]) -> f64 {
    let mut s = 0.0;
    x.iter().enumerate().for_each(|(i, v)| {
        s = s * 0.5 + i as f64 * v;
    });
    s
}

#[test]
fn reductions() {
    check1(sums, d_sums);
    check2(dot, &d_dot);
    check2(distance, &d_distance);
    check1(folds, d_folds);
    check1(filters, d_filters);
    check1(for_each, d_for_each);
}

#[test]
fn empty_sum_is_bit_identical() {
    // std's float `Sum` starts from -0.0 (0.0 before Rust 1.82): the adjoint matches either.
    let mut d: [f64; 0] = [];
    assert_bits(d_sums(&[], &mut d, 1.0), sums(&[]));
    assert_bits(d_dot(&[], &mut [], &[], &mut [], 1.0), dot(&[], &[]));
}

// ---------------------------------------------------------------------------------------
// maxima and minima, with their tie conventions

#[autodiff_reverse(d_fold_max, Duplicated, Active)]
fn fold_max(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::MIN, f64::max)
}

#[autodiff_reverse(d_fold_max_closure, Duplicated, Active)]
fn fold_max_closure(x: &[f64]) -> f64 {
    x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v * v))
}

#[autodiff_reverse(d_max_by, Duplicated, Active)]
fn max_by(x: &[f64]) -> f64 {
    x.iter().max_by(|a, b| a.total_cmp(b)).copied().unwrap()
}

#[autodiff_reverse(d_min_by, Duplicated, Active)]
fn min_by(x: &[f64]) -> f64 {
    x.iter()
        .map(|v| v.sin())
        .min_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap()
}

#[autodiff_reverse(d_reduce, Duplicated, Active)]
fn reduce(x: &[f64]) -> f64 {
    let a = x
        .iter()
        .map(|v| v * 2.0)
        .reduce(|a, b| a * 0.5 + b)
        .expect("not empty");
    a + x.iter().copied().reduce(f64::max).unwrap()
}

#[test]
fn maxima_and_minima() {
    let nonempty = &POINTS[1..];
    for &x in POINTS {
        let mut dx = vec![0.0; x.len()];
        assert_bits(d_fold_max(x, &mut dx, 1.0), fold_max(x));
        assert_bits(d_fold_max_closure(x, &mut dx, 1.0), fold_max_closure(x));
    }
    for &x in nonempty {
        for (f, d) in [
            (
                fold_max as fn(&[f64]) -> f64,
                d_fold_max as fn(&[f64], &mut [f64], f64) -> f64,
            ),
            (fold_max_closure, d_fold_max_closure),
            (max_by, d_max_by),
            (min_by, d_min_by),
            (reduce, d_reduce),
        ] {
            let mut dx = vec![0.0; x.len()];
            assert_bits(d(x, &mut dx, 1.0), f(x));
            gradcheck(
                f,
                |x, dx| {
                    d(x, dx, 1.0);
                },
                x,
            )
            .unwrap();
        }
    }
}

#[test]
fn tie_conventions() {
    // `f64::max` sends a tie to its receiver, the accumulator: the earlier element.
    let x = [1.0, 3.0, 3.0, -2.0];
    let mut dx = [0.0; 4];
    d_fold_max(&x, &mut dx, 1.0);
    assert_eq!(dx, [0.0, 1.0, 0.0, 0.0]);
    // `max_by` keeps the last of equal maxima, `min_by` the first (std's convention).
    let mut dx = [0.0; 4];
    d_max_by(&x, &mut dx, 1.0);
    assert_eq!(dx, [0.0, 0.0, 1.0, 0.0]);
    let y = [0.0, 1.0, 0.0, 2.0];
    let mut dy = [0.0; 4];
    d_min_by(&y, &mut dy, 1.0);
    assert_eq!(dy, [1.0, 0.0, 0.0, 0.0]);
}

#[test]
#[should_panic(expected = "called `Option::unwrap()` on a `None` value")]
fn max_by_of_nothing_panics_like_f() {
    d_max_by(&[], &mut [], 1.0);
}

#[test]
#[should_panic(expected = "not empty")]
fn expect_of_nothing_panics_like_f() {
    d_reduce(&[], &mut [], 1.0);
}

// ---------------------------------------------------------------------------------------
// nesting, early exits, captured variables

#[autodiff_reverse(d_matrix, Duplicated, Duplicated, Active)]
fn matrix(m: &[[f64; 3]], v: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for (i, row) in m.iter().enumerate() {
        let r = row.iter().zip(v.iter()).map(|(a, b)| a * b).sum::<f64>();
        s += (i as f64 + 1.0) * r.tanh();
    }
    s + m
        .iter()
        .map(|row| row.iter().map(|a| a * a).sum::<f64>())
        .sum::<f64>()
}

#[test]
fn nested_chains() {
    let pool = [
        0.8, -1.3, 0.45, 2.1, -0.6, 1.25, -2.05, 0.15, 1.6, 0.3, -0.9, 0.5,
    ];
    for rows in 0..=3 {
        let z = &pool[..3 * rows + 3];
        let split = |z: &[f64]| -> (Vec<[f64; 3]>, [f64; 3]) {
            let m = z[3..].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            (m, [z[0], z[1], z[2]])
        };
        let (m, v) = split(z);
        let (mut dm, mut dv) = (vec![[0.0; 3]; rows], [0.0; 3]);
        assert_bits(d_matrix(&m, &mut dm, &v, &mut dv, 1.0), matrix(&m, &v));
        gradcheck(
            |z| {
                let (m, v) = split(z);
                matrix(&m, &v)
            },
            |z, dz| {
                let (m, v) = split(z);
                let (mut dm, mut dv) = (vec![[0.0; 3]; rows], [0.0; 3]);
                d_matrix(&m, &mut dm, &v, &mut dv, 1.0);
                dz[..3].copy_from_slice(&dv);
                for (k, r) in dm.iter().enumerate() {
                    dz[3 + 3 * k..6 + 3 * k].copy_from_slice(r);
                }
            },
            z,
        )
        .unwrap();
    }
}

#[autodiff_reverse(d_early_exit, Duplicated, Active)]
fn early_exit(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        if *v > 2.3 {
            break;
        }
        if i == 1 {
            continue;
        }
        s = s * 0.5 + v * v;
    }
    for v in x.iter().filter(|v| v.abs() < 2.4).map(|v| v * 1.5) {
        if s > 3.0 {
            break;
        }
        s = s * 0.9 + v;
    }
    for v in x.iter().rev() {
        if s > 4.0 {
            return s;
        }
        s += v.sin();
    }
    s
}

#[test]
fn early_exits_in_iterator_loops() {
    check1(early_exit, d_early_exit);
}

#[autodiff_reverse(d_captures, Duplicated, Active, Active)]
fn captures(x: &[f64], t: f64) -> f64 {
    let k = t * 2.0;
    let mut count = 0.0;
    let s = x
        .iter()
        .map(|v| {
            count += 1.0;
            (v * k).sin()
        })
        .sum::<f64>();
    s * t + count
}

#[test]
fn closures_capture_active_variables() {
    for &x in POINTS {
        for t in [0.5, -1.5] {
            let mut dx = vec![0.0; x.len()];
            let (p, _) = d_captures(x, &mut dx, t, 1.0);
            assert_bits(p, captures(x, t));
            let z: Vec<f64> = [x, &[t]].concat();
            let n = x.len();
            gradcheck(
                |z| captures(&z[..n], z[n]),
                |z, dz| {
                    let (dx, dt) = dz.split_at_mut(n);
                    let (_, g) = d_captures(&z[..n], dx, z[n], 1.0);
                    dt[0] += g;
                },
                &z,
            )
            .unwrap();
        }
    }
}
