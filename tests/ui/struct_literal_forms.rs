use cotangent::{autodiff_reverse, Differentiable};

#[derive(Differentiable, Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
}

// `..base` in a struct literal: write every field.
#[autodiff_reverse(d_f, Active, Active)]
fn f(a: f64) -> f64 {
    let base = Point { x: a, y: 1.0 };
    let p = Point { x: a * 2.0, ..base };
    p.x * p.y
}

fn main() {}
