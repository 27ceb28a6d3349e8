use cotangent::autodiff_reverse;

// `while let` and `let .. else` bind parts of values: supported where those carry no
// derivative, a spanned error where they do.
#[autodiff_reverse(d_drain, Duplicated, Active)]
fn drain(x: &[f64]) -> f64 {
    let mut stack: Vec<f64> = x.to_vec();
    let mut s = 0.0;
    while let Some(v) = stack.pop() {
        s += v * v;
    }
    s
}

#[autodiff_reverse(d_head, Active, Active)]
fn head(x: f64) -> f64 {
    let Some(v) = (if x > 0.0 { Some(x) } else { None }) else {
        return 0.0;
    };
    v.ln()
}

fn main() {}
