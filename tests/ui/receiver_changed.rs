use cotangent::{autodiff_reverse, differentiable};

struct Cell {
    a: f64,
}

impl Cell {
    #[differentiable]
    fn sq(&self) -> f64 {
        self.a * self.a
    }

    // The pullback of `sq` would run on the changed `self`.
    #[autodiff_reverse(d_method_before, Duplicated, Active)]
    fn method_before(&mut self) -> f64 {
        let e0 = self.sq();
        self.a = self.a * 3.0;
        e0
    }
}

fn main() {}
