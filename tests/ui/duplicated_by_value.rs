use cotangent::autodiff_reverse;

#[autodiff_reverse(d_f, Duplicated, Active)]
fn f(x: f64) -> f64 {
    x * 2.0
}

#[autodiff_reverse(d_g, Active, Active)]
fn g(n: usize) -> f64 {
    n as f64
}

fn main() {}
