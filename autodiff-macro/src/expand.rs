//! The two attributes' entry points: validate, then expand (thiserror / async-trait
//! style). On any error the original function is emitted untouched, with the errors and a
//! stub adjoint of the right signature, so that the user sees the real mistakes and nothing else.

use proc_macro2::TokenStream;
use quote::quote;

use crate::calls::{mut_self, patterns, pullbacks, returns_float};
use crate::errors::Errors;
use crate::front::args::{self, SpannedActivity};
use crate::front::signature;
use crate::pipeline::adjoint;
use crate::reverse::emitter::stub;

/// `#[autodiff_reverse(d_f, ..)]`: the user's adjoint, plus the hidden pullbacks that let
/// other differentiated functions call `f`.
pub fn autodiff_reverse(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(item_fn) = parse_function(&item, "#[autodiff_reverse]", &mut errors) else {
        let errors = errors.to_compile_errors();
        return quote!(#errors #item);
    };
    let args = args::parse(attr, &mut errors);
    let sig = args.and_then(|a| signature::analyze(&item_fn, &a, &mut errors));
    let Some(sig) = sig else {
        let errors = errors.to_compile_errors();
        return quote!(#item_fn #errors);
    };
    // What the user declared `Const` stays `Const` in the hidden pullbacks (a config
    // struct, `&self` of a model whose other methods are plain functions).
    let declared: Vec<SpannedActivity> = sig
        .params
        .iter()
        .map(|p| SpannedActivity {
            activity: p.activity,
            span: proc_macro2::Span::call_site(),
        })
        .collect();
    match adjoint(sig, &mut errors) {
        Ok(adjoint) => {
            // Callable from other differentiated code when the patterns stay few (not with
            // `&mut self`: see `differentiable`).
            let pullbacks = match mut_self(&item_fn) {
                Some(_) => TokenStream::new(),
                None => pullbacks(&item_fn, Some(&declared), 16).unwrap_or_default(),
            };
            quote!(#item_fn #adjoint #pullbacks)
        }
        Err(sig) => {
            let compile_errors = errors.to_compile_errors();
            let stub = stub(&sig);
            quote!(#item_fn #compile_errors #stub)
        }
    }
}

/// `#[differentiable]` / `#[differentiable(Duplicated, Const, ..)]`: no public adjoint, a
/// hidden pullback per activity pattern callers can use (brief §3, "Calls").
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(item_fn) = parse_function(&item, "#[differentiable]", &mut errors) else {
        let errors = errors.to_compile_errors();
        return quote!(#errors #item);
    };
    if let Ok(custom) = syn::parse2::<CustomAttr>(attr.clone()) {
        let options = patterns(&item_fn, None);
        return match crate::calls::custom::custom_pullbacks(
            &item_fn,
            &custom.path,
            options,
            returns_float(&item_fn),
        ) {
            Ok(pullbacks) => quote!(#item_fn #pullbacks),
            Err(errors) => with_errors(&item_fn, &errors),
        };
    }
    if let Some(receiver) = mut_self(&item_fn) {
        errors.push_spanned(receiver, "`#[differentiable]` on a method taking `&mut self` is not supported yet: a caller cannot record `self` around the call. Move the update into a function taking the fields it changes, e.g. `fn step(w: f64, h: &mut [f64; 1])`, called as `step(self.w, &mut self.h)`");
        return with_errors(&item_fn, &errors);
    }
    let explicit = if attr.is_empty() {
        None
    } else {
        let fake = quote!(__cotangent_pattern, #attr);
        match args::parse(fake, &mut errors) {
            Some(a) => Some(a.activities),
            None => return with_errors(&item_fn, &errors),
        }
    };
    if let Some(explicit) = &explicit {
        if explicit.len() != item_fn.sig.inputs.len() {
            errors.push_spanned(
                &item_fn.sig.inputs,
                format!(
                    "#[differentiable(..)] lists one activity per parameter: {} given for {} parameters",
                    explicit.len(),
                    item_fn.sig.inputs.len()
                ),
            );
            return with_errors(&item_fn, &errors);
        }
    }
    match pullbacks(&item_fn, explicit.as_deref(), 32) {
        Ok(pullbacks) => quote!(#item_fn #pullbacks),
        Err(errors) => with_errors(&item_fn, &errors),
    }
}

/// `custom = path::to::pullback`
struct CustomAttr {
    path: syn::Path,
}

impl syn::parse::Parse for CustomAttr {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let key: syn::Ident = input.parse()?;
        if key != "custom" {
            return Err(syn::Error::new(key.span(), "expected `custom = path`"));
        }
        let _: syn::Token![=] = input.parse()?;
        Ok(CustomAttr {
            path: input.parse()?,
        })
    }
}

fn with_errors(item_fn: &syn::ItemFn, errors: &Errors) -> TokenStream {
    let errors = errors.to_compile_errors();
    quote!(#item_fn #errors)
}

fn parse_function(item: &TokenStream, attribute: &str, errors: &mut Errors) -> Option<syn::ItemFn> {
    match syn::parse2(item.clone()) {
        Ok(f) => Some(f),
        Err(e) => {
            errors.push(
                e.span(),
                format!("{attribute} applies to a function with a body (a free function or a method in an `impl` block)"),
            );
            None
        }
    }
}

/// `COTANGENT_TIME=1` prints how long each expansion took, for the compile-time numbers
/// in BENCHMARKS.md.
pub fn timed(
    attribute: &str,
    item: &proc_macro::TokenStream,
    expand: impl FnOnce() -> TokenStream,
) -> TokenStream {
    if std::env::var_os("COTANGENT_TIME").is_none() {
        return expand();
    }
    let start = std::time::Instant::now();
    let out = expand();
    let name = item
        .clone()
        .into_iter()
        .skip_while(|t| t.to_string() != "fn")
        .nth(1)
        .map(|t| t.to_string())
        .unwrap_or_default();
    eprintln!(
        "cotangent: #[{attribute}] {name}: {:.2} ms, {} KiB of code out",
        start.elapsed().as_secs_f64() * 1e3,
        out.to_string().len() / 1024
    );
    out
}
