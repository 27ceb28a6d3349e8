use cotangent::autodiff_reverse;

// Forms next to supported ones, each a spanned error with what to write instead.
#[autodiff_reverse(d_a, Duplicated, Active)]
fn let_else(x: &[f64]) -> f64 {
    let Some(&first) = x.first() else {
        return 0.0;
    };
    first
}

#[autodiff_reverse(d_b, Active, Const, Active)]
fn closure_parameter(x: f64, g: fn(f64) -> f64) -> f64 {
    g(x)
}

#[autodiff_reverse(d_c, Duplicated, Active)]
fn collect_other(x: &[f64]) -> f64 {
    let s = x.iter().map(|v| v * 2.0).collect::<std::collections::VecDeque<f64>>();
    s[0]
}

#[autodiff_reverse(d_d, Duplicated, Active)]
fn matches_binding(x: &[f64]) -> f64 {
    if matches!(x.len(), n if n > 2) {
        x[0]
    } else {
        x[1]
    }
}

#[autodiff_reverse(d_e, Duplicated, Const, Active)]
fn tuple_arity(x: &[f64], i: usize) -> f64 {
    match (i, i + 1) {
        (0, _) => x[0],
        n => x[n.0],
    }
}

fn main() {}
