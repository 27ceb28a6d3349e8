//! Realistic numerical programs, differentiated with the macro and checked against
//! finite differences.
#![allow(clippy::needless_range_loop)]
// clippy's manual_memcpy suggests `copy_from_slice`, which the macro rejects (see the end).
#![allow(clippy::manual_memcpy)]

use cotangent::{autodiff_reverse, differentiable};

mod common;
use common::{assert_bits as same, check_all};

// ---------------------------------------------------------------------------------------
// 1. A 2-layer MLP with softmax cross-entropy over a small batch.

const N_IN: usize = 3;
const N_HID: usize = 4;
const N_OUT: usize = 3;

#[differentiable]
fn dense(w: &[f64], b: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for j in 0..out.len() {
        let row = &w[j * n..(j + 1) * n];
        out[j] = row.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f64>() + b[j];
    }
}

#[differentiable]
fn log_softmax_at(z: &[f64], label: usize) -> f64 {
    let mut m = z[0];
    for &v in z.iter().skip(1) {
        if v > m {
            m = v;
        }
    }
    let lse = z.iter().map(|v| (v - m).exp()).sum::<f64>().ln() + m;
    z[label] - lse
}

#[autodiff_reverse(d_mlp_loss, Duplicated, Const, Const, Active)]
fn mlp_loss(params: &[f64], xs: &[f64], labels: &[usize]) -> f64 {
    // `let (w1, rest) = (.., ..);` is rejected (tuple pattern): bind one by one.
    let w1 = &params[..N_IN * N_HID];
    let rest = &params[N_IN * N_HID..];
    let b1 = &rest[..N_HID];
    let w2 = &rest[N_HID..N_HID + N_HID * N_OUT];
    let b2 = &rest[N_HID + N_HID * N_OUT..];
    let mut total = 0.0;
    let mut h = [0.0; N_HID];
    let mut z = [0.0; N_OUT];
    for (k, x) in xs.chunks(N_IN).enumerate() {
        dense(w1, b1, x, &mut h);
        for j in 0..N_HID {
            h[j] = h[j].tanh();
        }
        dense(w2, b2, &h, &mut z);
        total -= log_softmax_at(&z, labels[k]);
    }
    total / labels.len() as f64
}

const N_MLP: usize = N_IN * N_HID + N_HID + N_HID * N_OUT + N_OUT;

fn mlp_params(seed: f64) -> Vec<f64> {
    (0..N_MLP)
        .map(|i| ((i as f64 * 0.7 + seed).sin()) * 0.8)
        .collect()
}

#[test]
fn mlp_softmax_cross_entropy() {
    let xs = [
        0.5, -1.0, 0.3, 1.2, 0.1, -0.4, -0.7, 0.9, 0.0, 0.2, 0.2, 2.0,
    ];
    let labels = [0usize, 2, 1, 2];
    let p1 = mlp_params(0.3);
    let p2 = mlp_params(1.7);
    let p0 = vec![0.0; N_MLP];
    check_all(
        &[&p1, &p2, &p0],
        |p| mlp_loss(p, &xs, &labels),
        |p, dp| {
            same(
                d_mlp_loss(p, dp, &xs, &labels, 1.0),
                mlp_loss(p, &xs, &labels),
            )
        },
    );
}

// ---------------------------------------------------------------------------------------
// 2. Logistic regression with an L2 penalty, as a struct with a method.

struct Dataset {
    x: Vec<f64>,
    y: Vec<f64>,
    dim: usize,
}

impl Dataset {
    #[differentiable]
    fn margin(&self, w: &[f64], i: usize) -> f64 {
        let row = &self.x[i * self.dim..(i + 1) * self.dim];
        let mut z = w[self.dim];
        for (a, b) in row.iter().zip(w.iter()) {
            z += a * b;
        }
        z
    }

    #[autodiff_reverse(d_nll, Const, Duplicated, Active, Active)]
    fn nll(&self, w: &[f64], lambda: f64) -> f64 {
        let n = self.y.len();
        let mut loss = 0.0;
        for i in 0..n {
            let z = self.margin(w, i);
            // log(1 + exp(-y z)), stable in both directions
            let t = -self.y[i] * z;
            loss += if t > 0.0 {
                t + (-t).exp().ln_1p()
            } else {
                t.exp().ln_1p()
            };
        }
        let reg = w[..self.dim].iter().map(|v| v * v).sum::<f64>();
        loss / n as f64 + 0.5 * lambda * reg
    }
}

#[test]
fn logistic_regression_l2() {
    let data = Dataset {
        x: vec![0.5, 1.0, -1.5, 0.3, 2.0, -0.2, 0.0, 0.7, -0.8, -1.1],
        y: vec![1.0, -1.0, 1.0, -1.0, 1.0],
        dim: 2,
    };
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.1],
            &[0.4, -1.3, 0.2, 0.5],
            &[3.0, 2.0, -4.0, 0.0],
        ],
        |p| data.nll(&p[..3], p[3]),
        |p, dp| {
            let (dw, dl) = dp.split_at_mut(3);
            let (v, g) = data.d_nll(&p[..3], dw, p[3], 1.0);
            same(v, data.nll(&p[..3], p[3]));
            dl[0] += g;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 3. A spring-mass chain integrated with semi-implicit Euler for 200 steps.

struct Springs {
    k: Vec<f64>,
    mass: f64,
}

impl Springs {
    #[differentiable]
    fn forces(&self, x: &[f64], f: &mut [f64]) {
        let n = x.len();
        for i in 0..n {
            f[i] = -self.k[i] * x[i];
        }
        for i in 1..n {
            let stretch = x[i] - x[i - 1];
            f[i] -= 0.5 * stretch;
            f[i - 1] += 0.5 * stretch;
        }
    }

    #[autodiff_reverse(d_simulate, Const, Duplicated, Duplicated, Active, Active)]
    fn simulate(&self, x0: &[f64], v0: &[f64], dt: f64) -> f64 {
        let n = x0.len();
        let mut x = x0.to_vec();
        let mut v = v0.to_vec();
        let mut f = vec![0.0; n];
        for _step in 0..200 {
            self.forces(&x, &mut f);
            for i in 0..n {
                v[i] += dt * f[i] / self.mass;
                v[i] *= 0.999;
                x[i] += dt * v[i];
            }
        }
        let target = [1.0, -0.5, 0.25];
        x.iter()
            .zip(target.iter())
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    }
}

#[test]
fn spring_mass_semi_implicit_euler() {
    let s = Springs {
        k: vec![1.0, 2.0, 0.5],
        mass: 1.5,
    };
    let f = |p: &[f64]| s.simulate(&p[..3], &p[3..6], p[6]);
    let g = |p: &[f64], dp: &mut [f64]| {
        let (dx, rest) = dp.split_at_mut(3);
        let (dv, ddt) = rest.split_at_mut(3);
        let (v, gdt) = s.d_simulate(&p[..3], dx, &p[3..6], dv, p[6], 1.0);
        same(v, s.simulate(&p[..3], &p[3..6], p[6]));
        ddt[0] += gdt;
    };
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01],
            &[1.0, -0.3, 0.2, 0.0, 0.5, -0.1, 0.02],
            &[-0.5, 0.4, 1.0, 0.3, 0.0, 0.2, 0.015],
        ],
        f,
        g,
    );
}

// ---------------------------------------------------------------------------------------
// 4. A projectile with quadratic drag, integrated `while y > 0`, loss on the range.

#[differentiable]
fn drag_accel(vx: f64, vy: f64, c: f64, acc: &mut [f64; 2]) {
    let speed = (vx * vx + vy * vy).sqrt();
    acc[0] = -c * speed * vx;
    acc[1] = -9.81 - c * speed * vy;
}

#[autodiff_reverse(d_projectile_range, Active, Active, Active, Active)]
fn projectile_range(speed: f64, angle: f64, drag: f64) -> f64 {
    let dt = 0.01;
    let mut x = 0.0;
    let mut y = 0.0;
    let mut vx = speed * angle.cos();
    let mut vy = speed * angle.sin();
    let mut acc = [0.0; 2];
    let mut steps = 0;
    let mut prev_x = 0.0;
    let mut prev_y = 0.0;
    while y >= 0.0 {
        prev_x = x;
        prev_y = y;
        drag_accel(vx, vy, drag, &mut acc);
        vx += dt * acc[0];
        vy += dt * acc[1];
        x += dt * vx;
        y += dt * vy;
        steps += 1;
        if steps > 100_000 {
            break;
        }
    }
    // Interpolate the landing point linearly between the last two states.
    let frac = prev_y / (prev_y - y);
    prev_x + frac * (x - prev_x)
}

#[test]
fn projectile_with_drag() {
    check_all(
        &[&[20.0, 0.7, 0.01], &[35.0, 0.4, 0.002], &[10.0, 1.1, 0.0]],
        |p| projectile_range(p[0], p[1], p[2]),
        |p, dp| {
            let (v, a, b, c) = d_projectile_range(p[0], p[1], p[2], 1.0);
            same(v, projectile_range(p[0], p[1], p[2]));
            dp[0] += a;
            dp[1] += b;
            dp[2] += c;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 5. Horner evaluation with `const` coefficients, a Chebyshev recurrence, generic over
//    the float type.

const COEFFS: [f64; 6] = [0.5, -1.25, 0.75, 2.0, -0.3, 0.05];

#[differentiable]
fn horner<T: cotangent::Real>(c: &[T], x: T) -> T {
    let mut acc = T::ZERO;
    for k in (0..c.len()).rev() {
        acc = acc * x + c[k];
    }
    acc
}

#[differentiable]
fn chebyshev_sum<T: cotangent::Real>(a: &[T], x: T) -> T {
    // Clenshaw would be nicer; the plain three-term recurrence is what people write.
    let two = T::ONE + T::ONE;
    let mut t_prev = T::ONE;
    let mut t = x;
    let mut s = a[0] * t_prev + a[1] * t;
    for k in 2..a.len() {
        let t_next = two * x * t - t_prev;
        s += a[k] * t_next;
        t_prev = t;
        t = t_next;
    }
    s
}

#[autodiff_reverse(d_poly_mix, Duplicated, Active, Active)]
fn poly_mix(a: &[f64], x: f64) -> f64 {
    let p = horner(&COEFFS, x);
    let q = chebyshev_sum(a, x / (1.0 + x * x).sqrt());
    p * q + horner(a, 0.5 * x)
}

#[autodiff_reverse(d_poly_mix32, Duplicated, Active, Active)]
fn poly_mix32(a: &[f32], x: f32) -> f32 {
    let c = [0.5f32, -1.25, 0.75, 2.0];
    horner(&c, x) * chebyshev_sum(a, x * 0.5)
}

#[test]
fn horner_and_chebyshev() {
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.0, 0.0],
            &[1.0, -0.5, 0.25, 0.3, 0.8],
            &[0.2, 0.7, -1.1, 0.4, -1.6],
        ],
        |p| poly_mix(&p[..4], p[4]),
        |p, dp| {
            let (da, dx) = dp.split_at_mut(4);
            let (v, g) = d_poly_mix(&p[..4], da, p[4], 1.0);
            same(v, poly_mix(&p[..4], p[4]));
            dx[0] += g;
        },
    );
    // f32: compare with f64 finite differences of the f32 function, loosely.
    let a = [1.0f32, -0.5, 0.25, 0.3];
    for x in [0.0f32, 0.8, -1.3] {
        let mut da = [0.0f32; 4];
        let (v, dx) = d_poly_mix32(&a, &mut da, x, 1.0);
        assert_eq!(v.to_bits(), poly_mix32(&a, x).to_bits());
        let h = 1e-2f32;
        let fd = (poly_mix32(&a, x + h) - poly_mix32(&a, x - h)) / (2.0 * h);
        assert!((dx - fd).abs() < 2e-2 * (1.0 + fd.abs()), "{dx} vs {fd}");
        for k in 0..4 {
            let mut ap = a;
            let mut am = a;
            ap[k] += h;
            am[k] -= h;
            let fd = (poly_mix32(&ap, x) - poly_mix32(&am, x)) / (2.0 * h);
            assert!(
                (da[k] - fd).abs() < 2e-2 * (1.0 + fd.abs()),
                "{k}: {} vs {fd}",
                da[k]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. A 1-D heat equation, explicit stencil over 50 steps on a `Vec`, with a
//    conductivity per cell.

#[autodiff_reverse(d_heat, Duplicated, Duplicated, Active)]
fn heat(u0: &[f64], kappa: &[f64]) -> f64 {
    let n = u0.len();
    let mut u = u0.to_vec();
    let mut next = vec![0.0; n];
    let r = 0.2;
    for _ in 0..50 {
        next[0] = u[0];
        next[n - 1] = u[n - 1];
        for (i, w) in u.windows(3).enumerate() {
            let k = kappa[i + 1];
            next[i + 1] = w[1] + r * k * (w[0] - 2.0 * w[1] + w[2]);
        }
        // `u.copy_from_slice(&next)` is rejected (see the findings at the end).
        for i in 0..n {
            u[i] = next[i];
        }
    }
    let target = [0.0, 0.2, 0.5, 0.6, 0.5, 0.2, 0.0];
    u.iter()
        .zip(target.iter())
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
}

#[test]
fn heat_equation_stencil() {
    let k1 = [0.0, 1.0, 0.5, 1.5, 1.0, 0.8, 0.0];
    let u1 = [0.0, 0.1, 0.9, 1.0, 0.7, 0.3, 0.0];
    let mut p1 = u1.to_vec();
    p1.extend_from_slice(&k1);
    let mut p0 = vec![0.0; 7];
    p0.extend_from_slice(&[1.0; 7]);
    let mut p2: Vec<f64> = (0..14)
        .map(|i| 0.5 + 0.4 * (i as f64 * 1.3).sin())
        .collect();
    p2[7] = 0.0;
    check_all(
        &[&p0, &p1, &p2],
        |p| heat(&p[..7], &p[7..]),
        |p, dp| {
            let (du, dk) = dp.split_at_mut(7);
            same(
                d_heat(&p[..7], du, &p[7..], dk, 1.0),
                heat(&p[..7], &p[7..]),
            );
        },
    );
}

// ---------------------------------------------------------------------------------------
// 7. A Gaussian-process-style kernel sum: a model struct differentiated through `&self`
//    (Duplicated: the shadow is a second `GpModel` holding the gradients).

#[derive(Clone, Debug)]
struct GpModel {
    centers: Vec<f64>,
    weights: Vec<f64>,
    log_len: [f64; 2],
}

impl GpModel {
    // Passing `&self` together with a sub-slice of a field of `self` to a method fails
    // to compile when `self` is Duplicated (finding 2): the kernel indexes the field.
    #[differentiable]
    fn kernel(&self, j: usize, b: &[f64]) -> f64 {
        let mut d2 = 0.0;
        for k in 0..2 {
            let l = self.log_len[k].exp();
            let t = (self.centers[2 * j + k] - b[k]) / l;
            d2 += t * t;
        }
        (-0.5 * d2).exp()
    }

    #[autodiff_reverse(d_predict, Duplicated, Const, Active)]
    fn predict(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for (j, w) in self.weights.iter().enumerate() {
            s += w * self.kernel(j, x);
        }
        s
    }
}

fn gp_from(p: &[f64]) -> GpModel {
    GpModel {
        centers: p[..6].to_vec(),
        weights: p[6..9].to_vec(),
        log_len: [p[9], p[10]],
    }
}

fn gp_flatten(m: &GpModel) -> Vec<f64> {
    let mut v = m.centers.clone();
    v.extend_from_slice(&m.weights);
    v.extend_from_slice(&m.log_len);
    v
}

#[test]
fn gaussian_process_kernel_sum() {
    let x = [0.3, -0.2];
    let p1 = [0.0, 0.0, 1.0, 0.5, -0.5, 0.7, 1.0, -0.5, 0.25, 0.0, 0.3];
    let p0 = [0.0; 11];
    let p2 = [0.4, -1.0, 0.2, 0.1, 0.9, 0.9, 2.0, 1.0, -1.0, -0.4, 0.5];
    check_all(
        &[&p0, &p1, &p2],
        |p| gp_from(p).predict(&x),
        |p, dp| {
            let m = gp_from(p);
            let mut dm = GpModel {
                centers: vec![0.0; 6],
                weights: vec![0.0; 3],
                log_len: [0.0; 2],
            };
            same(m.d_predict(&mut dm, &x, 1.0), m.predict(&x));
            for (d, g) in dp.iter_mut().zip(gp_flatten(&dm)) {
                *d += g;
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// 8. A Newton iteration for the real root of a cubic inside the function: a `while` loop
//    with a convergence test, an early `return`, and the root used afterwards.

#[differentiable]
fn cubic_root(a: f64, b: f64, c: f64) -> f64 {
    // Root of t^3 + a t^2 + b t + c = 0, from a starting guess.
    let mut t = -c.signum() * c.abs().cbrt();
    let mut iter = 0;
    while iter < 100 {
        let f = ((t + a) * t + b) * t + c;
        let df = (3.0 * t + 2.0 * a) * t + b;
        let step = f / df;
        t -= step;
        iter += 1;
        if step.abs() < 1e-14 * (1.0 + t.abs()) {
            return t;
        }
    }
    t
}

#[autodiff_reverse(d_root_loss, Duplicated, Active)]
fn root_loss(p: &[f64]) -> f64 {
    let r = cubic_root(p[0], p[1], p[2]);
    r * r + p[0] * r
}

#[test]
fn newton_cubic_root() {
    // Implicit function theorem: dr/dp = -(∂f/∂p) / (∂f/∂r). The unrolled iteration
    // converges to the same derivative once the iteration has converged.
    check_all(
        &[&[0.0, 1.0, 0.5], &[0.5, 2.0, -1.0], &[-0.3, 3.0, 2.0]],
        root_loss,
        |p, dp| same(d_root_loss(p, dp, 1.0), root_loss(p)),
    );
}

// ---------------------------------------------------------------------------------------
// 9. A small Kalman-filter-like predict/update in fixed-size arrays, over a sequence of
//    measurements; the loss is the negative log-likelihood of the innovations.

#[differentiable]
fn kf_predict(x: &mut [f64; 2], p: &mut [[f64; 2]; 2], dt: f64, q: f64) {
    // F = [[1, dt], [0, 1]]
    x[0] += dt * x[1];
    let p00 = p[0][0] + dt * (p[1][0] + p[0][1]) + dt * dt * p[1][1];
    let p01 = p[0][1] + dt * p[1][1];
    let p10 = p[1][0] + dt * p[1][1];
    p[0][0] = p00 + q;
    p[0][1] = p01;
    p[1][0] = p10;
    p[1][1] += q;
}

#[differentiable]
fn kf_update(x: &mut [f64; 2], p: &mut [[f64; 2]; 2], z: f64, r: f64) -> f64 {
    // H = [1, 0]
    let innov = z - x[0];
    let s = p[0][0] + r;
    let k0 = p[0][0] / s;
    let k1 = p[1][0] / s;
    x[0] += k0 * innov;
    x[1] += k1 * innov;
    let p00 = (1.0 - k0) * p[0][0];
    let p01 = (1.0 - k0) * p[0][1];
    let p10 = p[1][0] - k1 * p[0][0];
    let p11 = p[1][1] - k1 * p[0][1];
    *p = [[p00, p01], [p10, p11]];
    0.5 * (innov * innov / s + s.ln())
}

#[autodiff_reverse(d_kalman_nll, Active, Active, Duplicated, Const, Active)]
fn kalman_nll(log_q: f64, log_r: f64, x0: &[f64], zs: &[f64]) -> f64 {
    let q = log_q.exp();
    let r = log_r.exp();
    let mut x = [x0[0], x0[1]];
    let mut p = [[1.0, 0.0], [0.0, 1.0]];
    let mut nll = 0.0;
    // `for &z in zs { .. kf_update(.., z, r) }` fails to compile (finding 1).
    for z in zs.iter() {
        kf_predict(&mut x, &mut p, 0.1, q);
        nll += kf_update(&mut x, &mut p, *z, r);
    }
    nll
}

#[test]
fn kalman_filter_likelihood() {
    let zs = [0.1, 0.25, 0.33, 0.52, 0.61, 0.8, 0.95, 1.02, 1.2, 1.33];
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.0],
            &[-2.0, -1.0, 0.1, 1.0],
            &[-1.0, -3.0, -0.5, 2.0],
        ],
        |p| kalman_nll(p[0], p[1], &p[2..], &zs),
        |p, dp| {
            let (head, dx0) = dp.split_at_mut(2);
            let (v, a, b) = d_kalman_nll(p[0], p[1], &p[2..], dx0, &zs, 1.0);
            same(v, kalman_nll(p[0], p[1], &p[2..], &zs));
            head[0] += a;
            head[1] += b;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 10. A 3-link planar arm in f32: forward kinematics with sin/cos, the distance of the
//     end effector to a target plus a joint-limit penalty, and an array-valued helper.

const LINKS: [f32; 3] = [1.0, 0.8, 0.5];

#[differentiable]
fn end_effector(q: &[f32], tip: &mut [f32; 2]) {
    let mut angle = 0.0f32;
    tip[0] = 0.0;
    tip[1] = 0.0;
    for (i, len) in LINKS.iter().enumerate() {
        angle += q[i];
        tip[0] += len * angle.cos();
        tip[1] += len * angle.sin();
    }
}

#[autodiff_reverse(d_arm_cost, Duplicated, Const, Active)]
fn arm_cost(q: &[f32], target: &[f32; 2]) -> f32 {
    let mut tip = [0.0f32; 2];
    end_effector(q, &mut tip);
    let dx = tip[0] - target[0];
    let dy = tip[1] - target[1];
    let mut penalty = 0.0f32;
    for &qi in q {
        let excess = qi.abs() - 2.0;
        if excess <= 0.0 {
            continue;
        }
        penalty += excess * excess;
    }
    dx.hypot(dy) + 0.1 * penalty
}

#[test]
fn planar_arm_f32() {
    let target = [1.2f32, 0.9];
    let f = |p: &[f64]| {
        let q: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        arm_cost(&q, &target) as f64
    };
    let g = |p: &[f64], dp: &mut [f64]| {
        let q: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let mut dq = vec![0.0f32; 3];
        let v = d_arm_cost(&q, &mut dq, &target, 1.0);
        assert_eq!(v.to_bits(), arm_cost(&q, &target).to_bits());
        for (d, g) in dp.iter_mut().zip(dq) {
            *d += g as f64;
        }
    };
    for p in [[0.0, 0.0, 0.0], [0.3, -0.5, 1.1], [2.5, -2.2, 0.4]] {
        let opts = cotangent::GradcheckOptions {
            eps: 1e-3,
            atol: 2e-3,
            rtol: 1e-2,
        };
        let r = cotangent::gradcheck_with(opts, f, g, &p);
        if let Err(e) = r {
            panic!("at {p:?}: {e:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 11. Softmax attention-style pooling: log-sum-exp with the max trick written with
//     `fold(f64::NEG_INFINITY, f64::max)`, then a softmax-weighted average.

#[differentiable]
fn log_sum_exp(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
    m + s.ln()
}

#[autodiff_reverse(d_attention, Duplicated, Duplicated, Const, Active)]
fn attention(scores: &[f64], values: &[f64], temp: f64) -> f64 {
    let n = scores.len();
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = scores[i] / temp;
    }
    let lse = log_sum_exp(&z);
    let pooled = z
        .iter()
        .zip(values)
        .fold(0.0, |acc, (zi, vi)| acc + (zi - lse).exp() * vi);
    pooled * pooled + lse
}

#[test]
fn softmax_pooling_with_max_trick() {
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            &[1.0, -2.0, 0.5, 3.0, 0.2, 1.5, -0.7, 0.9],
            &[40.0, 41.0, 39.5, 38.0, 1.0, 2.0, 3.0, -1.0],
        ],
        |p| attention(&p[..4], &p[4..], 0.7),
        |p, dp| {
            let (ds, dv) = dp.split_at_mut(4);
            same(
                d_attention(&p[..4], ds, &p[4..], dv, 0.7, 1.0),
                attention(&p[..4], &p[4..], 0.7),
            );
        },
    );
}

// ---------------------------------------------------------------------------------------
// 12. Robust regression: a piecewise Huber loss (an `if` expression), with a custom
//     pullback for a smooth-abs helper, and `break` once the residual budget is spent.

#[differentiable]
fn huber(r: f64, delta: f64) -> f64 {
    let a = r.abs();
    if a <= delta {
        0.5 * r * r
    } else {
        delta * (a - 0.5 * delta)
    }
}

#[differentiable(custom = smooth_abs_pullback)]
fn smooth_abs(x: f64) -> f64 {
    (x * x + 1e-3).sqrt()
}

fn smooth_abs_pullback(x: f64, d_ret: f64) -> f64 {
    d_ret * x / (x * x + 1e-3).sqrt()
}

#[autodiff_reverse(d_robust_fit, Duplicated, Const, Const, Active)]
fn robust_fit(theta: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    let mut budget = 1e6;
    for (x, y) in xs.iter().zip(ys.iter()) {
        let pred = theta[0] + theta[1] * x + theta[2] * x * x;
        let r = pred - y;
        let l = huber(r, 1.0);
        loss += l;
        budget -= l;
        if budget < 0.0 {
            break;
        }
    }
    let l1: f64 = theta.iter().map(|t| smooth_abs(*t)).sum();
    loss + 0.01 * l1
}

#[test]
fn huber_regression() {
    let xs = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5];
    let ys = [2.1, 0.9, 0.2, 0.4, 1.1, 5.0];
    check_all(
        &[&[0.0, 0.0, 0.0], &[0.3, -0.2, 1.1], &[2.0, 1.0, -1.0]],
        |p| robust_fit(p, &xs, &ys),
        |p, dp| same(d_robust_fit(p, dp, &xs, &ys, 1.0), robust_fit(p, &xs, &ys)),
    );
}

// ---------------------------------------------------------------------------------------
// 13. Bilinear interpolation on a grid with computed indices (`floor() as usize`),
//     sampled along a parametrised path; the grid values are the parameters.

const GRID: usize = 5;

#[differentiable]
fn bilinear(grid: &[f64], x: f64, y: f64) -> f64 {
    let xf = x.floor();
    let yf = y.floor();
    let i = (xf as usize).min(GRID - 2);
    let j = (yf as usize).min(GRID - 2);
    let tx = x - i as f64;
    let ty = y - j as f64;
    let g00 = grid[j * GRID + i];
    let g10 = grid[j * GRID + i + 1];
    let g01 = grid[(j + 1) * GRID + i];
    let g11 = grid[(j + 1) * GRID + i + 1];
    let top = g00 * (1.0 - tx) + g10 * tx;
    let bottom = g01 * (1.0 - tx) + g11 * tx;
    top * (1.0 - ty) + bottom * ty
}

#[autodiff_reverse(d_path_integral, Duplicated, Active, Active, Active)]
fn path_integral(grid: &[f64], x0: f64, slope: f64) -> f64 {
    let steps = 20;
    let mut acc = 0.0;
    for k in 0..=steps {
        let t = k as f64 / steps as f64;
        let x = (x0 + 3.0 * t).clamp(0.0, (GRID - 1) as f64);
        let y = (0.5 + slope * t * 3.0).clamp(0.0, (GRID - 1) as f64);
        let w = if k == 0 || k == steps { 0.5 } else { 1.0 };
        acc += w * bilinear(grid, x, y).powi(2);
    }
    acc / steps as f64
}

#[test]
fn bilinear_path_integral() {
    let g1: Vec<f64> = (0..GRID * GRID).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut p1 = g1.clone();
    p1.extend_from_slice(&[0.23, 0.61]);
    let mut p2: Vec<f64> = (0..GRID * GRID).map(|i| (i as f64 * 0.11).cos()).collect();
    p2.extend_from_slice(&[0.41, 0.83]);
    let mut p0 = vec![0.0; GRID * GRID];
    p0.extend_from_slice(&[0.17, 0.29]);
    let n = GRID * GRID;
    check_all(
        &[&p0, &p1, &p2],
        |p| path_integral(&p[..n], p[n], p[n + 1]),
        |p, dp| {
            let (dg, rest) = dp.split_at_mut(n);
            let (v, a, b) = d_path_integral(&p[..n], dg, p[n], p[n + 1], 1.0);
            same(v, path_integral(&p[..n], p[n], p[n + 1]));
            rest[0] += a;
            rest[1] += b;
        },
    );
}

// ---------------------------------------------------------------------------------------
// 14. A small recurrent network over a sequence: `&self` Const weights, the hidden state
//     in a local array, a `&mut` output-buffer helper called in a loop, and a loss on
//     every step with `continue` for masked steps.

struct Rnn {
    w_h: [[f64; 2]; 2],
    w_x: [f64; 2],
}

impl Rnn {
    #[differentiable]
    fn cell(&self, h: &[f64; 2], x: f64, b: &[f64], out: &mut [f64; 2]) {
        for i in 0..2 {
            let z = self.w_h[i][0] * h[0] + self.w_h[i][1] * h[1] + self.w_x[i] * x + b[i];
            out[i] = z.tanh();
        }
    }

    #[autodiff_reverse(d_seq_loss, Const, Duplicated, Duplicated, Const, Active)]
    fn seq_loss(&self, b: &[f64], xs: &[f64], mask: &[bool]) -> f64 {
        let mut h = [0.0; 2];
        let mut next = [0.0; 2];
        let mut loss = 0.0;
        for t in 0..xs.len() {
            self.cell(&h, xs[t], b, &mut next);
            h = next;
            if !mask[t] {
                continue;
            }
            let target = if t + 1 < xs.len() { xs[t + 1] } else { 0.0 };
            let err = h[0] - 0.5 * h[1] - target;
            loss += err * err;
        }
        loss
    }
}

#[test]
fn recurrent_sequence_loss() {
    let rnn = Rnn {
        w_h: [[0.5, -0.3], [0.8, 0.1]],
        w_x: [1.0, -0.7],
    };
    let mask = [true, false, true, true, false, true];
    check_all(
        &[
            &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            &[0.1, -0.2, 0.5, 0.3, -0.4, 0.9, 0.0, -1.0],
            &[1.5, 0.7, -0.5, 1.0, 1.2, -0.3, 0.4, 0.6],
        ],
        |p| rnn.seq_loss(&p[..2], &p[2..], &mask),
        |p, dp| {
            let (db, dx) = dp.split_at_mut(2);
            let v = rnn.d_seq_loss(&p[..2], db, &p[2..], dx, &mask, 1.0);
            same(v, rnn.seq_loss(&p[..2], &p[2..], &mask));
        },
    );
}

// ---------------------------------------------------------------------------------------
// 15. A generic polynomial model struct (`impl<T: Real> Poly<T>`) fitted to data, at f64
//     and f32, and a level-crossing detector (`windows`, early `return` from a helper,
//     `loop` with `break`).

struct Poly<T> {
    c: Vec<T>,
}

impl<T: cotangent::Real> Poly<T> {
    #[differentiable]
    fn eval(&self, x: T) -> T {
        let mut acc = T::ZERO;
        for k in (0..self.c.len()).rev() {
            acc = acc * x + self.c[k];
        }
        acc
    }

    #[autodiff_reverse(d_energy, Const, Duplicated, Active)]
    fn energy(&self, xs: &[T]) -> T {
        let mut e = T::ZERO;
        for x in xs.iter() {
            let v = self.eval(*x);
            e += v * v;
        }
        e / T::from_i32(xs.len() as i32)
    }
}

#[differentiable]
fn first_crossing(x: &[f64], level: f64) -> f64 {
    for (i, w) in x.windows(2).enumerate() {
        if (w[0] - level) * (w[1] - level) < 0.0 {
            let frac = (level - w[0]) / (w[1] - w[0]);
            return i as f64 + frac;
        }
    }
    x.len() as f64
}

#[autodiff_reverse(d_crossings, Duplicated, Active, Active)]
fn crossings(x: &[f64], level: f64) -> f64 {
    let mut total = 0.0;
    let mut lv = level;
    let mut k = 0;
    loop {
        total += first_crossing(x, lv) * lv;
        lv *= 0.8;
        k += 1;
        if k == 3 {
            break;
        }
    }
    total
}

#[test]
fn generic_poly_and_crossings() {
    let m = Poly {
        c: vec![0.3, -0.2, 0.7],
    };
    check_all(
        &[&[0.0, 0.0, 0.0], &[0.1, 0.5, 0.45], &[-1.0, 2.0, 0.5]],
        |x| m.energy(x),
        |x, dx| same(m.d_energy(x, dx, 1.0), m.energy(x)),
    );
    // f32: exact derivative 2 v(x) v'(x) / n with v = 1 - 0.5 x + 0.25 x^2.
    let m32 = Poly {
        c: vec![1.0f32, -0.5, 0.25],
    };
    let xs = [0.5f32, -1.0];
    let mut dx = [0.0f32; 2];
    let v = m32.d_energy(&xs, &mut dx, 1.0);
    assert_eq!(v.to_bits(), m32.energy(&xs).to_bits());
    for k in 0..2 {
        let x = xs[k];
        let want = 2.0 * (1.0 - 0.5 * x + 0.25 * x * x) * (-0.5 + 0.5 * x) / 2.0;
        assert!((dx[k] - want).abs() < 1e-6, "{} vs {want}", dx[k]);
    }
    check_all(
        &[
            &[0.3, -0.2, 0.7, 0.1, 0.5, 0.45],
            &[1.0, 2.0, 0.5, -1.0, 0.2, 0.3],
            &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ],
        |z| crossings(&z[..5], z[5]),
        |z, d| {
            let (dx, dl) = d.split_at_mut(5);
            let (v, g) = d_crossings(&z[..5], dx, z[5], 1.0);
            same(v, crossings(&z[..5], z[5]));
            dl[0] += g;
        },
    );
}

// =======================================================================================
// Findings, reduced to minimal functions.
//
// Finding 1 (fixed): a loop element bound by a `&z` pattern (or produced by `.copied()`),
// passed by value to a `#[differentiable]` helper, was treated as a reference argument.
#[differentiable]
fn scale_by(z: f64, r: f64) -> f64 {
    z * r
}

#[autodiff_reverse(d_loop_pattern_arg, Active, Const, Active)]
fn loop_pattern_arg(r: f64, zs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &z in zs {
        s += scale_by(z, r);
    }
    for z in zs.iter().copied() {
        s += scale_by(z, r) * z;
    }
    s
}

#[test]
fn loop_pattern_value_passed_to_helper() {
    let zs = [1.0, -2.0, 0.5];
    let (v, dr) = d_loop_pattern_arg(0.7, &zs, 1.0);
    assert_eq!(v, loop_pattern_arg(0.7, &zs));
    // s = r (sum z + sum z^2): ds/dr = -0.5 + 5.25
    assert!((dr - 4.75).abs() < 1e-15, "{dr}");
}

// Finding 2 (fixed): with `&self` Duplicated, passing `self` together with a slice of one
// of its fields to a method borrowed `d_self` and `d_self.w` mutably at once.
struct M {
    w: Vec<f64>,
    b: f64,
}

impl M {
    #[differentiable]
    fn get(&self, c: &[f64]) -> f64 {
        self.b * c[0] * c[1]
    }

    #[autodiff_reverse(d_total, Duplicated, Active)]
    fn total(&self) -> f64 {
        self.get(&self.w) + self.w[0]
    }
}

#[test]
fn self_and_its_field_passed_to_a_method() {
    let m = M {
        w: vec![2.0, 3.0],
        b: 0.5,
    };
    let mut dm = M {
        w: vec![0.0; 2],
        b: 0.0,
    };
    let v = m.d_total(&mut dm, 1.0);
    assert_eq!(v, m.total());
    // total = b w0 w1 + w0
    assert_eq!(dm.b, 6.0);
    assert_eq!(dm.w, vec![0.5 * 3.0 + 1.0, 0.5 * 2.0]);
}

// Finding 3 (now a compile error with a hint, see tests/ui/mut_self_helper.rs): a
// `#[differentiable] fn step(&mut self)` method called from a differentiated method ran its
// pullback on the already-updated `self`. The supported form: a function taking the
// fields it changes.
struct StepState {
    w: f64,
    h: [f64; 1],
}

#[differentiable]
fn step(w: f64, h: &mut [f64; 1]) {
    h[0] *= w;
}

impl StepState {
    #[autodiff_reverse(d_stepped_square, Duplicated, Active)]
    fn stepped_square(&mut self) -> f64 {
        step(self.w, &mut self.h);
        self.h[0] * self.h[0]
    }
}

#[test]
fn mut_self_update_through_a_field_helper() {
    // f = (w h)^2 at w = 1.5, h = 2: df/dw = 2 w h^2 = 12, df/dh = 2 w^2 h = 9.
    let mut s = StepState { w: 1.5, h: [2.0] };
    let mut ds = StepState { w: 0.0, h: [0.0] };
    let v = s.d_stepped_square(&mut ds, 1.0);
    let mut s2 = StepState { w: 1.5, h: [2.0] };
    assert_eq!(v, s2.stepped_square());
    assert_eq!(ds.h[0], 9.0);
    assert_eq!(ds.w, 12.0);
    assert_eq!(s.h, s2.h, "final state of self");
}

// Finding 4 (fixed; wrong primal output): a Duplicated `&mut` argument written by a
// `#[differentiable]` helper is restored to its initial value by the reverse sweep (for
// the helper's pullback) and never set back to its final value: `d_f` leaves the buffer
// at its *initial* value, and writes after the call are lost too. Gradients are right.
// (Without a helper, `h[0] = w * h[0]` directly in `f`, the final value is kept, as in
// tests/semantics.rs.)
#[differentiable]
fn scale_first(w: f64, h: &mut [f64]) {
    h[0] *= w;
}

#[autodiff_reverse(d_scale_then_shift, Active, Duplicated)]
fn scale_then_shift(w: f64, h: &mut [f64]) {
    scale_first(w, h);
    h[0] += 1.0;
}

#[test]
fn mut_argument_written_by_helper_keeps_final_value() {
    let mut h = [2.0];
    let mut dh = [1.0];
    let dw = d_scale_then_shift(1.5, &mut h, &mut dh);
    assert_eq!((dw, dh), (2.0, [1.5])); // gradients are right
    let mut expected = [2.0];
    scale_then_shift(1.5, &mut expected);
    assert_eq!(expected, [4.0]);
    assert_eq!(h, expected); // got [2.0]
}

// Constructs a Rust user would reasonably write, and what they do now:
//
// * `let (a, b) = (x.sin(), x.cos());`: a spanned error (tuples in the body, documented).
// * `u.copy_from_slice(&next);`, `clone_from_slice`, `buf.fill(v)`: supported (lowered to
//   indexed stores; tests/control_flow.rs).
// * `std::mem::swap(&mut u, &mut next);`: a spanned error with a hint (tests/ui/mem_swap.rs).
// * a user struct passed by `&mut` to a `#[differentiable]` helper that writes it: fails
//   to compile (`S: Snapshot` is not satisfied); pass the fields instead, as in finding 3.
