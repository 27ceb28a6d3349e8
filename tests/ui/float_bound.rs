use cotangent::autodiff_reverse;

// A float type parameter bounded by another trait than `cotangent::Real`.
trait Float: Copy + std::ops::Mul<Output = Self> {}
impl Float for f64 {}

#[autodiff_reverse(d_sq, Active, Active)]
fn sq<T: Float>(x: T) -> T {
    x * x
}

fn main() {}
