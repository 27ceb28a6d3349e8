use cotangent::autodiff_reverse;

// An iterator bound to a name is written where it is used: once, with the names it
// reads unchanged in between.
#[autodiff_reverse(d_twice, Duplicated, Active)]
fn twice(x: &[f64]) -> f64 {
    let sq = x.iter().map(|v| v * v);
    let n = sq.clone().count() as f64;
    sq.sum::<f64>() / n
}

#[autodiff_reverse(d_changed, Duplicated, Active)]
fn changed(x: &[f64]) -> f64 {
    let mut a = 2.0;
    let scaled = x.iter().map(move |v| v * a);
    a += 1.0;
    scaled.sum::<f64>() * a
}

#[autodiff_reverse(d_shadowed, Duplicated, Active)]
fn shadowed(x: &[f64]) -> f64 {
    let it = x.iter().map(|v| v * 2.0);
    let s = {
        let it = 3.0;
        it * x[0]
    };
    s + it.sum::<f64>()
}

fn main() {}
