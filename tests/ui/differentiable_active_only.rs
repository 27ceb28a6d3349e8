use cotangent::differentiable;

#[differentiable(ActiveOnly, Const)]
fn scale(x: f64, k: usize) -> f64 {
    x * k as f64
}

fn main() {}
