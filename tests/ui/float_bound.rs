use cotangent::autodiff_reverse;

// A float type parameter whose bounds give it no arithmetic (`Copy`, `PartialOrd`): which
// bounds work is in the message.
#[autodiff_reverse(d_larger, Active, Active, Active)]
fn larger<T: Copy + PartialOrd>(x: T, y: T) -> T {
    if x > y {
        x
    } else {
        y
    }
}

// A conversion of a value that carries a derivative into the float type parameter.
#[autodiff_reverse(d_scaled, Duplicated, Active)]
fn scaled<T>(x: &[f64]) -> T
where
    T: From<f64> + Copy + std::ops::Mul<Output = T>,
{
    T::from(x[0]) * T::from(2.0)
}

fn main() {}
