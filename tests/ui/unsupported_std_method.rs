use cotangent::autodiff_reverse;

// Growing a buffer with values that carry a derivative: rejected with a hint.
#[autodiff_reverse(d_f, Duplicated, Active)]
fn f(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    for i in 0..x.len() {
        v.push(x[i].sin());
    }
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

// `.last()` of a slice that carries a derivative: rejected with a hint.
#[autodiff_reverse(d_g, Duplicated, Active)]
fn g(x: &[f64]) -> f64 {
    let l = x.last().unwrap();
    l * l
}

fn main() {}
