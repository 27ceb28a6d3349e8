use cotangent::autodiff_reverse;

#[autodiff_reverse(d_m, Active, Active)]
fn with_match(x: f64) -> f64 {
    match Some(x) {
        Some(v) => v,
        None => -x,
    }
}

#[autodiff_reverse(d_c, Active, Active)]
fn with_closure(x: f64) -> f64 {
    let sq = |v: f64| v * v;
    let fs = [sq];
    x * 2.0
}

#[autodiff_reverse(d_u, Active, Active)]
fn with_unsafe(x: f64) -> f64 {
    unsafe { x }
}

#[autodiff_reverse(d_f, Active, Active)]
fn with_format(x: f64) -> f64 {
    let s = format!("{x}");
    x
}

#[autodiff_reverse(d_i, Duplicated, Active)]
fn with_iterator(x: &[f64]) -> f64 {
    x.iter().sum()
}

#[autodiff_reverse(d_p, Duplicated, Active)]
fn with_pointer(x: &[f64]) -> f64 {
    let p = x.as_ptr();
    x[0]
}

fn pair(x: f64) -> (f64, f64) {
    (x, 2.0 * x)
}

fn bounds(n: usize) -> (usize, usize) {
    (1, n - 1)
}

#[autodiff_reverse(d_b, Duplicated, Active)]
fn with_inactive_tuple_call(x: &[f64]) -> f64 {
    let (lo, hi) = bounds(x.len());
    x[lo] * x[hi]
}

#[autodiff_reverse(d_t, Active, Active)]
fn with_tuple_call(x: f64) -> f64 {
    let (a, b) = pair(x);
    a * b
}

fn main() {}
