use cotangent::autodiff_reverse;

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn scale() -> f64 {
    2.0
}

// An unknown function of constants is fine; of an active value it is an error.
#[autodiff_reverse(d_f, Active, Active)]
fn f(x: f64) -> f64 {
    let k = scale();
    k * softplus(x)
}

fn main() {}
