use cotangent::autodiff_reverse;

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn scale() -> f64 {
    2.0
}

// An unknown function of constants is fine; of an active value it is an error. A free
// function's hidden pullback is looked up in its module, where nothing can stand in for a
// missing one: the error is rustc's "cannot find function `__cotangent_pb_softplus_a`",
// at the call, meaning `softplus` is not marked #[differentiable] (README, "Calls").
// Methods and associated functions get a sentence instead: unknown_method.rs.
#[autodiff_reverse(d_f, Active, Active)]
fn f(x: f64) -> f64 {
    let k = scale();
    k * softplus(x)
}

fn main() {}
