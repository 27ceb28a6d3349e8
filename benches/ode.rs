//! `cargo bench --bench ode`: RK4 on Lotka-Volterra, 10 000 steps, gradient of a
//! final-state loss with respect to the four parameters.
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/ode.rs"]
mod ode;

use ode::*;

fn bench(c: &mut Criterion) {
    check();
    let mut g = c.benchmark_group("ode");
    g.bench_function("forward", |b| {
        b.iter(|| ode_loss(black_box(&P), &U0, &TARGET, STEPS, H))
    });
    g.bench_function("generated", |b| {
        b.iter(|| {
            let mut dp = [0.0; 4];
            let v = d_ode_loss(black_box(&P), &mut dp, &U0, &TARGET, STEPS, H, 1.0);
            (v, dp)
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            let mut dp = [0.0; 4];
            let v = ode_hand(black_box(&P), &mut dp, &U0, &TARGET, STEPS, H, 1.0);
            (v, dp)
        })
    });
    g.bench_function("reverse", |b| {
        b.iter(|| ode_tape(black_box(&P), &U0, &TARGET, STEPS, H))
    });
    g.bench_function("num-dual", |b| {
        b.iter(|| ode_dual(black_box(&P), &U0, &TARGET, STEPS, H))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = bench
}
criterion_main!(benches);
