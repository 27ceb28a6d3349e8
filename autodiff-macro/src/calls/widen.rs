//! Pullbacks of helpers with many parameters that can carry a derivative (a pair
//! potential `fn pair(x1, y1, z1, x2, y2, z2)`): one pattern per subset would be too many
//! full adjoints, so only the widest is generated, and every other pattern is a thin
//! wrapper that calls it with scratch shadows for the inactive references and drops the
//! gradients nobody asked for.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::calls::{combinations, mask};
use crate::emit::{pullback_name, reads_name};
use crate::front::args::Activity;

/// Wrappers for every pattern of `options` except `widest`, calling the pullback of
/// `widest`. `None` for a method (its receiver would need a shadow too).
pub fn narrow_wrappers(
    item_fn: &syn::ItemFn,
    options: &[Vec<Activity>],
    widest: &[Activity],
    returns_float: bool,
) -> Option<TokenStream> {
    let mut inputs = Vec::new();
    for input in &item_fn.sig.inputs {
        match input {
            syn::FnArg::Typed(t) => inputs.push(&*t.ty),
            syn::FnArg::Receiver(_) => return None,
        }
    }
    let f = item_fn.sig.ident.to_string();
    let full = syn::Ident::new(&pullback_name(&f, &mask(widest)), item_fn.sig.ident.span());
    let full_reads = syn::Ident::new(&reads_name(&f, &mask(widest)), Span::call_site());
    let generics = crate::front::signature::generated_generics(item_fn, widest);
    let vis = &item_fn.vis;
    let where_clause = &generics.where_clause;
    let cfgs: Vec<_> = item_fn
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .collect();
    let p = crate::paths::private();
    let seed_ty = match &item_fn.sig.output {
        syn::ReturnType::Type(_, ty) if returns_float => quote!(#ty),
        _ => quote!(()),
    };
    // The gradients the widest pullback returns, by parameter.
    let widest_grads: Vec<usize> = (0..widest.len())
        .filter(|i| widest[*i] == Activity::Active)
        .collect();
    let mut out = TokenStream::new();
    for pattern in combinations(options) {
        if pattern == widest {
            continue;
        }
        let name = syn::Ident::new(
            &pullback_name(&f, &mask(&pattern)),
            item_fn.sig.ident.span(),
        );
        let reads = syn::Ident::new(&reads_name(&f, &mask(&pattern)), Span::call_site());
        let (params, args) = forwarded(&inputs, widest, &pattern, &p);
        let (bind, output, value) = returned(&inputs, &widest_grads, &pattern);
        out.extend(quote! {
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(dead_code, unused_variables, clippy::all)]
            #vis fn #name #generics (#(#params,)* __cotangent_seed: #seed_ty) #output #where_clause {
                #bind #full(#(#args,)* __cotangent_seed);
                #value
            }
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(dead_code, non_upper_case_globals)]
            #vis const #reads: u64 = #full_reads;
        });
    }
    Some(out)
}

// from: the parameters `x: &[f64], a: f64` with `widest` `[Duplicated, Active]`, `pattern`
//       `[Const, Active]`
// into: the wrapper's parameters `a0: &[f64], a1: f64` and the arguments it passes on,
//       `a0, &mut scratch_like(&*a0), a1` (a shadow only where the pattern has one)
fn forwarded(
    inputs: &[&syn::Type],
    widest: &[Activity],
    pattern: &[Activity],
    p: &TokenStream,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut params = Vec::new();
    let mut args = Vec::new();
    for (i, ty) in inputs.iter().enumerate() {
        let (a, d) = (
            format_ident!("__cotangent_a{}", i),
            format_ident!("__cotangent_d{}", i),
        );
        params.push(quote!(#a: #ty));
        args.push(quote!(#a));
        if widest[i] == Activity::Duplicated {
            let referent = match ty {
                syn::Type::Reference(r) => &*r.elem,
                other => other,
            };
            if pattern[i] == Activity::Duplicated {
                params.push(quote!(#d: &mut #referent));
                args.push(quote!(#d));
            } else {
                args.push(quote!(&mut #p::scratch_like(&*#a)));
            }
        }
    }
    (params, args)
}

// from: the gradients the widest pullback returns (`widest_grads`, by parameter)
// into: `let (g0, g1) =` to take them, the wrapper's `-> f64` and its value `g1`: the ones
//       `pattern` asks for
fn returned(
    inputs: &[&syn::Type],
    widest_grads: &[usize],
    pattern: &[Activity],
) -> (TokenStream, TokenStream, TokenStream) {
    let grads: Vec<syn::Ident> = widest_grads
        .iter()
        .map(|i| format_ident!("__cotangent_g{}", i))
        .collect();
    let kept: Vec<&syn::Ident> = widest_grads
        .iter()
        .zip(&grads)
        .filter(|(i, _)| pattern[**i] == Activity::Active)
        .map(|(_, g)| g)
        .collect();
    let kept_types: Vec<&syn::Type> = widest_grads
        .iter()
        .filter(|i| pattern[**i] == Activity::Active)
        .map(|i| inputs[*i])
        .collect();
    let bind = match grads.len() {
        0 => quote!(let () =),
        1 => quote!(let #(#grads)* =),
        _ => quote!(let (#(#grads),*) =),
    };
    let (output, value) = match kept.len() {
        0 => (TokenStream::new(), quote!(())),
        1 => (quote!(-> #(#kept_types)*), quote!(#(#kept)*)),
        _ => (quote!(-> (#(#kept_types),*)), quote!((#(#kept),*))),
    };
    (bind, output, value)
}
