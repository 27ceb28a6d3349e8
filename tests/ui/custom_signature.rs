use cotangent::differentiable;

// The hand-written pullback must take (x, d_ret) and return the gradient of x.
#[differentiable(custom = softplus_pullback)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_pullback(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn main() {}
