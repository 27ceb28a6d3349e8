use cotangent::autodiff_reverse;

#[autodiff_reverse(d_s, Const)]
struct S {
    x: f64,
}

#[autodiff_reverse]
fn no_name(x: f64) -> f64 {
    x
}

#[autodiff_reverse(Active, Active)]
fn name_is_an_activity(x: f64) -> f64 {
    x
}

fn main() {}
