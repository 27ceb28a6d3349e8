use cotangent::autodiff_reverse;

// Double buffering by swapping: not supported, with a hint.
#[autodiff_reverse(d_smooth, Duplicated, Active)]
fn smooth(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut next = vec![0.0; x.len()];
    for _ in 0..2 {
        for i in 1..u.len() {
            next[i] = 0.5 * (u[i] + u[i - 1]);
        }
        std::mem::swap(&mut u, &mut next);
    }
    u[0]
}

fn main() {}
