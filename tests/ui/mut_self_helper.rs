use cotangent::differentiable;

struct State {
    w: f64,
    h: [f64; 1],
}

impl State {
    // A caller could not record `self` around the call.
    #[differentiable]
    fn step(&mut self) {
        self.h[0] *= self.w;
    }
}

fn main() {}
