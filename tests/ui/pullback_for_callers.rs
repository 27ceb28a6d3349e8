use cotangent::autodiff_reverse;

// `d_f` alone would compile (the result is declared `Const`), but other differentiated
// code calling `f` differentiates through its result: that is reported here, at the
// construct, rather than as a missing pullback at every caller.
#[autodiff_reverse(d_f, Active, Const)]
fn f(a: f64) -> f64 {
    a.rem_euclid(2.0)
}

fn main() {}
