//! Hidden forward derivatives of helpers: next to its pullbacks, a
//! `#[differentiable(forward)]` function gets one `__cotangent_fwd_<name>_<mask>` per
//! pattern of arguments that carry a tangent (the pullbacks' patterns, when there are at
//! most `limit`), generic over the width, so that forward-mode callers differentiate
//! through the call.

use proc_macro2::TokenStream;

use crate::emit::forward_name;
use crate::errors::Errors;
use crate::front::args::{Activity, Args, SpannedActivity};
use crate::front::signature;
use crate::pipeline::tangent;

// from: `#[differentiable] fn sq(x: f64) -> f64 { x * x }`
// into: `fn __cotangent_fwd_sq_a<const N: usize>(x: f64, dx: [f64; N]) -> (f64, [f64; N])`
/// A pattern whose body forward mode cannot differentiate (a call it cannot go through)
/// is left out: a forward-mode caller that needs it gets a missing-function error, and
/// reverse-mode callers lose nothing.
pub fn forward_helpers(
    item_fn: &syn::ItemFn,
    explicit: Option<&[SpannedActivity]>,
    limit: usize,
) -> TokenStream {
    let options = crate::calls::patterns(item_fn, explicit);
    let count: usize = options.iter().map(Vec::len).product();
    if crate::calls::mut_self(item_fn).is_some() {
        return TokenStream::new();
    }
    let has_ret = !matches!(&item_fn.sig.output, syn::ReturnType::Default);
    let returns_float = crate::calls::returns_float(item_fn);
    if count > limit {
        return narrow_forward_helpers(item_fn, &options, has_ret, returns_float);
    }
    let mut out = TokenStream::new();
    for pattern in crate::calls::combinations(&options) {
        let mut errors = Errors::default();
        match forward_helper(item_fn, &pattern, has_ret, returns_float, &mut errors) {
            Some(tokens) if errors.is_empty() => {
                errors.discard("empty");
                out.extend(tokens);
            }
            Some(_) | None => errors.discard(
                "a pattern forward mode cannot differentiate is left out (see `forward_helpers`)",
            ),
        }
    }
    out
}

/// Many patterns (a pair potential of six scalars): the widest as a full forward
/// derivative, every other one a thin wrapper passing it zero tangents (as `widen` does
/// for pullbacks); none for a method or beyond 1024 patterns.
fn narrow_forward_helpers(
    item_fn: &syn::ItemFn,
    options: &[Vec<Activity>],
    has_ret: bool,
    returns_float: bool,
) -> TokenStream {
    let count: usize = options.iter().map(Vec::len).product();
    let method = matches!(item_fn.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
    if count > 1 << 10 || method {
        return TokenStream::new();
    }
    let widest: Vec<Activity> = options.iter().filter_map(|o| o.last().copied()).collect();
    let mut errors = Errors::default();
    let Some(mut out) = forward_helper(item_fn, &widest, has_ret, returns_float, &mut errors)
    else {
        errors.discard("no forward derivative for the widest pattern: none for the others");
        return TokenStream::new();
    };
    if !errors.is_empty() {
        errors.discard("no forward derivative for the widest pattern: none for the others");
        return TokenStream::new();
    }
    let f = item_fn.sig.ident.to_string();
    let full = syn::Ident::new(
        &forward_name(&f, &crate::calls::mask(&widest)),
        item_fn.sig.ident.span(),
    );
    let wide: Vec<bool> = widest.iter().map(|a| *a != Activity::Const).collect();
    for pattern in crate::calls::combinations(options) {
        if pattern == widest {
            continue;
        }
        if let Some(sig) = forward_signature(item_fn, &pattern, has_ret, returns_float, &mut errors)
        {
            out.extend(crate::forward::emitter::narrow_forward(&sig, &full, &wide));
        }
    }
    errors.discard("the widest pattern's signature passed the same checks");
    out
}

fn forward_helper(
    item_fn: &syn::ItemFn,
    pattern: &[Activity],
    has_ret: bool,
    returns_float: bool,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let sig = forward_signature(item_fn, pattern, has_ret, returns_float, errors)?;
    tangent(sig, errors).ok()
}

/// Why a helper has no forward derivative, and what to do.
#[derive(Clone, Copy)]
pub enum NoForward {
    /// `#[differentiable(custom = ..)]`
    Custom,
    /// `#[differentiable]` without `forward`
    NotAsked,
    /// `#[autodiff_reverse]`
    Reverse,
}

// from: `#[differentiable(custom = softplus_pb)] fn softplus(x: f64) -> f64`
// into: `fn __cotangent_fwd_softplus_a<..>(..)` per pattern (at most `limit`), which fails
//       to compile when a forward-mode function instantiates it, saying what to do
pub fn no_forward_rules(
    item_fn: &syn::ItemFn,
    patterns: &[Vec<Activity>],
    why: NoForward,
    limit: usize,
) -> TokenStream {
    let count: usize = patterns.iter().map(Vec::len).product();
    if count > limit || crate::calls::mut_self(item_fn).is_some() {
        return TokenStream::new();
    }
    let name = &item_fn.sig.ident;
    let message = match why {
        NoForward::Custom => format!("forward mode cannot differentiate through a call of `{name}`: it has a custom pullback (`#[differentiable(custom = ..)]`) and no forward derivative. Remove `custom = ..` to have it generated, or pass it values that carry no tangent"),
        NoForward::NotAsked => format!("forward mode cannot differentiate through a call of `{name}`: mark it `#[differentiable(forward)]` to generate its forward derivative, or pass it values that carry no tangent"),
        NoForward::Reverse => format!("forward mode cannot differentiate through a call of `{name}`: an `#[autodiff_reverse]` function has no forward derivative. Move its body into a `#[differentiable(forward)]` helper that both call, or pass it values that carry no tangent"),
    };
    let has_ret = !matches!(&item_fn.sig.output, syn::ReturnType::Default);
    let returns_float = crate::calls::returns_float(item_fn);
    let mut out = TokenStream::new();
    for pattern in crate::calls::combinations(patterns) {
        let mut errors = Errors::default();
        if let Some(sig) = forward_signature(item_fn, &pattern, has_ret, returns_float, &mut errors)
        {
            out.extend(crate::forward::emitter::no_forward_rule(&sig, &message));
        }
        errors.discard("the function's own checks report what is wrong with its signature");
    }
    out
}

/// A hidden forward derivative's signature for one pattern: `Dual` where the pattern has
/// a derivative, and for a float result.
fn forward_signature(
    item_fn: &syn::ItemFn,
    pattern: &[Activity],
    has_ret: bool,
    returns_float: bool,
    errors: &mut Errors,
) -> Option<signature::Signature> {
    let span = proc_macro2::Span::call_site();
    let dual = |a: &Activity| match a {
        Activity::Const => Activity::Const,
        Activity::Active
        | Activity::Duplicated
        | Activity::ActiveOnly
        | Activity::Dual
        | Activity::DualOnly => Activity::Dual,
    };
    let mut activities: Vec<SpannedActivity> = pattern
        .iter()
        .map(|a| SpannedActivity {
            activity: dual(a),
            span,
        })
        .collect();
    if has_ret {
        let activity = if returns_float {
            Activity::Dual
        } else {
            Activity::Const
        };
        activities.push(SpannedActivity { activity, span });
    }
    let name = syn::Ident::new(
        &forward_name(&item_fn.sig.ident.to_string(), &crate::calls::mask(pattern)),
        item_fn.sig.ident.span(),
    );
    let args = Args {
        name,
        activities,
        width: Some(1),
    };
    let mut sig = signature::analyze(item_fn, &args, errors)?;
    sig.pullback = true;
    Some(sig)
}
