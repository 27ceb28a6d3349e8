//! Forward mode's tangents before forward mode: `tests/data/tangents.rs` holds, for every
//! primitive, the expression `rules::tangent` writes (kept current by a unit test of
//! autodiff-macro), compiled here for `f64` and `f32`. Each tangent is checked
//!
//! - against central finite differences of the primal, one operand at a time, at several
//!   points away from kinks (both signs, inside each function's domain);
//! - for linearity: seeding all operands at once gives the sum of the single seeds;
//!
//! and at the guarded points: a zero tangent through `sqrt(0)`, `ln(0)` or `powf(0, p)`
//! is 0, not NaN; `max`/`min` send a tie to the receiver, as the adjoint does.

#[allow(unused_variables, unused_parens, clippy::all)]
mod f64s {
    type T = f64;
    include!("data/tangents.rs");
}

#[allow(unused_variables, unused_parens, clippy::all)]
mod f32s {
    type T = f32;
    include!("data/tangents.rs");
}

/// Points `(a0, a1, a2)` away from kinks; `clamp` needs `a1 <= a2`, `powi` gets integer
/// exponents.
fn points(name: &str) -> Vec<[f64; 3]> {
    let mut pts = vec![
        [0.3, 0.7, 1.2],
        [0.65, -0.4, 0.9],
        [-0.45, 1.3, 2.0],
        [1.7, 0.6, 2.5],
        [2.3, -1.6, 0.8],
    ];
    if name == "powi" {
        for (p, n) in pts.iter_mut().zip([3.0, -2.0, 1.0, 0.0, 4.0]) {
            p[1] = n;
        }
    }
    if name == "clamp" {
        pts.retain(|p| p[1] <= p[2]);
    }
    pts
}

fn unit(k: usize, h: f64) -> [f64; 3] {
    let mut e = [0.0; 3];
    e[k] = h;
    e
}

fn add(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

#[test]
fn tangents_match_finite_differences() {
    let h = 1e-6;
    let mut checked = 0;
    for &(name, _, active, f) in f64s::PRIMS {
        for a in points(name) {
            let (y, _) = f(a, [0.0; 3]);
            if !y.is_finite() {
                continue; // outside the domain (`ln` of a negative)
            }
            let mut sum = 0.0;
            for &k in active {
                let (_, dy) = f(a, unit(k, 1.0));
                let (up, _) = f(add(a, unit(k, h)), [0.0; 3]);
                let (down, _) = f(add(a, unit(k, -h)), [0.0; 3]);
                let fd = (up - down) / (2.0 * h);
                assert!(
                    (dy - fd).abs() <= 1e-5 * fd.abs().max(1.0),
                    "{name} at {a:?}, operand {k}: tangent {dy:e}, finite differences {fd:e}"
                );
                sum += 0.5 * (k + 1) as f64 * dy;
                checked += 1;
            }
            // Linear in the tangents.
            let seeds = [0.5, 1.0, 1.5];
            let mut da = [0.0; 3];
            for &k in active {
                da[k] = seeds[k];
            }
            let (_, dy) = f(a, da);
            assert!(
                (dy - sum).abs() <= 1e-12 * sum.abs().max(1.0),
                "{name} at {a:?}: {dy:e} for all seeds, {sum:e} summed"
            );
        }
    }
    assert!(checked > 150, "only {checked} checks");
}

#[test]
fn f32_tangents_agree_with_f64() {
    for (&(name, n, active, f), &(name32, _, _, f32_)) in f64s::PRIMS.iter().zip(f32s::PRIMS) {
        assert_eq!(name, name32);
        for a in points(name) {
            let a32 = a.map(|v| v as f32);
            let a = a32.map(f64::from);
            for &k in active.iter().filter(|&&k| k < n) {
                let (y, dy) = f(a, unit(k, 1.0));
                let (_, dy32) = f32_(a32, unit(k, 1.0).map(|v| v as f32));
                if y.is_finite() {
                    let dy32 = f64::from(dy32);
                    assert!(
                        (dy - dy32).abs() <= 1e-4 * dy.abs().max(1.0),
                        "{name} at {a:?}, operand {k}: f32 {dy32:e}, f64 {dy:e}"
                    );
                }
            }
        }
    }
}

fn get(name: &str) -> fn([f64; 3], [f64; 3]) -> (f64, f64) {
    f64s::PRIMS
        .iter()
        .find(|p| p.0 == name)
        .map(|p| p.3)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn guards_and_branches() {
    // A zero tangent through a singular point stays 0 (the adjoint's `nonzero` guard).
    assert_eq!(get("sqrt")([0.0; 3], [0.0; 3]), (0.0, 0.0));
    assert_eq!(get("ln")([0.0; 3], [0.0; 3]).1, 0.0);
    assert_eq!(get("powf")([0.0, 0.5, 0.0], [0.0; 3]).1, 0.0);
    assert_eq!(get("asin")([1.0, 0.0, 0.0], [0.0; 3]).1, 0.0);
    // ... while a nonzero one sees the infinite derivative, as in IEEE arithmetic.
    assert_eq!(get("sqrt")([0.0; 3], [1.0, 0.0, 0.0]).1, f64::INFINITY);
    // Ties go to the receiver; clamp's bounds pass the tangent of `x`.
    assert_eq!(get("max")([1.0, 1.0, 0.0], [2.0, 3.0, 0.0]).1, 2.0);
    assert_eq!(get("min")([1.0, 1.0, 0.0], [2.0, 3.0, 0.0]).1, 2.0);
    assert_eq!(get("max")([1.0, 4.0, 0.0], [2.0, 3.0, 0.0]).1, 3.0);
    assert_eq!(get("clamp")([1.0, 1.0, 2.0], [2.0, 3.0, 5.0]).1, 2.0);
    assert_eq!(get("clamp")([3.0, 1.0, 2.0], [2.0, 3.0, 5.0]).1, 5.0);
    // Conventions at kinks, as the adjoint's.
    assert_eq!(get("abs")([0.0; 3], [1.0, 0.0, 0.0]).1, 0.0);
    assert_eq!(get("copysign")([0.0, -1.0, 0.0], [1.0, 0.0, 0.0]).1, 0.0);
    assert_eq!(get("copysign")([2.0, -0.0, 0.0], [1.0, 0.0, 0.0]).1, -1.0);
    assert_eq!(get("hypot")([0.0; 3], [1.0, 1.0, 0.0]).1, 0.0);
    assert_eq!(get("powi")([0.0, 0.0, 0.0], [1.0, 0.0, 0.0]).1, 0.0);
}
