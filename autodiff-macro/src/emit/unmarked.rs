//! What a caller says when the helper it differentiates through has no hidden derivative
//! for the call (not marked, or marked without the pattern or mode it needs).
//!
//! A macro cannot see other items, so the caller brings into scope, next to the call, a
//! local trait that gives every type the hidden name as a fallback. Rustc prefers an
//! inherent associated item to a trait's (a method: at the same receiver type), so the
//! fallback is used only when the helper has none, and then its signature needs a trait
//! nobody implements whose `#[diagnostic::on_unimplemented]` says, at the user's call, what
//! to do. This reaches methods called on a parameter (`self.energy(x)`; the caller checks,
//! `Primal::unmarked_fallback`: on a `Box` field the fallback would win before autoderef)
//! and associated functions (`Self::f`, `Model::f`); a free function's hidden name is
//! looked up in a module, where nothing can stand in for a missing item (README, "Calls
//! between differentiated functions").

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Call, Callee};

/// Which hidden item a call goes through.
#[derive(Clone, Copy)]
pub enum Hidden {
    /// A reverse-mode pullback (`#[differentiable]`).
    Pullback,
    /// A forward derivative (`#[differentiable(forward)]`).
    Forward,
}

// from: `self.energy(x)` through `__cotangent_pb_energy_da` (3 arguments)
// into: `#[diagnostic::on_unimplemented(message = "..`energy`..")] trait T { type Never; }
//        trait F { fn __cotangent_pb_energy_da<A0, A1, A2>(&self, _: A0, _: A1, _: A2)
//        -> <Self as T>::Never where Self: T { loop {} } } impl<X: ?Sized> F for X {}`
/// The fallback items for one call, to put in the block that holds it; nothing for a call
/// of a function by a path of one segment or of a module, which no trait can reach.
/// `reads` is the name of the pullback's `__cotangent_rd_` constant a caller may read.
pub fn fallback(
    call: &Call,
    hidden: &str,
    reads: Option<&str>,
    arity: usize,
    mode: Hidden,
) -> TokenStream {
    let (name, receiver) = match &call.callee {
        Callee::Method(m, _) => (m.to_string(), quote!(&self,)),
        Callee::Path(path) if qualified_by_type(path) => match path.segments.last() {
            Some(last) => (last.ident.to_string(), TokenStream::new()),
            None => return TokenStream::new(),
        },
        Callee::Path(_) => return TokenStream::new(),
    };
    let (message, label, note) = words(&name, mode);
    let span = Span::call_site();
    let marked = format_ident!("{}_is_not_differentiable", name, span = span);
    let fallback = format_ident!("__CotangentFallback", span = span);
    let f = syn::Ident::new(hidden, span);
    let params: Vec<syn::Ident> = (0..arity).map(|k| format_ident!("__A{}", k)).collect();
    let reads = reads.map(|r| {
        let r = syn::Ident::new(r, span);
        quote!(const #r: u64 = !0;)
    });
    // A method's call reports the unnormalizable result type, once; an associated
    // function's reports it and the bound apart: there the result is left to inference.
    let result = match receiver.is_empty() {
        true => quote!(__R),
        false => quote!(<Self as #marked>::Never),
    };
    let generics = match receiver.is_empty() {
        true => quote!(#(#params,)* __R),
        false => quote!(#(#params),*),
    };
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        #[allow(non_camel_case_types)]
        trait #marked { type Never; }
        #[allow(dead_code, non_upper_case_globals, clippy::all)]
        trait #fallback {
            #reads
            fn #f<#generics>(#receiver #(_: #params),*) -> #result
            where
                Self: #marked,
            {
                loop {}
            }
        }
        impl<__X: ?Sized> #fallback for __X {}
    }
}

/// `Self::f`, `Model::f`, `Vec3::<f64>::f`: a path whose next-to-last segment names a type
/// (upper camel case by Rust's naming convention), not a module.
fn qualified_by_type(path: &syn::Path) -> bool {
    let n = path.segments.len();
    n >= 2
        && path.segments[n - 2]
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
}

/// The error's message, its label at the call, and its note.
fn words(name: &str, mode: Hidden) -> (String, String, String) {
    match mode {
        Hidden::Pullback => (
            format!("cannot differentiate through this call of `{name}`: mark `{name}` with #[differentiable]"),
            format!("`{name}` is not `#[differentiable]` for the arguments that carry a derivative here"),
            format!("if `{name}` is marked, its activity list (or `#[autodiff_reverse]` list) declares `Const` a parameter that carries a derivative at this call: make it `Duplicated` / `Active`, or pass a value that carries none"),
        ),
        Hidden::Forward => (
            format!("forward mode cannot differentiate through this call of `{name}`: mark `{name}` with #[differentiable(forward)]"),
            format!("`{name}` has no forward derivative for the arguments that carry a tangent here"),
            format!("a helper with a custom pullback or an `#[autodiff_reverse]` function has none: move its body into a `#[differentiable(forward)]` helper, or pass `{name}` values that carry no tangent"),
        ),
    }
}
