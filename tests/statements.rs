//! Everyday statements (issue 12, item 5): deferred initialisation, labelled `break` /
//! `continue`, `break` with a value, `while let` and `let .. else` on values that carry
//! no derivative, iterator chains bound to a name, `take_while` / `skip_while`, `chain`,
//! `flatten` / `flat_map` and `rev().enumerate()`. Each is compared with central finite
//! differences of the untouched primal, on inputs that flip its branches, and the primal
//! must be bit-identical.
#![allow(
    clippy::needless_range_loop,
    clippy::needless_late_init,
    clippy::never_loop
)]

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all};

const POINTS: &[&[f64]] = &[
    &[],
    &[0.7],
    &[0.3, -1.2, 2.5],
    &[-0.4, 0.9, 1.7, -2.2, 0.05],
    &[1.5, 1.5, -0.5, 3.0],
];

/// Deferred initialisation: a typed `let` set in each branch of an `if`, an untyped one in
/// each arm of a `match`.
#[autodiff_reverse(d_piecewise, Duplicated, Active)]
fn piecewise(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t: f64;
        if x[i] > 0.5 {
            t = x[i] * x[i];
        } else {
            t = x[i].sin() + 0.25;
        }
        let w;
        match i % 3 {
            0 => w = 2.0 * t,
            1 => w = t.exp(),
            _ => {
                let h = t * 0.5;
                w = h * h - t;
            }
        }
        s += w;
    }
    s
}

#[test]
fn deferred_initialisation() {
    check_all(POINTS, piecewise, |x, d| {
        assert_bits(d_piecewise(x, d, 1.0), piecewise(x))
    });
}

/// A typed `let` of an `if` value whose arms are untyped literals (found by the fuzzer:
/// the generated declaration lost the type and `hypot` met an ambiguous `{float}`).
#[autodiff_reverse(d_typed_if, Duplicated, Active)]
fn typed_if(x: &[f64]) -> f64 {
    let a = x[0];
    let t: f64 = if a < 0.5 { 0.25 } else { 1.5 };
    t.hypot(0.7) * a
}

#[test]
fn typed_if_value_of_literals() {
    let points: &[&[f64]] = &[&[0.3], &[0.9], &[0.0], &[-1.2]];
    check_all(points, typed_if, |x, d| {
        assert_bits(d_typed_if(x, d, 1.0), typed_if(x))
    });
    let mut d = [0.0];
    d_typed_if(&[0.3], &mut d, 1.0);
    assert_eq!(d[0], 0.25_f64.hypot(0.7));
}

/// `break 'outer` and `continue 'outer` out of nested `for`, `while` and `loop`.
#[autodiff_reverse(d_labelled, Duplicated, Active)]
fn labelled(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    'rows: for i in 0..n {
        let mut j = 0;
        'cols: while j < n {
            let p = x[i] * x[j];
            j += 1;
            if p > 2.0 {
                break 'rows;
            }
            if p < -1.0 {
                continue 'rows;
            }
            let mut k = 0;
            loop {
                if k >= n {
                    break;
                }
                if x[k] < -2.0 {
                    continue 'cols;
                }
                s += p * x[k].cos();
                k += 1;
            }
        }
        s = s * 0.9 + x[i];
    }
    s
}

#[test]
fn labelled_exits() {
    check_all(POINTS, labelled, |x, d| {
        assert_bits(d_labelled(x, d, 1.0), labelled(x))
    });
}

/// `break` with a value out of `loop`: a fixed-point iteration and a search.
#[autodiff_reverse(d_fixed_point, Active, Active)]
fn fixed_point(a: f64) -> f64 {
    let mut y = 0.0_f64;
    let mut it = 0;
    let r = loop {
        let next = (a + y).cos() * 0.5;
        it += 1;
        if it == 30 {
            break next * 2.0;
        }
        y = next;
    };
    r + y
}

#[autodiff_reverse(d_first_big, Duplicated, Active)]
fn first_big(x: &[f64]) -> f64 {
    let mut i = 0;
    let v = loop {
        if i == x.len() {
            break 0.0;
        }
        if x[i] > 1.0 {
            break x[i].ln() * x[0];
        }
        i += 1;
    };
    v + x.iter().sum::<f64>()
}

#[test]
fn break_with_value() {
    for a in [0.3, -1.1, 2.0] {
        let (y, g) = d_fixed_point(a, 1.0);
        assert_bits(y, fixed_point(a));
        let h = 1e-6;
        let fd = (fixed_point(a + h) - fixed_point(a - h)) / (2.0 * h);
        assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    }
    check_all(POINTS, first_big, |x, d| {
        assert_bits(d_first_big(x, d, 1.0), first_big(x))
    });
}

/// `while let` on a stack of indices (a depth-first walk of an implicit binary tree).
#[autodiff_reverse(d_tree_walk, Duplicated, Active)]
fn tree_walk(x: &[f64]) -> f64 {
    let mut stack: Vec<usize> = vec![0];
    let mut s = 0.0;
    while let Some(k) = stack.pop() {
        if k >= x.len() {
            continue;
        }
        s = s * 0.5 + x[k] * x[k].sin();
        stack.push(2 * k + 1);
        stack.push(2 * k + 2);
    }
    s
}

#[test]
fn while_let_on_indices() {
    check_all(POINTS, tree_walk, |x, d| {
        assert_bits(d_tree_walk(x, d, 1.0), tree_walk(x))
    });
}

/// `let .. else` on values that carry no derivative.
#[autodiff_reverse(d_at_argmax, Duplicated, Active)]
fn at_argmax(x: &[f64]) -> f64 {
    let mut best: Option<usize> = None;
    for i in 0..x.len() {
        match best {
            Some(b) if x[b] >= x[i] => {}
            _ => best = Some(i),
        }
    }
    let Some(i) = best else {
        return 0.0;
    };
    let Some(lo) = i.checked_sub(1) else {
        return x[i] * x[i];
    };
    x[i].exp() + x[lo] * x[i]
}

#[test]
fn let_else_on_indices() {
    check_all(POINTS, at_argmax, |x, d| {
        assert_bits(d_at_argmax(x, d, 1.0), at_argmax(x))
    });
}

/// Deferred initialisation where one branch leaves the function, and a labelled exit out
/// of a `for` over an iterator.
#[autodiff_reverse(d_early, Duplicated, Active)]
fn early(x: &[f64]) -> f64 {
    let scale: f64;
    if x.len() > 1 {
        scale = x[1].tanh();
    } else {
        return 1.0;
    }
    let mut s = 0.0;
    'all: for (i, v) in x.iter().enumerate() {
        for w in x.iter().skip(i) {
            if v * w > 4.0 {
                break 'all;
            }
            if *w < 0.0 {
                continue 'all;
            }
            s += scale * v * w;
        }
    }
    s
}

/// `break` with a value out of an inner `loop` nested in a `for`, and out of an outer
/// `loop` by label.
#[autodiff_reverse(d_nested_value, Duplicated, Active)]
fn nested_value(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut k = i;
        let m = loop {
            if k + 1 >= x.len() || x[k + 1] < x[k] {
                break x[k];
            }
            k += 1;
        };
        s += m * x[i];
    }
    let mut j = 0;
    let t = 'outer: loop {
        loop {
            if j >= x.len() {
                break 'outer s;
            }
            if x[j] > 2.0 {
                break 'outer s * x[j];
            }
            j += 1;
        }
    };
    t + s
}

#[test]
fn exits_in_more_places() {
    check_all(POINTS, early, |x, d| {
        assert_bits(d_early(x, d, 1.0), early(x))
    });
    // No ties between neighbours: `x[k + 1] < x[k]` flips there.
    let points: &[&[f64]] = &[&[], &[0.7], &[0.3, -1.2, 2.5], &[1.5, 1.4, -0.5, 3.0]];
    check_all(points, nested_value, |x, d| {
        assert_bits(d_nested_value(x, d, 1.0), nested_value(x))
    });
}

/// Iterator chains bound to a name and consumed later: a weighted mean, a `for` over a
/// named chain, and a chain that a `fold` consumes.
#[autodiff_reverse(d_weighted_mean, Duplicated, Active)]
fn weighted_mean(x: &[f64]) -> f64 {
    let weights = x.iter().map(|v| (-v * v).exp());
    // `v` here is not the closure's parameter.
    let v = x.len() as f64 + 1.0;
    let total: f64 = weights.sum();
    let pairs = x.iter().zip(x.iter().skip(1)).enumerate();
    let mut s = 0.0;
    for (i, (a, b)) in pairs {
        s += (i as f64 + 1.0) * a * b.sin();
    }
    let scaled = x.iter().filter(|v| **v > 0.0).map(|v| v * total);
    let m = scaled.fold(1.0, |acc, v| acc * 0.5 + v);
    total / v + s + m
}

#[test]
fn named_chains() {
    check_all(POINTS, weighted_mean, |x, d| {
        assert_bits(d_weighted_mean(x, d, 1.0), weighted_mean(x))
    });
}

/// `take_while` and `skip_while`: a series summed until its terms are small, a signal
/// after its leading zeros, in reductions and in `for` loops.
#[autodiff_reverse(d_until_small, Duplicated, Active)]
fn until_small(x: &[f64]) -> f64 {
    let head: f64 = x
        .iter()
        .take_while(|v| v.abs() > 0.1)
        .map(|v| v * v.sin())
        .sum();
    let tail = x
        .iter()
        .skip_while(|v| **v < 1.0)
        .fold(0.0, |acc, v| acc * 0.5 + v.exp());
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate().skip_while(|(i, _)| *i < 1) {
        s += (i as f64) * v;
    }
    for v in x.iter().filter(|v| **v != 0.0).take_while(|v| **v < 2.0) {
        s += v.cos();
    }
    head + tail + s
}

/// `iter().rev().enumerate()` and `iter().enumerate().rev()`: positions counted from the
/// end, and the original positions walked backwards.
#[autodiff_reverse(d_backwards, Duplicated, Active)]
fn backwards(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (k, v) in x.iter().rev().enumerate() {
        s = s * 0.5 + (k as f64 + 1.0) * v;
    }
    for (i, v) in x.iter().enumerate().rev() {
        s += (i as f64) * v * v;
    }
    let w: f64 = x
        .iter()
        .rev()
        .enumerate()
        .map(|(k, v)| v.sin() * k as f64)
        .sum();
    s + w
}

#[test]
fn take_while_skip_while_rev_enumerate() {
    let points: &[&[f64]] = &[
        &[],
        &[0.7],
        &[0.05],
        &[0.3, -1.2, 2.5],
        &[-0.4, 0.9, 0.02, 1.7, -2.2],
        &[1.5, 1.4, -0.5, 3.0],
    ];
    check_all(points, until_small, |x, d| {
        assert_bits(d_until_small(x, d, 1.0), until_small(x))
    });
    check_all(points, backwards, |x, d| {
        assert_bits(d_backwards(x, d, 1.0), backwards(x))
    });
}

/// `chain`: a boundary term and interior terms, a padded signal, in reductions and `for`.
#[autodiff_reverse(d_padded, Duplicated, Duplicated, Active)]
fn padded(x: &[f64], y: &[f64]) -> f64 {
    let total: f64 = x.iter().chain(y.iter()).map(|v| v * v.sin()).sum();
    let n = x
        .iter()
        .chain(&y[..y.len().min(1)])
        .filter(|v| **v > 0.0)
        .count();
    let mut s = 0.0;
    for v in x.iter().chain(y).rev() {
        if *v < -1.0 {
            continue;
        }
        s = s * 0.75 + v.exp();
    }
    let m = y
        .iter()
        .copied()
        .chain(x.iter().copied())
        .fold(1.0, |a, v| a * 0.5 + v);
    total + n as f64 * s + m
}

#[test]
fn chained_iterators() {
    let pairs: &[(&[f64], &[f64])] = &[
        (&[], &[]),
        (&[0.7], &[]),
        (&[], &[-0.3, 1.2]),
        (&[0.3, -1.2, 2.5], &[0.4]),
        (&[-0.4, 0.9], &[1.7, -2.2, 0.05]),
    ];
    for &(x, y) in pairs {
        let n = x.len();
        let f = |z: &[f64]| padded(&z[..n], &z[n..]);
        let grad = |z: &[f64], d: &mut [f64]| {
            let (dx, dy) = d.split_at_mut(n);
            assert_bits(
                d_padded(&z[..n], dx, &z[n..], dy, 1.0),
                padded(&z[..n], &z[n..]),
            );
        };
        let z: Vec<f64> = x.iter().chain(y).copied().collect();
        check_all(&[&z], f, grad);
    }
}

/// `flatten` and `flat_map` over rows of a matrix stored as `&[Vec<f64>]` and as
/// `&[[f64; 3]]`.
#[autodiff_reverse(d_frobenius, Duplicated, Active)]
fn frobenius(rows: &[Vec<f64>]) -> f64 {
    let sq: f64 = rows.iter().flatten().map(|v| v * v).sum();
    let off: f64 = rows
        .iter()
        .flat_map(|r| r.iter().skip(1))
        .map(|v| v.sin())
        .sum();
    let mut s = 0.0;
    for v in rows.iter().flatten().filter(|v| **v > 0.0) {
        s = s * 0.5 + v.exp();
    }
    sq.sqrt() + off + s
}

#[autodiff_reverse(d_points, Duplicated, Active)]
fn points(p: &[[f64; 3]]) -> f64 {
    let weighted = p
        .iter()
        .flat_map(|q| q.iter().enumerate())
        .fold(0.0, |acc, (k, v)| acc + (k as f64 + 1.0) * v * v);
    let m: f64 = p
        .iter()
        .rev()
        .flatten()
        .copied()
        .map(|v| v.tanh())
        .product();
    weighted + m
}

#[test]
fn flattened_rows() {
    let shapes: &[&[usize]] = &[&[], &[0], &[1], &[3, 0, 2], &[2, 2]];
    for (t, &lens) in shapes.iter().enumerate() {
        let flat: Vec<f64> = (0..lens.iter().sum::<usize>())
            .map(|k| ((k + t) as f64 * 0.7).sin() * 1.5)
            .collect();
        let rows = |z: &[f64]| {
            let mut at = 0;
            lens.iter()
                .map(|&n| {
                    at += n;
                    z[at - n..at].to_vec()
                })
                .collect::<Vec<_>>()
        };
        let grad = |z: &[f64], d: &mut [f64]| {
            let r = rows(z);
            let mut dr: Vec<Vec<f64>> = r.iter().map(|row| vec![0.0; row.len()]).collect();
            assert_bits(d_frobenius(&r, &mut dr, 1.0), frobenius(&r));
            d.copy_from_slice(&dr.concat());
        };
        check_all(&[&flat], |z| frobenius(&rows(z)), grad);
    }
    for z in [
        &[][..],
        &[0.3, -1.2, 2.5],
        &[0.3, -1.2, 2.5, 0.9, 0.1, -0.4],
    ] {
        let pts = |z: &[f64]| z.chunks(3).map(|c| [c[0], c[1], c[2]]).collect::<Vec<_>>();
        let grad = |z: &[f64], d: &mut [f64]| {
            let p = pts(z);
            let mut dp = vec![[0.0; 3]; p.len()];
            assert_bits(d_points(&p, &mut dp, 1.0), points(&p));
            d.copy_from_slice(&dp.concat());
        };
        check_all(&[z], |z| points(&pts(z)), grad);
    }
}
