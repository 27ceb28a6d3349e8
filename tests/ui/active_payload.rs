use cotangent::autodiff_reverse;

// Binding the payload of an enum that carries a derivative: rejected with a hint
// (payloads of `Const` settings are supported).
enum Shape {
    Circle(f64),
    Square(f64),
}

#[autodiff_reverse(d_area, Duplicated, Active)]
fn area(s: &Shape) -> f64 {
    match s {
        Shape::Circle(r) => 3.14 * r * r,
        Shape::Square(a) => a * a,
    }
}

fn main() {}
