//! The rule table: for every primitive and operand `k`, the partial derivative `∂y/∂a[k]`
//! applied to a seed `g` (the result's adjoint in reverse mode, the operand's tangent in
//! forward mode), JAX `defjvp` style. An entry is written in the primal operands
//! (`x`, `b`, `c` for `a[0]`, `a[1]`, `a[2]`), the primal result `y` where that is
//! cheaper, and `g`; it names the primal values it reads just by using them.
//!
//! Entries are method calls and untyped literals with the seed on the left (`g * x.cos()`),
//! so that `f32`, `f64` and generic `T` all work (generic functions get typed literals, see
//! `typed_literals`); an entry with a branch or a typed
//! constant calls a helper of `::cotangent::__private::rules`, which documents the
//! conventions at kinks. `.singular()` marks a partial that is infinite somewhere in its
//! domain (skipped for a zero seed: no `0 * inf = NaN` from an untaken branch); `.when(c)`
//! one that holds only on the branch `c` of the primal (`max`, `min`, `clamp`).

use proc_macro2::TokenStream;
use quote::quote;

use super::{Join, Partial};
use crate::prim::BinOp::{Add, Div, Mul, Other, Rem, Sub};
use crate::prim::MathFn::*;
use crate::prim::Prim::{self, Bin, FloatCast, Math, Neg};

/// `adj += term`.
fn plus(term: TokenStream) -> Partial {
    Partial::new(term, Join::Add)
}

/// `adj -= term`.
fn minus(term: TokenStream) -> Partial {
    Partial::new(term, Join::Sub)
}

/// `g · ∂y/∂a[k]` for operands `a`, result `y` and seed `g`; `None` where the derivative
/// is zero (piecewise-constant functions, `powi`'s integer exponent).
pub(super) fn partial(
    prim: Prim,
    k: usize,
    a: &[TokenStream],
    y: &TokenStream,
    g: &TokenStream,
) -> Option<Partial> {
    let r = crate::paths::rules();
    let arg = |i: usize| a.get(i).cloned().unwrap_or_default();
    let (x, b, c, ak) = (arg(0), arg(1), arg(2), arg(k));
    Some(match (prim, k) {
        (Bin(Add), _) | (Bin(Sub), 0) | (Bin(Rem), 0) => plus(quote!(#g)),
        (Bin(Sub), _) | (Neg, _) => minus(quote!(#g)),
        (Bin(Mul), 0) => plus(quote!(#g * #b)),
        (Bin(Mul), _) => plus(quote!(#g * #x)),
        (Bin(Div), 0) => plus(quote!(#g / #b)),
        (Bin(Div), _) => minus(quote!(#g * #y / #b)),
        (Bin(Rem), _) => plus(quote!(#r::rem_divisor(#x, #b, #g))),
        (FloatCast, _) => Partial::new(quote!(#g), Join::Cast),

        (Math(Exp), _) => plus(quote!(#g * #y)),
        (Math(Exp2), _) => plus(quote!(#r::exp2(#y, #g))),
        (Math(ExpM1), _) => plus(quote!(#g * (#y + 1.0))),
        (Math(Ln), _) => plus(quote!(#g / #x)).singular(),
        (Math(Ln1p), _) => plus(quote!(#g / (#x + 1.0))),
        (Math(Log), 0) => plus(quote!(#r::log_x(#x, #b, #g))).singular(),
        (Math(Log), _) => plus(quote!(#r::log_base(#b, #y, #g))).singular(),
        (Math(Log2), _) => plus(quote!(#r::log2(#x, #g))).singular(),
        (Math(Log10), _) => plus(quote!(#r::log10(#x, #g))).singular(),
        (Math(Sqrt), _) => plus(quote!(#g / (2.0 * #y))).singular(),
        (Math(Cbrt), _) => plus(quote!(#g / (3.0 * #y * #y))).singular(),
        (Math(Powi), 0) => plus(quote!(#r::powi(#x, #b, #g))),
        (Math(Powf), 0) => plus(quote!(#r::powf_base(#x, #b, #g))).singular(),
        (Math(Powf), _) => plus(quote!(#r::powf_exponent(#x, #y, #g))).singular(),
        (Math(Recip), _) => minus(quote!(#g * #y * #y)),

        (Math(Sin), _) => plus(quote!(#g * #x.cos())),
        (Math(Cos), _) => minus(quote!(#g * #x.sin())),
        (Math(Tan), _) => plus(quote!(#g * (1.0 + #y * #y))),
        (Math(Asin), _) => plus(quote!(#g / (1.0 - #x * #x).sqrt())).singular(),
        (Math(Acos), _) => minus(quote!(#g / (1.0 - #x * #x).sqrt())).singular(),
        (Math(Atan), _) => plus(quote!(#g / (1.0 + #x * #x))),
        (Math(Atan2), 0) => plus(quote!(#r::atan2_y(#x, #b, #g))),
        (Math(Atan2), _) => plus(quote!(#r::atan2_x(#x, #b, #g))),
        (Math(Sinh), _) => plus(quote!(#g * #x.cosh())),
        (Math(Cosh), _) => plus(quote!(#g * #x.sinh())),
        (Math(Tanh), _) => plus(quote!(#g * (1.0 - #y * #y))),
        (Math(Asinh), _) => plus(quote!(#g / (#x * #x + 1.0).sqrt())),
        (Math(Acosh), _) => plus(quote!(#g / (#x * #x - 1.0).sqrt())).singular(),
        (Math(Atanh), _) => plus(quote!(#g / (1.0 - #x * #x))).singular(),
        (Math(Hypot), _) => plus(quote!(#r::hypot(#ak, #y, #g))),

        (Math(Abs), _) => plus(quote!(#r::abs(#x, #g))),
        (Math(MulAdd), 0) => plus(quote!(#g * #b)),
        (Math(MulAdd), 1) => plus(quote!(#g * #x)),
        (Math(MulAdd), _) => plus(quote!(#g)),
        (Math(Max), 0) => plus(quote!(#g)).when(quote!(#r::max_takes_receiver(#x, #b))),
        (Math(Max), _) => plus(quote!(#g)).when(quote!(!#r::max_takes_receiver(#x, #b))),
        (Math(Min), 0) => plus(quote!(#g)).when(quote!(#r::min_takes_receiver(#x, #b))),
        (Math(Min), _) => plus(quote!(#g)).when(quote!(!#r::min_takes_receiver(#x, #b))),
        (Math(Clamp), _) => {
            let branch = k as u8;
            plus(quote!(#g)).when(quote!(#r::clamp_branch(#x, #b, #c) == #branch))
        }
        (Math(ToDegrees), _) => plus(quote!((#g).to_degrees())),
        (Math(ToRadians), _) => plus(quote!((#g).to_radians())),
        (Math(Fract), _) => plus(quote!(#g)),
        (Math(Copysign), 0) => plus(quote!(#r::copysign(#x, #y, #g))),

        // Zero: an integer exponent, piecewise-constant functions, comparisons and logic.
        (Math(Powi), _) => return None,
        (Math(Signum | Floor | Ceil | Round | Trunc), _) => return None,
        (Math(Copysign), _) => return None,
        (Bin(Other(_)), _) => return None,
    })
}
