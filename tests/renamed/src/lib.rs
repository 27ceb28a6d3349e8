//! A user crate that depends on cotangent as `ad`: generated code names the crate the way
//! this crate's Cargo.toml does, or as an attribute's `crate = ".."` says.

use ad::{autodiff_forward, autodiff_reverse, differentiable};

/// A re-export, reached with `crate = ".."`.
pub mod reexport {
    pub use ad as engine;
}

#[differentiable]
pub fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// Loops (a tape), a helper's pullback and a rule with a guard (`sqrt`).
#[autodiff_reverse(d_loss, Duplicated, Active)]
pub fn loss(w: &[f64]) -> f64 {
    let mut s = 0.0;
    for &wi in w {
        s += softplus(wi) * (wi * wi + 1.0).sqrt();
    }
    s
}

#[differentiable(Active, crate = "crate::reexport::engine")]
pub fn cube(x: f64) -> f64 {
    x * x * x
}

#[autodiff_reverse(d_twice, Active, Active, crate = "crate::reexport::engine")]
pub fn twice(x: f64) -> f64 {
    cube(x) + x.sin()
}

#[autodiff_forward(df_loss, Dual, Dual)]
pub fn loss1(x: f64) -> f64 {
    x.tanh() * x
}

/// A derived struct: the derive's generated impls name `::ad` too.
#[derive(Clone, Debug, Default, ad::Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
    pub id: usize,
}

#[autodiff_reverse(d_energy, Duplicated, Active, Active)]
pub fn energy(s: &Spring, x: f64) -> f64 {
    let d = x - s.rest;
    0.5 * s.k * d * d
}

#[cfg(test)]
mod tests {
    use super::*;
    use ad::gradcheck;

    fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn renamed_dependency() {
        let w = [0.3, -1.2, 2.0];
        let mut dw = [0.0; 3];
        let v = d_loss(&w, &mut dw, 1.0);
        assert_eq!(v, loss(&w));
        gradcheck(
            loss,
            |x, dx| {
                d_loss(x, dx, 1.0);
            },
            &w,
        )
        .unwrap();
    }

    #[test]
    fn crate_key() {
        for x in [-1.5, 0.2, 2.0] {
            let (v, dx) = d_twice(x, 1.0);
            assert_eq!(v, twice(x));
            assert!((dx - fd(twice, x)).abs() < 1e-6, "{dx} vs {}", fd(twice, x));
        }
    }

    #[test]
    fn forward_renamed() {
        for x in [-1.5, 0.2, 2.0] {
            let (v, dx) = df_loss(x, 1.0);
            assert_eq!(v, loss1(x));
            assert!((dx - fd(loss1, x)).abs() < 1e-6);
        }
    }

    #[test]
    fn derive_renamed() {
        for (k, rest, x) in [(2.0, 0.5, 1.5), (0.0, 0.0, 0.0), (1.5, -1.0, 0.25)] {
            let s = Spring { k, rest, id: 3 };
            let mut ds = ad::zero_shadow(&s);
            let (v, dx) = d_energy(&s, &mut ds, x, 1.0);
            assert_eq!(v.to_bits(), energy(&s, x).to_bits());
            assert!((dx - fd(|x| energy(&s, x), x)).abs() < 1e-6);
            let dk = fd(|k| energy(&Spring { k, rest, id: 3 }, x), k);
            let drest = fd(|rest| energy(&Spring { k, rest, id: 3 }, x), rest);
            assert!((ds.k - dk).abs() < 1e-6 && (ds.rest - drest).abs() < 1e-6);
            assert_eq!(ds.id, 0);
        }
    }
}
