//! Stress tests: iterator chains combined with writes, helpers and early exits; whole-buffer
//! writes (`fill`, `copy_from_slice`, `clone_from_slice`); structs differentiated through
//! `&self`; helpers on aliased and overlapping buffers; f32; array-valued returns.
#![allow(clippy::needless_range_loop)]
// The iterator/buffer forms below are the point of the tests.
#![allow(clippy::assign_op_pattern, clippy::useless_vec, clippy::iter_count)]

use cotangent::{autodiff_reverse, differentiable, gradcheck, gradcheck_vjp, gradcheck_vjp_with};
use cotangent::{gradcheck_with, GradcheckOptions};

// ---------------------------------------------------------------------------------------
// helpers

#[track_caller]
fn check_all(points: &[&[f64]], f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64], &mut [f64])) {
    for &x in points {
        if let Err(e) = gradcheck(&f, &grad, x) {
            panic!("gradcheck failed at x = {x:?}\n{e:?}");
        }
    }
}

/// `f` returns the final `&mut` values followed by the return value; `vjp` seeds them.
#[track_caller]
fn check_vjp(
    points: &[&[f64]],
    seed: &[f64],
    f: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64], &[f64], &mut [f64]),
) {
    for &x in points {
        if let Err(e) = gradcheck_vjp(&f, &vjp, x, seed) {
            panic!("gradcheck_vjp failed at x = {x:?}\n{e:?}");
        }
    }
}

const F32_OPTIONS: GradcheckOptions = GradcheckOptions {
    eps: 1e-3,
    atol: 2e-3,
    rtol: 2e-2,
};

#[track_caller]
fn check_all32(points: &[&[f64]], f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64], &mut [f64])) {
    for &x in points {
        if let Err(e) = gradcheck_with(F32_OPTIONS, &f, &grad, x) {
            panic!("f32 gradcheck failed at x = {x:?}\n{e:?}");
        }
    }
}

#[track_caller]
fn same(a: f64, b: f64) {
    assert_eq!(a.to_bits(), b.to_bits(), "primal differs: {a:e} vs {b:e}");
}

#[track_caller]
fn same32(a: f32, b: f32) {
    assert_eq!(a.to_bits(), b.to_bits(), "primal differs: {a:e} vs {b:e}");
}

#[track_caller]
fn same_slice(a: &[f64], b: &[f64]) {
    let ab: Vec<u64> = a.iter().map(|v| v.to_bits()).collect();
    let bb: Vec<u64> = b.iter().map(|v| v.to_bits()).collect();
    assert_eq!(ab, bb, "buffers differ: {a:?} vs {b:?}");
}

fn to32(x: &[f64]) -> Vec<f32> {
    x.iter().map(|v| *v as f32).collect()
}

// ---------------------------------------------------------------------------------------
// 1. iterator chains

/// `iter_mut().zip(x)` writes reading the old value through `*o`.
#[autodiff_reverse(d_iter_mut_zip, Duplicated, Duplicated, Active)]
fn iter_mut_zip(x: &[f64], out: &mut [f64]) -> f64 {
    for (o, v) in out.iter_mut().zip(x) {
        *o = v.sin() * *o;
    }
    let mut s = 0.0;
    for (i, o) in out.iter_mut().enumerate().skip(1) {
        *o += s * 0.5;
        s += *o * (i as f64);
    }
    s
}

#[test]
fn t_iter_mut_zip() {
    let f = |z: &[f64]| {
        let mut out = z[4..].to_vec();
        let r = iter_mut_zip(&z[..4], &mut out);
        out.push(r);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[4..].to_vec();
        let mut d_out = seed[..4].to_vec();
        let (dx, dz_out) = dz.split_at_mut(4);
        let r = d_iter_mut_zip(&z[..4], dx, &mut out, &mut d_out, seed[4]);
        let mut out_f = z[4..].to_vec();
        same(r, iter_mut_zip(&z[..4], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..4 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75, -0.3],
        ],
        &[0.5, -1.0, 0.25, 2.0, 1.5],
        f,
        vjp,
    );
}

/// `chunks(3)` with a remainder chunk and `chunks_exact(2)` ignoring one.
#[autodiff_reverse(d_chunky, Duplicated, Active)]
fn chunky(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for c in x.chunks(3) {
        let mut p = 1.0;
        for v in c {
            p *= v.cos();
        }
        s += p * c.len() as f64 + c[0] * c[c.len() - 1];
    }
    for c in x.chunks_exact(2) {
        s += (c[0] * c[1]).sin() * s;
    }
    s
}

#[test]
fn t_chunky() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75],
            &[0.4, 0.8],
            &[0.4],
        ],
        chunky,
        |x, dx| same(d_chunky(x, dx, 1.0), chunky(x)),
    );
    let mut d = [];
    same(d_chunky(&[], &mut d, 1.0), 0.0);
}

/// `windows(3)` with a running state, and `windows(2)` feeding a product.
#[autodiff_reverse(d_windows_state, Duplicated, Active)]
fn windows_state(x: &[f64]) -> f64 {
    let mut st = 0.5;
    for w in x.windows(3) {
        st = (st * w[0] + w[1] * w[2]).tanh() + st * 0.5;
    }
    let mut p = 1.0;
    for (i, w) in x.windows(2).enumerate().rev() {
        p = p * (w[1] - w[0] + i as f64) + st;
    }
    st + p
}

#[test]
fn t_windows_state() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6],
            &[1.3, 0.9, -2.0, 0.1],
            &[0.4, 0.8],
            &[0.4],
        ],
        windows_state,
        |x, dx| same(d_windows_state(x, dx, 1.0), windows_state(x)),
    );
    let mut d = [];
    same(d_windows_state(&[], &mut d, 1.0), windows_state(&[]));
}

/// `enumerate().filter(..).map(..).sum()`, and a filter on the value.
#[autodiff_reverse(d_enum_filter, Duplicated, Active)]
fn enum_filter(x: &[f64]) -> f64 {
    let a: f64 = x
        .iter()
        .enumerate()
        .filter(|(i, v)| i % 2 == 0 && **v > 0.0)
        .map(|(i, v)| v.exp() * (i as f64 + 1.0))
        .sum();
    let b: f64 = x.iter().filter(|v| v.abs() < 1.0).map(|v| v * v * a).sum();
    a + b
}

#[test]
fn t_enum_filter() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6],
            &[-1.3, 0.9, 2.0, 0.1, -1.5],
        ],
        enum_filter,
        |x, dx| same(d_enum_filter(x, dx, 1.0), enum_filter(x)),
    );
    let mut d = [];
    same(d_enum_filter(&[], &mut d, 1.0), enum_filter(&[]));
}

/// `skip`/`step_by`/`take`/`rev` in combination, order-sensitive.
#[autodiff_reverse(d_skip_step_take, Duplicated, Active)]
fn skip_step_take(x: &[f64]) -> f64 {
    let mut s = 0.1;
    for v in x.iter().skip(1).step_by(2).take(3).rev() {
        s = (s + v).sin() * 1.3;
    }
    for (i, v) in x.iter().enumerate().rev().skip(2).step_by(3) {
        s = s * v + i as f64 * 0.1;
    }
    for v in x.iter().take(4).skip(1).rev().step_by(2) {
        s = s * 0.5 + v.cos();
    }
    s
}

#[test]
fn t_skip_step_take() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4, -0.9],
            &[1.3, 0.9, -2.0, 0.1, -1.5],
            &[0.4, 0.8],
        ],
        skip_step_take,
        |x, dx| same(d_skip_step_take(x, dx, 1.0), skip_step_take(x)),
    );
}

/// `fold` with a scalar accumulator, `product`, `reduce`.
#[autodiff_reverse(d_folds, Duplicated, Active)]
fn folds(x: &[f64]) -> f64 {
    let a = x.iter().fold(0.3, |acc, v| (acc * v).sin() + v);
    let b: f64 = x.iter().map(|v| 1.0 + v * a).product();
    let c = x.iter().copied().reduce(|p, q| p * 0.5 + q * p).unwrap();
    a + b + c
}

#[test]
fn t_folds() {
    check_all(
        &[&[0.3, -0.2, 0.7, 1.1, 0.5], &[1.3, 0.9, -2.0], &[0.4]],
        folds,
        |x, dx| same(d_folds(x, dx, 1.0), folds(x)),
    );
}

/// `max_by`/`min_by` with `total_cmp`, by value and by reference, with ties.
#[autodiff_reverse(d_extrema, Duplicated, Active)]
fn extrema(x: &[f64]) -> f64 {
    let m = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    // `*x.iter().min_by(..).unwrap()` does not compile (finding F1); by reference:
    let r = x.iter().min_by(|a, b| a.total_cmp(b)).unwrap();
    let s = x
        .iter()
        .map(|v| (v * 1.5).sin())
        .max_by(|a, b| a.total_cmp(b))
        .unwrap();
    m * 2.0 + r * 3.0 + s * m
}

#[test]
fn t_extrema() {
    check_all(
        &[&[0.3, -0.2, 0.7, 1.1, 0.5], &[1.3, 0.9, -2.0]],
        extrema,
        |x, dx| same(d_extrema(x, dx, 1.0), extrema(x)),
    );
    // ties: max goes to the last maximum, min to the first minimum
    let x = [0.5, 2.0, -1.0, 2.0, -1.0];
    let mut dx = [0.0; 5];
    let y = d_extrema(&x, &mut dx, 1.0);
    same(y, extrema(&x));
    let s = x.iter().map(|v| (v * 1.5).sin()).fold(f64::MIN, f64::max);
    // sin(3) is the max of sin(1.5 v) over the values? compute where it lands
    let mut want = [0.0; 5];
    want[3] += 2.0 + s;
    want[2] += 3.0;
    // argmax of sin(1.5 v): the last index achieving s
    let k = (0..5).rev().find(|&i| (x[i] * 1.5).sin() == s).unwrap();
    want[k] += 2.0 * 1.5 * (x[k] * 1.5).cos();
    for i in 0..5 {
        assert!((dx[i] - want[i]).abs() < 1e-12, "{dx:?} vs {want:?}");
    }
}

/// Closures capturing active locals (and a parameter), in `map`, `filter` and `fold`.
#[autodiff_reverse(d_capture, Duplicated, Active, Active)]
fn capture(x: &[f64], k: f64) -> f64 {
    let c = k.exp();
    let m = x[0] * k;
    let a: f64 = x.iter().map(|v| (v * c - m).tanh()).sum();
    let b: f64 = x.iter().filter(|v| **v > m).map(|v| v * c).sum();
    let d = x.iter().fold(a, |acc, v| acc * 0.5 + v * b + m);
    a + b + d
}

#[test]
fn t_capture() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, 0.4],
            &[1.3, 0.9, -2.0, 0.1, -0.7],
        ],
        |z| capture(&z[..z.len() - 1], z[z.len() - 1]),
        |z, dz| {
            let n = z.len() - 1;
            let (dx, dk) = dz.split_at_mut(n);
            let (y, g) = d_capture(&z[..n], dx, z[n], 1.0);
            same(y, capture(&z[..n], z[n]));
            dk[0] += g;
        },
    );
}

#[differentiable]
fn sq_sin(v: f64) -> f64 {
    v.sin() * v
}

#[differentiable]
fn pair_term(a: &f64, b: &f64) -> f64 {
    (*a * *b).cos() + *a
}

#[differentiable]
fn slice_term(a: &[f64], k: f64) -> f64 {
    a[0] * k + a[a.len() - 1].exp()
}

/// Iterator items passed to helpers by value (`&v` pattern, `.copied()`), by reference,
/// and chunks passed as sub-slices.
#[autodiff_reverse(d_items_to_helpers, Duplicated, Duplicated, Active)]
fn items_to_helpers(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter() {
        s += sq_sin(v);
    }
    for v in y.iter().copied() {
        s = sq_sin(v) * s + v;
    }
    for (a, b) in x.iter().zip(y) {
        s += pair_term(a, b);
    }
    for c in x.chunks(2) {
        s += slice_term(c, s);
    }
    s
}

#[test]
fn t_items_to_helpers() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25],
        ],
        |z| items_to_helpers(&z[..3], &z[3..]),
        |z, dz| {
            let (dx, dy) = dz.split_at_mut(3);
            same(
                d_items_to_helpers(&z[..3], dx, &z[3..], dy, 1.0),
                items_to_helpers(&z[..3], &z[3..]),
            );
        },
    );
}

/// `break` and `return` inside `for v in x.iter()` loops.
#[autodiff_reverse(d_early_exits, Duplicated, Active, Active)]
fn early_exits(x: &[f64], lim: f64) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        if s > lim {
            break;
        }
        s += v * v;
    }
    for (i, v) in x.iter().enumerate() {
        if *v < -1.0 {
            return s * v;
        }
        if i == 3 {
            continue;
        }
        s = s * 0.9 + v.sin() * i as f64;
    }
    s
}

#[test]
fn t_early_exits() {
    let pts: &[&[f64]] = &[
        // no exit
        &[0.3, -0.2, 0.7, 1.1, 0.5, 10.0],
        // break after 3 elements, no return
        &[1.0, 1.0, 1.0, 0.5, 0.5, 0.9],
        // return at index 2
        &[0.3, 0.2, -1.5, 1.1, 0.5, 10.0],
        // return at index 0, break at once
        &[-2.0, 0.2, -1.5, 1.1, 0.5, -1.0],
    ];
    check_all(
        pts,
        |z| early_exits(&z[..5], z[5]),
        |z, dz| {
            let (dx, dl) = dz.split_at_mut(5);
            let (y, g) = d_early_exits(&z[..5], dx, z[5], 1.0);
            same(y, early_exits(&z[..5], z[5]));
            dl[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 2. whole-buffer writes

/// `fill` with an active value on a `Vec` in a loop, a sub-slice `fill`, and `fill` of an
/// array.
#[autodiff_reverse(d_fill_loop, Duplicated, Active, Active)]
fn fill_loop(x: &[f64], a: f64) -> f64 {
    let n = x.len();
    let mut buf = vec![0.0; n];
    let mut arr = [0.0; 3];
    let mut s = 0.0;
    for i in 0..n {
        let v = (x[i] * a).sin();
        buf.fill(v);
        buf[i] *= x[i];
        buf[..i].fill(s);
        arr.fill(buf[n - 1] * s + v);
        s += buf[0] * buf[n - 1] + buf[i] + arr[1] * 0.25;
    }
    s
}

#[test]
fn t_fill_loop() {
    check_all(
        &[&[0.3, -0.2, 0.7, 1.1, 0.8], &[1.3, 0.9, -2.0, 0.4]],
        |z| fill_loop(&z[..z.len() - 1], z[z.len() - 1]),
        |z, dz| {
            let n = z.len() - 1;
            let (dx, da) = dz.split_at_mut(n);
            let (y, g) = d_fill_loop(&z[..n], dx, z[n], 1.0);
            same(y, fill_loop(&z[..n], z[n]));
            da[0] += g;
        },
    );
}

/// Double buffering with `copy_from_slice` and `clone_from_slice` between `Vec`s.
#[autodiff_reverse(d_double_buffer, Duplicated, Const, Active)]
fn double_buffer(x: &[f64], steps: usize) -> f64 {
    let n = x.len();
    let mut cur = x.to_vec();
    let mut nxt = vec![0.0; n];
    for k in 0..steps {
        for i in 0..n {
            let l = cur[(i + n - 1) % n];
            let r = cur[(i + 1) % n];
            nxt[i] = (l - 2.0 * cur[i] + r) * 0.3 + cur[i].sin();
        }
        if k % 2 == 0 {
            cur.copy_from_slice(&nxt);
        } else {
            cur.clone_from_slice(&nxt);
        }
    }
    cur.iter().map(|v| v * v).sum()
}

#[test]
fn t_double_buffer() {
    for steps in [0, 1, 4] {
        check_all(
            &[&[0.3, -0.2, 0.7, 1.1, 0.5], &[1.3, 0.9, -2.0, 0.4]],
            |x| double_buffer(x, steps),
            |x, dx| same(d_double_buffer(x, dx, steps, 1.0), double_buffer(x, steps)),
        );
    }
}

/// Sub-range copies on an array, a `Vec` and a `&mut` parameter, overwriting part of the
/// parameter and reading its old values.
#[autodiff_reverse(d_sub_copies, Duplicated, Duplicated, Active)]
fn sub_copies(x: &[f64], out: &mut [f64]) -> f64 {
    let mut a = [0.0; 4];
    a[1..3].copy_from_slice(&x[2..4]);
    a[..1].clone_from_slice(&x[..1]);
    a[3] = out[5] * x[1];
    let mut v = vec![1.0; 6];
    v[2..].copy_from_slice(&a);
    let old = out[0] * out[1];
    out[..2].copy_from_slice(&a[1..3]);
    out[4..].copy_from_slice(&v[..2]);
    out[2] = out[2] * a[0] + out[3].cos() + old;
    a.fill(out[2]);
    v[..4].clone_from_slice(&a);
    let mut s = 0.0;
    for i in 0..6 {
        s += v[i] * out[i] + v[i].sin();
    }
    s
}

#[test]
fn t_sub_copies() {
    let f = |z: &[f64]| {
        let mut out = z[4..].to_vec();
        let r = sub_copies(&z[..4], &mut out);
        out.push(r);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[4..].to_vec();
        let mut d_out = seed[..6].to_vec();
        let (dx, dz_out) = dz.split_at_mut(4);
        let r = d_sub_copies(&z[..4], dx, &mut out, &mut d_out, seed[6]);
        let mut out_f = z[4..].to_vec();
        same(r, sub_copies(&z[..4], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..6 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4, -0.3, 0.9],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75, -0.3, 0.6, 0.2],
        ],
        &[0.5, -1.0, 0.25, 2.0, 1.5, -0.75, 1.0],
        f,
        vjp,
    );
}

/// Whole `&mut` parameter overwritten by `copy_from_slice` and `fill` inside a loop, then
/// updated in place (a time-stepper with a scratch array).
#[autodiff_reverse(d_mut_param_copies, Duplicated, Duplicated, Active)]
fn mut_param_copies(x: &[f64], u: &mut [f64], a: f64) {
    let mut scratch = [0.0; 4];
    for k in 0..3 {
        scratch.copy_from_slice(u);
        for i in 0..4 {
            u[i] = scratch[i] * a + scratch[(i + 1) % 4].sin() * x[k];
        }
        if k == 1 {
            u.copy_from_slice(&scratch);
            u[0] += x[3];
        }
    }
    let p = u[0] * u[1];
    u[3..].fill(p);
}

#[test]
fn t_mut_param_copies() {
    let f = |z: &[f64]| {
        let mut u = z[4..8].to_vec();
        mut_param_copies(&z[..4], &mut u, z[8]);
        u
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut u = z[4..8].to_vec();
        let mut d_u = seed.to_vec();
        let (dx, rest) = dz.split_at_mut(4);
        let da = d_mut_param_copies(&z[..4], dx, &mut u, &mut d_u, z[8]);
        let mut u_f = z[4..8].to_vec();
        mut_param_copies(&z[..4], &mut u_f, z[8]);
        same_slice(&u, &u_f);
        for i in 0..4 {
            rest[i] += d_u[i];
        }
        rest[4] += da;
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4, 0.8],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75, -0.3, -0.6],
        ],
        &[0.5, -1.0, 0.25, 2.0],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 3. structs

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[derive(Clone, Debug)]
struct Net {
    w: Vec<f64>,
    b: [f64; 3],
    m: [[f64; 3]; 3],
}

impl Net {
    fn zero() -> Net {
        Net {
            w: vec![0.0; 5],
            b: [0.0; 3],
            m: [[0.0; 3]; 3],
        }
    }
    fn from(p: &[f64]) -> Net {
        Net {
            w: p[..5].to_vec(),
            b: [p[5], p[6], p[7]],
            m: [
                [p[8], p[9], p[10]],
                [p[11], p[12], p[13]],
                [p[14], p[15], p[16]],
            ],
        }
    }
    fn flat(&self) -> Vec<f64> {
        let mut v = self.w.clone();
        v.extend_from_slice(&self.b);
        for r in &self.m {
            v.extend_from_slice(r);
        }
        v
    }

    #[differentiable]
    fn matv(&self, x: &[f64], out: &mut [f64]) {
        for i in 0..3 {
            let mut z = self.b[i];
            for j in 0..3 {
                z += self.m[i][j] * x[j];
            }
            out[i] = z.tanh();
        }
    }

    #[differentiable]
    fn sumsq(v: &[f64]) -> f64 {
        v.iter().map(|t| t * t).sum()
    }

    #[autodiff_reverse(d_eval, Duplicated, Duplicated, Active)]
    fn eval(&self, x: &[f64]) -> f64 {
        let mut h = [0.0; 3];
        self.matv(x, &mut h);
        let mut g = [0.0; 3];
        Net::matv(self, &h, &mut g);
        Self::sumsq(&g) + dot(&self.w[1..4], &h) + dot(&self.w[..2], &self.b[1..]) * self.m[2][1]
    }

    /// `&self` Const with a Duplicated slice.
    #[autodiff_reverse(d_apply, Const, Duplicated, Active)]
    fn apply(&self, x: &[f64]) -> f64 {
        let mut h = [0.0; 3];
        self.matv(x, &mut h);
        let mut s = 0.0;
        for (i, v) in h.iter().enumerate() {
            s += v * self.w[i] + Self::sumsq(&x[i..]);
        }
        s
    }
}

#[test]
fn t_struct_eval() {
    let x = [0.3, -0.7, 1.1];
    let p1: Vec<f64> = (0..17)
        .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.15)
        .collect();
    let p2: Vec<f64> = (0..17).map(|i| ((i * 5 % 13) as f64 - 6.0) * 0.1).collect();
    check_all(
        &[&p1, &p2],
        |p| Net::from(p).eval(&x),
        |p, dp| {
            let net = Net::from(p);
            let mut d = Net::zero();
            let mut dx = [0.0; 3];
            same(net.d_eval(&mut d, &x, &mut dx, 1.0), net.eval(&x));
            for (a, b) in dp.iter_mut().zip(d.flat()) {
                *a += b;
            }
        },
    );
    // and through x
    let net = Net::from(&p1);
    check_all(
        &[&x, &[1.0, 0.5, -0.25]],
        |x| net.eval(x),
        |x, dx| {
            let mut d = Net::zero();
            same(net.d_eval(&mut d, x, dx, 1.0), net.eval(x));
        },
    );
    check_all(
        &[&x, &[1.0, 0.5, -0.25]],
        |x| net.apply(x),
        |x, dx| same(net.d_apply(x, dx, 1.0), net.apply(x)),
    );
}

/// A generic `impl<T: Real>` with a `&self` method and a `Self::` helper.
struct Poly<T> {
    c: Vec<T>,
}

impl<T: cotangent::Real> Poly<T> {
    #[differentiable]
    fn term(c: T, x: T, acc: T) -> T {
        acc * x + c
    }

    #[autodiff_reverse(d_horner, Duplicated, Active, Active)]
    fn horner(&self, x: T) -> T {
        let mut s = T::ZERO;
        for i in (0..self.c.len()).rev() {
            s = Self::term(self.c[i], x, s);
        }
        s * s
    }
}

#[test]
fn t_generic_impl() {
    check_all(
        &[&[0.5, -1.0, 0.25, 2.0, 0.7], &[1.5, 0.3, -0.2, 0.1, -1.2]],
        |p| Poly { c: p[..4].to_vec() }.horner(p[4]),
        |p, dp| {
            let poly = Poly { c: p[..4].to_vec() };
            let mut d = Poly { c: vec![0.0; 4] };
            let (y, dx) = poly.d_horner(&mut d, p[4], 1.0);
            same(y, poly.horner(p[4]));
            for i in 0..4 {
                dp[i] += d.c[i];
            }
            dp[4] += dx;
        },
    );
    let poly = Poly {
        c: vec![1.0f32, 2.0, 3.0],
    };
    let mut d = Poly { c: vec![0.0f32; 3] };
    let (y, dx) = poly.d_horner(&mut d, 2.0, 1.0);
    // p(2) = 1 + 4 + 12 = 17; y = 289; dy/dx = 2*17*(2 + 12) = 476
    assert_eq!(y, 289.0);
    assert_eq!(dx, 476.0);
    assert_eq!(d.c, vec![34.0, 68.0, 136.0]);
}

// ---------------------------------------------------------------------------------------
// 4. helpers on aliased buffers, recursion, custom derivatives

/// A helper called twice on the same buffer in one expression, and on overlapping
/// sub-slices of one buffer.
#[autodiff_reverse(d_aliased_dots, Duplicated, Active)]
fn aliased_dots(x: &[f64]) -> f64 {
    let n = x.len();
    let a = dot(x, x) * dot(&x[1..], &x[..n - 1]);
    let b = dot(&x[..3], &x[1..4]).sin() + dot(&x[2..], &x[2..]);
    a + b * dot(x, x)
}

#[test]
fn t_aliased_dots() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5],
            &[1.3, 0.9, -2.0, 0.1, -0.4, 0.6],
        ],
        aliased_dots,
        |x, dx| same(d_aliased_dots(x, dx, 1.0), aliased_dots(x)),
    );
}

#[differentiable]
fn mix_into(a: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = out[i] * a[i % a.len()] + a[0].sin();
    }
}

/// A helper writing `b` from `a[..2]`, then writing `a[2..]` from `b`; then in a loop
/// ping-pong between two halves of one buffer.
#[autodiff_reverse(d_ping_pong, Duplicated, Active)]
fn ping_pong(x: &[f64]) -> f64 {
    let mut a = x.to_vec();
    let mut b = [0.5, -0.5];
    mix_into(&a[..2], &mut b);
    mix_into(&b, &mut a[2..]);
    // `lo` declared inside the loop does not compile (finding F3)
    let mut lo = [0.0; 2];
    for _ in 0..2 {
        lo.copy_from_slice(&a[..2]);
        mix_into(&a[3..], &mut lo);
        a[..2].copy_from_slice(&lo);
        mix_into(&lo, &mut a[3..]);
    }
    dot(&a, &a) + b[1]
}

#[test]
fn t_ping_pong() {
    check_all(
        &[&[0.3, -0.2, 0.7, 1.1, 0.5], &[1.3, 0.9, -2.0, 0.1, -0.4]],
        ping_pong,
        |x, dx| same(d_ping_pong(x, dx, 1.0), ping_pong(x)),
    );
}

#[differentiable]
fn rsum(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x[0].sin() + rsum(&x[1..]) * x[0]
    }
}

#[differentiable]
fn rsplit(x: &[f64]) -> f64 {
    if x.len() == 1 {
        return x[0] * x[0];
    }
    let m = x.len() / 2;
    rsplit(&x[..m]) * rsplit(&x[m..]).cos() + x[m]
}

#[autodiff_reverse(d_recursive_slices, Duplicated, Active)]
fn recursive_slices(x: &[f64]) -> f64 {
    rsum(x) + rsplit(x) + rsum(&x[2..])
}

#[test]
fn t_recursive_slices() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5],
            &[1.3, 0.9, -2.0, 0.1, -0.4, 0.6, 0.2],
            &[0.4, 0.8],
        ],
        recursive_slices,
        |x, dx| same(d_recursive_slices(x, dx, 1.0), recursive_slices(x)),
    );
}

#[differentiable(custom = lse_pullback)]
fn lse(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = x.iter().map(|v| (v - m).exp()).sum();
    m + s.ln()
}

fn lse_pullback(x: &[f64], d_x: &mut [f64], d_ret: f64) {
    let l = lse(x);
    for i in 0..x.len() {
        d_x[i] += d_ret * (x[i] - l).exp();
    }
}

#[differentiable(custom = scaled_sq_pullback)]
fn scaled_sq(k: f64, v: &[f64], out: &mut [f64]) {
    for i in 0..v.len() {
        out[i] = k * v[i] * v[i];
    }
}

fn scaled_sq_pullback(
    k: f64,
    v: &[f64],
    d_v: &mut [f64],
    out: &mut [f64],
    d_out: &mut [f64],
) -> f64 {
    let mut dk = 0.0;
    for i in 0..v.len() {
        out[i] = k * v[i] * v[i];
        dk += d_out[i] * v[i] * v[i];
        d_v[i] += d_out[i] * 2.0 * k * v[i];
        d_out[i] = 0.0;
    }
    dk
}

/// Custom derivatives inside loops, on windows and chunks, and with a `&mut` output.
#[autodiff_reverse(d_custom_in_loops, Duplicated, Active, Active)]
fn custom_in_loops(x: &[f64], k: f64) -> f64 {
    let mut s: f64 = 0.0;
    for w in x.windows(3) {
        s += lse(w) * s.cos();
    }
    let mut buf = vec![0.0; 2];
    for c in x.chunks_exact(2) {
        scaled_sq(k * s, c, &mut buf);
        s += lse(&buf);
    }
    for i in 0..x.len() - 1 {
        s = s * 0.5 + lse(&x[i..]) * k;
    }
    s
}

#[test]
fn t_custom_in_loops() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, 0.8],
            &[1.3, 0.9, -2.0, 0.1, -0.4, -0.6],
        ],
        |z| custom_in_loops(&z[..z.len() - 1], z[z.len() - 1]),
        |z, dz| {
            let n = z.len() - 1;
            let (dx, dk) = dz.split_at_mut(n);
            let (y, g) = d_custom_in_loops(&z[..n], dx, z[n], 1.0);
            same(y, custom_in_loops(&z[..n], z[n]));
            dk[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 5. f32

#[differentiable]
fn dot32(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[differentiable]
fn soft32(v: f32) -> f32 {
    (1.0 + v.exp()).ln()
}

/// f32 through iterators, helpers, `fill`, `copy_from_slice`, `max_by`, windows.
#[autodiff_reverse(d_f32_all, Duplicated, Active, Active)]
fn f32_all(x: &[f32], a: f32) -> f32 {
    let mut buf = vec![0.0f32; x.len()];
    buf.copy_from_slice(x);
    for (o, v) in buf.iter_mut().zip(x) {
        *o = soft32(*o * a) + v.tanh();
    }
    let m = buf.iter().copied().max_by(|p, q| p.total_cmp(q)).unwrap();
    let mut s = dot32(&buf, x) + m;
    for w in x.windows(2) {
        s = s * 0.5 + (w[1] - w[0]).sin();
    }
    let mut t = [0.0f32; 2];
    t.fill(s * a);
    s + t[0] * t[1] + x.iter().fold(0.0f32, |acc, v| acc + v * v * 0.5)
}

#[test]
fn t_f32_all() {
    check_all32(
        &[&[0.3, -0.2, 0.7, 1.1, 0.5], &[1.3, 0.9, -2.0, 0.1, -0.4]],
        |z| f32_all(&to32(&z[..4]), z[4] as f32) as f64,
        |z, dz| {
            let x = to32(&z[..4]);
            let mut dx = [0.0f32; 4];
            let (y, da) = d_f32_all(&x, &mut dx, z[4] as f32, 1.0);
            same32(y, f32_all(&x, z[4] as f32));
            for i in 0..4 {
                dz[i] += dx[i] as f64;
            }
            dz[4] += da as f64;
        },
    );
}

/// Mixed f32/f64 with `as` and `f64::from`, in loops and iterator closures.
#[autodiff_reverse(d_mixed, Duplicated, Duplicated, Active)]
fn mixed(x: &[f32], y: &[f64]) -> f64 {
    let mut s = 0.0f64;
    for i in 0..x.len() {
        let a = f64::from(x[i]) * y[i];
        let b = (y[i] as f32 * x[i]).sin();
        s += a.exp() + f64::from(b) + (s as f32 * x[i]) as f64;
    }
    let t: f32 = x.iter().zip(y).map(|(p, q)| p * (*q as f32)).sum();
    let u: f64 = y.iter().map(|q| (*q as f32).cos() as f64 * q).sum();
    s + f64::from(t) * u
}

#[test]
fn t_mixed() {
    check_all32(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.3],
            &[1.3, 0.9, -2.0, 0.1, -0.4, 0.6],
        ],
        |z| mixed(&to32(&z[..3]), &z[3..]),
        |z, dz| {
            let x = to32(&z[..3]);
            let mut dx = [0.0f32; 3];
            let mut dy = [0.0f64; 3];
            same(
                d_mixed(&x, &mut dx, &z[3..], &mut dy, 1.0),
                mixed(&x, &z[3..]),
            );
            for i in 0..3 {
                dz[i] += dx[i] as f64;
                dz[3 + i] += dy[i];
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// 6. returned arrays

#[differentiable]
fn cross(a: &[f64], b: &[f64]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// An array-valued function with loops, helpers and an early return.
#[autodiff_reverse(d_arr_out, Duplicated, Active, Active)]
fn arr_out(x: &[f64], k: f64) -> [f64; 3] {
    let mut r = [0.0; 3];
    for (i, c) in x.chunks(3).enumerate() {
        if c.len() < 3 {
            r[i % 3] += c[0] * k;
            continue;
        }
        let v = cross(c, &r);
        for j in 0..3 {
            r[j] = r[j] * 0.5 + v[j] + c[j].sin() * k;
        }
    }
    if r[0] > 10.0 {
        return [r[0], 0.0, k];
    }
    let w = cross(&x[..3], &x[3..6]);
    [r[0] + w[1], r[1] * w[2], dot(&r, &w)]
}

#[test]
fn t_arr_out() {
    let seed = [0.5, -1.0, 2.0];
    let f = |z: &[f64]| arr_out(&z[..7], z[7]).to_vec();
    let vjp = |z: &[f64], s: &[f64], dz: &mut [f64]| {
        let (dx, dk) = dz.split_at_mut(7);
        let (y, g) = d_arr_out(&z[..7], dx, z[7], [s[0], s[1], s[2]]);
        same_slice(&y, &arr_out(&z[..7], z[7]));
        dk[0] += g;
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75, -0.3],
        ],
        &seed,
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// 7. more combinations

#[differentiable]
fn upd(o: &mut f64, v: f64) {
    *o = *o * v.cos() + v;
}

/// `iter_mut` with `rev`/`step_by`/`skip`, zipped with a reversed iterator, items passed
/// as `&mut f64` to a helper, a `return` in the middle of writes.
#[autodiff_reverse(d_iter_mut_combo, Duplicated, Duplicated, Active)]
fn iter_mut_combo(x: &[f64], out: &mut [f64]) -> f64 {
    let mut s = 0.5;
    for o in out.iter_mut().rev().step_by(2) {
        *o = *o * *o + s;
        s += *o * 0.5;
    }
    for (o, v) in out.iter_mut().skip(1).zip(x.iter().rev()) {
        upd(o, *v);
    }
    for (i, o) in out.iter_mut().enumerate() {
        if s > 3.0 && i == 2 {
            return s * *o;
        }
        *o = o.sin() * s;
        s += *o;
    }
    s
}

#[test]
fn t_iter_mut_combo() {
    let f = |z: &[f64]| {
        let mut out = z[4..].to_vec();
        let r = iter_mut_combo(&z[..4], &mut out);
        out.push(r);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[4..].to_vec();
        let mut d_out = seed[..5].to_vec();
        let (dx, dz_out) = dz.split_at_mut(4);
        let r = d_iter_mut_combo(&z[..4], dx, &mut out, &mut d_out, seed[5]);
        let mut out_f = z[4..].to_vec();
        same(r, iter_mut_combo(&z[..4], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..5 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            // no return
            &[0.3, -0.2, 0.7, 0.1, 0.5, -0.6, 0.2, 0.4, -0.3],
            // return at i == 2
            &[1.3, 0.9, -2.0, 0.1, -1.5, 1.25, 1.75, -1.3, 1.6],
        ],
        &[0.5, -1.0, 0.25, 2.0, 1.5, -0.75],
        f,
        vjp,
    );
    // make sure both paths are exercised
    let mut o1 = vec![0.5, -0.6, 0.2, 0.4, -0.3];
    let mut o2 = vec![-1.5, 1.25, 1.75, -1.3, 1.6];
    let r1 = iter_mut_combo(&[0.3, -0.2, 0.7, 0.1], &mut o1);
    let r2 = iter_mut_combo(&[1.3, 0.9, -2.0, 0.1], &mut o2);
    assert!(r1.is_finite() && r2.is_finite());
}

/// Nested iterator loops where the inner chain uses the outer item, `map` calling a
/// helper, `windows` feeding `max_by`, iteration over a local array by reference.
#[autodiff_reverse(d_nested_iters, Duplicated, Active)]
fn nested_iters(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, a) in x.iter().enumerate() {
        for b in x.iter().skip(i + 1).step_by(2) {
            s += (a * b).sin();
        }
    }
    let h: f64 = x.iter().map(|v| sq_sin(*v) * s).sum();
    let m = x
        .windows(2)
        .map(|w| w[0] * w[1])
        .max_by(|p, q| p.total_cmp(q))
        .unwrap();
    let loc = [x[0] * h, m, s];
    let mut t = 0.0;
    for v in &loc {
        t = t * 0.5 + v.tanh();
    }
    for v in loc.iter().rev() {
        t += v * t;
    }
    t + x.iter().sum::<f64>() * x.iter().count() as f64
}

#[test]
fn t_nested_iters() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5],
            &[1.3, 0.9, -2.0, 0.1, -0.4, 0.6],
        ],
        nested_iters,
        |x, dx| same(d_nested_iters(x, dx, 1.0), nested_iters(x)),
    );
}

#[differentiable]
fn prefix_mut(x: &mut [f64]) {
    if x.len() > 1 {
        x[1] += x[0] * x[0] * 0.5;
        prefix_mut(&mut x[1..]);
    }
}

/// Recursion on `&mut` sub-slices, called on a `&mut` parameter's sub-slice.
#[autodiff_reverse(d_rec_mut, Duplicated, Active)]
fn rec_mut(u: &mut [f64]) -> f64 {
    prefix_mut(&mut u[1..]);
    let s = u.iter().map(|v| v.sin()).sum::<f64>();
    prefix_mut(u);
    s * u[u.len() - 1]
}

#[test]
fn t_rec_mut() {
    let f = |z: &[f64]| {
        let mut u = z.to_vec();
        let r = rec_mut(&mut u);
        u.push(r);
        u
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut u = z.to_vec();
        let mut d_u = seed[..5].to_vec();
        let r = d_rec_mut(&mut u, &mut d_u, seed[5]);
        let mut u_f = z.to_vec();
        same(r, rec_mut(&mut u_f));
        same_slice(&u, &u_f);
        for i in 0..5 {
            dz[i] += d_u[i];
        }
    };
    check_vjp(
        &[&[0.3, -0.2, 0.7, 0.1, 0.5], &[1.3, 0.9, -1.0, 0.1, -0.4]],
        &[0.5, -1.0, 0.25, 2.0, 1.5, -0.75],
        f,
        vjp,
    );
}

#[derive(Clone, Debug)]
struct Mat {
    m: [[f64; 3]; 3],
    v: Vec<f64>,
}

impl Mat {
    #[differentiable]
    fn row_dot(&self, i: usize, x: &[f64]) -> f64 {
        dot(&self.m[i], x) + dot(&self.m[i][1..], &self.v[..2])
    }

    /// Duplicated `&self`, a nested-array row passed as a slice, a method calling a
    /// method, and the struct's `Vec` field iterated.
    #[autodiff_reverse(d_quad, Duplicated, Duplicated, Active)]
    fn quad(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += self.row_dot(i, x) * x[i];
        }
        for (j, w) in self.v.iter().enumerate() {
            s += w * self.m[j % 3][(j + 1) % 3];
        }
        s
    }
}

#[test]
fn t_mat_quad() {
    let from = |p: &[f64]| Mat {
        m: [[p[0], p[1], p[2]], [p[3], p[4], p[5]], [p[6], p[7], p[8]]],
        v: p[9..13].to_vec(),
    };
    let p1: Vec<f64> = (0..16)
        .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.15)
        .collect();
    let p2: Vec<f64> = (0..16).map(|i| ((i * 5 % 13) as f64 - 6.0) * 0.1).collect();
    check_all(
        &[&p1, &p2],
        |p| from(p).quad(&p[13..]),
        |p, dp| {
            let m = from(p);
            let mut d = Mat {
                m: [[0.0; 3]; 3],
                v: vec![0.0; 4],
            };
            let mut dx = [0.0; 3];
            same(m.d_quad(&mut d, &p[13..], &mut dx, 1.0), m.quad(&p[13..]));
            for i in 0..9 {
                dp[i] += d.m[i / 3][i % 3];
            }
            for i in 0..4 {
                dp[9 + i] += d.v[i];
            }
            for i in 0..3 {
                dp[13 + i] += dx[i];
            }
        },
    );
}

#[differentiable]
fn gen_sum<T: cotangent::Real>(x: &[T]) -> T {
    let mut s = T::ZERO;
    for v in x.iter() {
        s += *v * *v;
    }
    s
}

/// An f32 array-valued function calling a generic helper, with `ActiveOnly`.
#[autodiff_reverse(d_arr32, Duplicated, ActiveOnly)]
fn arr32(x: &[f32]) -> [f32; 2] {
    let mut r = [0.0f32; 2];
    for c in x.chunks(2) {
        r[0] += gen_sum(c);
        r[1] = r[1] * 0.5 + c[0].exp();
    }
    r
}

#[test]
fn t_arr32() {
    let seed = [0.5, -1.0];
    let f = |z: &[f64]| arr32(&to32(z)).iter().map(|v| *v as f64).collect();
    let vjp = |z: &[f64], s: &[f64], dz: &mut [f64]| {
        let x = to32(z);
        let mut dx = vec![0.0f32; z.len()];
        d_arr32(&x, &mut dx, [s[0] as f32, s[1] as f32]);
        for i in 0..z.len() {
            dz[i] += dx[i] as f64;
        }
    };
    for p in [&[0.3, -0.2, 0.7, 1.1, 0.5][..], &[1.3, 0.9, -1.0, 0.1]] {
        if let Err(e) = gradcheck_vjp_with(F32_OPTIONS, f, vjp, p, &seed) {
            panic!("{e:?}");
        }
    }
}

/// Index semantics of `rev().enumerate()` vs `enumerate().rev()`, `zip` truncation by the
/// shorter side, `skip`/`take`/`windows`/`chunks` sizes beyond the length, ranges with
/// `rev().step_by()`.
#[autodiff_reverse(d_edge_sizes, Duplicated, Duplicated, Active)]
fn edge_sizes(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().rev().enumerate() {
        s = s * 0.9 + v * (i as f64 + 0.5);
    }
    for (i, v) in x.iter().enumerate().rev() {
        s = s * 0.8 + (v * (i as f64 - 1.5)).sin();
    }
    for (a, b) in x.iter().zip(y.iter().skip(2)) {
        s += a * b.cos();
    }
    for (a, b) in y.iter().zip(x.iter().step_by(2)).rev() {
        s = s * a + b;
    }
    for v in x.iter().skip(10) {
        s += v * 100.0;
    }
    for v in x.iter().take(10).skip(3) {
        s += v * v;
    }
    for w in x.windows(10) {
        s += w[0];
    }
    for c in y.chunks(10) {
        s += c[c.len() - 1] * s;
    }
    for i in (1..x.len()).rev().step_by(2) {
        s += x[i] * x[i - 1];
    }
    for i in (0..=y.len() - 1).step_by(3) {
        s = s.sin() + y[i];
    }
    s
}

#[test]
fn t_edge_sizes() {
    check_all(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.6, 1.2, 0.4, -0.3],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25, 0.75, -0.3, 0.6],
        ],
        |z| edge_sizes(&z[..5], &z[5..]),
        |z, dz| {
            let (dx, dy) = dz.split_at_mut(5);
            same(
                d_edge_sizes(&z[..5], dx, &z[5..], dy, 1.0),
                edge_sizes(&z[..5], &z[5..]),
            );
        },
    );
}

/// A closure capturing a local that the loop changes after the closure ran, `break` in a
/// filtered loop, `continue` in a `windows` loop, `&mut` sub-slice aliases with `fill`.
#[autodiff_reverse(d_captures_and_aliases, Duplicated, Duplicated, Active)]
fn captures_and_aliases(x: &[f64], out: &mut [f64]) -> f64 {
    let mut c = 1.0;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x.iter().map(|v| v * c).sum::<f64>().sin();
        c = c * x[i] + 0.5;
    }
    for v in x.iter().filter(|v| **v > 0.0) {
        if s > 2.0 {
            break;
        }
        s += v.exp();
    }
    let mut st = s;
    for w in x.windows(2) {
        if w[0] > w[1] {
            continue;
        }
        st = st * w[1] - w[0];
    }
    let r = &mut out[1..];
    r.fill(st * 0.1);
    r[0] *= c;
    let t = &out[..2];
    s + t[0] * t[1] + c
}

#[test]
fn t_captures_and_aliases() {
    let f = |z: &[f64]| {
        let mut out = z[4..].to_vec();
        let r = captures_and_aliases(&z[..4], &mut out);
        out.push(r);
        out
    };
    let vjp = |z: &[f64], seed: &[f64], dz: &mut [f64]| {
        let mut out = z[4..].to_vec();
        let mut d_out = seed[..3].to_vec();
        let (dx, dz_out) = dz.split_at_mut(4);
        let r = d_captures_and_aliases(&z[..4], dx, &mut out, &mut d_out, seed[3]);
        let mut out_f = z[4..].to_vec();
        same(r, captures_and_aliases(&z[..4], &mut out_f));
        same_slice(&out, &out_f);
        for i in 0..3 {
            dz_out[i] += d_out[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.5, -0.6, 0.2],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 1.25, 1.75],
            &[-0.3, -0.9, -0.4, -0.1, -1.5, 1.25, 1.75],
        ],
        &[0.5, -1.0, 0.25, 2.0],
        f,
        vjp,
    );
}

#[differentiable]
fn upd_elem(o: &mut f64, v: f64) {
    *o = *o * v.cos() + v;
}

/// `&[f64; 3]` / `&mut [f64; 3]` parameters, `copy_from_slice` from an array parameter and
/// onto the `&mut` array, single elements `&mut out[i]` passed to a helper.
#[autodiff_reverse(d_array_params, Duplicated, Duplicated, Active)]
fn array_params(x: &[f64; 3], out: &mut [f64; 3]) -> f64 {
    let mut t = [0.0; 3];
    t.copy_from_slice(x);
    for i in 0..3 {
        upd_elem(&mut out[i], t[i]);
    }
    let tmp = [out[1], out[2], out[0] * t[0]];
    out.copy_from_slice(&tmp);
    out[0] * out[2]
}

#[test]
fn t_array_params() {
    let f = |z: &[f64]| {
        let mut o = [z[3], z[4], z[5]];
        let r = array_params(&[z[0], z[1], z[2]], &mut o);
        vec![o[0], o[1], o[2], r]
    };
    let vjp = |z: &[f64], s: &[f64], dz: &mut [f64]| {
        let mut o = [z[3], z[4], z[5]];
        let mut d_o = [s[0], s[1], s[2]];
        let mut dx = [0.0; 3];
        let r = d_array_params(&[z[0], z[1], z[2]], &mut dx, &mut o, &mut d_o, s[3]);
        let mut of = [z[3], z[4], z[5]];
        same(r, array_params(&[z[0], z[1], z[2]], &mut of));
        same_slice(&o, &of);
        for i in 0..3 {
            dz[i] += dx[i];
            dz[3 + i] += d_o[i];
        }
    };
    check_vjp(
        &[
            &[0.3, -0.2, 0.7, 1.1, 0.5, -0.4],
            &[1.3, 0.9, -2.0, 0.1, -1.5, 0.25],
        ],
        &[0.5, -1.0, 2.0, 1.5],
        f,
        vjp,
    );
}

// ---------------------------------------------------------------------------------------
// Regression tests for three findings of this file (fixed): `*` on the element a
// `max_by(..).unwrap()` returns; an active `Vec` made inside a loop body; a buffer
// declared inside a loop body passed as `&mut` to a helper.

#[autodiff_reverse(d_deref_best, Duplicated, Active)]
fn deref_best(x: &[f64]) -> f64 {
    *x.iter().max_by(|a, b| a.total_cmp(b)).unwrap() * x[0]
}

#[autodiff_reverse(d_vec_in_loop, Duplicated, Active)]
fn vec_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..2 {
        let t = x.to_vec();
        let u = vec![x[k]; 2];
        s += t[0] * t[1] + u[1] * t[k];
    }
    if x[0] > 0.0 {
        let t = x.to_vec();
        s += t[0] * t[1];
    }
    s
}

#[differentiable]
fn set_square(a: &[f64], out: &mut [f64]) {
    out[0] = a[0] * a[0];
}

#[autodiff_reverse(d_buffer_in_loop, Duplicated, Active)]
fn buffer_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for _ in 0..2 {
        let mut lo = [1.0];
        set_square(x, &mut lo);
        s += lo[0] * x[1];
    }
    if x[0] > 0.0 {
        let mut t = vec![0.0; 1];
        set_square(&x[1..], &mut t);
        s += t[0] * x[0];
    }
    s
}

#[test]
fn findings_of_this_file_are_fixed() {
    for p in [[0.5, 2.0], [-1.0, 0.3], [1.5, -0.7]] {
        for (f, d) in [
            (
                deref_best as fn(&[f64]) -> f64,
                d_deref_best as fn(&[f64], &mut [f64], f64) -> f64,
            ),
            (vec_in_loop, d_vec_in_loop),
            (buffer_in_loop, d_buffer_in_loop),
        ] {
            let grad = |x: &[f64], g: &mut [f64]| same(d(x, g, 1.0), f(x));
            if let Err(e) = gradcheck(f, grad, &p) {
                panic!("at {p:?}: {e:?}");
            }
        }
    }
}
