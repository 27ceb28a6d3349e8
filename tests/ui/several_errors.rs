use cotangent::autodiff_reverse;

// Two independent mistakes in one function are both reported in one build, and the
// caller of the adjoint sees no further error.
#[autodiff_reverse(d_f, Active, Active)]
fn f(x: f64) -> f64 {
    let a = format!("{x}");
    let b = unsafe { x };
    x
}

fn main() {
    let (_value, _dx) = d_f(1.0, 1.0);
}
