//! Step 1b: the function's signature matched with the activities, validated, in a typed
//! view that keeps the original syntax for spans.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Pat, ReturnType, Type};

use crate::errors::Errors;
use crate::front::args::{Activity, Args};
use crate::prim::non_float_type;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `self`, `&self`, `&mut self`
    SelfValue,
    SelfRef,
    SelfMut,
    /// `x: T`, `x: &T`, `x: &mut T`
    Value,
    Ref,
    RefMut,
}

impl ParamKind {
    pub fn is_reference(self) -> bool {
        matches!(
            self,
            ParamKind::SelfRef | ParamKind::SelfMut | ParamKind::Ref | ParamKind::RefMut
        )
    }
}

#[derive(Clone)]
pub struct Param {
    pub name: Ident,
    pub mutable: bool,
    pub kind: ParamKind,
    /// The declared type (`Self`, `&Self` for receivers).
    pub ty: Type,
    pub activity: Activity,
}

impl Param {
    /// The referent type a shadow points to (`T` of `&T` / `&mut T`).
    pub fn referent(&self) -> Type {
        match &self.ty {
            Type::Reference(r) => (*r.elem).clone(),
            other => other.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Ret {
    pub ty: Type,
    pub activity: Activity,
}

/// The validated signature.
pub struct Signature {
    pub item: syn::ItemFn,
    pub adjoint_name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<Ret>,
    /// A hidden pullback for callers (not the user's adjoint): always takes a seed (`()`
    /// for a function that returns nothing), never returns the primal.
    pub pullback: bool,
    /// Forward mode's number of tangents per `Dual` value; `None` in reverse mode.
    pub width: Option<usize>,
}

impl Signature {
    /// Generic over the float type (`T: Float`, or `Scalar` added for it): the rules'
    /// untyped literals must become `T`s (`rules::typed_literals`).
    pub fn generic_float(&self) -> bool {
        let generics = &self.item.sig.generics;
        generics.type_params().next().is_some()
            || generics.where_clause.as_ref().is_some_and(|w| {
                quote::quote!(#w)
                    .to_string()
                    .contains("__private :: Scalar")
            })
    }
}

pub fn analyze(item: &syn::ItemFn, args: &Args, errors: &mut Errors) -> Option<Signature> {
    let sig = &item.sig;
    if let Some(t) = &sig.constness {
        errors.push(t.span, "`const fn` cannot be differentiated: remove `const` (the adjoint is an ordinary function)");
    }
    if let Some(t) = &sig.asyncness {
        errors.push(t.span, "`async fn` cannot be differentiated: differentiate a synchronous helper and call it from the async code");
    }
    if let Some(t) = &sig.unsafety {
        errors.push(t.span, "`unsafe fn` cannot be differentiated: cotangent generates safe code only; move the unsafe part out of the differentiated function");
    }
    if let Some(abi) = &sig.abi {
        errors.push(abi.span(), "`extern` functions cannot be differentiated: differentiate a plain Rust function and wrap it");
    }
    if let Some(v) = &sig.variadic {
        errors.push(v.span(), "variadic functions cannot be differentiated");
    }

    let n_params = sig.inputs.len();
    let has_ret = match &sig.output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => !matches!(&**ty, Type::Tuple(t) if t.elems.is_empty()),
    };
    let n_acts = args.activities.len();
    let expected = n_params + usize::from(has_ret);
    if n_acts != expected {
        let span = args
            .activities
            .last()
            .map(|a| a.span)
            .unwrap_or(args.name.span());
        let msg = if has_ret && n_acts == n_params {
            format!("missing the return activity: `{}` takes {n_params} parameter {} and then one for the returned value ({})", sig.ident, plural(n_params), return_choices(args.width))
        } else if !has_ret && n_acts == n_params + 1 {
            format!("superfluous activity: `{}` returns nothing, so it takes exactly {n_params} {}, one per parameter", sig.ident, plural(n_params))
        } else {
            format!(
                "`{}` needs {expected} activities ({n_params} for the parameters{}), found {n_acts}",
                sig.ident,
                if has_ret { " and 1 for the returned value" } else { "" }
            )
        };
        errors.push(span, msg);
        return None;
    }

    let mut params = Vec::new();
    for (i, (input, act)) in sig.inputs.iter().zip(&args.activities).enumerate() {
        if let Some(p) = param(i, input, act.activity, act.span, errors) {
            if args.width.is_some() {
                check_forward_param(&p, act.span, errors);
            }
            params.push(p);
        }
    }
    let ret = match &sig.output {
        ReturnType::Type(_, ty) if has_ret => {
            let act = &args.activities[n_params];
            check_return(ty, act.activity, act.span, errors);
            Some(Ret {
                ty: (**ty).clone(),
                activity: act.activity,
            })
        }
        _ => None,
    };
    if params.len() != n_params {
        return None;
    }
    let acts: Vec<Activity> = args.activities.iter().map(|a| a.activity).collect();
    check_float_bounds(item, &acts, errors);
    let mut item = item.clone();
    item.sig.generics = generated_generics(&item, &acts);
    Some(Signature {
        item,
        adjoint_name: args.name.clone(),
        params,
        ret,
        pullback: false,
        width: args.width,
    })
}

/// Forward mode: a `Dual` parameter's tangent has the parameter's type, so a by-value
/// one must be a float (or an array of them); `&self` may be `Dual` (its tangent is a
/// `&Self` holding the fields' tangents), `self` and `&mut self` stay `Const` for now.
fn check_forward_param(p: &Param, span: Span, errors: &mut Errors) {
    if p.activity == Activity::Const {
        return;
    }
    let name = &p.name;
    match p.kind {
        ParamKind::SelfValue | ParamKind::SelfMut => errors.push(span, "forward mode takes `self` by value or `&mut self` as `Const` for now: mark it `Const`, or write a function taking the fields as `Dual` parameters"),
        ParamKind::Value if non_float_type(&p.ty) => errors.push(span, format!("`{name}` is not a float, so it has no tangent: mark it `Const` (`Dual` takes a float, an array of floats, or a reference)")),
        ParamKind::SelfRef | ParamKind::Value | ParamKind::Ref | ParamKind::RefMut => {}
    }
}

/// The identifiers in some tokens (`&[Vec<f64>]` gives `Vec`, `f64`): which types a
/// signature or a parameter's type mentions.
pub fn words(tokens: &impl quote::ToTokens) -> Vec<String> {
    tokens
        .to_token_stream()
        .to_string()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Bounds that give a type no arithmetic: a type parameter that carries derivatives with
/// only these (or none) is an error. Any other bound (`Float`, `FloatCore`, `Real`,
/// `Mul<Output = T>`, a trait of the user's) is taken to make it a float type.
const NO_ARITHMETIC: &[&str] = &[
    "Copy",
    "Clone",
    "Debug",
    "Display",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Any",
];

/// The type parameters that carry derivatives: named in a parameter that is not `Const`,
/// or in the return type.
fn float_params<'a>(item: &'a syn::ItemFn, acts: &[Activity]) -> Vec<&'a syn::TypeParam> {
    let mut used = words(&item.sig.output);
    for (input, act) in item.sig.inputs.iter().zip(acts) {
        if let (FnArg::Typed(t), false) = (input, *act == Activity::Const) {
            used.extend(words(&t.ty));
        }
    }
    let generics = &item.sig.generics;
    generics
        .type_params()
        .filter(|tp| used.contains(&tp.ident.to_string()))
        .collect()
}

/// The names of the traits bounding `tp`, in its list and in the where-clause.
fn bound_names(generics: &syn::Generics, tp: &syn::TypeParam) -> Vec<String> {
    let mut bounds: Vec<&syn::TypeParamBound> = tp.bounds.iter().collect();
    for p in generics.where_clause.iter().flat_map(|w| &w.predicates) {
        if let syn::WherePredicate::Type(pt) = p {
            let ty = &pt.bounded_ty;
            if tp.ident == quote::quote!(#ty).to_string() {
                bounds.extend(&pt.bounds);
            }
        }
    }
    bounds
        .into_iter()
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(tb) => tb.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The generics of a generated function: the function's, plus `T: Scalar` (what the
/// runtime's rules need, implemented for every `cotangent::Real`) for every type parameter
/// that carries derivatives and is not bounded by `Real` already. `acts` are the
/// parameters' activities (a return activity after them is ignored).
/// The same for a type parameter of the enclosing `impl<T: Float>` block, which the macro
/// does not see: a one-letter type (`T`) that the function does not declare.
pub fn generated_generics(item: &syn::ItemFn, acts: &[Activity]) -> syn::Generics {
    let generics = &item.sig.generics;
    let mut out = generics.clone();
    let mut scalar = |id: &Ident| {
        out.make_where_clause().predicates.push({
            let p = crate::paths::private();
            syn::parse_quote!(#id: #p::Scalar)
        });
    };
    for tp in float_params(item, acts) {
        if !bound_names(generics, tp).iter().any(|b| b == "Real") {
            scalar(&tp.ident);
        }
    }
    for id in outer_type_params(item, acts) {
        scalar(&id);
    }
    out
}

/// One-letter types (`T` of `x: &[T]`) in the parameters that are not `Const` and in the
/// return type of a method, that it does not declare: type parameters of its `impl` block.
fn outer_type_params(item: &syn::ItemFn, acts: &[Activity]) -> Vec<Ident> {
    struct Found<'a>(&'a syn::Generics, Vec<Ident>);
    impl<'ast> syn::visit::Visit<'ast> for Found<'_> {
        fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
            if let (None, Some(id)) = (&t.qself, t.path.get_ident()) {
                let name = id.to_string();
                let one_letter = name.len() == 1 && name.chars().all(|c| c.is_ascii_uppercase());
                let declared = self.0.type_params().any(|tp| tp.ident == name);
                if one_letter && !declared && !self.1.contains(id) {
                    self.1.push(id.clone());
                }
            }
            syn::visit::visit_type_path(self, t);
        }
    }
    // A free function cannot have them: a one-letter type there is an alias (`type M`).
    if !matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_))) {
        return Vec::new();
    }
    let mut found = Found(&item.sig.generics, Vec::new());
    if let ReturnType::Type(_, ty) = &item.sig.output {
        syn::visit::Visit::visit_type(&mut found, ty);
    }
    for (input, act) in item.sig.inputs.iter().zip(acts) {
        if let (FnArg::Typed(t), false) = (input, *act == Activity::Const) {
            syn::visit::Visit::visit_type(&mut found, &t.ty);
        }
    }
    found.1
}

/// A type parameter that carries derivatives needs a bound that gives it arithmetic.
fn check_float_bounds(item: &syn::ItemFn, acts: &[Activity], errors: &mut Errors) {
    let generics = &item.sig.generics;
    for tp in float_params(item, acts) {
        let bounds = bound_names(generics, tp);
        if bounds.iter().all(|b| NO_ARITHMETIC.contains(&b.as_str())) {
            let t = &tp.ident;
            errors.push(t.span(), format!("`{t}` carries derivatives here, but its bounds give it no arithmetic: bound it by a float trait, `{t}: num_traits::Float` (float methods such as `x.exp()` included), `{t}: num_traits::float::FloatCore`, `{t}: cotangent::Real`, or operator bounds such as `{t}: Copy + Add<Output = {t}> + Mul<Output = {t}>`"));
            return;
        }
    }
}

fn param(
    i: usize,
    input: &FnArg,
    activity: Activity,
    act_span: Span,
    errors: &mut Errors,
) -> Option<Param> {
    let (name, mutable, kind, ty) = match input {
        FnArg::Receiver(r) => {
            let kind = match (&r.reference, r.mutability.is_some()) {
                (None, _) => ParamKind::SelfValue,
                (Some(_), false) => ParamKind::SelfRef,
                (Some(_), true) => ParamKind::SelfMut,
            };
            let mutable = r.reference.is_none() && r.mutability.is_some();
            (
                Ident::new("self", r.self_token.span),
                mutable,
                kind,
                (*r.ty).clone(),
            )
        }
        FnArg::Typed(t) => {
            let (name, mutable) = match &*t.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    (p.ident.clone(), p.mutability.is_some())
                }
                Pat::Wild(w) => (Ident::new(&format!("unused_{i}"), w.span()), false),
                other => {
                    errors.push_spanned(other, "destructuring in a parameter is not supported: bind the parameter to a name and destructure it in the body");
                    return None;
                }
            };
            let kind = match &*t.ty {
                Type::Reference(r) if r.mutability.is_some() => ParamKind::RefMut,
                Type::Reference(_) => ParamKind::Ref,
                _ => ParamKind::Value,
            };
            (name, mutable, kind, (*t.ty).clone())
        }
    };
    match activity {
        Activity::Active if kind.is_reference() => {
            errors.push(act_span, format!("`Active` is for by-value floats, but `{name}` is a reference: use `Duplicated`, whose gradient accumulates into the shadow `&mut` argument that follows it"));
            return None;
        }
        Activity::Active if non_float_type(&ty) => {
            errors.push(
                act_span,
                format!("`{name}` is not a float, so it cannot be `Active`: mark it `Const`"),
            );
            return None;
        }
        Activity::Duplicated if !kind.is_reference() => {
            errors.push(act_span, format!("`Duplicated` needs a reference parameter (`&T` or `&mut T`), but `{name}` is passed by value: use `Active` for a by-value float, or `Const`"));
            return None;
        }
        Activity::ActiveOnly => {
            errors.push(act_span, "`ActiveOnly` applies to the returned value only: use `Active` for a by-value float parameter");
            return None;
        }
        _ => {}
    }
    Some(Param {
        name,
        mutable,
        kind,
        ty,
        activity,
    })
}

fn check_return(ty: &Type, activity: Activity, span: Span, errors: &mut Errors) {
    let not_floats = non_float_type(ty)
        || matches!(
            ty,
            Type::Reference(_)
                | Type::Tuple(_)
                | Type::ImplTrait(_)
                | Type::Never(_)
                | Type::Ptr(_)
        );
    match activity {
        Activity::Dual | Activity::DualOnly => {
            if not_floats {
                errors.push_spanned(ty, "a `Dual` return must be a float or an array of floats (its tangent has the same type): mark the return `Const`, or return the floats");
            }
        }
        Activity::Duplicated => errors.push(span, "a returned value takes `Active` (gradients and the primal), `ActiveOnly` (gradients only) or `Const`; return through a `&mut` parameter to use `Duplicated`"),
        Activity::Active | Activity::ActiveOnly => {
            if not_floats {
                errors.push_spanned(ty, "an `Active` return must be a float or an array of floats (the seed has the same type): mark the return `Const`, or return the floats");
            }
        }
        Activity::Const => {}
    }
}

/// The activities a returned value can take, in the attribute's mode.
fn return_choices(width: Option<usize>) -> &'static str {
    match width {
        Some(_) => {
            "`Dual` for the primal and its tangent, `DualOnly` for the tangent alone, or `Const`"
        }
        None => "`Active` to get gradients, `ActiveOnly` without the primal, or `Const`",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "activity"
    } else {
        "activities"
    }
}
