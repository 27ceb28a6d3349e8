//! User structs as values that carry derivatives: `#[derive(Differentiable)]`, structs
//! passed to helpers by reference and by value, built with literals in the body, returned
//! from helpers and from the differentiated function, as `Active` parameters.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

mod common;
use common::{assert_bits, check_all};
use cotangent::{
    autodiff_forward, autodiff_reverse, differentiable, zero_shadow, Differentiable, Real,
};

#[derive(Differentiable, Clone, Copy, Debug, Default, PartialEq)]
struct Particle {
    pos: [f64; 2],
    vel: [f64; 2],
    mass: f64,
    id: usize,
}

/// Flattens the particles' floats, for finite differences: `[pos, vel, mass]` each.
fn particles(x: &[f64]) -> Vec<Particle> {
    x.chunks(5)
        .enumerate()
        .map(|(i, c)| Particle {
            pos: [c[0], c[1]],
            vel: [c[2], c[3]],
            mass: c[4],
            id: i,
        })
        .collect()
}

fn flatten_into(ps: &[Particle], d: &mut [f64]) {
    for (p, c) in ps.iter().zip(d.chunks_mut(5)) {
        c[0] += p.pos[0];
        c[1] += p.pos[1];
        c[2] += p.vel[0];
        c[3] += p.vel[1];
        c[4] += p.mass;
        assert_eq!(p.id, 0, "an integer field's shadow stays zero");
    }
}

const PARTICLES: [&[f64]; 3] = [
    &[0.5, -1.0, 0.25, 0.75, 2.0, 1.5, 0.5, -0.5, 0.1, 1.0],
    &[0.0; 10],
    &[-0.3, 0.0, 1.5, 2.0, 0.1, 0.0, 0.7, -1.2, 0.0, 3.0],
];

// ---------------------------------------------------------------------------------------
// Slice 1: structs by reference to helpers (`&Particle`, `&mut Particle`).

#[differentiable(forward)]
fn kinetic(p: &Particle) -> f64 {
    0.5 * p.mass * (p.vel[0] * p.vel[0] + p.vel[1] * p.vel[1])
}

#[differentiable(forward)]
fn drift(p: &mut Particle, dt: f64) {
    let g = -9.81 + p.id as f64 * 0.0;
    p.vel[1] += g * dt * p.mass.tanh();
    p.pos[0] += p.vel[0] * dt;
    p.pos[1] += p.vel[1] * dt;
}

#[autodiff_reverse(d_energy_after, Duplicated, Active, Active)]
#[autodiff_forward(f_energy_after, Dual, Dual, Dual)]
fn energy_after(ps: &[Particle], dt: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        let mut q = ps[i];
        for _ in 0..3 {
            drift(&mut q, dt);
        }
        e += kinetic(&q) + q.pos[0] * q.pos[1];
    }
    e
}

#[test]
fn structs_by_reference_to_helpers() {
    check_all(
        &PARTICLES,
        |x| energy_after(&particles(x), 0.1),
        |x, d| {
            let ps = particles(x);
            let mut dps = zero_shadow(&ps);
            let (e, _ddt) = d_energy_after(&ps, &mut dps, 0.1, 1.0);
            assert_bits(e, energy_after(&ps, 0.1));
            flatten_into(&dps, d);
        },
    );
}

// ---------------------------------------------------------------------------------------
// Slice 2: struct literals in bodies, structs returned by value from helpers and stepped
// in a loop.

#[differentiable(forward)]
fn step(p: &Particle, dt: f64) -> Particle {
    let drag = 0.1 * p.mass.sqrt();
    let vel = [p.vel[0] * (1.0 - drag * dt), p.vel[1] - 9.81 * dt];
    Particle {
        pos: [p.pos[0] + vel[0] * dt, p.pos[1] + vel[1] * dt],
        vel,
        mass: p.mass,
        id: p.id,
    }
}

#[autodiff_reverse(d_simulate, Duplicated, Active, Active)]
#[autodiff_forward(f_simulate, Dual, Dual, Dual)]
#[autodiff_forward(f_simulate2, 2, Dual, Const, DualOnly)]
fn simulate(ps: &[Particle], dt: f64) -> f64 {
    let mut height = 0.0;
    for p in ps.iter() {
        let mut q = *p;
        for _ in 0..4 {
            q = step(&q, dt);
        }
        height += q.pos[1] * q.mass + (q.pos[0] * 0.5).sin();
    }
    height
}

#[test]
fn particle_simulation_stepped_by_a_helper_returning_a_struct() {
    // Masses stay positive (`sqrt`); positions and velocities at zero too.
    let points: [&[f64]; 3] = [
        PARTICLES[0],
        &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0],
        PARTICLES[2],
    ];
    for dt in [0.1, 0.0, 0.25] {
        check_all(
            &points,
            |x| simulate(&particles(x), dt),
            |x, d| {
                let ps = particles(x);
                let mut dps = zero_shadow(&ps);
                let (h, _ddt) = d_simulate(&ps, &mut dps, dt, 1.0);
                assert_bits(h, simulate(&ps, dt));
                flatten_into(&dps, d);
            },
        );
    }
    // The time step's gradient too.
    let ps = particles(PARTICLES[0]);
    check_all(
        &[&[0.1], &[0.0], &[0.3]],
        |t| simulate(&ps, t[0]),
        |t, d| {
            let mut dps = zero_shadow(&ps);
            d[0] += d_simulate(&ps, &mut dps, t[0], 1.0).1;
        },
    );
}

#[derive(Differentiable, Clone, Debug)]
struct Point {
    x: f64,
    y: f64,
}

#[autodiff_reverse(d_literals, Duplicated, Active)]
#[autodiff_forward(f_literals, Dual, Dual)]
fn literals(v: &[f64]) -> f64 {
    let a = Point {
        x: v[0],
        y: v[1] * v[2],
    };
    let x = v[2].exp();
    let y = a.x - a.y;
    let b = Point { x, y };
    let mut s = 0.0;
    for i in 0..3 {
        let c = Point {
            y: b.y * v[i],
            x: a.x.sin() + b.x,
        };
        s += c.x * c.y;
    }
    s + b.x * b.y
}

#[test]
fn struct_literals_in_the_body() {
    check_all(
        &[&[0.5, -1.0, 0.25], &[0.0; 3], &[1.5, 0.3, -0.7]],
        literals,
        |x, d| {
            assert_bits(d_literals(x, d, 1.0), literals(x));
        },
    );
}

// ---------------------------------------------------------------------------------------
// Slice 3: structs by value: to helpers, as `Active` parameters and returns (the
// gradient and the seed are structs), and `&mut` structs as `Duplicated` parameters.

#[derive(Differentiable, Clone, Copy, Debug, Default, PartialEq)]
struct V2 {
    x: f64,
    y: f64,
}

#[differentiable]
fn norm2(v: V2) -> f64 {
    (v.x * v.x + v.y * v.y).sqrt()
}

#[differentiable]
fn rotate(v: V2, angle: f64) -> V2 {
    let (s, c) = angle.sin_cos();
    V2 {
        x: c * v.x - s * v.y,
        y: s * v.x + c * v.y,
    }
}

#[autodiff_reverse(d_by_value, Duplicated, Active)]
fn by_value(a: &[f64]) -> f64 {
    let v = V2 { x: a[0], y: a[1] };
    let w = rotate(v, a[2]);
    norm2(w) * w.x + norm2(V2 { x: w.y, y: 1.0 })
}

#[test]
fn structs_by_value_to_helpers() {
    check_all(
        &[&[0.5, -1.0, 0.25], &[0.0, 0.0, 0.0], &[1.5, 0.3, -0.7]],
        by_value,
        |x, d| {
            assert_bits(d_by_value(x, d, 1.0), by_value(x));
        },
    );
}

#[autodiff_reverse(d_active_struct, Active, Active, Active)]
fn active_struct(v: V2, k: f64) -> f64 {
    let w = rotate(v, k);
    w.x * w.y + v.x.exp()
}

#[autodiff_reverse(d_struct_result, Active, Active, Active)]
fn struct_result(v: V2, k: f64) -> V2 {
    let w = rotate(v, k);
    V2 {
        x: w.x * k,
        y: w.y.tanh() + v.x,
    }
}

#[test]
fn copy_structs_as_active_parameters_and_returns() {
    check_all(
        &[&[0.5, -1.0, 0.25], &[0.0, 0.0, 0.0], &[1.5, 0.3, -0.7]],
        |a| active_struct(V2 { x: a[0], y: a[1] }, a[2]),
        |a, d| {
            let v = V2 { x: a[0], y: a[1] };
            let (value, dv, dk) = d_active_struct(v, a[2], 1.0);
            assert_bits(value, active_struct(v, a[2]));
            d[0] += dv.x;
            d[1] += dv.y;
            d[2] += dk;
        },
    );
    // The seed is a struct: check each output's gradient by its own seed.
    for (sx, sy) in [(1.0, 0.0), (0.0, 1.0), (0.5, -2.0)] {
        check_all(
            &[&[0.5, -1.0, 0.25], &[0.0, 0.0, 0.0], &[1.5, 0.3, -0.7]],
            |a| {
                let r = struct_result(V2 { x: a[0], y: a[1] }, a[2]);
                sx * r.x + sy * r.y
            },
            |a, d| {
                let v = V2 { x: a[0], y: a[1] };
                let (r, dv, dk) = d_struct_result(v, a[2], V2 { x: sx, y: sy });
                assert_eq!(r, struct_result(v, a[2]));
                d[0] += dv.x;
                d[1] += dv.y;
                d[2] += dk;
            },
        );
    }
}

/// A `&mut` struct as a `Duplicated` parameter: its shadow is the seed of its final value
/// on entry and the gradient of its initial value on exit.
#[autodiff_reverse(d_advance, Duplicated, Const)]
fn advance(p: &mut Particle, dt: f64) {
    for _ in 0..3 {
        *p = step(p, dt);
        p.mass *= 1.0 + 0.1 * p.vel[0];
    }
}

#[test]
fn mut_struct_as_duplicated() {
    let points: [&[f64]; 3] = [
        &[0.5, -1.0, 0.25, 0.75, 2.0],
        &[0.0, 0.0, 0.0, 0.0, 1.0],
        &[-0.3, 0.0, 1.5, 2.0, 0.1],
    ];
    let seed = Particle {
        pos: [1.0, -0.5],
        vel: [0.25, 2.0],
        mass: 1.5,
        id: 0,
    };
    let f = |x: &[f64]| {
        let mut p = particles(x)[0];
        advance(&mut p, 0.1);
        seed.pos[0] * p.pos[0]
            + seed.pos[1] * p.pos[1]
            + seed.vel[0] * p.vel[0]
            + seed.vel[1] * p.vel[1]
            + seed.mass * p.mass
    };
    check_all(&points, f, |x, d| {
        let mut p = particles(x)[0];
        let mut dp = seed;
        d_advance(&mut p, &mut dp, 0.1);
        let mut q = particles(x)[0];
        advance(&mut q, 0.1);
        assert_eq!(p, q);
        flatten_into(&[dp], d);
    });
}

// ---------------------------------------------------------------------------------------
// Forward mode: the same functions, tangents compared with central differences along a
// direction.

/// `(f(x + h d) - f(x - h d)) / 2h` against the forward-mode tangent.
#[track_caller]
fn assert_jvp(f: impl Fn(&[f64]) -> f64, x: &[f64], dir: &[f64], tangent: f64) {
    let h = 1e-6;
    let at = |e: f64| -> Vec<f64> { x.iter().zip(dir).map(|(x, d)| x + e * h * d).collect() };
    let fd = (f(&at(1.0)) - f(&at(-1.0))) / (2.0 * h);
    assert!(
        (tangent - fd).abs() < 1e-5 * (1.0 + fd.abs()),
        "tangent {tangent} vs finite difference {fd} at {x:?} along {dir:?}"
    );
}

const DIRECTIONS: [&[f64]; 2] = [
    &[1.0, 0.5, -0.25, 0.0, 0.3, -1.0, 0.2, 0.7, 1.0, 0.1],
    &[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];

#[test]
fn forward_mode_through_struct_helpers_and_literals() {
    let positive: [&[f64]; 2] = [
        PARTICLES[0],
        &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0],
    ];
    for x in positive {
        for dir in DIRECTIONS {
            let (ps, dps) = (particles(x), particles(dir));
            let (e, t) = f_energy_after(&ps, &dps, 0.1, 0.0);
            assert_bits(e, energy_after(&ps, 0.1));
            assert_jvp(|x| energy_after(&particles(x), 0.1), x, dir, t);
            let (h, t) = f_simulate(&ps, &dps, 0.1, 0.0);
            assert_bits(h, simulate(&ps, 0.1));
            assert_jvp(|x| simulate(&particles(x), 0.1), x, dir, t);
            // Two directions in one pass.
            let [t1, t2] = f_simulate2(&ps, &dps, &particles(DIRECTIONS[0]), 0.1);
            assert_eq!(t1, t);
            assert_jvp(|x| simulate(&particles(x), 0.1), x, DIRECTIONS[0], t2);
        }
        // The time step's tangent.
        let ps = particles(x);
        let (_, t) = f_simulate(&ps, &zero_shadow(&ps), 0.1, 1.0);
        assert_jvp(|t| simulate(&ps, t[0]), &[0.1], &[1.0], t);
    }
    for x in [[0.5, -1.0, 0.25], [0.0; 3], [1.5, 0.3, -0.7]] {
        let (y, t) = f_literals(&x, &[1.0, -0.5, 0.25]);
        assert_bits(y, literals(&x));
        assert_jvp(literals, &x, &[1.0, -0.5, 0.25], t);
    }
}

// ---------------------------------------------------------------------------------------
// Generic structs over the float type, in generic functions, at f64 and f32.

#[derive(Differentiable, Clone, Copy, Debug, PartialEq)]
struct Body<T> {
    pos: [T; 2],
    mass: T,
    fixed: bool,
}

#[differentiable]
fn pair_energy<T: Real>(a: &Body<T>, b: &Body<T>) -> T {
    let dx = a.pos[0] - b.pos[0];
    let dy = a.pos[1] - b.pos[1];
    a.mass * b.mass / (dx * dx + dy * dy + T::ONE)
}

#[differentiable]
fn centre<T: Real>(a: &Body<T>, b: &Body<T>) -> Body<T> {
    let m = a.mass + b.mass;
    Body {
        pos: [
            (a.pos[0] * a.mass + b.pos[0] * b.mass) / m,
            (a.pos[1] * a.mass + b.pos[1] * b.mass) / m,
        ],
        mass: m,
        fixed: a.fixed && b.fixed,
    }
}

#[autodiff_reverse(d_bodies_energy, Duplicated, Active)]
fn bodies_energy<T: Real>(bs: &[Body<T>]) -> T {
    let mut e = T::ZERO;
    for i in 0..bs.len() {
        for j in i + 1..bs.len() {
            let c = centre(&bs[i], &bs[j]);
            if !c.fixed {
                e = e + pair_energy(&bs[i], &bs[j]) * c.mass.ln();
            }
        }
    }
    e
}

fn bodies<T: Copy>(x: &[T]) -> Vec<Body<T>> {
    x.chunks(3)
        .enumerate()
        .map(|(i, c)| Body {
            pos: [c[0], c[1]],
            mass: c[2],
            fixed: i == 3,
        })
        .collect()
}

#[test]
fn generic_structs_over_the_float_type() {
    let points: [&[f64]; 2] = [
        &[0.5, -1.0, 2.0, 1.5, 0.5, 1.0, 0.0, 0.0, 3.0, 1.0, 1.0, 1.0],
        &[0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.3, -0.2, 0.5, 0.0, 0.0, 1.0],
    ];
    check_all(
        &points,
        |x| bodies_energy(&bodies(x)),
        |x, d| {
            let bs = bodies(x);
            let mut dbs = zero_shadow(&bs);
            assert_bits(d_bodies_energy(&bs, &mut dbs, 1.0), bodies_energy(&bs));
            for (b, c) in dbs.iter().zip(d.chunks_mut(3)) {
                c[0] += b.pos[0];
                c[1] += b.pos[1];
                c[2] += b.mass;
                assert!(!b.fixed);
            }
        },
    );
    // f32: the same gradient, to f32 precision.
    for x in points {
        let (b64, b32) = (
            bodies(x),
            bodies(&x.iter().map(|v| *v as f32).collect::<Vec<_>>()),
        );
        let (mut d64, mut d32) = (zero_shadow(&b64), zero_shadow(&b32));
        d_bodies_energy(&b64, &mut d64, 1.0);
        let e = d_bodies_energy(&b32, &mut d32, 1.0);
        assert_eq!(e.to_bits(), bodies_energy(&b32).to_bits());
        for (a, b) in d32.iter().zip(&d64) {
            assert!((a.mass as f64 - b.mass).abs() < 1e-4 * (1.0 + b.mass.abs()));
            assert!((a.pos[0] as f64 - b.pos[0]).abs() < 1e-4 * (1.0 + b.pos[0].abs()));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Methods returning structs, skipped fields, and derived enums.

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Integrator {
    #[default]
    Euler,
    Midpoint,
}

#[derive(Differentiable, Clone, Debug)]
struct Spring {
    k: f64,
    rest: [f64; 2],
    #[cotangent(skip)]
    scheme: Integrator,
    history: Vec<f64>,
}

impl Spring {
    #[differentiable]
    fn pulled(&self, p: &Particle) -> Particle {
        let fx = -self.k * (p.pos[0] - self.rest[0]);
        let fy = -self.k * (p.pos[1] - self.rest[1]);
        let h = match self.scheme {
            Integrator::Euler => 1.0,
            Integrator::Midpoint => 0.5,
        };
        Particle {
            pos: p.pos,
            vel: [p.vel[0] + h * fx / p.mass, p.vel[1] + h * fy / p.mass],
            mass: p.mass,
            id: p.id,
        }
    }

    #[autodiff_reverse(d_spring_energy, Duplicated, Duplicated, Active)]
    fn spring_energy(&self, ps: &[Particle]) -> f64 {
        let mut e = 0.0;
        for i in 0..ps.len() {
            let q = self.pulled(&ps[i]);
            e += kinetic(&q) + self.history[i] * q.vel[0];
        }
        e
    }
}

#[test]
fn methods_returning_structs_and_skipped_fields() {
    for scheme in [Integrator::Euler, Integrator::Midpoint] {
        // `[k, rest0, rest1, h0, h1]` then the particles.
        let split = |x: &[f64]| {
            let spring = Spring {
                k: x[0],
                rest: [x[1], x[2]],
                scheme,
                history: x[3..5].to_vec(),
            };
            (spring, particles(&x[5..]))
        };
        let points: [&[f64]; 2] = [
            &[
                2.0, 0.5, -0.5, 0.3, 1.0, 0.5, -1.0, 0.25, 0.75, 2.0, 1.5, 0.5, -0.5, 0.1, 1.0,
            ],
            &[
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 3.0,
            ],
        ];
        check_all(
            &points,
            |x| {
                let (s, ps) = split(x);
                s.spring_energy(&ps)
            },
            |x, d| {
                let (s, ps) = split(x);
                let (mut ds, mut dps) = (zero_shadow(&s), zero_shadow(&ps));
                assert_eq!(ds.scheme, scheme, "a skipped field's shadow is a copy");
                assert_bits(
                    s.d_spring_energy(&mut ds, &ps, &mut dps, 1.0),
                    s.spring_energy(&ps),
                );
                d[0] += ds.k;
                d[1] += ds.rest[0];
                d[2] += ds.rest[1];
                d[3] += ds.history[0];
                d[4] += ds.history[1];
                flatten_into(&dps, &mut d[5..]);
            },
        );
    }
}
