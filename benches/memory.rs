//! `cargo bench --bench memory`: heap used by one gradient call of each workload.
//!
//! The generated adjoints keep their tapes internal, so this binary counts bytes at the
//! allocator: a `#[global_allocator]` wrapping the system allocator keeps the current and
//! the peak number of live bytes, and each measurement reports the peak above the live
//! bytes before the call (inputs and gradient buffers are allocated beforehand and not
//! counted), the bytes requested in all, and the number of allocations.
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[path = "workloads/common.rs"]
mod common;
#[path = "workloads/gmm.rs"]
#[allow(dead_code)]
mod gmm;
#[path = "workloads/mlp.rs"]
#[allow(dead_code)]
mod mlp;
#[path = "workloads/ode.rs"]
#[allow(dead_code)]
mod ode;
#[path = "workloads/rosenbrock.rs"]
#[allow(dead_code)]
mod rosenbrock;
#[path = "workloads/walkthrough.rs"]
#[allow(dead_code)]
mod walkthrough;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
    TOTAL.fetch_add(size, Relaxed);
    COUNT.fetch_add(1, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are the caller's; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is (see the impl).
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes above the baseline, bytes requested, allocations, during `f`.
fn measure<R>(f: impl FnOnce() -> R) -> (usize, usize, usize) {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let (total, count) = (TOTAL.load(Relaxed), COUNT.load(Relaxed));
    black_box(f());
    (
        PEAK.load(Relaxed) - base,
        TOTAL.load(Relaxed) - total,
        COUNT.load(Relaxed) - count,
    )
}

/// The generated gradient called a second time on the same thread: its tapes reuse the
/// buffers the first call grew (`cotangent::pool`).
const AGAIN: &str = "generated, next call";

fn row(workload: &str, what: &str, m: (usize, usize, usize)) {
    println!("| {workload} | {what} | {} | {} | {} |", m.0, m.1, m.2);
}

fn main() {
    println!("| workload | gradient | peak heap bytes | bytes allocated | allocations |");
    println!("|---|---|---:|---:|---:|");

    let (x1, w1, w2, target, seed) = walkthrough::inputs();
    let (mut a, mut b, mut c) = ([[0.0; 2]; 2], [[0.0; 2]; 2], [[0.0; 2]; 2]);
    let m = measure(|| {
        walkthrough::d_walkthrough(&x1, &mut a, &w1, &mut b, &w2, &mut c, &target, seed)
    });
    row("walkthrough", "generated", m);
    let m = measure(|| {
        walkthrough::d_walkthrough(&x1, &mut a, &w1, &mut b, &w2, &mut c, &target, seed)
    });
    row("walkthrough", AGAIN, m);
    let m = measure(|| {
        walkthrough::walkthrough_hand(&x1, &mut a, &w1, &mut b, &w2, &mut c, &target, &seed)
    });
    row("walkthrough", "hand", m);
    let m = measure(|| walkthrough::walkthrough_tape(&x1, &w1, &w2, &target, &seed));
    row("walkthrough", "reverse", m);

    for n in [10usize, 1_000, 100_000] {
        let x = rosenbrock::input(n);
        let mut dx = vec![0.0; n];
        let name = format!("rosenbrock n={n}");
        for what in ["generated", AGAIN] {
            row(
                &name,
                what,
                measure(|| rosenbrock::d_rosenbrock(&x, &mut dx, 1.0)),
            );
        }
        row(
            &name,
            "hand",
            measure(|| rosenbrock::rosenbrock_hand(&x, &mut dx, 1.0)),
        );
        row(
            &name,
            "reverse",
            measure(|| rosenbrock::rosenbrock_tape(&x)),
        );
    }

    let net = mlp::Mlp::new();
    let mut g = mlp::MlpGrad::new();
    row("mlp", "generated", measure(|| net.generated(&mut g)));
    row("mlp", AGAIN, measure(|| net.generated(&mut g)));
    row("mlp", "hand", measure(|| net.hand(&mut g)));
    row("mlp", "reverse", measure(|| net.tape()));

    if let Some(inputs) = gmm::read_inputs() {
        for (name, inp) in &inputs {
            let mut g = gmm::GmmGrad::new(inp);
            let name = format!("gmm {name}");
            row(&name, "generated", measure(|| gmm::generated(inp, &mut g)));
            row(&name, AGAIN, measure(|| gmm::generated(inp, &mut g)));
            row(&name, "hand", measure(|| gmm::hand(inp, &mut g)));
            row(&name, "reverse", measure(|| gmm::tape(inp)));
        }
    }

    let mut dp = [0.0; 4];
    let (p, u0, t) = (ode::P, ode::U0, ode::TARGET);
    let m = measure(|| ode::d_ode_loss(&p, &mut dp, &u0, &t, ode::STEPS, ode::H, 1.0));
    row("ode", "generated", m);
    let m = measure(|| ode::d_ode_loss(&p, &mut dp, &u0, &t, ode::STEPS, ode::H, 1.0));
    row("ode", AGAIN, m);
    let m = measure(|| ode::ode_hand(&p, &mut dp, &u0, &t, ode::STEPS, ode::H, 1.0));
    row("ode", "hand", m);
    row(
        "ode",
        "reverse",
        measure(|| ode::ode_tape(&p, &u0, &t, ode::STEPS, ode::H)),
    );
}
