//! Straight-line code under `#[autodiff_reverse]`: bindings, arithmetic, literals, casts,
//! constants, blocks, returns, indexing into arrays, nested arrays, slices and `Vec`s,
//! writes into local buffers and `&mut` outputs, dereferences, array returns, methods and
//! parameter names that look like generated ones.
//!
//! Every construct is checked against central finite differences of the untouched primal
//! at several inputs, and against exact values where they are easy to state. Every call
//! of an adjoint also checks that its primal is bit for bit `f`'s.

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all, check_vjp_all};

// ---------------------------------------------------------------------------------------
// helpers

#[track_caller]
fn assert_close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{a:e} vs expected {b:e}"
    );
}

/// Points for functions of two scalars.
const PAIRS: &[&[f64]] = &[&[0.7, 1.3], &[-1.1, 0.4], &[2.0, -0.6], &[0.0, 0.9]];

/// Checks a function of two `Active` scalars whose adjoint returns `(primal, dx, dy)`.
#[track_caller]
fn check2(f: fn(f64, f64) -> f64, d_f: fn(f64, f64, f64) -> (f64, f64, f64)) {
    check_all(
        PAIRS,
        |v| f(v[0], v[1]),
        |v, d| {
            let (y, gx, gy) = d_f(v[0], v[1], 1.0);
            assert_bits(y, f(v[0], v[1]));
            d[0] += gx;
            d[1] += gy;
        },
    );
}

// ---------------------------------------------------------------------------------------
// bindings

#[autodiff_reverse(d_bindings, Active, Active, Active)]
#[allow(clippy::assign_op_pattern)] // `c = c - a` is the construct under test
fn bindings(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b: f64 = a + x;
    let mut c = b * b;
    c = c - a; // reassignment from its own old value
    let a = a.sin(); // shadowing
    let mut d: f64 = 0.5;
    d = d * c + a;
    let c = d * x; // shadowing a `let mut`
    c + b
}

#[test]
fn let_mut_annotations_shadowing_reassignment() {
    check2(bindings, d_bindings);
    // x = 1, y = 2: a = 2, b = 3, c = 9 - 2 = 7, a' = sin 2, d = 3.5 + sin 2, c' = d,
    // result = 3.5 + sin 2 + 3
    let (v, gx, gy) = d_bindings(1.0, 2.0, 1.0);
    assert_bits(v, bindings(1.0, 2.0));
    // d/dx: c' = d * x gives d + x * dd/dx; dd/dx = 0.5 * dc/dx + cos(a) * y;
    // dc/dx = 2 b (y + 1) - y = 2 * 3 * 3 - 2 = 16; db/dx = y + 1 = 3
    let (a, d) = (2.0f64, 3.5 + 2f64.sin());
    assert_close(gx, d + (0.5 * 16.0 + a.cos() * 2.0) + 3.0);
    // dc/dy = 2 b x - x = 5; dd/dy = 0.5 * 5 + cos(a) * x; db/dy = x
    assert_close(gy, (0.5 * 5.0 + a.cos()) + 1.0);
}

#[autodiff_reverse(d_compound, Active, Active, Active)]
fn compound(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y * 2.0;
    s -= x * x;
    s *= y;
    s /= x * x + 3.0;
    s += s; // reads and writes the same variable
    s *= s;
    s -= 1.5;
    s
}

#[autodiff_reverse(d_param_shadowing, Active, Active, Active)]
fn param_shadowing(mut x: f64, y: f64) -> f64 {
    let y = y * x; // shadows a parameter
    x = x * 2.0 + y; // reassigns a `mut` parameter
    let x = x.sin() * y; // shadows it again
    {
        let x = 100.0; // an inner shadow that does not leak out
        let _ = x;
    }
    x + y
}

#[test]
fn shadowed_and_mut_parameters() {
    check2(param_shadowing, d_param_shadowing);
    let (x, y) = (0.5f64, 1.5f64);
    let (y1, x1) = (y * x, 2.0 * x + y * x);
    let (v, gx, gy) = d_param_shadowing(x, y, 1.0);
    assert_bits(v, param_shadowing(x, y));
    assert_close(gx, x1.cos() * (2.0 + y) * y1 + x1.sin() * y + y);
    assert_close(gy, x1.cos() * x * y1 + x1.sin() * x + x);
}

/// Each compound assignment once on the same variable; `s` is needed by one of them.
#[autodiff_reverse(d_compound_once, Active, Active, Active)]
fn compound_once(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y * 2.0;
    s -= x * x;
    s *= y;
    s /= x * x + 3.0;
    s += s;
    s -= 1.5;
    s
}

/// Each compound assignment on its own variable, each variable assigned once.
#[autodiff_reverse(d_compound_separate, Active, Active, Active)]
fn compound_separate(x: f64, y: f64) -> f64 {
    let mut a = x;
    a += y * 2.0;
    let mut b = a;
    b -= x * x;
    let mut c = b;
    c *= y;
    let mut d = c;
    d /= x * x + 3.0;
    let mut e = d;
    e += e;
    e - 1.5
}

/// Many linear updates of one variable (nothing to record).
#[autodiff_reverse(d_linear_updates, Active, Active, Active)]
fn linear_updates(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y * y;
    s -= x * 3.0;
    s += s;
    s -= y;
    s += x.sin();
    s
}

#[autodiff_reverse(d_rem_assign, Active, Active, Active)]
fn rem_assign(x: f64, y: f64) -> f64 {
    let mut s = x * 3.0 + 10.0;
    s %= y * y + 1.0;
    s * x
}

#[test]
fn compound_assignment() {
    check2(compound_separate, d_compound_separate);
    check2(linear_updates, d_linear_updates);
    check2(rem_assign, d_rem_assign);
    // x = y = 1: u = 1 + 2 - 1, s = u * 1 / 4 * 2 - 1.5 = -0.5
    // d/dx = 2 y [(1 - 2x)(x² + 3) - 2x u] / (x² + 3)² = -1; d/dy = 2 (2y + u) / (x² + 3) = 2
    assert_eq!(d_compound_separate(1.0, 1.0, 1.0), (-0.5, -1.0, 2.0));
    // 2 (x + y² - 3x) - y + sin x
    assert_eq!(d_linear_updates(0.0, 3.0, 1.0), (15.0, -4.0 + 1.0, 11.0));
    // %=: d/dx (s % m) * x with s = 3x + 10, m = y² + 1
    let (x, y) = (0.5f64, 1.5f64);
    let (m, q) = (y * y + 1.0, ((3.0 * x + 10.0) / (y * y + 1.0)).trunc());
    let (v, gx, gy) = d_rem_assign(x, y, 1.0);
    assert_bits(v, rem_assign(x, y));
    assert_close(gx, 3.0 * x + (3.0 * x + 10.0) % m);
    assert_close(gy, -q * 2.0 * y * x);
}

/// The same variable overwritten several times after being read by a nonlinear operation
/// (once failed: its old values went to a `Slot` tape that can hold only one).
#[test]
fn compound_assignment_twice_nonlinear() {
    check2(compound_once, d_compound_once);
    assert_eq!(d_compound_once(1.0, 1.0, 1.0), (-0.5, -1.0, 2.0));
    check2(compound, d_compound);
    // s = x + 2y - x² ; * y ; / (x² + 3) ; * 2 ; ^2 ; - 1.5
    let (v, gx, gy) = d_compound(1.0, 1.0, 1.0);
    // x = y = 1: u = 2, s = u / 4 * 2 = 1, result = 1 - 1.5
    assert_eq!(v, -0.5);
    // result = (2 u y / (x² + 3))² - 1.5 with u = x + 2y - x²; d/d(inner) = 2 * 1 = 2
    // inner = 2 u y / (x² + 3): d/dx = 2 y [(1 - 2x)(x² + 3) - u 2x] / (x² + 3)² = 2 * (-4 - 4) / 16 = -1
    // d/dy = 2 [2 y + u] / (x² + 3) = 2 * 4 / 4 = 2
    assert_close(gx, -2.0);
    assert_close(gy, 4.0);
}

#[autodiff_reverse(d_arith, Active, Active, Active)]
fn arith(x: f64, y: f64) -> f64 {
    let a = -(x + y) * (x - y) / (1.0 + x * x) - -y;
    let b = -x * -y + (-(x)) - (y);
    let c = (((x * 2.0) - y) / (y * y + 1.0)) * (x / 2.0 - (y - x));
    a + b * c - -a
}

#[test]
fn operators_unary_minus_parentheses() {
    check2(arith, d_arith);
    #[autodiff_reverse(d_neg, Active, Active)]
    fn neg(x: f64) -> f64 {
        -x
    }
    assert_eq!(d_neg(3.0, 1.0), (neg(3.0), -1.0));
    #[autodiff_reverse(d_quot, Active, Active, Active)]
    fn quot(x: f64, y: f64) -> f64 {
        x / y
    }
    assert_eq!(d_quot(3.0, 2.0, 1.0), (quot(3.0, 2.0), 0.5, -0.75));
    #[autodiff_reverse(d_diff, Active, Active, Active)]
    fn diff(x: f64, y: f64) -> f64 {
        x - y
    }
    assert_eq!(d_diff(3.0, 2.0, 1.0), (diff(3.0, 2.0), 1.0, -1.0));
    // the same variable on both sides of an operator
    #[autodiff_reverse(d_square_minus, Active, Active)]
    fn square_minus(x: f64) -> f64 {
        x * x - x / x + x + x
    }
    assert_eq!(d_square_minus(3.0, 1.0), (square_minus(3.0), 8.0));
}

#[autodiff_reverse(d_literals, Active, Active, Active)]
fn literals(x: f64, y: f64) -> f64 {
    2.0 * x + 3f64 * y + 1.5e-1 * x * y + 4. * x - 1_000.5_f64 * y + 2.5E1 * x * x + 7.0f64
}

#[autodiff_reverse(d_literals_32, Active, Active)]
fn literals_32(x: f32) -> f32 {
    2.0 * x + 3f32 * x * x + 0.5_f32 - 1e-1 * x
}

#[test]
fn float_literals() {
    check2(literals, d_literals);
    let (v, gx, gy) = d_literals(1.0, 2.0, 1.0);
    assert_bits(v, literals(1.0, 2.0));
    assert_close(gx, 2.0 + 0.15 * 2.0 + 4.0 + 50.0);
    assert_close(gy, 3.0 + 0.15 - 1000.5);
    let (v, g) = d_literals_32(2.0, 1.0);
    assert_eq!(v.to_bits(), literals_32(2.0).to_bits());
    assert!((g - 13.9).abs() < 1e-5, "{g}");
}

// ---------------------------------------------------------------------------------------
// integers and casts

#[autodiff_reverse(d_ints, Active, Const, Active)]
fn ints(x: f64, n: usize) -> f64 {
    let k = n * 2 + 1; // 2n + 1
    let m = (k % 4) as i32 - 1;
    let half = (k / 2) as f64; // = n
    let big = x as i64; // an active value cast to an integer: inactive
    let mut s = x * k as f64 + half * x * x;
    s += (m as f64) * x.sin() + big as f64;
    s += (n as f32) as f64 * x; // inactive float cast of an integer
    s
}

#[test]
fn integer_arithmetic_and_casts_are_inactive() {
    for n in [0usize, 1, 2, 5] {
        check_all(
            &[&[0.3], &[-1.7], &[2.4]],
            |v| ints(v[0], n),
            |v, d| {
                let (y, g) = d_ints(v[0], n, 1.0);
                assert_bits(y, ints(v[0], n));
                d[0] += g;
            },
        );
        let k = (2 * n + 1) as f64;
        let m = ((2 * n + 1) % 4) as f64 - 1.0;
        let x = 0.3f64;
        assert_close(
            d_ints(x, n, 1.0).1,
            k + 2.0 * n as f64 * x + m * x.cos() + n as f64,
        );
    }
}

#[autodiff_reverse(d_float_casts, Active, Active, Active)]
#[allow(clippy::unnecessary_cast)] // `x as f64` on an f64 is under test
fn float_casts(x: f64, y: f32) -> f64 {
    let a = (x as f32) * y; // f64 -> f32, differentiated
    let b = a as f64 * x; // f32 -> f64, differentiated
    let c = (y as f64).sin() + x as f64; // identity cast
    b + c
}

#[autodiff_reverse(d_to_f32, Active, Active)]
fn to_f32(x: f64) -> f32 {
    let y = x as f32;
    y * y
}

#[test]
fn float_casts_are_active() {
    for &(x, y) in &[(0.5f64, 1.5f32), (-2.0, 0.25), (1.25, -3.0)] {
        let (v, gx, gy): (f64, f64, f32) = d_float_casts(x, y, 1.0);
        assert_bits(v, float_casts(x, y));
        // d/dx = 2 x y (rounded through f32) + 1 ; d/dy = x² + cos(y)
        let xf = x as f32;
        assert!((gx - (2.0 * (xf * y) as f64 + 1.0)).abs() < 1e-6 * gx.abs().max(1.0));
        assert!((gy as f64 - (x * x + (y as f64).cos())).abs() < 1e-5);
    }
    // exact when x and y are representable in f32
    assert_eq!(d_float_casts(2.0, 3.0, 1.0).1, 2.0 * 2.0 * 3.0 + 1.0);
    assert_eq!(d_to_f32(1.5, 1.0), (to_f32(1.5), 3.0f64));
    assert_eq!(d_to_f32(-0.5, 2.0), (0.25f32, -2.0f64));
}

// ---------------------------------------------------------------------------------------
// constants, blocks and returns

const SCALE: f64 = 2.5;
const OFFSETS: [f64; 2] = [0.25, -1.0];

#[autodiff_reverse(d_constants, Active, Active)]
fn constants(x: f64) -> f64 {
    use std::f64::consts::E;
    std::f64::consts::PI * x * x + SCALE * x + E + core::f64::consts::FRAC_PI_2 * x.sin()
        - f64::EPSILON * x
        + OFFSETS[1] * x
}

#[test]
fn std_and_user_constants() {
    use std::f64::consts::{FRAC_PI_2, PI};
    check_all(
        &[&[0.0], &[1.3], &[-2.2]],
        |v| constants(v[0]),
        |v, d| {
            let (y, g) = d_constants(v[0], 1.0);
            assert_bits(y, constants(v[0]));
            d[0] += g;
        },
    );
    let x = 0.7f64;
    assert_close(
        d_constants(x, 1.0).1,
        2.0 * PI * x + SCALE + FRAC_PI_2 * x.cos() - f64::EPSILON - 1.0,
    );
    assert_eq!(OFFSETS[0], 0.25);
}

#[autodiff_reverse(d_blocks, Active, Active, Active)]
fn blocks(x: f64, y: f64) -> f64 {
    let a = {
        let t = x * y;
        t.sin() + t
    };
    let b = { x };
    let c = {
        let u = {
            let v = a * b;
            v * v
        };
        u + y
    };
    {
        let w = c * 0.5;
        w + a
    }
}

#[test]
fn block_expressions() {
    check2(blocks, d_blocks);
    // x = 0: a = 0, b = 0, c = y, result = y / 2; d/dx = da/dx = (cos 0 + 1) y
    assert_eq!(d_blocks(0.0, 3.0, 1.0), (1.5, (1.0 + 1.0) * 3.0, 0.5));
}

#[autodiff_reverse(d_explicit_return, Active, Active)]
#[allow(clippy::needless_return)] // the final `return` is under test
fn explicit_return(x: f64) -> f64 {
    let y = x * x;
    let z = y.sin() * x;
    return z + y;
}

#[autodiff_reverse(d_tail_return, Active, Active)]
fn tail_return(x: f64) -> f64 {
    let y = x * x;
    let z = y.sin() * x;
    z + y
}

#[autodiff_reverse(d_return_param, Active, Active)]
#[allow(clippy::needless_return)]
fn return_param(x: f64) -> f64 {
    return x;
}

#[test]
fn tail_expression_and_final_return() {
    for x in [-1.5, 0.0, 0.8, 2.2] {
        let (a, ga) = d_explicit_return(x, 1.0);
        let (b, gb) = d_tail_return(x, 1.0);
        assert_bits(a, explicit_return(x));
        assert_bits(b, tail_return(x));
        assert_eq!(ga.to_bits(), gb.to_bits());
        let expected = 2.0 * x * x * (x * x).cos() + (x * x).sin() + 2.0 * x;
        assert_close(ga, expected);
    }
    check_all(
        &[&[0.4], &[-1.2]],
        |v| explicit_return(v[0]),
        |v, d| d[0] += d_explicit_return(v[0], 1.0).1,
    );
    assert_eq!(d_return_param(4.0, 1.0), (return_param(4.0), 1.0));
    assert_eq!(d_return_param(4.0, -2.0), (4.0, -2.0));
}

// ---------------------------------------------------------------------------------------
// reading arrays, slices and vectors

#[autodiff_reverse(d_array_reads, Duplicated, Active)]
fn array_reads(x: &[f64; 4]) -> f64 {
    let i = 1;
    let j: usize = 3 - i; // 2
    x[0] * x[i + 1] + x[j + 1] * x[2 * i - 2] + x[3].sin() * x[i] + x[x.len() - 1]
}

#[test]
fn index_reads_on_arrays() {
    let points: &[&[f64]] = &[
        &[0.5, -1.0, 2.0, 0.25],
        &[0.0, 0.0, 0.0, 0.0],
        &[1.5, 3.0, -2.0, 1.0],
    ];
    check_all(
        points,
        |v| array_reads(&[v[0], v[1], v[2], v[3]]),
        |v, d| {
            let x = [v[0], v[1], v[2], v[3]];
            let mut dx = [0.0; 4];
            assert_bits(d_array_reads(&x, &mut dx, 1.0), array_reads(&x));
            d.copy_from_slice(&dx);
        },
    );
    let x = [1.0, 2.0, 3.0, 0.0];
    let mut dx = [0.0; 4];
    d_array_reads(&x, &mut dx, 1.0);
    // x0 x2 + x3 x0 + sin(x3) x1 + x3
    assert_eq!(dx, [3.0 + 0.0, 0.0, 1.0, 1.0 + 2.0 + 1.0]);
}

#[autodiff_reverse(d_matvec_nested, Duplicated, Duplicated, Active)]
fn matvec_nested(m: &[[f64; 3]; 2], v: &[f64; 3]) -> f64 {
    let r0 = m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2];
    let r1 = m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2];
    let row = 1;
    r0 * r1 + m[row][row + 1] * m[row - 1][0]
}

#[test]
fn nested_arrays() {
    let m = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let v = [0.5, -1.0, 2.0];
    let mut dm = [[0.0; 3]; 2];
    let mut dv = [0.0; 3];
    let y = d_matvec_nested(&m, &mut dm, &v, &mut dv, 1.0);
    assert_bits(y, matvec_nested(&m, &v));
    let (r0, r1) = (4.5, 9.0);
    assert_eq!(
        dm,
        [
            [r1 * 0.5 + 6.0, -r1, r1 * 2.0],
            [r0 * 0.5, -r0, r0 * 2.0 + 1.0]
        ]
    );
    assert_eq!(
        dv,
        [
            r1 * 1.0 + r0 * 4.0,
            r1 * 2.0 + r0 * 5.0,
            r1 * 3.0 + r0 * 6.0
        ]
    );
    check_all(
        &[&[0.3, -0.2, 1.1, 0.7, 2.0, -1.0, 0.5, 0.25, -2.0]],
        |x| {
            let m = [[x[0], x[1], x[2]], [x[3], x[4], x[5]]];
            matvec_nested(&m, &[x[6], x[7], x[8]])
        },
        |x, d| {
            let m = [[x[0], x[1], x[2]], [x[3], x[4], x[5]]];
            let (mut dm, mut dv) = ([[0.0; 3]; 2], [0.0; 3]);
            d_matvec_nested(&m, &mut dm, &[x[6], x[7], x[8]], &mut dv, 1.0);
            let flat: Vec<f64> = dm.iter().flatten().chain(dv.iter()).copied().collect();
            d.copy_from_slice(&flat);
        },
    );
}

#[autodiff_reverse(d_slice_reads, Duplicated, Active)]
fn slice_reads(x: &[f64]) -> f64 {
    let n = x.len();
    x[0] * x[n - 1] + x[n / 2].exp() - x[1] / (1.0 + x[0] * x[0])
}

#[autodiff_reverse(d_vec_reads, Duplicated, Const, Active)]
#[allow(clippy::ptr_arg)]
fn vec_reads(x: &Vec<f64>, k: usize) -> f64 {
    let a = x[k] * x[k + 1];
    a.sin() + x[0] * x[x.len() - 1]
}

#[test]
fn slices_and_vecs() {
    let points: &[&[f64]] = &[&[0.5, -1.0, 2.0], &[1.5, 3.0, -2.0, 1.0, 0.1], &[0.0, 0.7]];
    check_all(points, slice_reads, |x, d| {
        assert_bits(d_slice_reads(x, d, 1.0), slice_reads(x))
    });
    for k in [0usize, 1] {
        check_all(
            &points[..2],
            |x| vec_reads(&x.to_vec(), k),
            |x, d| {
                let x = x.to_vec();
                let mut dx = vec![0.0; x.len()];
                assert_bits(d_vec_reads(&x, &mut dx, k, 1.0), vec_reads(&x, k));
                d.copy_from_slice(&dx);
            },
        );
    }
    let x = vec![2.0, 3.0];
    let mut dx = vec![0.0; 2];
    d_vec_reads(&x, &mut dx, 0, 1.0);
    let c = 6f64.cos();
    assert_eq!(dx, vec![c * 3.0 + 3.0, c * 2.0 + 2.0]);
}

const N: usize = 3;

#[autodiff_reverse(d_computed_index, Active, Duplicated, Active)]
fn computed_index(x: f64, a: &[f64; N]) -> f64 {
    let mut buf = [0.0; N];
    let i = (x.abs() * 2.0) as usize % N; // an index computed from an active float
    let k: i32 = 1;
    buf[i] = x * a[i];
    buf[(k + 1) as usize] += a[k as usize] * x;
    let _ignored = x * 3.0;
    buf[0] + buf[1] + buf[2]
}

#[test]
fn indices_computed_from_floats_and_casts() {
    let a = [1.0, 2.0, 3.0];
    for x in [0.2f64, 0.7, -1.3, 2.4] {
        let i = (x.abs() * 2.0) as usize % N;
        let mut da = [0.0; N];
        let (v, gx) = d_computed_index(x, &a, &mut da, 1.0);
        assert_bits(v, computed_index(x, &a));
        assert_eq!(gx, a[i] + a[1]);
        let mut expected = [0.0; N];
        expected[i] += x;
        expected[1] += x;
        assert_eq!(da, expected);
    }
    // away from the jumps of the index, finite differences agree
    check_all(
        &[&[0.2, 1.0, 2.0, 3.0], &[-1.3, 0.5, -0.5, 2.0]],
        |v| computed_index(v[0], &[v[1], v[2], v[3]]),
        |v, d| {
            let mut da = [0.0; N];
            d[0] += d_computed_index(v[0], &[v[1], v[2], v[3]], &mut da, 1.0).1;
            for k in 0..N {
                d[k + 1] += da[k];
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// writing local buffers and outputs

#[autodiff_reverse(d_local_arrays, Active, Active, Active)]
fn local_arrays(x: f64, y: f64) -> f64 {
    let mut a = [0.0; 3];
    a[0] = x * y;
    a[1] = a[0].sin() + x;
    a[2] = a[1] * a[0];
    a[0] = y; // overwrite: the old a[0] was read before
    let mut b = [x, y, x * y];
    b[1] *= b[2];
    b[2] += a[2];
    let i = 2;
    b[i - 2] = b[i] * b[i - 1];
    a[0] + a[1] * b[0] + b[1] - b[2]
}

#[autodiff_reverse(d_nested_local, Active, Active, Active)]
fn nested_local(x: f64, y: f64) -> f64 {
    let mut t = [[0.0; 2]; 2];
    t[0][0] = x;
    t[1][0] = x * y;
    t[0][1] = t[1][0].cos();
    t[1][1] = t[0][0] * t[0][1];
    t[1][1] += t[0][1];
    t[1][1] * y + t[1][0]
}

#[autodiff_reverse(d_local_vec, Active, Active, Const, Active)]
#[allow(clippy::useless_vec)] // `vec![x, y]` is under test
fn local_vec(x: f64, y: f64, n: usize) -> f64 {
    let mut v = vec![0.0; n];
    v[0] = x;
    v[n - 1] = v[0] * y;
    v[n / 2] += x * x;
    let w = vec![x, y];
    v[0] * v[n - 1] + v[n / 2] + w[0] * w[1]
}

#[test]
fn writes_into_local_buffers() {
    check2(local_arrays, d_local_arrays);
    check2(nested_local, d_nested_local);
    for n in [1usize, 2, 3, 6] {
        check_all(
            PAIRS,
            |v| local_vec(v[0], v[1], n),
            |v, d| {
                let (p, gx, gy) = d_local_vec(v[0], v[1], n, 1.0);
                assert_bits(p, local_vec(v[0], v[1], n));
                d[0] += gx;
                d[1] += gy;
            },
        );
    }
    // n = 3, x = 1, y = 2: v = [1, 1 (from x²), 2], result = 1 * 2 + 1 + 2
    assert_eq!(
        d_local_vec(1.0, 2.0, 3, 1.0),
        (5.0, 2.0 * 1.0 * 2.0 + 2.0 + 2.0, 1.0 + 1.0)
    );
    // nested_local at x = 0: t = [[0, 1], [0, 0 + 1]], result = y
    assert_eq!(d_nested_local(0.0, 2.0, 1.0), (2.0, 2.0 + 2.0, 1.0));
}

#[autodiff_reverse(d_slice_out, Duplicated, Duplicated)]
fn slice_out(x: &[f64], out: &mut [f64]) {
    out[0] = x[0] * x[1];
    out[1] = x[1].sin();
    out[2] = out[0] + out[1] * x[0];
}

#[autodiff_reverse(d_array_out, Active, Duplicated)]
fn array_out(x: f64, out: &mut [f64; 2]) {
    out[0] = x * x;
    out[1] = out[0] * x;
}

#[test]
fn writes_into_mut_outputs() {
    // vector-Jacobian products against finite differences of the outputs
    check_vjp_all(
        &[&[0.5, -1.0], &[2.0, 0.3], &[0.0, 0.0]],
        &[
            &[1.0, 0.0, 0.0],
            &[0.0, 1.0, 0.0],
            &[0.0, 0.0, 1.0],
            &[0.5, -2.0, 1.5],
        ],
        |x| {
            let mut out = vec![0.0; 3];
            slice_out(x, &mut out);
            out
        },
        |x, seed, dx| {
            let mut out = vec![0.0; 3];
            let mut dout = seed.to_vec();
            d_slice_out(x, dx, &mut out, &mut dout);
            let mut expected = vec![0.0; 3];
            slice_out(x, &mut expected);
            assert_eq!(out, expected);
            // the outputs were overwritten without being read: no adjoint wrt them
            assert_eq!(dout, vec![0.0; 3]);
        },
    );
    let mut out = [0.0; 2];
    let mut dout = [1.0, 1.0];
    let dx: f64 = d_array_out(3.0, &mut out, &mut dout);
    assert_eq!(dx, 6.0 + 27.0);
    let mut expected = [0.0; 2];
    array_out(3.0, &mut expected);
    assert_eq!(out, expected);
    assert_eq!(dout, [0.0, 0.0]);
}

#[autodiff_reverse(d_array_out_grad, Active, Duplicated, Active)]
fn array_out_grad(x: f64, out: &mut [f64; 2]) -> f64 {
    out[0] = x * x;
    out[1] = out[0] * x;
    x
}

#[test]
fn mut_output_gradient_reaches_the_active_input() {
    // the active input's gradient comes from the output shadows
    let mut out = [0.0; 2];
    let mut dout = [1.0, 1.0];
    let g = d_array_out_grad(3.0, &mut out, &mut dout, 0.0);
    assert_eq!(g, (3.0, 6.0 + 27.0));
    let mut expected = [0.0; 2];
    assert_eq!(array_out_grad(3.0, &mut expected), 3.0);
    assert_eq!(out, expected);
    assert_eq!(dout, [0.0, 0.0]);
    let mut dout = [0.5, -1.0];
    let g = d_array_out_grad(3.0, &mut out, &mut dout, 2.0);
    assert_eq!(g, (3.0, 3.0 - 27.0 + 2.0));
}

#[autodiff_reverse(d_deref, Duplicated, Duplicated)]
fn deref(x: &f64, out: &mut f64) {
    *out = *x * *x + (*x).sin();
}

#[autodiff_reverse(d_deref_ret, Duplicated, Active)]
fn deref_ret(x: &f64) -> f64 {
    let y = *x;
    y * *x
}

#[test]
fn dereference_reads_and_writes() {
    for x in [-1.2, 0.0, 0.5, 2.0] {
        let mut out = 0.0;
        let mut dx = 0.0;
        let mut dout = 1.0;
        d_deref(&x, &mut dx, &mut out, &mut dout);
        let mut expected = 0.0;
        deref(&x, &mut expected);
        assert_bits(out, expected);
        assert_close(dx, 2.0 * x + x.cos());
        assert_eq!(dout, 0.0);
        let mut dx = 0.0;
        assert_bits(d_deref_ret(&x, &mut dx, 1.0), deref_ret(&x));
        assert_eq!(dx, 2.0 * x);
    }
    check_all(
        &[&[0.3], &[-2.0]],
        |v| {
            let mut out = 0.0;
            deref(&v[0], &mut out);
            out
        },
        |v, d| {
            let mut out = 0.0;
            let mut dout = 1.0;
            d_deref(&v[0], &mut d[0], &mut out, &mut dout);
        },
    );
}

// ---------------------------------------------------------------------------------------
// array returns

#[autodiff_reverse(d_polar, Active, Active, Active)]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

#[autodiff_reverse(d_linear_map, Duplicated, Active)]
fn linear_map(x: &[f64; 3]) -> [f64; 2] {
    let mut y = [0.0; 2];
    y[0] = x[0] * 2.0 - x[1];
    y[1] = x[1] * x[2];
    y
}

#[test]
fn array_return_with_array_seed() {
    check_vjp_all(
        &[&[1.0, 0.0], &[2.0, 0.7], &[-0.5, -2.0]],
        &[&[1.0, 0.0], &[0.0, 1.0], &[0.3, -1.5]],
        |x| polar(x[0], x[1]).to_vec(),
        |x, s, d| {
            let (y, dr, dt) = d_polar(x[0], x[1], [s[0], s[1]]);
            let p = polar(x[0], x[1]);
            assert_bits(y[0], p[0]);
            assert_bits(y[1], p[1]);
            d[0] += dr;
            d[1] += dt;
        },
    );
    // at t = 0: [r, 0]; d/dr = [1, 0], d/dt = [0, r]
    assert_eq!(d_polar(2.0, 0.0, [1.0, 0.0]), ([2.0, 0.0], 1.0, 0.0));
    assert_eq!(d_polar(2.0, 0.0, [0.0, 1.0]), ([2.0, 0.0], 0.0, 2.0));
    check_vjp_all(
        &[&[1.0, 2.0, 3.0], &[-0.5, 0.0, 4.0]],
        &[&[1.0, 0.0], &[0.0, 1.0], &[2.0, -1.0]],
        |x| linear_map(&[x[0], x[1], x[2]]).to_vec(),
        |x, s, d| {
            let mut dx = [0.0; 3];
            let y = d_linear_map(&[x[0], x[1], x[2]], &mut dx, [s[0], s[1]]);
            assert_eq!(y, linear_map(&[x[0], x[1], x[2]]));
            for i in 0..3 {
                d[i] += dx[i];
            }
        },
    );
    let mut dx = [0.0; 3];
    d_linear_map(&[1.0, 2.0, 3.0], &mut dx, [1.0, 1.0]);
    assert_eq!(dx, [2.0, -1.0 + 3.0, 2.0]);
}

// ---------------------------------------------------------------------------------------
// methods, visibility, generated-looking names

struct Model {
    k: f64,
    offset: f64,
    weights: [f64; 2],
}

impl Model {
    #[autodiff_reverse(d_m, Const, Active, Active)]
    fn m(&self, x: f64) -> f64 {
        self.k * x * x + self.offset * x.sin() + self.weights[1] * x
    }

    #[autodiff_reverse(d_m2, Const, Active, Active, Active)]
    fn m2(&self, x: f64, y: f64) -> f64 {
        let a = self.k * x;
        (a * y).tanh() + self.weights[0] * y
    }
}

#[test]
fn methods_reading_fields() {
    let model = Model {
        k: 1.5,
        offset: -0.5,
        weights: [2.0, 0.25],
    };
    for x in [-1.0, 0.0, 0.6, 2.0] {
        let (y, g) = model.d_m(x, 1.0);
        assert_bits(y, model.m(x));
        assert_close(g, 2.0 * 1.5 * x - 0.5 * x.cos() + 0.25);
    }
    check_all(
        &[&[0.3], &[-1.4]],
        |v| model.m(v[0]),
        |v, d| d[0] += model.d_m(v[0], 1.0).1,
    );
    check_all(
        PAIRS,
        |v| model.m2(v[0], v[1]),
        |v, d| {
            let (y, gx, gy) = model.d_m2(v[0], v[1], 1.0);
            assert_bits(y, model.m2(v[0], v[1]));
            d[0] += gx;
            d[1] += gy;
        },
    );
    // the receiver is untouched
    assert_eq!(
        (model.k, model.offset, model.weights),
        (1.5, -0.5, [2.0, 0.25])
    );
}

mod public {
    use cotangent::autodiff_reverse;

    #[autodiff_reverse(d_public_fn, Active, Duplicated, Active)]
    pub fn public_fn(a: f64, x: &[f64]) -> f64 {
        a * x[0] * x[0] + x[1].sin()
    }
}

#[test]
fn pub_fn_adjoint_is_pub() {
    let x = [3.0, 0.0];
    let mut dx = [0.0; 2];
    let (v, da) = public::d_public_fn(2.0, &x, &mut dx, 1.0);
    assert_bits(v, public::public_fn(2.0, &x));
    assert_eq!(da, 9.0);
    assert_eq!(dx, [12.0, 1.0]);
}

#[autodiff_reverse(d_clash, Active, Active, Active, Active, Active, Active)]
fn clash(d_ret: f64, d_x: f64, g: f64, primal: f64, tape: f64) -> f64 {
    let x = d_ret * d_x;
    let d_d_x = x * g + primal;
    let tape_x = d_d_x * tape;
    let scratch = tape_x.sin() * d_ret;
    scratch + x
}

#[autodiff_reverse(d_clash_dup, Duplicated, Duplicated, Active)]
fn clash_dup(x: &[f64], d_x: &[f64]) -> f64 {
    let primal = x[0] * d_x[0];
    let d_primal = primal * x[1];
    d_primal + d_x[1]
}

/// `s` is recorded before its overwrite; user locals take the names its tape and adjoint
/// would get.
#[autodiff_reverse(d_clash_tape, Active, Active)]
#[allow(clippy::assign_op_pattern)]
fn clash_tape(x: f64) -> f64 {
    let mut s = x * x;
    s = s * x;
    let tape_s = s;
    let d_s = tape_s * 2.0;
    let d_tape_s = d_s + tape_s;
    d_tape_s * s
}

/// A function named like its parameter, whose adjoint is named like the parameter's.
#[autodiff_reverse(d_x, Active, Active)]
fn x(x: f64) -> f64 {
    x * 3.0
}

#[test]
fn parameter_names_that_look_generated() {
    // (3 x³)(x³) = 3 x⁶
    for v in [-1.5f64, 0.5, 2.0] {
        let (y, g) = d_clash_tape(v, 1.0);
        assert_bits(y, clash_tape(v));
        assert_close(g, 18.0 * v.powi(5));
    }
    assert_eq!(d_x(2.0, 1.0), (x(2.0), 3.0));

    let points: &[&[f64]] = &[&[0.5, -1.0, 2.0, 0.25, 1.5], &[1.0, 2.0, -0.5, 0.0, -1.0]];
    check_all(
        points,
        |v| clash(v[0], v[1], v[2], v[3], v[4]),
        |v, d| {
            let (y, a, b, c, e, f) = d_clash(v[0], v[1], v[2], v[3], v[4], 1.0);
            assert_bits(y, clash(v[0], v[1], v[2], v[3], v[4]));
            for (slot, g) in d.iter_mut().zip([a, b, c, e, f]) {
                *slot += g;
            }
        },
    );
    // d_ret = 1, d_x = 2, g = 0, primal = 0, tape = 5: x = 2, everything else 0 → 2
    let (y, a, b, c, e, f) = d_clash(1.0, 2.0, 0.0, 0.0, 5.0, 1.0);
    assert_eq!(y, 2.0);
    // scratch = sin(tape * (x g + primal)) * d_ret: d/dg = cos(0) * tape * x * d_ret = 10
    assert_eq!((a, b, c, e, f), (2.0, 1.0, 10.0, 5.0, 0.0));

    let x = [2.0, 3.0];
    let dxx = [5.0, 7.0];
    let (mut gx, mut gd) = ([0.0; 2], [0.0; 2]);
    let y = d_clash_dup(&x, &mut gx, &dxx, &mut gd, 1.0);
    assert_eq!(y, clash_dup(&x, &dxx));
    assert_eq!(gx, [15.0, 10.0]);
    assert_eq!(gd, [6.0, 1.0]);
}

// ---------------------------------------------------------------------------------------
// other function shapes

struct Scaler {
    k: f64,
}

impl Scaler {
    /// An associated function without a receiver.
    #[autodiff_reverse(d_square, Active, Active)]
    fn square(x: f64) -> f64 {
        x * x
    }

    /// A by-value receiver.
    #[autodiff_reverse(d_by_value, Const, Active, Active)]
    fn by_value(self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

type Real = f64;

#[autodiff_reverse(d_aliased, Active, Active)]
fn aliased(x: Real) -> Real {
    x * x * x
}

#[autodiff_reverse(d_ignores_y, Active, Active, Active)]
fn ignores_y(x: f64, _y: f64) -> f64 {
    x
}

#[autodiff_reverse(d_returns_const, Active, Const, Active)]
fn returns_const(x: f64, k: f64) -> f64 {
    let _unused = x * 2.0;
    k
}

#[autodiff_reverse(d_returns_literal, Active, Active)]
fn returns_literal(_x: f64) -> f64 {
    1.5
}

#[autodiff_reverse(d_f32_slice, Duplicated, Active)]
fn f32_slice(x: &[f32]) -> f32 {
    x[0] * x[1] + x[1].sqrt()
}

#[test]
fn associated_functions_receivers_aliases_and_constant_results() {
    assert_eq!(Scaler::d_square(3.0, 1.0), (Scaler::square(3.0), 6.0));
    assert_eq!(Scaler { k: 2.0 }.d_by_value(0.0, 1.0), (0.0, 2.0));
    assert_eq!(Scaler { k: 2.0 }.by_value(0.0), 0.0);
    assert_eq!(d_aliased(2.0, 1.0), (aliased(2.0), 12.0));
    assert_eq!(d_ignores_y(3.0, 4.0, 1.0), (ignores_y(3.0, 4.0), 1.0, 0.0));
    assert_eq!(
        d_returns_const(3.0, 4.0, 1.0),
        (returns_const(3.0, 4.0), 0.0)
    );
    assert_eq!(d_returns_literal(3.0, 1.0), (returns_literal(3.0), 0.0));
    let x = [2.0f32, 4.0];
    let mut dx = [0.0f32; 2];
    assert_eq!(d_f32_slice(&x, &mut dx, 1.0), f32_slice(&x));
    assert_eq!(dx, [4.0, 2.0 + 0.25]);
}

// `f64::from(a)`, the lossless cast clippy's `cast_lossless` suggests, is a cast.
#[autodiff_reverse(d_widen, Active, Active)]
fn widen(a: f32) -> f64 {
    f64::from(a) * f64::from(a)
}

#[autodiff_reverse(d_widen_sum, Duplicated, Active)]
fn widen_sum(x: &[f32]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += f64::from(*v).sin();
    }
    s
}

#[test]
fn lossless_float_conversion_with_from() {
    assert_eq!(d_widen(1.5, 1.0), (widen(1.5), 3.0));
    assert_eq!(d_widen(0.0, 1.0), (0.0, 0.0));
    assert_eq!(d_widen(-2.0, 0.5), (4.0, -2.0));
    let x = [0.5f32, -1.0, 0.0];
    let mut dx = [0.0f32; 3];
    assert_eq!(d_widen_sum(&x, &mut dx, 1.0), widen_sum(&x));
    for (d, v) in dx.iter().zip(x) {
        assert!((f64::from(*d) - f64::from(v).cos()).abs() < 1e-7);
    }
}

// ---------------------------------------------------------------------------------------
// owned copies of active values: `.clone()`, `.to_vec()`, `.to_owned()`

#[autodiff_reverse(d_copies, Duplicated, Active)]
fn copies(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let w = v.clone();
    v[0] *= w[1];
    let tail = x[1..].to_owned();
    let arr = [x[0], x[2]];
    let twin = arr.to_vec();
    v[0] * tail[1] + w[2].sin() + twin[1] * arr[0]
}

#[test]
fn owned_copies_pass_the_gradient_back() {
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 0.0, 0.0], &[1.5, 2.5, -0.5]],
        copies,
        |x, g| {
            assert_bits(d_copies(x, g, 1.0), copies(x));
        },
    );
    // y = x0 x1 x2 + sin x2 + x2 x0
    let mut g = [0.0; 3];
    d_copies(&[1.0, 2.0, 3.0], &mut g, 1.0);
    assert_eq!(g, [6.0 + 3.0, 3.0, 2.0 + 3f64.cos() + 1.0]);
}

// Path forms of methods without a derivative: allowed on active values.
#[autodiff_reverse(d_ordered, Active, Active, Active)]
fn ordered(a: f64, b: f64) -> f64 {
    if f64::total_cmp(&a, &b) == std::cmp::Ordering::Less && !f64::is_nan(a) {
        a * b
    } else {
        b
    }
}

#[test]
fn passive_path_calls_on_active_values() {
    assert_eq!(d_ordered(1.0, 2.0, 1.0), (ordered(1.0, 2.0), 2.0, 1.0));
    assert_eq!(d_ordered(2.0, 1.0, 1.0), (1.0, 0.0, 1.0));
    // a tie is not `Less`: the `else` arm
    assert_eq!(d_ordered(1.0, 1.0, 1.0), (1.0, 0.0, 1.0));
}
