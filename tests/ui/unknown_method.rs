use cotangent::{autodiff_reverse, differentiable};

struct Spring {
    k: f64,
}

impl Spring {
    // Not marked: a differentiated caller cannot go through it.
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }

    fn damp(x: f64) -> f64 {
        x.tanh()
    }

    // Marked, but `x` is declared `Const`: no pullback for a caller that differentiates it.
    #[differentiable(Const, Const)]
    fn offset(&self, x: f64) -> f64 {
        self.k + x
    }

    #[autodiff_reverse(d_total, Const, Active, Active)]
    fn total(&self, x: f64) -> f64 {
        self.energy(x) + Self::damp(x) + self.offset(x)
    }
}

fn main() {}
