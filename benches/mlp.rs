//! `cargo bench --bench mlp`: 784-128-10 MLP, tanh, softmax cross-entropy, batch of 32.
//!
//! num-dual is not measured: forward mode needs one pass per parameter, 101 770 passes of
//! a forward pass that itself takes milliseconds (minutes per gradient).
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/mlp.rs"]
mod mlp;

fn bench(c: &mut Criterion) {
    let m = mlp::Mlp::new();
    mlp::check(&m);
    let mut grad = mlp::MlpGrad::new();
    let mut g = c.benchmark_group("mlp");
    g.bench_function("forward", |b| b.iter(|| black_box(&m).forward()));
    g.bench_function("generated", |b| {
        b.iter(|| {
            grad.zero();
            black_box(&m).generated(&mut grad)
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            grad.zero();
            black_box(&m).hand(&mut grad)
        })
    });
    g.sample_size(10);
    g.bench_function("reverse", |b| b.iter(|| black_box(&m).tape()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = bench
}
criterion_main!(benches);
