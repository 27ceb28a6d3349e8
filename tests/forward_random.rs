//! 40 random programs of the former generator (loops, branches, early exits, local buffers,
//! a helper call), frozen: each is checked against central finite differences of itself,
//! and its forward-mode derivative against its reverse-mode gradient
//! (`jvp(v) == dot(v, grad)`). The current generator (tests/gen) checks both modes too.
#![allow(
    unused_mut,
    unused_variables,
    unused_assignments,
    unused_parens,
    clippy::all
)]

use cotangent::{
    autodiff_forward, autodiff_reverse, differentiable, gradcheck_with, GradcheckOptions,
};

#[differentiable(forward)]
fn softsq(v: f64, w: &[f64]) -> f64 {
    (v * w[0] + w[1]).tanh() * v
}

fn check(
    f: impl Fn(&[f64], f64, f64) -> f64,
    d: impl Fn(&[f64], &mut [f64], f64, f64) -> (f64, f64, f64),
) {
    let points = [
        [0.3, -0.7, 1.1, 0.4, -0.2],
        [1.3, 0.2, -0.5, -1.2, 0.9],
        [-0.6, 0.8, 0.05, 0.7, 1.4],
    ];
    let options = GradcheckOptions {
        eps: 1e-7,
        atol: 1e-5,
        rtol: 1e-4,
    };
    for p in points {
        let (v, _, _) = d(&p[..3], &mut [0.0; 3], p[3], p[4]);
        assert_eq!(v.to_bits(), f(&p[..3], p[3], p[4]).to_bits());
        gradcheck_with(
            options,
            |q| f(&q[..3], q[3], q[4]),
            |q, dq| {
                let (dx, rest) = dq.split_at_mut(3);
                let (_, da, db) = d(&q[..3], dx, q[3], q[4]);
                rest[0] += da;
                rest[1] += db;
            },
            &p,
        )
        .unwrap_or_else(|e| panic!("at {p:?}\n{e:?}"));
    }
}

/// Forward mode's directional derivative is the gradient's dot product with the direction.
fn check_jvp(
    d: impl Fn(&[f64], &mut [f64], f64, f64) -> (f64, f64, f64),
    j: impl Fn(&[f64], &[f64], f64, f64, f64, f64) -> (f64, f64),
) {
    let points = [
        [0.3, -0.7, 1.1, 0.4, -0.2],
        [1.3, 0.2, -0.5, -1.2, 0.9],
        [-0.6, 0.8, 0.05, 0.7, 1.4],
    ];
    let dirs = [
        [1.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0],
        [0.3, -0.5, 0.2, 0.7, -1.1],
    ];
    for p in points {
        let mut g = [0.0; 3];
        let (y, ga, gb) = d(&p[..3], &mut g, p[3], p[4]);
        for v in dirs {
            let (y1, t) = j(&p[..3], &v[..3], p[3], v[3], p[4], v[4]);
            assert_eq!(y1.to_bits(), y.to_bits());
            let dot = g[0] * v[0] + g[1] * v[1] + g[2] * v[2] + ga * v[3] + gb * v[4];
            assert!(
                (t - dot).abs() <= 1e-10 * (1.0 + dot.abs()),
                "at {p:?}, v = {v:?}: {t} vs {dot}"
            );
        }
    }
}

#[autodiff_reverse(d_f0, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f0, Dual, Dual, Dual, Dual)]
fn f0(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in 0..1 {
        a += (f64::powi(t, 0) * f64::powi(t, 0) + 0.5).sqrt();
        for i in (0..x.len()).rev() {
            buf[0] = 1.5_f64.sin().max(b.atan());
        }
    }
    if f64::powi(f64::powi(0.25_f64, 2), 1) > 4.0 {
        return t * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_0() {
    check(f0, |x, dx, a, b| d_f0(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f0(x, dx, a, b, 1.0), j_f0);
}

#[autodiff_reverse(d_f1, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f1, Dual, Dual, Dual, Dual)]
fn f1(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += buf[1]
        * ((if x[2] > a { x[2] } else { a * 0.5 })
            / ((if 3.0_f64 > t { 3.0_f64 } else { t * 0.5 })
                * (if 3.0_f64 > t { 3.0_f64 } else { t * 0.5 })
                + 1.0));
    buf[1] = t.max(x[1]).max(softsq(b, &x[..2]));
    buf[2] = (2.0_f64.sin()).tanh().exp();
    s + t * buf[1] + buf[2]
}

#[test]
fn program_1() {
    check(f1, |x, dx, a, b| d_f1(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f1(x, dx, a, b, 1.0), j_f1);
}

#[autodiff_reverse(d_f2, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f2, Dual, Dual, Dual, Dual)]
fn f2(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    s *= 0.5 + (f64::powi(softsq(x[2], &x[..2]), 0)).tanh().abs() * 0.1;
    if (x[2] - x[2]).sin() < 1.0 {
        let mut k = 0;
        while k < 1 {
            k += 1;
            let u = (x[1] - x[i % x.len()]).sin();
            a -= u * 0.5;
        }
    } else {
        if (if a > t { a } else { t * 0.5 }).max((x[i % x.len()] * x[i % x.len()] + 0.5).sqrt())
            > 4.0
        {
            return b * 0.5;
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_2() {
    check(f2, |x, dx, a, b| d_f2(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f2(x, dx, a, b, 1.0), j_f2);
}

#[autodiff_reverse(d_f3, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f3, Dual, Dual, Dual, Dual)]
fn f3(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += ((if 1.5_f64 > b { 1.5_f64 } else { b * 0.5 })
        * (if 1.5_f64 > b { 1.5_f64 } else { b * 0.5 })
        + 1.0)
        .ln();
    if ((t * t + 0.5).sqrt() - (b / (b * b + 1.0))) > 4.0 {
        return t * 0.5;
    }
    if (x[i % x.len()] - s).max((x[2] * x[2] + 0.5).sqrt()) < 1.0 {
        t *= 0.5 + ((0.5_f64 * x[1]).max(a.sin())).tanh().abs() * 0.1;
    } else {
        let u = (if softsq(x[i % x.len()], &x[..2]) > f64::powi(x[i % x.len()], 1) {
            softsq(x[i % x.len()], &x[..2])
        } else {
            f64::powi(x[i % x.len()], 1) * 0.5
        });
        b -= u * 0.5;
    }
    if 0.5_f64
        .atan()
        .max((if 2.0_f64 > s { 2.0_f64 } else { s * 0.5 }))
        > 4.0
    {
        return s * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_3() {
    check(f3, |x, dx, a, b| d_f3(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f3(x, dx, a, b, 1.0), j_f3);
}

#[autodiff_reverse(d_f4, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f4, Dual, Dual, Dual, Dual)]
fn f4(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    b += ((x[i % x.len()] * x[i % x.len()] + 1.0).ln()
        * (x[i % x.len()] * x[i % x.len()] + 1.0).ln()
        + 0.5)
        .sqrt();
    for i in (0..x.len()).rev() {
        let u = (s * s + 0.5).sqrt().max((t / (b * b + 1.0)));
        a -= u * 0.5;
    }
    if t.sin().tanh() > 4.0 {
        return t * 0.5;
    }
    s *= 0.5
        + (((2.0_f64).tanh().exp() * (2.0_f64).tanh().exp() + 1.0).ln())
            .tanh()
            .abs()
            * 0.1;
    s + t * buf[1] + buf[2]
}

#[test]
fn program_4() {
    check(f4, |x, dx, a, b| d_f4(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f4(x, dx, a, b, 1.0), j_f4);
}

#[autodiff_reverse(d_f5, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f5, Dual, Dual, Dual, Dual)]
fn f5(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in 0..3 {
        if f64::powi((t * x[0]), 0) < -1.0 {
            continue;
        }
        let mut k = 0;
        while k < 2 {
            k += 1;
            buf[1] = ((x[i % x.len()] * x[i % x.len()] + 1.0).ln() + x[i % x.len()].tanh());
        }
    }
    a += buf[2] * (t / (x[0] * x[0] + 1.0)).max((b * b + 1.0).ln());
    if (0.5_f64 + b).sin() < 1.0 {
        t += ((x[1] + s) - (x[2] * t));
    } else {
        a += buf[0]
            * ((1.5_f64 + t)
                / ((x[i % x.len()]).tanh().exp() * (x[i % x.len()]).tanh().exp() + 1.0));
    }
    if f64::powi((a).tanh().exp(), 3) < 1.0 {
        let mut k = 0;
        while k < 1 {
            k += 1;
            t *= 0.5 + (softsq((x[i % x.len()] + b), &x[..2])).tanh().abs() * 0.1;
        }
    } else {
        let mut k = 0;
        while k < 1 {
            k += 1;
            if ((if x[2] > x[i % x.len()] {
                x[2]
            } else {
                x[i % x.len()] * 0.5
            }) * (if x[2] > x[i % x.len()] {
                x[2]
            } else {
                x[i % x.len()] * 0.5
            }) + 0.5)
                .sqrt()
                < -1.0
            {
                continue;
            }
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_5() {
    check(f5, |x, dx, a, b| d_f5(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f5(x, dx, a, b, 1.0), j_f5);
}

#[autodiff_reverse(d_f6, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f6, Dual, Dual, Dual, Dual)]
fn f6(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = (x[i % x.len()].max(0.5_f64) + a.max(x[1]));
    b -= u * 0.5;
    for i in 0..3 {
        if (f64::powi(x[2], 0) - (x[i % x.len()] / (x[i % x.len()] * x[i % x.len()] + 1.0))) > 2.0 {
            break;
        }
        if ((b * b + 0.5).sqrt() + f64::powi(x[0], 3)) > 4.0 {
            return s * 0.5;
        }
    }
    if (t.sin() / (t.tanh() * t.tanh() + 1.0)) > 4.0 {
        return a * 0.5;
    }
    t = (softsq(s, &x[..2]) * softsq(a, &x[..2]));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_6() {
    check(f6, |x, dx, a, b| d_f6(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f6(x, dx, a, b, 1.0), j_f6);
}

#[autodiff_reverse(d_f7, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f7, Dual, Dual, Dual, Dual)]
fn f7(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    t = ((x[2]).tanh().exp() / (softsq(b, &x[..2]) * softsq(b, &x[..2]) + 1.0));
    if ((x[1] * x[1] + 1.0).ln() - a.atan()) < 1.0 {
        let u = ((a * a + 0.5).sqrt() - (0.25_f64 * s));
        a -= u * 0.5;
    } else {
        for i in (0..x.len()).rev() {
            t = (1.5_f64 / (x[i % x.len()] * x[i % x.len()] + 1.0))
                .tanh()
                .exp();
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_7() {
    check(f7, |x, dx, a, b| d_f7(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f7(x, dx, a, b, 1.0), j_f7);
}

#[autodiff_reverse(d_f8, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f8, Dual, Dual, Dual, Dual)]
fn f8(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in 0..2 {
        buf[1] = (3.0_f64 - s).tanh();
        b = f64::powi(softsq(x[i % x.len()], &x[..2]), 1);
    }
    t += buf[0]
        * ((if x[1] > x[i % x.len()] {
            x[1]
        } else {
            x[i % x.len()] * 0.5
        }) + (t * t + 1.0).ln());
    for i in 0..1 {
        let u = f64::powi((b / (a * a + 1.0)), 3);
        s -= u * 0.5;
        t *= 0.5 + (s.tanh() + (s + 1.5_f64)).tanh().abs() * 0.1;
    }
    a += buf[1]
        * (if x[i % x.len()] > x[1] {
            x[i % x.len()]
        } else {
            x[1] * 0.5
        })
        .tanh();
    s + t * buf[1] + buf[2]
}

#[test]
fn program_8() {
    check(f8, |x, dx, a, b| d_f8(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f8(x, dx, a, b, 1.0), j_f8);
}

#[autodiff_reverse(d_f9, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f9, Dual, Dual, Dual, Dual)]
fn f9(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    t = x[i % x.len()].tanh().sin();
    if (if (0.5_f64 / (t * t + 1.0)) > x[i % x.len()].tanh() {
        (0.5_f64 / (t * t + 1.0))
    } else {
        x[i % x.len()].tanh() * 0.5
    }) < 1.0
    {
        a += 3.0_f64.atan().max((a - 1.5_f64));
    } else {
        a += buf[1] * (a.sin() * (x[2] * x[0]));
    }
    if f64::powi((t - 0.5_f64), 1) > 4.0 {
        return t * 0.5;
    }
    s += buf[0] * ((3.0_f64).tanh().exp() / ((b / (b * b + 1.0)) * (b / (b * b + 1.0)) + 1.0));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_9() {
    check(f9, |x, dx, a, b| d_f9(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f9(x, dx, a, b, 1.0), j_f9);
}

#[autodiff_reverse(d_f10, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f10, Dual, Dual, Dual, Dual)]
fn f10(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    s = softsq((x[1] / (x[2] * x[2] + 1.0)), &x[..2]);
    t += ((x[0] + x[i % x.len()]) - (t).tanh().exp());
    let mut k = 0;
    while k < 3 {
        k += 1;
        if (softsq(x[2], &x[..2]) / (t.max(x[i % x.len()]) * t.max(x[i % x.len()]) + 1.0)) > 4.0 {
            return t * 0.5;
        }
    }
    t *= 0.5 + (t.max(b) - f64::powi(b, 0)).tanh().abs() * 0.1;
    s + t * buf[1] + buf[2]
}

#[test]
fn program_10() {
    check(f10, |x, dx, a, b| d_f10(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f10(x, dx, a, b, 1.0), j_f10);
}

#[autodiff_reverse(d_f11, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f11, Dual, Dual, Dual, Dual)]
fn f11(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = ((x[1] * x[1] + 1.0).ln()).tanh().exp();
    b -= u * 0.5;
    b += buf[0] * ((b * x[1]) - (t + 1.5_f64));
    buf[2] = softsq((if x[1] > 2.0_f64 { x[1] } else { 2.0_f64 * 0.5 }), &x[..2]);
    t = (a.max(0.25_f64) * (2.0_f64 + b));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_11() {
    check(f11, |x, dx, a, b| d_f11(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f11(x, dx, a, b, 1.0), j_f11);
}

#[autodiff_reverse(d_f12, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f12, Dual, Dual, Dual, Dual)]
fn f12(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    t += ((b * s) + t.atan());
    for i in 0..2 {
        a = (b * s).tanh();
        let mut k = 0;
        while k < 3 {
            k += 1;
            if x[0].atan().sin() > 2.0 {
                break;
            }
        }
    }
    for i in 0..2 {
        if (t - b).tanh() > 2.0 {
            break;
        }
        for i in (0..x.len()).rev() {
            a = x[i % x.len()].atan().sin();
        }
    }
    let u = f64::powi(s, 3).tanh();
    a -= u * 0.5;
    s + t * buf[1] + buf[2]
}

#[test]
fn program_12() {
    check(f12, |x, dx, a, b| d_f12(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f12(x, dx, a, b, 1.0), j_f12);
}

#[autodiff_reverse(d_f13, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f13, Dual, Dual, Dual, Dual)]
fn f13(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    if (x[i % x.len()].atan()
        - (if x[i % x.len()] > x[i % x.len()] {
            x[i % x.len()]
        } else {
            x[i % x.len()] * 0.5
        }))
        > 4.0
    {
        return t * 0.5;
    }
    for i in 0..3 {
        for i in (0..x.len()).rev() {
            let u = (x[0].sin() / ((b + 0.25_f64) * (b + 0.25_f64) + 1.0));
            a -= u * 0.5;
        }
        let u = f64::powi(0.25_f64.tanh(), 1);
        s -= u * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_13() {
    check(f13, |x, dx, a, b| d_f13(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f13(x, dx, a, b, 1.0), j_f13);
}

#[autodiff_reverse(d_f14, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f14, Dual, Dual, Dual, Dual)]
fn f14(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    t += buf[0]
        * (if (x[i % x.len()] + 1.5_f64) > softsq(x[i % x.len()], &x[..2]) {
            (x[i % x.len()] + 1.5_f64)
        } else {
            softsq(x[i % x.len()], &x[..2]) * 0.5
        });
    if f64::powi(x[i % x.len()].max(x[i % x.len()]), 0) < 1.0 {
        if ((x[i % x.len()] - s) / ((s * s) * (s * s) + 1.0)) > 4.0 {
            return s * 0.5;
        }
    } else {
        t += buf[2] * softsq(a, &x[..2]).atan();
    }
    b += ((b - x[1]) - (x[2] + x[2]));
    let mut k = 0;
    while k < 2 {
        k += 1;
        b += ((x[i % x.len()] * x[i % x.len()] + 1.0).ln() + softsq(a, &x[..2]));
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_14() {
    check(f14, |x, dx, a, b| d_f14(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f14(x, dx, a, b, 1.0), j_f14);
}

#[autodiff_reverse(d_f15, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f15, Dual, Dual, Dual, Dual)]
fn f15(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in (0..x.len()).rev() {
        a *= 0.5
            + (f64::powi(2.0_f64, 1) + (x[2] / (x[i % x.len()] * x[i % x.len()] + 1.0)))
                .tanh()
                .abs()
                * 0.1;
    }
    a += buf[2] * (2.0_f64.sin()).tanh().exp();
    if softsq(s, &x[..2]).sin() < 1.0 {
        let u = ((0.5_f64 + x[i % x.len()]) + (x[i % x.len()] - s));
        b -= u * 0.5;
    } else {
        let u = ((x[0] * x[0] + 1.0).ln() - (a * a));
        t -= u * 0.5;
    }
    for i in 0..2 {
        for i in 0..1 {
            if ((x[0] / (1.5_f64 * 1.5_f64 + 1.0)) + 2.0_f64.sin()) > 2.0 {
                break;
            }
            a *= 0.5 + ((x[1] - x[1]).tanh()).tanh().abs() * 0.1;
        }
        s *= 0.5 + (softsq(x[2].atan(), &x[..2])).tanh().abs() * 0.1;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_15() {
    check(f15, |x, dx, a, b| d_f15(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f15(x, dx, a, b, 1.0), j_f15);
}

#[autodiff_reverse(d_f16, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f16, Dual, Dual, Dual, Dual)]
fn f16(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = (x[i % x.len()] + a).sin();
    a -= u * 0.5;
    for i in (0..x.len()).rev() {
        t += buf[1] * x[i % x.len()].atan().sin();
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_16() {
    check(f16, |x, dx, a, b| d_f16(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f16(x, dx, a, b, 1.0), j_f16);
}

#[autodiff_reverse(d_f17, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f17, Dual, Dual, Dual, Dual)]
fn f17(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in (0..x.len()).rev() {
        for i in (0..x.len()).rev() {
            t += buf[1] * (a / (x[i % x.len()] * x[i % x.len()] + 1.0)).tanh();
        }
    }
    t += buf[1] * (x[0].sin() + (s * s + 0.5).sqrt());
    let mut k = 0;
    while k < 2 {
        k += 1;
        buf[2] = ((t + 0.25_f64) * (t + 0.25_f64) + 1.0).ln();
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_17() {
    check(f17, |x, dx, a, b| d_f17(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f17(x, dx, a, b, 1.0), j_f17);
}

#[autodiff_reverse(d_f18, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f18, Dual, Dual, Dual, Dual)]
fn f18(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in (0..x.len()).rev() {
        if (a - x[i % x.len()]).sin() < -1.0 {
            continue;
        }
    }
    if softsq((s * s + 0.5).sqrt(), &x[..2]) < 1.0 {
        if ((x[i % x.len()] + b) - b.max(x[i % x.len()])) < 1.0 {
            a *= 0.5 + ((x[i % x.len()]).tanh().exp().atan()).tanh().abs() * 0.1;
        } else {
            a += buf[0]
                * ((if a > x[1] { a } else { x[1] * 0.5 })
                    / (x[i % x.len()].max(x[i % x.len()]) * x[i % x.len()].max(x[i % x.len()])
                        + 1.0));
        }
    } else {
        for i in 0..3 {
            if ((t / (x[i % x.len()] * x[i % x.len()] + 1.0))
                * (t / (x[i % x.len()] * x[i % x.len()] + 1.0))
                + 1.0)
                .ln()
                > 2.0
            {
                break;
            }
            b *= 0.5 + ((b.tanh() * b.tanh() + 0.5).sqrt()).tanh().abs() * 0.1;
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_18() {
    check(f18, |x, dx, a, b| d_f18(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f18(x, dx, a, b, 1.0), j_f18);
}

#[autodiff_reverse(d_f19, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f19, Dual, Dual, Dual, Dual)]
fn f19(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in 0..3 {
        for i in 0..3 {
            t = ((x[i % x.len()] * x[i % x.len()]) * x[i % x.len()].sin());
            a += buf[1] * f64::powi(x[2].sin(), 2);
        }
        if (if (x[1] * x[i % x.len()]) > f64::powi(s, 1) {
            (x[1] * x[i % x.len()])
        } else {
            f64::powi(s, 1) * 0.5
        }) < -1.0
        {
            continue;
        }
    }
    s += (x[i % x.len()].tanh() + (3.0_f64).tanh().exp());
    s + t * buf[1] + buf[2]
}

#[test]
fn program_19() {
    check(f19, |x, dx, a, b| d_f19(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f19(x, dx, a, b, 1.0), j_f19);
}

#[autodiff_reverse(d_f20, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f20, Dual, Dual, Dual, Dual)]
fn f20(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = ((a).tanh().exp() - (x[i % x.len()] * x[i % x.len()] + 0.5).sqrt());
    b -= u * 0.5;
    s += buf[2]
        * (if (if s > x[i % x.len()] {
            s
        } else {
            x[i % x.len()] * 0.5
        }) > (if 1.5_f64 > b { 1.5_f64 } else { b * 0.5 })
        {
            (if s > x[i % x.len()] {
                s
            } else {
                x[i % x.len()] * 0.5
            })
        } else {
            (if 1.5_f64 > b { 1.5_f64 } else { b * 0.5 }) * 0.5
        });
    a = ((1.5_f64 + x[i % x.len()])
        / ((3.0_f64 * 3.0_f64 + 1.0).ln() * (3.0_f64 * 3.0_f64 + 1.0).ln() + 1.0));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_20() {
    check(f20, |x, dx, a, b| d_f20(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f20(x, dx, a, b, 1.0), j_f20);
}

#[autodiff_reverse(d_f21, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f21, Dual, Dual, Dual, Dual)]
fn f21(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += ((0.5_f64 + s) * (0.5_f64 + s) + 0.5).sqrt();
    let u = (b * b + 0.5).sqrt().atan();
    b -= u * 0.5;
    a += buf[0] * f64::powi((0.5_f64 / (2.0_f64 * 2.0_f64 + 1.0)), 2);
    s += (t - x[0]).atan();
    s + t * buf[1] + buf[2]
}

#[test]
fn program_21() {
    check(f21, |x, dx, a, b| d_f21(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f21(x, dx, a, b, 1.0), j_f21);
}

#[autodiff_reverse(d_f22, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f22, Dual, Dual, Dual, Dual)]
fn f22(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    buf[2] = (0.5_f64.tanh() * 0.5_f64.tanh() + 1.0).ln();
    if (3.0_f64 + x[2]).tanh() < 1.0 {
        if (softsq(t, &x[..2]) * softsq(t, &x[..2]) + 0.5).sqrt() > 4.0 {
            return s * 0.5;
        }
    } else {
        for i in 0..3 {
            s *= 0.5
                + (f64::powi((x[i % x.len()] * x[i % x.len()] + 0.5).sqrt(), 1))
                    .tanh()
                    .abs()
                    * 0.1;
            let u = (t.sin() + (x[2] + a));
            a -= u * 0.5;
        }
    }
    if (a + 2.0_f64).max(x[i % x.len()].sin()) > 4.0 {
        return a * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_22() {
    check(f22, |x, dx, a, b| d_f22(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f22(x, dx, a, b, 1.0), j_f22);
}

#[autodiff_reverse(d_f23, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f23, Dual, Dual, Dual, Dual)]
fn f23(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    b *= 0.5 + (x[2].atan().tanh()).tanh().abs() * 0.1;
    t += buf[2]
        * (if (x[i % x.len()] * x[i % x.len()] + 0.5).sqrt() > (2.0_f64 - b) {
            (x[i % x.len()] * x[i % x.len()] + 0.5).sqrt()
        } else {
            (2.0_f64 - b) * 0.5
        });
    for i in (0..x.len()).rev() {
        for i in (0..x.len()).rev() {
            b += ((a / (b * b + 1.0)) + x[i % x.len()].atan());
        }
    }
    if ((x[2] * b) + (x[0] * x[0] + 1.0).ln()) < 1.0 {
        b *= 0.5
            + ((x[i % x.len()] * x[i % x.len()] + 0.5).sqrt() / (x[2].atan() * x[2].atan() + 1.0))
                .tanh()
                .abs()
                * 0.1;
    } else {
        for i in 0..3 {
            if ((x[i % x.len()] * x[i % x.len()] + 1.0).ln()
                * (x[i % x.len()] * x[i % x.len()] + 1.0).ln()
                + 0.5)
                .sqrt()
                < -1.0
            {
                continue;
            }
            t += ((x[1] * x[1] + 0.5).sqrt() - (x[i % x.len()] - t));
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_23() {
    check(f23, |x, dx, a, b| d_f23(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f23(x, dx, a, b, 1.0), j_f23);
}

#[autodiff_reverse(d_f24, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f24, Dual, Dual, Dual, Dual)]
fn f24(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in 0..2 {
        for i in 0..1 {
            if ((t - x[2]) * (t - x[2]) + 1.0).ln() > 2.0 {
                break;
            }
            s *= 0.5
                + (((a * a + 0.5).sqrt() * (a * a + 0.5).sqrt() + 0.5).sqrt())
                    .tanh()
                    .abs()
                    * 0.1;
        }
        buf[1] = x[1].max(0.25_f64).sin();
    }
    s = softsq(x[0].atan(), &x[..2]);
    t += (x[i % x.len()] * t).atan();
    for i in 0..2 {
        a = (if x[i % x.len()] > s {
            x[i % x.len()]
        } else {
            s * 0.5
        })
        .tanh()
        .exp();
        a *= 0.5
            + (if f64::powi(1.5_f64, 1) > (2.0_f64 * x[2]) {
                f64::powi(1.5_f64, 1)
            } else {
                (2.0_f64 * x[2]) * 0.5
            })
            .tanh()
            .abs()
                * 0.1;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_24() {
    check(f24, |x, dx, a, b| d_f24(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f24(x, dx, a, b, 1.0), j_f24);
}

#[autodiff_reverse(d_f25, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f25, Dual, Dual, Dual, Dual)]
fn f25(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = (if 2.0_f64.tanh() > x[i % x.len()].sin() {
        2.0_f64.tanh()
    } else {
        x[i % x.len()].sin() * 0.5
    });
    b -= u * 0.5;
    let mut k = 0;
    while k < 3 {
        k += 1;
        for i in (0..x.len()).rev() {
            t *= 0.5
                + (((3.0_f64 / (b * b + 1.0)) * (3.0_f64 / (b * b + 1.0)) + 1.0).ln())
                    .tanh()
                    .abs()
                    * 0.1;
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_25() {
    check(f25, |x, dx, a, b| d_f25(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f25(x, dx, a, b, 1.0), j_f25);
}

#[autodiff_reverse(d_f26, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f26, Dual, Dual, Dual, Dual)]
fn f26(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    b += buf[2]
        * (if (0.25_f64 * s) > f64::powi(s, 1) {
            (0.25_f64 * s)
        } else {
            f64::powi(s, 1) * 0.5
        });
    s += buf[2]
        * (x[i % x.len()])
            .tanh()
            .exp()
            .max((1.5_f64 * 1.5_f64 + 0.5).sqrt());
    s + t * buf[1] + buf[2]
}

#[test]
fn program_26() {
    check(f26, |x, dx, a, b| d_f26(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f26(x, dx, a, b, 1.0), j_f26);
}

#[autodiff_reverse(d_f27, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f27, Dual, Dual, Dual, Dual)]
fn f27(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    for i in (0..x.len()).rev() {
        if ((0.5_f64 + x[0]) - (if x[2] > t { x[2] } else { t * 0.5 })) < -1.0 {
            continue;
        }
    }
    b += (if (x[i % x.len()] * x[i % x.len()] + 1.0).ln() > s.atan() {
        (x[i % x.len()] * x[i % x.len()] + 1.0).ln()
    } else {
        s.atan() * 0.5
    });
    s + t * buf[1] + buf[2]
}

#[test]
fn program_27() {
    check(f27, |x, dx, a, b| d_f27(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f27(x, dx, a, b, 1.0), j_f27);
}

#[autodiff_reverse(d_f28, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f28, Dual, Dual, Dual, Dual)]
fn f28(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let mut k = 0;
    while k < 1 {
        k += 1;
        a *= 0.5 + (b.sin().sin()).tanh().abs() * 0.1;
    }
    a += buf[2] * ((t + x[i % x.len()]) / (b.sin() * b.sin() + 1.0));
    if ((2.0_f64 * 2.0_f64 + 1.0).ln() * (2.0_f64 * 2.0_f64 + 1.0).ln() + 1.0).ln() > 4.0 {
        return s * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_28() {
    check(f28, |x, dx, a, b| d_f28(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f28(x, dx, a, b, 1.0), j_f28);
}

#[autodiff_reverse(d_f29, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f29, Dual, Dual, Dual, Dual)]
fn f29(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += buf[1] * (t.tanh()).tanh().exp();
    t += ((a + a) * (t * a));
    t *= 0.5
        + ((x[i % x.len()] / (x[i % x.len()] * x[i % x.len()] + 1.0)) + (t + x[i % x.len()]))
            .tanh()
            .abs()
            * 0.1;
    a = ((x[2] * x[2] + 1.0).ln() + (b / (2.0_f64 * 2.0_f64 + 1.0)));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_29() {
    check(f29, |x, dx, a, b| d_f29(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f29(x, dx, a, b, 1.0), j_f29);
}

#[autodiff_reverse(d_f30, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f30, Dual, Dual, Dual, Dual)]
fn f30(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    if (a * x[1]).tanh().exp() < 1.0 {
        let mut k = 0;
        while k < 3 {
            k += 1;
            if (t.sin()).tanh().exp() < -1.0 {
                continue;
            }
        }
    } else {
        let mut k = 0;
        while k < 1 {
            k += 1;
            s += softsq((x[0] - 3.0_f64), &x[..2]);
        }
    }
    s += ((x[0] * x[0] + 0.5).sqrt() * (x[i % x.len()] / (x[i % x.len()] * x[i % x.len()] + 1.0)));
    for i in 0..2 {
        a = ((s * x[i % x.len()]) * (s * x[i % x.len()]) + 0.5).sqrt();
        for i in 0..2 {
            if (if (x[0]).tanh().exp() > (if a > s { a } else { s * 0.5 }) {
                (x[0]).tanh().exp()
            } else {
                (if a > s { a } else { s * 0.5 }) * 0.5
            }) > 2.0
            {
                break;
            }
            a = (1.5_f64.tanh() / ((b * b + 0.5).sqrt() * (b * b + 0.5).sqrt() + 1.0));
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_30() {
    check(f30, |x, dx, a, b| d_f30(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f30(x, dx, a, b, 1.0), j_f30);
}

#[autodiff_reverse(d_f31, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f31, Dual, Dual, Dual, Dual)]
fn f31(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += buf[0]
        * (softsq(x[i % x.len()], &x[..2])
            / ((x[i % x.len()] + x[i % x.len()]) * (x[i % x.len()] + x[i % x.len()]) + 1.0));
    buf[2] = (if (a).tanh().exp() > (t * 0.5_f64) {
        (a).tanh().exp()
    } else {
        (t * 0.5_f64) * 0.5
    });
    b += buf[1] * (b + s).tanh().exp();
    s + t * buf[1] + buf[2]
}

#[test]
fn program_31() {
    check(f31, |x, dx, a, b| d_f31(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f31(x, dx, a, b, 1.0), j_f31);
}

#[autodiff_reverse(d_f32, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f32, Dual, Dual, Dual, Dual)]
fn f32(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    s += softsq((x[0] + s), &x[..2]);
    buf[0] = (x[2].atan() / (f64::powi(x[1], 1) * f64::powi(x[1], 1) + 1.0));
    s + t * buf[1] + buf[2]
}

#[test]
fn program_32() {
    check(f32, |x, dx, a, b| d_f32(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f32(x, dx, a, b, 1.0), j_f32);
}

#[autodiff_reverse(d_f33, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f33, Dual, Dual, Dual, Dual)]
fn f33(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = (softsq(t, &x[..2])
        / ((s / (0.5_f64 * 0.5_f64 + 1.0)) * (s / (0.5_f64 * 0.5_f64 + 1.0)) + 1.0));
    b -= u * 0.5;
    let mut k = 0;
    while k < 2 {
        k += 1;
        if (x[i % x.len()].sin() / (3.0_f64.sin() * 3.0_f64.sin() + 1.0)) > 4.0 {
            return a * 0.5;
        }
    }
    t += buf[2] * (f64::powi(t, 1) * f64::powi(t, 1) + 1.0).ln();
    s + t * buf[1] + buf[2]
}

#[test]
fn program_33() {
    check(f33, |x, dx, a, b| d_f33(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f33(x, dx, a, b, 1.0), j_f33);
}

#[autodiff_reverse(d_f34, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f34, Dual, Dual, Dual, Dual)]
fn f34(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    a += (x[0].tanh() * x[0].tanh() + 0.5).sqrt();
    b *= 0.5 + (softsq(a, &x[..2]).sin()).tanh().abs() * 0.1;
    s + t * buf[1] + buf[2]
}

#[test]
fn program_34() {
    check(f34, |x, dx, a, b| d_f34(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f34(x, dx, a, b, 1.0), j_f34);
}

#[autodiff_reverse(d_f35, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f35, Dual, Dual, Dual, Dual)]
fn f35(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    let u = (x[1]).tanh().exp().atan();
    a -= u * 0.5;
    if ((if t > x[1] { t } else { x[1] * 0.5 })
        / ((x[0] - x[i % x.len()]) * (x[0] - x[i % x.len()]) + 1.0))
        < 1.0
    {
        let u = (if x[i % x.len()] > 3.0_f64 {
            x[i % x.len()]
        } else {
            3.0_f64 * 0.5
        })
        .max((a * a + 0.5).sqrt());
        a -= u * 0.5;
    } else {
        let u = (if b.tanh() > (x[i % x.len()] * x[i % x.len()] + 1.0).ln() {
            b.tanh()
        } else {
            (x[i % x.len()] * x[i % x.len()] + 1.0).ln() * 0.5
        });
        s -= u * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_35() {
    check(f35, |x, dx, a, b| d_f35(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f35(x, dx, a, b, 1.0), j_f35);
}

#[autodiff_reverse(d_f36, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f36, Dual, Dual, Dual, Dual)]
fn f36(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    if (0.5_f64.max(x[i % x.len()]) * (b * b + 1.0).ln()) > 4.0 {
        return s * 0.5;
    }
    b *= 0.5
        + ((if a > x[1] { a } else { x[1] * 0.5 }).atan())
            .tanh()
            .abs()
            * 0.1;
    let mut k = 0;
    while k < 1 {
        k += 1;
        let mut k = 0;
        while k < 1 {
            k += 1;
            let u = ((b * x[1]) * x[i % x.len()].tanh());
            a -= u * 0.5;
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_36() {
    check(f36, |x, dx, a, b| d_f36(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f36(x, dx, a, b, 1.0), j_f36);
}

#[autodiff_reverse(d_f37, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f37, Dual, Dual, Dual, Dual)]
fn f37(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    buf[2] = softsq((b * b + 1.0).ln(), &x[..2]);
    for i in (0..x.len()).rev() {
        if (b).tanh().exp().max(a.sin()) > 4.0 {
            return b * 0.5;
        }
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_37() {
    check(f37, |x, dx, a, b| d_f37(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f37(x, dx, a, b, 1.0), j_f37);
}

#[autodiff_reverse(d_f38, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f38, Dual, Dual, Dual, Dual)]
fn f38(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    t *= 0.5 + (((b).tanh().exp()).tanh().exp()).tanh().abs() * 0.1;
    if (s.tanh() / (x[i % x.len()].tanh() * x[i % x.len()].tanh() + 1.0)) > 4.0 {
        return s * 0.5;
    }
    s + t * buf[1] + buf[2]
}

#[test]
fn program_38() {
    check(f38, |x, dx, a, b| d_f38(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f38(x, dx, a, b, 1.0), j_f38);
}

#[autodiff_reverse(d_f39, Duplicated, Active, Active, Active)]
#[autodiff_forward(j_f39, Dual, Dual, Dual, Dual)]
fn f39(x: &[f64], mut a: f64, mut b: f64) -> f64 {
    let mut s = 0.0_f64;
    let mut t = 1.0_f64;
    let mut buf = [0.0_f64; 3];
    let i = 0;
    if (s + s).atan() > 4.0 {
        return t * 0.5;
    }
    a += (if (0.25_f64).tanh().exp() > x[i % x.len()].atan() {
        (0.25_f64).tanh().exp()
    } else {
        x[i % x.len()].atan() * 0.5
    });
    s + t * buf[1] + buf[2]
}

#[test]
fn program_39() {
    check(f39, |x, dx, a, b| d_f39(x, dx, a, b, 1.0));
    check_jvp(|x, dx, a, b| d_f39(x, dx, a, b, 1.0), j_f39);
}
