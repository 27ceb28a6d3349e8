use cotangent::autodiff_reverse;

#[autodiff_reverse(d_a, Active, Active)]
async fn a(x: f64) -> f64 {
    x
}

#[autodiff_reverse(d_b, Active, Active)]
const fn b(x: f64) -> f64 {
    x
}

#[autodiff_reverse(d_c, Active, Active)]
unsafe fn c(x: f64) -> f64 {
    x
}

#[autodiff_reverse(d_d, Active, Active)]
extern "C" fn d(x: f64) -> f64 {
    x
}

fn main() {}
