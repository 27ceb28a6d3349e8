//! `cargo bench --bench walkthrough`: the PyTorch autograd walkthrough (2x2 arrays).
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/walkthrough.rs"]
mod walkthrough;

use walkthrough::*;

fn bench(c: &mut Criterion) {
    check();
    let (x1, w1, w2, target, seed) = inputs();
    let mut g = c.benchmark_group("walkthrough");
    g.bench_function("forward", |b| {
        b.iter(|| walkthrough(black_box(&x1), black_box(&w1), black_box(&w2), &target))
    });
    g.bench_function("generated", |b| {
        b.iter(|| {
            let (mut a, mut bb, mut cc) = ([[0.0; 2]; 2], [[0.0; 2]; 2], [[0.0; 2]; 2]);
            let l = d_walkthrough(
                black_box(&x1),
                &mut a,
                black_box(&w1),
                &mut bb,
                black_box(&w2),
                &mut cc,
                &target,
                black_box(seed),
            );
            (l, a, bb, cc)
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            let (mut a, mut bb, mut cc) = ([[0.0; 2]; 2], [[0.0; 2]; 2], [[0.0; 2]; 2]);
            let l = walkthrough_hand(
                black_box(&x1),
                &mut a,
                black_box(&w1),
                &mut bb,
                black_box(&w2),
                &mut cc,
                &target,
                black_box(&seed),
            );
            (l, a, bb, cc)
        })
    });
    g.bench_function("reverse", |b| {
        b.iter(|| walkthrough_tape(black_box(&x1), &w1, &w2, &target, &seed))
    });
    g.bench_function("num-dual", |b| {
        b.iter(|| walkthrough_dual(black_box(&x1), &w1, &w2, &target, &seed))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = bench
}
criterion_main!(benches);
