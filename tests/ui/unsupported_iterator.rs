use cotangent::autodiff_reverse;

#[autodiff_reverse(d_chained, Duplicated, Active)]
fn chained(x: &[f64]) -> f64 {
    x.iter().chain(x.iter()).enumerate().map(|(i, v)| i as f64 * v).sum::<f64>()
}

#[autodiff_reverse(d_chained_break, Duplicated, Active)]
fn chained_break(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter().chain(x.iter()) {
        if *v > 1.0 {
            break;
        }
        s += v;
    }
    s
}

#[autodiff_reverse(d_flattened, Duplicated, Active)]
fn flattened(rows: &[Vec<f64>]) -> f64 {
    rows.iter().flatten().skip(1).sum::<f64>()
}

#[autodiff_reverse(d_flat_mapped, Duplicated, Active)]
fn flat_mapped(rows: &[Vec<f64>]) -> f64 {
    rows.iter().flat_map(|r| r.iter().map(|v| v * r[0])).sum::<f64>()
}

#[autodiff_reverse(d_map_while, Duplicated, Active)]
fn map_while(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter().map_while(|v| (*v > 0.0).then_some(v.ln())) {
        s += v;
    }
    s
}

#[autodiff_reverse(d_enumerate_taken, Duplicated, Active)]
fn enumerate_taken(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().take_while(|v| **v > 0.0).enumerate() {
        s += i as f64 * v;
    }
    s
}

#[autodiff_reverse(d_collected, Duplicated, Active)]
fn collected(x: &[f64]) -> f64 {
    let (pos, neg): (Vec<f64>, Vec<f64>) = x.iter().partition(|v| **v > 0.0);
    pos[0] + neg[0]
}

#[autodiff_reverse(d_skip_filtered, Duplicated, Active)]
fn skip_filtered(x: &[f64]) -> f64 {
    x.iter().filter(|v| **v > 0.0).skip(1).sum::<f64>()
}

#[autodiff_reverse(d_max_option, Duplicated, Active)]
fn max_option(x: &[f64]) -> f64 {
    let m = x.iter().copied().max_by(|a, b| a.total_cmp(b));
    m.unwrap_or(0.0)
}

fn main() {}
