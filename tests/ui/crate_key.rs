use cotangent::{autodiff_reverse, differentiable};

// `crate = ".."` takes a path in a string, as the last argument.
#[differentiable(Active, crate = 5)]
fn square(x: f64) -> f64 {
    x * x
}

#[autodiff_reverse(d_f, crate = "cotangent", Active, Active)]
fn f(x: f64) -> f64 {
    x.sin()
}

fn main() {}
