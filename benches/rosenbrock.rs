//! `cargo bench --bench rosenbrock`: Rosenbrock on n = 10, 1 000, 100 000.
//!
//! num-dual (forward mode) needs one pass per input, n^2 work: it is measured for n = 10
//! and n = 1 000 only (n = 100 000 would take 10^10 dual operations per gradient).
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/rosenbrock.rs"]
mod rosenbrock;

use rosenbrock::*;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rosenbrock");
    for n in [10usize, 1_000, 100_000] {
        let with_dual = n <= 1_000;
        check(n, with_dual);
        let x = input(n);
        let mut dx = vec![0.0; n];
        g.bench_with_input(BenchmarkId::new("forward", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x)))
        });
        g.bench_with_input(BenchmarkId::new("generated", n), &x, |b, x| {
            b.iter(|| {
                dx.fill(0.0);
                d_rosenbrock(black_box(x), &mut dx, 1.0)
            })
        });
        g.bench_with_input(BenchmarkId::new("forward-iter", n), &x, |b, x| {
            b.iter(|| rosenbrock_iter(black_box(x)))
        });
        g.bench_with_input(BenchmarkId::new("generated-iter", n), &x, |b, x| {
            b.iter(|| {
                dx.fill(0.0);
                d_rosenbrock_iter(black_box(x), &mut dx, 1.0)
            })
        });
        g.bench_with_input(BenchmarkId::new("hand", n), &x, |b, x| {
            b.iter(|| {
                dx.fill(0.0);
                rosenbrock_hand(black_box(x), &mut dx, 1.0)
            })
        });
        g.bench_with_input(BenchmarkId::new("reverse", n), &x, |b, x| {
            b.iter(|| rosenbrock_tape(black_box(x)))
        });
        if with_dual {
            g.bench_with_input(BenchmarkId::new("num-dual", n), &x, |b, x| {
                b.iter(|| {
                    dx.fill(0.0);
                    rosenbrock_dual(black_box(x), &mut dx)
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = bench
}
criterion_main!(benches);
