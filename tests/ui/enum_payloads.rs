use cotangent::{autodiff_reverse, Differentiable};

#[derive(Differentiable, Clone, Copy)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
}

// An enum that carries a derivative can be passed by reference and read through plain
// helpers' shadows, but not built from active values nor bound by a pattern in the body.
#[autodiff_reverse(d_area, Duplicated, Active)]
fn area(s: &Shape) -> f64 {
    match s {
        Shape::Circle(r) => 3.14 * r * r,
        Shape::Square { side } => side * side,
    }
}

#[autodiff_reverse(d_build, Active, Active)]
fn build(r: f64) -> f64 {
    let s = Shape::Circle(r);
    match s {
        Shape::Circle(_) => 1.0,
        Shape::Square { .. } => 2.0,
    }
}

fn main() {}
