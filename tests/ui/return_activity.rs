use cotangent::autodiff_reverse;

#[autodiff_reverse(d_count, Duplicated, Active)]
fn count(x: &[f64]) -> usize {
    x.len()
}

#[autodiff_reverse(d_missing, Active)]
fn missing(x: f64) -> f64 {
    x
}

#[autodiff_reverse(d_extra, Duplicated, Active)]
fn extra(out: &mut [f64]) {
    out[0] = 1.0;
}

#[autodiff_reverse(d_dup, Active, Duplicated)]
fn dup(x: f64) -> f64 {
    x
}

#[autodiff_reverse(d_only, ActiveOnly, Active)]
fn only(x: f64) -> f64 {
    x
}

fn main() {}
