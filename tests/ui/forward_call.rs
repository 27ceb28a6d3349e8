use cotangent::{autodiff_forward, differentiable};

// A helper with a custom pullback only has no forward derivative: a forward-mode call
// of it fails when the caller is built (`cargo build`, a post-monomorphization error at
// the helper's attribute, with a note at the call), which `cargo check` does not show.

#[differentiable(forward)]
fn square(x: f64) -> f64 {
    x * x
}

// A helper with `Const` arguments, or with a `Dual` one, is fine.
#[autodiff_forward(dg, Dual, Const, Dual)]
fn g(x: f64, c: f64) -> f64 {
    x * square(c) + square(x)
}

struct S {
    w: f64,
}

impl S {
    #[differentiable]
    fn scaled(&self, x: f64) -> f64 {
        self.w * x
    }
}

// A method called on a value that carries a tangent.
#[autodiff_forward(dh, Dual, Dual)]
fn h(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    v.extend_from_slice(x);
    v[0]
}

fn main() {
    let _ = dg(1.0, 1.0, 2.0);
}
