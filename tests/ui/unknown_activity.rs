use cotangent::autodiff_reverse;

#[autodiff_reverse(d_f, Duplicate, Active)]
fn f(x: &[f64]) -> f64 {
    x[0]
}

#[autodiff_reverse(d_g, Dual, Active)]
fn g(x: f64) -> f64 {
    x
}

fn main() {}
