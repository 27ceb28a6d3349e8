use cotangent::autodiff_reverse;

// A `Box` is not a place cotangent can differentiate through: take `&f64` instead.
#[autodiff_reverse(d_boxed, Duplicated, Active)]
fn boxed(b: &Box<f64>) -> f64 {
    let v = **b;
    v * v
}

fn main() {}
