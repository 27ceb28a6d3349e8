use cotangent::autodiff_forward;

// An integer has no tangent.
#[autodiff_forward(df, Dual, Const, Dual)]
fn f(n: usize, x: f64) -> f64 {
    x * n as f64
}

// A `Dual` return must be floats.
#[autodiff_forward(dg, Dual, Dual)]
fn g(x: f64) -> (f64, usize) {
    (x, 1)
}

// The return activity is missing.
#[autodiff_forward(dh, Dual)]
fn h(x: f64) -> f64 {
    x
}

struct S {
    w: f64,
}

impl S {
    // `&mut self` is `Const` in forward mode for now (`&self` may be `Dual`).
    #[autodiff_forward(d_m, Dual, Dual, Dual)]
    fn m(&mut self, x: f64) -> f64 {
        self.w *= x;
        self.w
    }
}

fn main() {}
