use cotangent::autodiff_reverse;

// Taking a buffer out (`mem::take`): not supported, with a hint (`swap` and `replace` are).
#[autodiff_reverse(d_smooth, Duplicated, Active)]
fn smooth(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut next = vec![0.0; x.len()];
    for _ in 0..2 {
        for i in 1..u.len() {
            next[i] = 0.5 * (u[i] + u[i - 1]);
        }
        u = std::mem::take(&mut next);
    }
    u[0]
}

fn main() {}
