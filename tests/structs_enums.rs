//! Enums that carry derivatives: `#[derive(Differentiable)]` on an enum whose variants hold
//! floats, payloads bound by `match` / `if let` in differentiated bodies (the shadow is an
//! enum of the same variant, from `zero_shadow`), in both modes.
#![allow(clippy::needless_range_loop)]

mod common;
use common::{assert_bits, check_all};
use cotangent::{autodiff_forward, autodiff_reverse, differentiable, zero_shadow, Differentiable};

#[derive(Differentiable, Clone, Debug, PartialEq)]
enum Shape {
    Circle(f64),
    Rect { w: f64, h: [f64; 1] },
    Empty,
}

#[test]
fn derived_enums_add_payloads_of_the_same_variant() {
    use cotangent::Adjoint;
    let mut a = Shape::Rect { w: 1.0, h: [2.0] };
    a.accumulate(Shape::Rect { w: 0.5, h: [1.0] });
    assert_eq!(a, Shape::Rect { w: 1.5, h: [3.0] });
    assert_eq!(zero_shadow(&Shape::Circle(3.0)), Shape::Circle(0.0));
    let mut c = Shape::Circle(1.0);
    c.accumulate(Shape::Empty);
    assert_eq!(c, Shape::Circle(1.0));
    c.zero_out();
    assert_eq!(c, Shape::Circle(0.0));
}

// ---------------------------------------------------------------------------------------
// Payloads of enums that carry derivatives, bound by `match` and `if let`.

#[differentiable(forward)]
fn area(s: &Shape) -> f64 {
    match s {
        Shape::Circle(r) => std::f64::consts::PI * r * r,
        Shape::Rect { w, h } => w * h[0],
        Shape::Empty => 0.0,
    }
}

#[autodiff_reverse(d_total_area, Duplicated, Active)]
#[autodiff_forward(f_total_area, Dual, Dual)]
fn total_area(shapes: &[Shape]) -> f64 {
    let mut a = 0.0;
    for s in shapes.iter() {
        a += area(s).sqrt();
        if let Shape::Rect { w, .. } = s {
            a += w.sin();
        }
    }
    a
}

fn shapes(x: &[f64]) -> Vec<Shape> {
    vec![
        Shape::Circle(x[0]),
        Shape::Rect { w: x[1], h: [x[2]] },
        Shape::Empty,
        Shape::Circle(x[3]),
    ]
}

fn flatten(shapes: &[Shape], d: &mut [f64]) {
    let mut k = 0;
    for s in shapes {
        match s {
            Shape::Circle(r) => {
                d[k] += r;
                k += 1;
            }
            Shape::Rect { w, h } => {
                d[k] += w;
                d[k + 1] += h[0];
                k += 2;
            }
            Shape::Empty => {}
        }
    }
}

const POINTS: [&[f64]; 3] = [
    &[0.5, 1.5, 2.0, 0.25],
    &[0.0, 0.0, 0.0, 1.0],
    &[1.0, -0.5, 0.3, 2.0],
];

#[test]
fn enum_payloads_bound_by_match_and_if_let() {
    // `sqrt` of the areas: keep them positive away from zero.
    let points: [&[f64]; 2] = [POINTS[0], &[1.0, 0.5, 0.3, 2.0]];
    check_all(
        &points,
        |x| total_area(&shapes(x)),
        |x, d| {
            let s = shapes(x);
            let mut ds = zero_shadow(&s);
            assert_bits(d_total_area(&s, &mut ds, 1.0), total_area(&s));
            flatten(&ds, d);
        },
    );
    for x in points {
        for dir in POINTS {
            let (s, ds) = (shapes(x), shapes(dir));
            let (y, t) = f_total_area(&s, &ds);
            assert_bits(y, total_area(&s));
            let h = 1e-6;
            let at =
                |e: f64| -> Vec<f64> { x.iter().zip(dir).map(|(x, d)| x + e * h * d).collect() };
            let fd = (total_area(&shapes(&at(1.0))) - total_area(&shapes(&at(-1.0)))) / (2.0 * h);
            assert!((t - fd).abs() < 1e-5 * (1.0 + fd.abs()), "{t} vs {fd}");
        }
    }
}

#[differentiable(forward)]
fn grow(s: &Shape, k: f64) -> Shape {
    match s {
        Shape::Circle(r) => Shape::Circle(r * k),
        Shape::Rect { w, h } => Shape::Rect {
            w: w * k,
            h: [h[0] + k],
        },
        Shape::Empty => Shape::Empty,
    }
}

#[autodiff_reverse(d_grown_area, Duplicated, Active, Active)]
#[autodiff_forward(f_grown_area, Dual, Dual, Dual)]
fn grown_area(shapes: &[Shape], k: f64) -> f64 {
    let mut a = 0.0;
    for s in shapes.iter() {
        let g = grow(s, k);
        a += area(&g) + area(&Shape::Circle(k * 0.5));
    }
    a
}

#[test]
fn enums_built_with_constructors() {
    for k in [1.5, 0.0, -0.5] {
        check_all(
            &POINTS,
            |x| grown_area(&shapes(x), k),
            |x, d| {
                let s = shapes(x);
                let mut ds = zero_shadow(&s);
                let (y, _dk) = d_grown_area(&s, &mut ds, k, 1.0);
                assert_bits(y, grown_area(&s, k));
                flatten(&ds, d);
            },
        );
        let s = shapes(POINTS[0]);
        check_all(
            &[&[k]],
            |k| grown_area(&s, k[0]),
            |k, d| {
                let mut ds = zero_shadow(&s);
                d[0] += d_grown_area(&s, &mut ds, k[0], 1.0).1;
            },
        );
        let (y, t) = f_grown_area(&s, &shapes(POINTS[2]), k, 1.0);
        assert_bits(y, grown_area(&s, k));
        let h = 1e-6;
        let at = |e: f64| {
            let x: Vec<f64> = POINTS[0]
                .iter()
                .zip(POINTS[2])
                .map(|(x, d)| x + e * h * d)
                .collect();
            grown_area(&shapes(&x), k + e * h)
        };
        let fd = (at(1.0) - at(-1.0)) / (2.0 * h);
        assert!((t - fd).abs() < 1e-5 * (1.0 + fd.abs()), "{t} vs {fd}");
    }
}

/// A tuple struct, built with its constructor and read by `.0` / `.1`.
#[derive(Differentiable, Clone, Copy, Debug)]
struct Pair(f64, [f64; 2]);

#[autodiff_reverse(d_pairs, Duplicated, Active)]
#[autodiff_forward(f_pairs, Dual, Dual)]
fn pairs(x: &[f64]) -> f64 {
    let p = Pair(x[0] * x[1], [x[2], x[0].exp()]);
    let q = Pair(p.1[0], [p.0, 2.0]);
    p.0 * q.1[0] + (q.0 * p.1[1]).sin()
}

#[test]
fn tuple_structs_built_with_constructors() {
    check_all(&POINTS, pairs, |x, d| {
        assert_bits(d_pairs(x, d, 1.0), pairs(x))
    });
    let (y, t) = f_pairs(POINTS[0], POINTS[2]);
    assert_bits(y, pairs(POINTS[0]));
    let h = 1e-6;
    let at = |e: f64| -> Vec<f64> {
        POINTS[0]
            .iter()
            .zip(POINTS[2])
            .map(|(x, d)| x + e * h * d)
            .collect()
    };
    let fd = (pairs(&at(1.0)) - pairs(&at(-1.0))) / (2.0 * h);
    assert!((t - fd).abs() < 1e-5 * (1.0 + fd.abs()), "{t} vs {fd}");
}
