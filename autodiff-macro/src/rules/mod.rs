//! The derivative rules: each primitive next to its adjoint, micrograd style.
//!
//! A rule gets the tokens of the primal operands `a`, of the primal result `y` and of the
//! result's adjoint `g`, and writes the statement that adds the contribution into the
//! adjoint place `adj` of operand `k`. Rules are method calls and untyped literals, so the
//! same tokens work for `f32` and `f64`; rules that need a branch or a typed constant call
//! `::cotangent::__private::rules`, which documents the conventions at kinks.

use proc_macro2::TokenStream;
use quote::quote;

use crate::prim::{BinOp, MathFn};

/// What an adjoint reads besides `g`: the primal operands, the primal result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub args: bool,
    pub result: bool,
}

const ARGS: Needs = Needs {
    args: true,
    result: false,
};
const RESULT: Needs = Needs {
    args: false,
    result: true,
};
const BOTH: Needs = Needs {
    args: true,
    result: true,
};
const NOTHING: Needs = Needs {
    args: false,
    result: false,
};

impl MathFn {
    pub fn needs(self) -> Needs {
        use MathFn::*;
        match self {
            Exp | Exp2 | ExpM1 | Sqrt | Cbrt | Recip | Tan | Tanh => RESULT,
            Log | Powf | Hypot => BOTH,
            ToDegrees | ToRadians | Fract => NOTHING,
            Signum | Floor | Ceil | Round | Trunc => NOTHING,
            _ => ARGS,
        }
    }

    /// `adj += ∂y/∂a[k] * g`, as a statement.
    pub fn adjoint(
        self,
        k: usize,
        a: &[TokenStream],
        y: &TokenStream,
        g: &TokenStream,
        adj: &TokenStream,
    ) -> TokenStream {
        let rule = self.rule(k, a, y, g, adj);
        if self.singular() {
            let r = quote!(::cotangent::__private::rules);
            return quote!(if #r::nonzero(#g) { #rule });
        }
        rule
    }

    /// Derivatives that are infinite at a point of the domain (the rule of such a value
    /// in an untaken branch must not give `0 * inf`).
    fn singular(self) -> bool {
        use MathFn::*;
        matches!(
            self,
            Ln | Log | Log2 | Log10 | Sqrt | Cbrt | Powf | Asin | Acos | Acosh | Atanh
        )
    }

    fn rule(
        self,
        k: usize,
        a: &[TokenStream],
        y: &TokenStream,
        g: &TokenStream,
        adj: &TokenStream,
    ) -> TokenStream {
        use MathFn::*;
        let r = quote!(::cotangent::__private::rules);
        let x = &a[0];
        let a1 = a.get(1).cloned().unwrap_or_default();
        let a2 = a.get(2).cloned().unwrap_or_default();
        let ak = &a[k];
        let add = |e: TokenStream| quote!(#adj += #e;);
        match (self, k) {
            (Exp, _) => add(quote!(#g * #y)),
            (Exp2, _) => add(quote!(#r::exp2(#y, #g))),
            (ExpM1, _) => add(quote!(#g * (#y + 1.0))),
            (Ln, _) => add(quote!(#g / #x)),
            (Ln1p, _) => add(quote!(#g / (#x + 1.0))),
            (Log, 0) => add(quote!(#r::log_x(#x, #a1, #g))),
            (Log, _) => add(quote!(#r::log_base(#a1, #y, #g))),
            (Log2, _) => add(quote!(#r::log2(#x, #g))),
            (Log10, _) => add(quote!(#r::log10(#x, #g))),
            (Sqrt, _) => add(quote!(#g / (2.0 * #y))),
            (Cbrt, _) => add(quote!(#g / (3.0 * #y * #y))),
            (Powi, _) => add(quote!(#r::powi(#x, #a1, #g))),
            (Powf, 0) => add(quote!(#r::powf_base(#x, #a1, #g))),
            (Powf, _) => add(quote!(#r::powf_exponent(#x, #y, #g))),
            (Recip, _) => quote!(#adj -= #g * #y * #y;),
            (Sin, _) => add(quote!(#g * #x.cos())),
            (Cos, _) => quote!(#adj -= #g * #x.sin();),
            (Tan, _) => add(quote!(#g * (1.0 + #y * #y))),
            (Asin, _) => add(quote!(#g / (1.0 - #x * #x).sqrt())),
            (Acos, _) => quote!(#adj -= #g / (1.0 - #x * #x).sqrt();),
            (Atan, _) => add(quote!(#g / (1.0 + #x * #x))),
            (Atan2, 0) => add(quote!(#r::atan2_y(#x, #a1, #g))),
            (Atan2, _) => add(quote!(#r::atan2_x(#x, #a1, #g))),
            (Sinh, _) => add(quote!(#g * #x.cosh())),
            (Cosh, _) => add(quote!(#g * #x.sinh())),
            (Tanh, _) => add(quote!(#g * (1.0 - #y * #y))),
            (Asinh, _) => add(quote!(#g / (#x * #x + 1.0).sqrt())),
            (Acosh, _) => add(quote!(#g / (#x * #x - 1.0).sqrt())),
            (Atanh, _) => add(quote!(#g / (1.0 - #x * #x))),
            (Hypot, _) => add(quote!(#r::hypot(#ak, #y, #g))),
            (Abs, _) => add(quote!(#r::abs(#x, #g))),
            (MulAdd, 0) => add(quote!(#g * #a1)),
            (MulAdd, 1) => add(quote!(#g * #x)),
            (MulAdd, _) => add(quote!(#g)),
            (Max, 0) => quote!(if #r::max_takes_receiver(#x, #a1) { #adj += #g; }),
            (Max, _) => quote!(if !#r::max_takes_receiver(#x, #a1) { #adj += #g; }),
            (Min, 0) => quote!(if #r::min_takes_receiver(#x, #a1) { #adj += #g; }),
            (Min, _) => quote!(if !#r::min_takes_receiver(#x, #a1) { #adj += #g; }),
            (Clamp, _) => {
                let branch = k as u8;
                quote!(if #r::clamp_branch(#x, #a1, #a2) == #branch { #adj += #g; })
            }
            (ToDegrees, _) => add(quote!((#g).to_degrees())),
            (ToRadians, _) => add(quote!((#g).to_radians())),
            (Fract, _) => add(quote!(#g)),
            (Signum | Floor | Ceil | Round | Trunc, _) => TokenStream::new(),
        }
    }
}

impl BinOp {
    pub fn needs(self) -> Needs {
        match self {
            BinOp::Add | BinOp::Sub | BinOp::Other(_) => NOTHING,
            BinOp::Mul | BinOp::Rem => ARGS,
            BinOp::Div => BOTH,
        }
    }

    /// `adj += ∂y/∂(a, b)[k] * g`, as a statement.
    pub fn adjoint(
        self,
        k: usize,
        a: &TokenStream,
        b: &TokenStream,
        y: &TokenStream,
        g: &TokenStream,
        adj: &TokenStream,
    ) -> TokenStream {
        match (self, k) {
            (BinOp::Add, _) | (BinOp::Sub, 0) | (BinOp::Rem, 0) => quote!(#adj += #g;),
            (BinOp::Sub, _) => quote!(#adj -= #g;),
            (BinOp::Mul, 0) => quote!(#adj += #g * #b;),
            (BinOp::Mul, _) => quote!(#adj += #g * #a;),
            (BinOp::Div, 0) => quote!(#adj += #g / #b;),
            (BinOp::Div, _) => quote!(#adj -= #g * #y / #b;),
            (BinOp::Rem, _) => {
                quote!(#adj += ::cotangent::__private::rules::rem_divisor(#a, #b, #g);)
            }
            (BinOp::Other(_), _) => TokenStream::new(),
        }
    }
}
