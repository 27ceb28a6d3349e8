//! `cargo bench --bench gmm`: the ADBench GMM objective on four of ADBench's 1k files.
//!
//! num-dual (forward mode, one pass per parameter) is measured on d = 2, K = 5 only
//! (30 parameters); the next file has 1 650 parameters, about 2 s per gradient.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/gmm.rs"]
mod gmm;

fn bench(c: &mut Criterion) {
    let Some(inputs) = gmm::read_inputs() else {
        return;
    };
    let mut g = c.benchmark_group("gmm");
    for (name, inp) in &inputs {
        let with_dual = inp.d * inp.k <= 10;
        gmm::check(name, inp, with_dual);
        gmm::check_tape(name, inp);
        let mut grad = gmm::GmmGrad::new(inp);
        g.sample_size(20);
        g.bench_with_input(BenchmarkId::new("forward", name), inp, |b, inp| {
            b.iter(|| gmm::forward(black_box(inp)))
        });
        g.bench_with_input(BenchmarkId::new("generated", name), inp, |b, inp| {
            b.iter(|| {
                grad.zero();
                gmm::generated(black_box(inp), &mut grad)
            })
        });
        g.bench_with_input(BenchmarkId::new("hand", name), inp, |b, inp| {
            b.iter(|| {
                grad.zero();
                gmm::hand(black_box(inp), &mut grad)
            })
        });
        g.sample_size(10);
        g.bench_with_input(BenchmarkId::new("reverse", name), inp, |b, inp| {
            b.iter(|| gmm::tape(black_box(inp)))
        });
        if with_dual {
            g.bench_with_input(BenchmarkId::new("num-dual", name), inp, |b, inp| {
                b.iter(|| gmm::dual(black_box(inp)))
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
