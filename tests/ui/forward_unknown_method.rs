use cotangent::autodiff_forward;

struct Spring {
    k: f64,
}

impl Spring {
    // Not marked `#[differentiable(forward)]`: a forward-mode caller cannot go through it.
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }

    fn damp(x: f64) -> f64 {
        x.tanh()
    }

    #[autodiff_forward(d_total, Const, Dual, Dual)]
    fn total(&self, x: f64) -> f64 {
        self.energy(x) + Spring::damp(x)
    }
}

fn main() {}
