use cotangent::{autodiff_forward, differentiable};

#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

// A helper reached by a `Dual` value: not differentiated through in forward mode yet.
#[autodiff_forward(df, Dual, Dual)]
fn f(x: f64) -> f64 {
    let y = square(x);
    y + 1.0
}

// A call with `Const` arguments only is fine.
#[autodiff_forward(dg, Dual, Const, Dual)]
fn g(x: f64, c: f64) -> f64 {
    x * square(c)
}

fn main() {
    let _ = dg(1.0, 1.0, 2.0);
    let _ = df(1.0, 1.0);
}
