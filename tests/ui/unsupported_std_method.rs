use cotangent::autodiff_reverse;

// Growing an argument's buffer, whose shadow has the caller's length: rejected with a
// hint (pushing into a local `Vec` is supported).
#[autodiff_reverse(d_f, Duplicated, Duplicated)]
fn f(x: &[f64], out: &mut Vec<f64>) {
    for i in 0..x.len() {
        out.push(x[i].sin());
    }
}

// Reordering a buffer that carries a derivative: rejected with a hint.
#[autodiff_reverse(d_g, Duplicated, Active)]
fn g(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    y.rotate_left(1);
    y[0] * y[1]
}

// A slice converted to an array reference: rejected with a hint.
#[autodiff_reverse(d_h, Duplicated, Active)]
fn h(x: &[f64]) -> f64 {
    let a: &[f64; 2] = x[..2].try_into().unwrap();
    a[0] * a[1]
}

// Sorting a buffer that carries a derivative with a closure: rejected with a hint.
#[autodiff_reverse(d_q, Duplicated, Active)]
fn q(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[0]
}

fn main() {}
