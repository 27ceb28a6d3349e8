use cotangent::differentiable;

#[differentiable(Duplicated Const)]
fn b(x: &[f64], k: usize) -> f64 {
    x[k] * x[k]
}

fn main() {}
