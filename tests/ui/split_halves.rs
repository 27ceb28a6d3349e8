use cotangent::{autodiff_reverse, differentiable};

// Both halves of one `split_at_mut` passed to one call: a spanned error with a hint.
#[differentiable]
fn setprod(a: &mut [f64], b: &[f64]) {
    a[0] = b[0] * b[1];
}

#[autodiff_reverse(d_p, Duplicated, Active)]
fn p(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let (lo, hi) = v.split_at_mut(2);
    setprod(hi, lo);
    v[0] * v[2]
}

fn main() {}
