//! Calls between differentiated functions: the activity patterns a helper's callers may
//! need, one hidden pullback per pattern (generated, `custom`, or a `widen`ed wrapper).

pub mod custom;
pub mod forward;
pub mod widen;

use proc_macro2::TokenStream;

use crate::emit::pullback_name;
use crate::errors::Errors;
use crate::front::args::{Activity, Args, SpannedActivity};
use crate::front::signature;
use crate::pipeline::adjoint;

/// Whether the function returns floats (its pullbacks then take a seed): the returns an
/// `Active` return allows (`signature::check_return`), so that a pullback's `ActiveOnly`
/// return is never an error the user's declaration did not ask for.
pub fn returns_float(item_fn: &syn::ItemFn) -> bool {
    match &item_fn.sig.output {
        syn::ReturnType::Type(_, ty) => {
            !crate::prim::non_float_type(ty)
                && !matches!(
                    &**ty,
                    syn::Type::Tuple(_)
                        | syn::Type::Reference(_)
                        | syn::Type::ImplTrait(_)
                        | syn::Type::Never(_)
                        | syn::Type::Ptr(_)
                )
        }
        syn::ReturnType::Default => false,
    }
}

/// The activities each parameter can take at a call site: `Const`, plus `Duplicated` for
/// a reference to floats, `Active` for a by-value float.
pub fn patterns(item_fn: &syn::ItemFn, explicit: Option<&[SpannedActivity]>) -> Vec<Vec<Activity>> {
    item_fn
        .sig
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let candidate = match input {
                syn::FnArg::Receiver(r) if r.reference.is_some() => Activity::Duplicated,
                syn::FnArg::Receiver(_) => Activity::Const,
                syn::FnArg::Typed(t) => match &*t.ty {
                    syn::Type::Reference(r) if !mentions_integers(&r.elem) => Activity::Duplicated,
                    syn::Type::Reference(_) => Activity::Const,
                    syn::Type::Path(p) if float_like(p) => Activity::Active,
                    // `y: [f64; 3]` by value, a small vector
                    syn::Type::Array(a) if matches!(&*a.elem, syn::Type::Path(p) if float_like(p)) => Activity::Active,
                    _ => Activity::Const,
                },
            };
            // A parameter declared `Const` stays so (a config struct, `&self` with plain
            // methods, data passed on to plain helpers).
            // An explicit `Active` / `Duplicated` is taken as written (a float alias, an
            // array by value).
            let candidate = match explicit.map(|e| e[i].activity) {
                Some(Activity::Const) => Activity::Const,
                Some(a @ (Activity::Active | Activity::Duplicated)) => a,
                // Forward activities never reach a reverse pattern list.
                Some(Activity::ActiveOnly | Activity::Dual | Activity::DualOnly) | None => candidate,
            };
            match candidate {
                Activity::Const => vec![Activity::Const],
                other => vec![Activity::Const, other],
            }
        })
        .collect()
}

/// A by-value parameter that may carry a derivative: a plain type name that is not an
/// integer or `bool` (`f64`, `T`, an alias such as `type V3 = [f64; 3]`), unless the name
/// reads as a settings type (`Activation`, `LossKind`, `Mode`, ..: see
/// [`SETTINGS_WORDS`]), whose values are enums that cannot carry one. An explicit list
/// overrides this both ways.
fn float_like(ty: &syn::TypePath) -> bool {
    ty.qself.is_none()
        && ty.path.get_ident().is_some_and(|id| {
            let name = id.to_string();
            !crate::prim::non_float_type(&syn::Type::Path(ty.clone()))
                && !SETTINGS_WORDS.iter().any(|w| name.ends_with(w))
        })
}

/// Name endings of by-value settings types (`act: Activation`, `mode: SolverMode`).
const SETTINGS_WORDS: &[&str] = &[
    "Activation",
    "Act",
    "Mode",
    "Kind",
    "Type",
    "Config",
    "Cfg",
    "Options",
    "Opts",
    "Settings",
    "Loss",
    "Method",
    "Scheme",
    "Strategy",
    "Policy",
    "Reduction",
    "Blend",
    "Integrator",
    "Boundary",
    "Penalty",
    "Norm",
    "Variant",
    "Choice",
    "Flag",
    "Flags",
];

/// A type that mentions integers, `bool`, `char` or strings anywhere (`&[usize]`,
/// `&(u32, f64)`, `&str`): a reference to it is data, not something to differentiate.
fn mentions_integers(ty: &syn::Type) -> bool {
    let words = crate::front::signature::words(ty);
    words
        .iter()
        .flat_map(|w| w.split('_'))
        .any(|w| crate::prim::NON_FLOAT_PRIMITIVES.contains(&w) || w == "str" || w == "String")
}

/// One hidden pullback per activity pattern with at least one non-`Const` parameter, named
/// by `pullback_name`. More than `limit` patterns: none (and an error for
/// `#[differentiable]`, which asks for an explicit list).
pub fn pullbacks(
    item_fn: &syn::ItemFn,
    explicit: Option<&[SpannedActivity]>,
    limit: usize,
) -> Result<TokenStream, Errors> {
    let options = patterns(item_fn, explicit);
    let count: usize = options.iter().map(Vec::len).product();
    let has_ret = !matches!(&item_fn.sig.output, syn::ReturnType::Default);
    let returns_float = returns_float(item_fn);
    // Many patterns: the widest as a full pullback, the others as wrappers of it.
    let widest: Vec<Activity> = options.iter().filter_map(|o| o.last().copied()).collect();
    let wrappers = (count > limit && count <= 1 << 10)
        .then(|| crate::calls::widen::narrow_wrappers(item_fn, &options, &widest, returns_float))
        .flatten();
    if let Some(wrappers) = wrappers {
        let mut out = pullback(item_fn, &widest, explicit, has_ret, returns_float)?;
        out.extend(wrappers);
        return Ok(out);
    }
    if count > limit {
        let mut errors = Errors::default();
        if explicit.is_none() && limit >= 32 {
            errors.push_spanned(
                &item_fn.sig.inputs,
                format!("`{}` has too many parameters that can carry a derivative ({count} activity patterns): say which can, e.g. `#[differentiable(Duplicated, Const, Active)]` with `Const` for those that never do", item_fn.sig.ident),
            );
            return Err(errors);
        }
        return Ok(TokenStream::new());
    }
    let mut out = TokenStream::new();
    // A pattern that cannot be differentiated (a settings enum behind `&` whose payload
    // the body binds, made `Duplicated`) is left out when others can: the inference
    // guessed that parameter wrong, and no caller passes it with a derivative. With an
    // explicit list, or when no pattern works, the first error is reported.
    let mut first_error = None;
    let mut generated = 0;
    for pattern in combinations(&options) {
        match pullback(item_fn, &pattern, explicit, has_ret, returns_float) {
            Ok(tokens) => {
                out.extend(tokens);
                generated += 1;
            }
            Err(errors) if explicit.is_some() => return Err(errors),
            Err(errors) if first_error.is_none() => first_error = Some(errors),
            Err(errors) => errors.discard("the first failing pattern speaks for the others"),
        }
    }
    match first_error {
        Some(errors) if generated == 0 => Err(errors),
        Some(errors) => {
            errors.discard("an inferred pattern the body cannot be differentiated for is left out (README, \"Calls\")");
            Ok(out)
        }
        None => Ok(out),
    }
}

/// The hidden pullback of one activity pattern; an explicit list lends its spans, so
/// that an activity that does not fit its parameter is an error at the activity.
fn pullback(
    item_fn: &syn::ItemFn,
    pattern: &[Activity],
    explicit: Option<&[SpannedActivity]>,
    has_ret: bool,
    returns_float: bool,
) -> Result<TokenStream, Errors> {
    let mut activities = pullback_activities(pattern, has_ret, returns_float);
    for (a, declared) in activities.iter_mut().zip(explicit.unwrap_or_default()) {
        a.span = declared.span;
    }
    let name = syn::Ident::new(
        &pullback_name(&item_fn.sig.ident.to_string(), &mask(pattern)),
        item_fn.sig.ident.span(),
    );
    let mut errors = Errors::default();
    let args = Args {
        name,
        activities,
        width: None,
    };
    let Some(mut sig) = signature::analyze(item_fn, &args, &mut errors) else {
        return Err(errors);
    };
    sig.pullback = true;
    match adjoint(sig, &mut errors) {
        Ok(tokens) => errors.check().map(|()| tokens),
        Err(_) => Err(errors),
    }
}

/// A pullback's activities: the pattern's, then `ActiveOnly` for a float result (a seed,
/// no primal) or `Const` for another one.
pub fn pullback_activities(
    pattern: &[Activity],
    has_ret: bool,
    returns_float: bool,
) -> Vec<SpannedActivity> {
    let span = proc_macro2::Span::call_site();
    let mut activities: Vec<SpannedActivity> = pattern
        .iter()
        .map(|a| SpannedActivity { activity: *a, span })
        .collect();
    if has_ret {
        let activity = if returns_float {
            Activity::ActiveOnly
        } else {
            Activity::Const
        };
        activities.push(SpannedActivity { activity, span });
    }
    activities
}

/// The `&mut self` receiver of a method, which callers cannot record around a call.
pub fn mut_self(item_fn: &syn::ItemFn) -> Option<&syn::Receiver> {
    match item_fn.sig.inputs.first() {
        Some(syn::FnArg::Receiver(r)) if r.mutability.is_some() && r.reference.is_some() => Some(r),
        _ => None,
    }
}

/// Every choice of one activity per parameter among `options`, except all-`Const`.
pub fn combinations(options: &[Vec<Activity>]) -> Vec<Vec<Activity>> {
    let mut all: Vec<Vec<Activity>> = vec![Vec::new()];
    for o in options {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                o.iter().map(move |a| {
                    let mut p = prefix.clone();
                    p.push(*a);
                    p
                })
            })
            .collect();
    }
    all.retain(|p| p.iter().any(|a| *a != Activity::Const));
    all
}

/// One letter per parameter: `a`ctive, `d`uplicated, `c`onst.
pub fn mask(pattern: &[Activity]) -> String {
    pattern
        .iter()
        .map(|a| match a {
            Activity::Active => 'a',
            Activity::Duplicated => 'd',
            // Patterns are written in reverse-mode words; forward derivatives map them.
            Activity::Const | Activity::ActiveOnly | Activity::Dual | Activity::DualOnly => 'c',
        })
        .collect()
}
