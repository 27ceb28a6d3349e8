use cotangent::{autodiff_reverse, differentiable};

// A typo in the list is an error here, not a missing pullback at the caller.
#[differentiable(Duplicate, Const)]
fn b(x: &[f64], k: usize) -> f64 {
    x[k] * x[k]
}

#[autodiff_reverse(d_f, Duplicated, Active)]
fn f(x: &[f64]) -> f64 {
    b(x, 0)
}

fn main() {}
