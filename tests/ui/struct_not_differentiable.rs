use cotangent::autodiff_reverse;

// A struct that carries a derivative without `#[derive(Differentiable)]`.
#[derive(Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
}

#[autodiff_reverse(d_f, Active, Active)]
fn f(a: f64) -> f64 {
    let p = Point { x: a, y: 2.0 * a };
    p.x * p.y
}

fn main() {}
