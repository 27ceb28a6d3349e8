use cotangent::autodiff_reverse;

#[autodiff_reverse(d_f, Active, Active)]
fn f(x: f32) -> f32 {
    x * x
}

fn main() {
    let seed: f64 = 1.0;
    let _ = d_f(2.0, seed);
}
