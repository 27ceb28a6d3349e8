//! The two attributes' entry points: validate, then expand (thiserror / async-trait
//! style). On any error the original function is emitted untouched, with the errors and a
//! stub adjoint of the right signature, so that the user sees the real mistakes and nothing else.
//! Every path ends in consuming the one `Errors` collector (see `errors`): an error pushed
//! anywhere reaches the output.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::calls::custom::custom_pullbacks;
use crate::calls::forward::{forward_helpers, no_forward_rules, NoForward};
use crate::calls::{mut_self, patterns, pullbacks, returns_float};
use crate::errors::Errors;
use crate::front::args::{self, Activity, SpannedActivity};
use crate::front::signature;
use crate::pipeline::adjoint;
use crate::reverse::emitter::stub;

/// `#[autodiff_reverse(d_f, ..)]`: the user's adjoint, plus the hidden pullbacks that let
/// other differentiated functions call `f`.
pub fn autodiff_reverse(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(item_fn) = parse_function(&item, "#[autodiff_reverse]", &mut errors) else {
        return failed(&item, errors, None);
    };
    let args = args::parse(attr, &mut errors);
    let sig = args.and_then(|a| signature::analyze(&item_fn, &a, &mut errors));
    let Some(sig) = sig else {
        return failed(&item_fn, errors, None);
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
    let const_return = sig
        .ret
        .as_ref()
        .is_some_and(|r| r.activity == Activity::Const);
    let adjoint_name = sig.adjoint_name.to_string();
    let adjoint = match adjoint(sig, &mut errors) {
        Ok(adjoint) => adjoint,
        Err(sig) => return failed(&item_fn, errors, Some(stub(&sig))),
    };
    // The hidden pullbacks, callable from other differentiated code. Two cases:
    // - skipped on purpose, without an error: a method taking `&mut self` (a caller cannot
    //   record `self` around the call, see `differentiable`), and a method with more
    //   patterns than `limit` (no wrappers for a receiver): `pullbacks` gives none, and
    //   `d_f` alone is what the user asked for.
    // - a pattern that fails to generate: every pattern keeps what the user declared
    //   `Const`, so a caller passing the declared-active arguments needs exactly these,
    //   and without them it would fail at its call with a missing hidden name. So the
    //   failure is reported here, at the user's code that causes it (typically a float
    //   result declared `Const`, which carries a derivative for callers).
    let pullbacks = match mut_self(&item_fn) {
        Some(_) => TokenStream::new(),
        None => match pullbacks(&item_fn, Some(&declared), 16) {
            Ok(pullbacks) => pullbacks,
            Err(failed) => {
                let name = &item_fn.sig.ident;
                let why = if const_return && returns_float(&item_fn) {
                    format!("calls to `{name}` from other differentiated code need it: there its returned value carries a derivative, even though `{adjoint_name}` declares it `Const`")
                } else {
                    format!("calls to `{name}` from other differentiated code need it")
                };
                for e in failed.into_vec() {
                    errors.push(e.span(), format!("{e} ({why})"));
                }
                TokenStream::new()
            }
        },
    };
    let no_forward = no_forward_rules(
        &item_fn,
        &patterns(&item_fn, Some(&declared)),
        NoForward::Reverse,
        16,
    );
    match errors.check() {
        Ok(()) => quote!(#item_fn #adjoint #pullbacks #no_forward),
        Err(errors) => failed(&item_fn, errors, Some(adjoint)),
    }
}

/// `#[autodiff_forward(df, [WIDTH,] ..)]`: the user's forward-mode derivative. No hidden
/// functions for callers yet.
pub fn autodiff_forward(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(item_fn) = parse_function(&item, "#[autodiff_forward]", &mut errors) else {
        return failed(&item, errors, None);
    };
    let args = args::parse_forward(attr, &mut errors);
    let sig = args.and_then(|a| signature::analyze(&item_fn, &a, &mut errors));
    let Some(sig) = sig else {
        return failed(&item_fn, errors, None);
    };
    match crate::pipeline::tangent(sig, &mut errors) {
        Ok(derivative) => match errors.check() {
            Ok(()) => quote!(#item_fn #derivative),
            Err(errors) => failed(&item_fn, errors, Some(derivative)),
        },
        Err(sig) => failed(&item_fn, errors, Some(crate::forward::emitter::stub(&sig))),
    }
}

/// `#[differentiable]` / `#[differentiable(Duplicated, Const, ..)]`: no public adjoint, a
/// hidden pullback per activity pattern callers can use (brief §3, "Calls").
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(item_fn) = parse_function(&item, "#[differentiable]", &mut errors) else {
        return failed(&item, errors, None);
    };
    let pullbacks = differentiable_pullbacks(&item_fn, attr, &mut errors);
    match errors.check() {
        Ok(()) => quote!(#item_fn #pullbacks),
        Err(errors) => failed(&item_fn, errors, None),
    }
}

/// The pullbacks of a `#[differentiable]` function; their errors go to `errors`.
fn differentiable_pullbacks(
    item_fn: &syn::ItemFn,
    attr: TokenStream,
    errors: &mut Errors,
) -> TokenStream {
    let (forward, attr) = take_forward(attr);
    let generated = if is_custom(&attr) {
        match syn::parse2::<CustomAttr>(attr) {
            Ok(custom) => custom_pullbacks(
                item_fn,
                &custom.path,
                patterns(item_fn, None),
                returns_float(item_fn),
            )
            .map(|mut pullbacks| {
                pullbacks.extend(no_forward_rules(
                    item_fn,
                    &patterns(item_fn, None),
                    NoForward::Custom,
                    32,
                ));
                pullbacks
            }),
            Err(e) => {
                errors.push(e.span(), "expected `#[differentiable(custom = my_pullback)]`: the path of a hand-written pullback function");
                return TokenStream::new();
            }
        }
    } else if let Some(receiver) = mut_self(item_fn) {
        errors.push_spanned(receiver, "`#[differentiable]` on a method taking `&mut self` is not supported yet: a caller cannot record `self` around the call. Move the update into a function taking the fields it changes, e.g. `fn step(w: f64, h: &mut [f64; 1])`, called as `step(self.w, &mut self.h)`");
        return TokenStream::new();
    } else {
        let explicit = match attr.is_empty() {
            true => None,
            false => match args::parse_differentiable(attr, errors) {
                Some(list) => Some(list),
                None => return TokenStream::new(),
            },
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
            }
        }
        if !errors.is_empty() {
            return TokenStream::new();
        }
        pullbacks(item_fn, explicit.as_deref(), 32).map(|mut pullbacks| {
            pullbacks.extend(match forward {
                true => forward_helpers(item_fn, explicit.as_deref(), 32),
                false => no_forward_rules(
                    item_fn,
                    &patterns(item_fn, explicit.as_deref()),
                    NoForward::NotAsked,
                    32,
                ),
            });
            pullbacks
        })
    };
    generated.unwrap_or_else(|failed| {
        errors.append(failed);
        TokenStream::new()
    })
}

// from: `#[differentiable(forward, Duplicated, Const)]`
// into: `(true, Duplicated, Const)`: the helper also gets hidden forward derivatives, so
//       that forward-mode callers differentiate through it. Opt-in: they double the
//       expansion, and reverse-only code must not depend on forward mode's coverage.
fn take_forward(attr: TokenStream) -> (bool, TokenStream) {
    let mut tokens = attr.clone().into_iter().peekable();
    match tokens.next() {
        Some(proc_macro2::TokenTree::Ident(i)) if i == "forward" => {
            if matches!(tokens.peek(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',')
            {
                tokens.next();
            }
            (true, tokens.collect())
        }
        _ => (false, attr),
    }
}

/// `custom = ..`, told apart by its first word so that its syntax errors are its own.
fn is_custom(attr: &TokenStream) -> bool {
    matches!(attr.clone().into_iter().next(), Some(proc_macro2::TokenTree::Ident(i)) if i == "custom")
}

/// `custom = path::to::pullback`
struct CustomAttr {
    path: syn::Path,
}

impl syn::parse::Parse for CustomAttr {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let _: syn::Ident = input.parse()?;
        let _: syn::Token![=] = input.parse()?;
        Ok(CustomAttr {
            path: input.parse()?,
        })
    }
}

/// The one output on error: the item as written (so that its other uses resolve), every
/// collected error, and for `#[autodiff_reverse]` an adjoint of the right signature (the
/// real one, or a stub), so that calls of `d_f` raise no second error.
fn failed(item: &impl ToTokens, errors: Errors, adjoint: Option<TokenStream>) -> TokenStream {
    let errors = errors.into_compile_errors();
    quote!(#item #errors #adjoint)
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

/// Runs an attribute's expansion with the `cotangent` crate's path its `crate = ".."` key,
/// or the user's Cargo.toml, gives (`paths::with_root`).
pub fn with_crate(
    attr: TokenStream,
    item: TokenStream,
    expand: fn(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match args::split_crate(attr) {
        Ok((attr, root)) => crate::paths::with_root(root, || expand(attr, item)),
        Err(e) => {
            let error = e.to_compile_error();
            quote!(#error #item)
        }
    }
}
