//! Custom derivatives: `#[differentiable(custom = my_pullback)]` uses a hand-written
//! pullback (a numerically stable formula, a special function, a call into a library)
//! wherever the function is called from differentiated code.
//!
//! The hand-written pullback follows the convention of a generated one for the pattern in
//! which every parameter that can carry a derivative does: the primal arguments in order,
//! each reference to floats followed by its shadow `&mut`, then the seed `d_ret` if the
//! function returns floats; it returns the gradients of the by-value float parameters
//! (bare when one, a tuple when several, nothing when none). Each activity pattern a
//! caller needs is a small wrapper around it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::emit::{private, pullback_name};
use crate::errors::Errors;
use crate::front::args::{Activity, Args};
use crate::front::signature;
use crate::reverse::emitter::{with_signature, Emitter};

// from: `#[differentiable(custom = softplus_pb)] fn softplus(x: f64) -> f64`
// into: `const _: fn(f64, f64) -> f64 = softplus_pb;`
//       `fn __cotangent_pb_softplus_a(x: f64, d_ret: f64) -> f64 { let g = softplus_pb(x, d_ret); g }`
pub fn custom_pullbacks(
    item_fn: &syn::ItemFn,
    custom: &syn::Path,
    patterns: Vec<Vec<Activity>>,
    returns_float: bool,
) -> Result<TokenStream, Errors> {
    let mut errors = Errors::default();
    if let Some(syn::FnArg::Receiver(r)) = item_fn.sig.inputs.first() {
        errors.push_spanned(r, "custom derivatives are supported on free functions: move the method's math into a free function with the custom derivative and call it");
    }
    if !item_fn.sig.generics.params.is_empty() {
        errors.push_spanned(
            &item_fn.sig.generics,
            "custom derivatives are supported on non-generic functions",
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let full: Vec<Activity> = patterns
        .iter()
        .map(|o| *o.last().unwrap_or(&Activity::Const))
        .collect();
    let mut out = signature_check(item_fn, custom, &full, returns_float);
    let has_ret = !matches!(item_fn.sig.output, syn::ReturnType::Default);
    for pattern in crate::calls::combinations(&patterns) {
        let mask = crate::calls::mask(&pattern);
        let activities = crate::calls::pullback_activities(&pattern, has_ret, returns_float);
        let name = syn::Ident::new(
            &pullback_name(&item_fn.sig.ident.to_string(), &mask),
            item_fn.sig.ident.span(),
        );
        let sig = signature::analyze(
            item_fn,
            &Args {
                name,
                activities,
                width: None,
            },
            &mut errors,
        );
        // `analyze` may report and still give a signature: the same errors would come
        // again for every pattern.
        let Some(mut sig) = sig.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        sig.pullback = true;
        out.extend(with_signature(&sig, |e| {
            call_custom(e, item_fn, &full, &pattern, returns_float)
        }));
    }
    errors.check().map(|()| out)
}

// from: one activity `pattern` of `softplus`, whose custom pullback takes the `full` one
// into: the body of that pattern's pullback: `let g = __cotangent_custom_softplus(x, d_x
//       or a scratch shadow, .., seed);`, then the gradients the pattern returns, out of `g`
fn call_custom(
    e: &Emitter<'_>,
    item_fn: &syn::ItemFn,
    full: &[Activity],
    pattern: &[Activity],
    returns_float: bool,
) -> TokenStream {
    let p = private();
    let mut scratch = TokenStream::new();
    let mut args = Vec::new();
    for (i, (wanted, used)) in full.iter().zip(pattern).enumerate() {
        let x = &e.names.primal[i];
        args.push(quote!(#x));
        match (wanted, used) {
            (Activity::Duplicated, Activity::Duplicated) => {
                let d = &e.names.adjoint[i];
                args.push(quote!(#d));
            }
            (Activity::Duplicated, _) => {
                let s = syn::Ident::new(&format!("scratch_{i}"), proc_macro2::Span::mixed_site());
                scratch.extend(quote!(let mut #s = #p::scratch_like(#x);));
                args.push(quote!(::core::borrow::BorrowMut::borrow_mut(&mut #s)));
            }
            (
                Activity::Const
                | Activity::Active
                | Activity::ActiveOnly
                | Activity::Dual
                | Activity::DualOnly,
                _,
            ) => {}
        }
    }
    if returns_float {
        let seed = &e.names.seed;
        args.push(quote!(#seed));
    }
    let g = &e.names.scratch;
    let full_active: Vec<usize> = (0..full.len())
        .filter(|i| full[*i] == Activity::Active)
        .collect();
    let picked: Vec<TokenStream> = (0..full.len())
        .filter(|i| pattern[*i] == Activity::Active)
        .map(|i| {
            let k = full_active.iter().position(|j| *j == i).unwrap_or(0);
            if full_active.len() == 1 {
                quote!(#g)
            } else {
                let k = syn::Index::from(k);
                quote!(#g.#k)
            }
        })
        .collect();
    let result = match picked.len() {
        0 => TokenStream::new(),
        1 => quote!(#(#picked)*),
        _ => quote!((#(#picked),*)),
    };
    let checked = checked_name(item_fn);
    quote!(#scratch let #g = #checked(#(#args),*); #result)
}

/// The constant holding the user's pullback, typed: wrappers call through it, so a wrong
/// signature is one type error (at `custom = ..`), not one per wrapper.
fn checked_name(item_fn: &syn::ItemFn) -> syn::Ident {
    syn::Ident::new(
        &format!("__cotangent_custom_{}", item_fn.sig.ident),
        item_fn.sig.ident.span(),
    )
}

/// A constant of the expected function-pointer type, spanned at the user's path: a
/// pullback with the wrong signature is a type error pointing at `custom = ..`.
fn signature_check(
    item_fn: &syn::ItemFn,
    custom: &syn::Path,
    full: &[Activity],
    returns_float: bool,
) -> TokenStream {
    let mut types = Vec::new();
    let mut grads = Vec::new();
    for (input, activity) in item_fn.sig.inputs.iter().zip(full) {
        if let syn::FnArg::Typed(t) = input {
            let ty = &t.ty;
            types.push(quote!(#ty));
            match (activity, &**ty) {
                (Activity::Duplicated, syn::Type::Reference(r)) => {
                    let elem = &r.elem;
                    types.push(quote!(&mut #elem));
                }
                (Activity::Active, _) => grads.push(quote!(#ty)),
                (
                    Activity::Const
                    | Activity::Duplicated
                    | Activity::ActiveOnly
                    | Activity::Dual
                    | Activity::DualOnly,
                    _,
                ) => {}
            }
        }
    }
    if let (true, syn::ReturnType::Type(_, ty)) = (returns_float, &item_fn.sig.output) {
        types.push(quote!(#ty));
    }
    let output = match grads.len() {
        0 => TokenStream::new(),
        1 => quote!(-> #(#grads)*),
        _ => quote!(-> (#(#grads),*)),
    };
    let checked = checked_name(item_fn);
    quote_spanned!(custom.span()=> #[doc(hidden)] #[allow(non_upper_case_globals, clippy::type_complexity)] const #checked: fn(#(#types),*) #output = #custom;)
}
