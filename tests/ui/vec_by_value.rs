use cotangent::{autodiff_reverse, differentiable};

// `v` is a by-value `Vec`: the helper gets no pattern in which it carries a derivative.
#[differentiable]
fn product(v: Vec<f64>) -> f64 {
    v[0] * v[1]
}

#[autodiff_reverse(d_f, Duplicated, Active)]
fn f(x: &[f64]) -> f64 {
    let v = x.to_vec();
    product(v)
}

#[autodiff_reverse(d_g, Duplicated, Active)]
fn g(x: &[f64]) -> f64 {
    product(vec![x[0], 1.0])
}

fn main() {}
