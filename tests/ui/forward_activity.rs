use cotangent::autodiff_forward;

// A reverse-mode activity in forward mode.
#[autodiff_forward(df, Active, Dual)]
fn f(x: f64) -> f64 {
    x
}

// A misspelt one.
#[autodiff_forward(dg, Duel, Dual)]
fn g(x: f64) -> f64 {
    x
}

// The width comes right after the name.
#[autodiff_forward(dh, Dual, 2, Dual)]
fn h(x: f64) -> f64 {
    x
}

// A width of zero.
#[autodiff_forward(dk, 0, Dual, Dual)]
fn k(x: f64) -> f64 {
    x
}

fn main() {}
