use cotangent::autodiff_reverse;

// Binding the payload of an `Option` that carries a derivative: rejected with a hint
// (payloads of `Const` values and of enums of your own are supported).
#[autodiff_reverse(d_safe_ln, Active, Active)]
fn safe_ln(x: f64) -> f64 {
    let o = if x > 0.0 { Some(x) } else { None };
    match o {
        Some(v) => v.ln(),
        None => 0.0,
    }
}

fn main() {}
