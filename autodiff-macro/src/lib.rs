//! Procedural macros of `cotangent`: `#[autodiff_reverse]` and `#[autodiff_forward]`
//! rewrite nothing of the function they are put on and add its reverse-mode adjoint or
//! forward-mode derivative next to it.
//!
//! The macro is a small compiler whose stages are folders, data flowing one way:
//! `front` (parse and validate) -> `lower` (body to IR) -> `passes` (mode-independent
//! analyses) -> `reverse` (plan and sweeps) or `forward` (one tangent sweep) -> `emit`
//! (shared naming and primal tokens); `prim` and `rules`
//! are the leaf vocabulary and the derivative rules. See ARCHITECTURE.md in the
//! repository. Use it through the `cotangent` crate.

mod calls;
mod derive;
mod emit;
mod errors;
mod expand;
mod forward;
mod front;
#[cfg(test)]
mod fuzz;
mod ir;
mod lower;
mod passes;
mod paths;
mod pipeline;
mod prim;
mod reverse;
mod rules;

use proc_macro::TokenStream;

/// Generates the reverse-mode adjoint of a function, with the calling convention of
/// nightly Rust's `std::autodiff`:
///
/// `#[autodiff_reverse(d_f, ACTIVITY.., RETURN_ACTIVITY?)]` with one of `Const`, `Active`
/// (by-value float; gradient returned), `Duplicated` (reference; followed by a shadow
/// `&mut` argument that accumulates the gradient) per parameter, and `Active` (seed
/// appended, primal returned first), `ActiveOnly` (no primal) or `Const` for a returned
/// value. See the `cotangent` crate for the full contract.
#[proc_macro_attribute]
pub fn autodiff_reverse(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::timed("autodiff_reverse", &item, || {
        expand::with_crate(attr.into(), item.clone().into(), expand::autodiff_reverse)
    })
    .into()
}

/// Generates the forward-mode derivative of a function, with the calling convention of
/// nightly Rust's `std::autodiff`:
///
/// `#[autodiff_forward(df, [WIDTH,] ACTIVITY.., RETURN_ACTIVITY?)]` with one of `Const`,
/// `Dual` (followed by WIDTH tangent arguments of the parameter's type) or `DualOnly` per
/// parameter, and `Dual` (the primal and its tangents), `DualOnly` (the tangents) or
/// `Const` for a returned value. A `&mut` parameter's tangent is overwritten with the
/// tangent of its final value. See the `cotangent` crate for the full contract.
#[proc_macro_attribute]
pub fn autodiff_forward(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::timed("autodiff_forward", &item, || {
        expand::with_crate(attr.into(), item.clone().into(), expand::autodiff_forward)
    })
    .into()
}

/// Makes a helper callable from differentiated functions: keeps it as written and adds a
/// hidden pullback per activity pattern a caller may need (named
/// `__cotangent_pb_<name>_<mask>`). Parameters that can carry a derivative are inferred
/// (`&` of floats, by-value floats); `#[differentiable(Duplicated, Const, Active)]` lists
/// them explicitly. `#[differentiable(custom = pullback_fn)]` uses a hand-written
/// pullback instead of the generated one. `#[differentiable(forward)]` (or
/// `#[differentiable(forward, Duplicated, ..)]`) also adds hidden forward derivatives, for
/// calls from `#[autodiff_forward]` functions.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::timed("differentiable", &item, || {
        expand::with_crate(attr.into(), item.clone().into(), expand::differentiable)
    })
    .into()
}

/// Makes a struct or enum a value that carries a derivative: implements the runtime's
/// `Adjoint` field by field (floats, arrays, `Vec`s, integers, `bool`s and other
/// `Differentiable` types), so that the type can be read, built, passed to helpers and
/// returned in differentiated functions, and `cotangent::zero_shadow(&value)` makes its
/// shadow. A field of another type is marked `#[cotangent(skip)]` (it must be `Clone`):
/// it carries no derivative.
#[proc_macro_derive(Differentiable, attributes(cotangent))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    // a renamed dependency (`ad = { package = "cotangent" }`) is found as for the attributes
    paths::with_root(None, || derive::derive(item.into())).into()
}
