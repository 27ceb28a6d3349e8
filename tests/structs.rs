//! User structs as values that carry derivatives: `#[derive(Differentiable)]`, structs
//! passed to helpers by reference and by value, built with literals in the body, returned
//! from helpers and from the differentiated function, as `Active` parameters.
#![allow(clippy::needless_range_loop)]

mod common;
use common::{assert_bits, check_all};
use cotangent::{autodiff_forward, autodiff_reverse, differentiable, zero_shadow, Differentiable};

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

#[differentiable]
fn kinetic(p: &Particle) -> f64 {
    0.5 * p.mass * (p.vel[0] * p.vel[0] + p.vel[1] * p.vel[1])
}

#[differentiable]
fn drift(p: &mut Particle, dt: f64) {
    let g = -9.81 + p.id as f64 * 0.0;
    p.vel[1] += g * dt * p.mass.tanh();
    p.pos[0] += p.vel[0] * dt;
    p.pos[1] += p.vel[1] * dt;
}

#[autodiff_reverse(d_energy_after, Duplicated, Active, Active)]
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
