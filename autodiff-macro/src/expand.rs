//! The pipeline: validate, then expand (thiserror / async-trait style). On any error the
//! original function is emitted untouched, with the errors and a stub adjoint of the
//! right signature, so that the user sees the real mistakes and nothing else.

use proc_macro2::TokenStream;
use quote::quote;

use crate::args::{Activity, Args, SpannedActivity};
use crate::emit::{pullback_name, stub, Emitter};
use crate::errors::Errors;
use crate::signature::{ParamKind, Signature};
use crate::{activity, args, control, cse, ir, lower, names, prune, record, signature};

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
        return match crate::custom::custom_pullbacks(
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

/// Whether the function returns floats (its pullbacks then take a seed).
fn returns_float(item_fn: &syn::ItemFn) -> bool {
    match &item_fn.sig.output {
        syn::ReturnType::Type(_, ty) => {
            !crate::rules::non_float_type(ty)
                && !matches!(&**ty, syn::Type::Tuple(_) | syn::Type::Reference(_))
        }
        syn::ReturnType::Default => false,
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
                _ => candidate,
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
            !crate::rules::non_float_type(&syn::Type::Path(ty.clone()))
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

fn mentions_integers(ty: &syn::Type) -> bool {
    let words = crate::signature::words(ty);
    words.iter().flat_map(|w| w.split('_')).any(|w| {
        matches!(
            w,
            "i8" | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
                | "bool"
                | "char"
                | "str"
                | "String"
        )
    })
}

/// One hidden pullback per activity pattern with at least one non-`Const` parameter, named
/// by `pullback_name`. More than `limit` patterns: none (and an error for
/// `#[differentiable]`, which asks for an explicit list).
fn pullbacks(
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
        .then(|| crate::widen::narrow_wrappers(item_fn, &options, &widest, returns_float))
        .flatten();
    if let Some(wrappers) = wrappers {
        let mut out = pullback(item_fn, &widest, has_ret, returns_float)?;
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
    // the body binds, made `Duplicated`) is left out when others can: a caller that
    // needs it gets a missing-pullback error at its call. With an explicit list, or when
    // no pattern works, the first error is reported.
    let mut first_error = None;
    let mut generated = 0;
    for pattern in combinations(&options) {
        match pullback(item_fn, &pattern, has_ret, returns_float) {
            Ok(tokens) => {
                out.extend(tokens);
                generated += 1;
            }
            Err(errors) if explicit.is_some() => return Err(errors),
            Err(errors) => {
                first_error.get_or_insert(errors);
            }
        }
    }
    match first_error {
        Some(errors) if generated == 0 => Err(errors),
        _ => Ok(out),
    }
}

/// The hidden pullback of one activity pattern.
fn pullback(
    item_fn: &syn::ItemFn,
    pattern: &[Activity],
    has_ret: bool,
    returns_float: bool,
) -> Result<TokenStream, Errors> {
    let activities = pullback_activities(pattern, has_ret, returns_float);
    let name = syn::Ident::new(
        &pullback_name(&item_fn.sig.ident.to_string(), &mask(pattern)),
        item_fn.sig.ident.span(),
    );
    let mut errors = Errors::default();
    let args = Args { name, activities };
    let Some(mut sig) = signature::analyze(item_fn, &args, &mut errors) else {
        return Err(errors);
    };
    sig.pullback = true;
    adjoint(sig, &mut errors).map_err(|_| errors)
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
fn mut_self(item_fn: &syn::ItemFn) -> Option<&syn::Receiver> {
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
            _ => 'c',
        })
        .collect()
}

/// Lower, analyse and emit one adjoint. On error, gives the signature back for a stub.
fn adjoint(sig: Signature, errors: &mut Errors) -> Result<TokenStream, Box<Signature>> {
    if !errors.is_empty() {
        return Err(Box::new(sig));
    }
    let lower::Lowered {
        mut body,
        items,
        not_if_active,
    } = lower::lower(&sig, errors);
    if !errors.is_empty() {
        return Err(Box::new(sig));
    }
    body.check(false);
    control::structurize(&mut body, sig.ret.as_ref().map(|r| &r.ty));
    body.check(true);
    let readonly: Vec<bool> = body
        .vars
        .iter()
        .map(|v| match v.origin {
            ir::Origin::Param(i) => {
                matches!(sig.params[i].kind, ParamKind::Ref | ParamKind::SelfRef)
            }
            _ => false,
        })
        .collect();
    cse::share_reads(&mut body, &readonly);
    let active = activity::analyze(&body, &sig);
    let mut plan = record::plan(&body, active, &readonly);
    unsupported_std_calls(&body, &plan, errors);
    for (_, span, what) in not_if_active.into_iter().filter(|(v, ..)| plan.active[*v]) {
        errors.push(span, what.message());
    }
    for var in crate::record_order::receivers_written_after(&body.block) {
        let active_call = crate::activity::find_let(&body.block, var)
            .is_some_and(|rv| matches!(rv, ir::Rvalue::Call(call) if plan.call_active(var, call)));
        if active_call {
            errors.push(body.vars[var].span, "this method's receiver is changed after the call, which the reverse sweep cannot undo for the method's pullback: call the method after the last change, or pass the fields it reads to a function (`sq(&self.a)`)");
        }
    }
    if !errors.is_empty() {
        return Err(Box::new(sig));
    }
    if sig.pullback {
        prune::prune(&body, &mut plan);
    }
    let names = names::Names::new(&body);
    let emitter = Emitter {
        sig: &sig,
        body: &body,
        plan: &plan,
        names: &names,
        in_forward: Default::default(),
    };
    let mut adjoint = emitter.adjoint_fn(&items);
    dump(&sig, &adjoint);
    if sig.pullback {
        let reads = (0..sig.params.len().min(64))
            .filter(|i| !plan.unread[emitter.param_var(*i)])
            .fold(0u64, |bits, i| bits | 1 << i);
        adjoint.extend(emitter.reads_const(reads));
    }
    Ok(adjoint)
}

/// Standard-library methods that carry a derivative through them but have no pullback:
/// a spanned error with what to write instead, rather than a missing `__cotangent_pb_..`.
fn unsupported_std_calls(body: &ir::Body, plan: &record::Plan, errors: &mut Errors) {
    crate::activity::for_each_stmt(&body.block, false, &mut |stmt, _| {
        let ir::Stmt::Let {
            value: ir::Rvalue::Call(call),
            ..
        } = stmt
        else {
            return;
        };
        let ir::Callee::Method(m, _) = &call.callee else {
            return;
        };
        let name = m.to_string();
        let hint = match name.as_str() {
            "push" | "extend_from_slice" | "extend" | "resize" => {
                "push one value at a time into a local `Vec` (`v.push(x)`), or allocate the buffer with its final length (`vec![0.0; n]`) and assign by index"
            }
            "clear" | "truncate" | "pop" | "drain" | "retain" => {
                "keep the buffer's length fixed and overwrite its elements by index"
            }
            "first" | "last" | "first_mut" | "last_mut" => {
                "index the slice (`x[0]`, `x[x.len() - 1]`)"
            }
            "sort" | "sort_by" | "sort_unstable_by" | "swap" | "reverse" | "rotate_left"
            | "rotate_right" => "compute the permutation of indices separately and index with it",
            "try_into" | "try_from" => {
                "copy the elements into an array (`let a = [x[0], x[1], x[2]];`) and pass `&a`"
            }
            "rem_euclid" | "div_euclid" | "copysign" | "sin_cos" => {
                "write it with supported operations (`%`, `floor`, `sin`, `cos`)"
            }
            _ => return,
        };
        if plan.call_varied(call) {
            errors.push(
                m.span(),
                format!(
                    "`.{name}(..)` on a value that carries a derivative is not supported: {hint}"
                ),
            );
        }
    });
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

/// `COTANGENT_DUMP=1` (or `=name` of a function) prints the generated adjoint at compile
/// time, so users can read what they run.
fn dump(sig: &Signature, adjoint: &TokenStream) {
    let Ok(which) = std::env::var("COTANGENT_DUMP") else {
        return;
    };
    let name = sig.item.sig.ident.to_string();
    if which == "1" || which == name || sig.adjoint_name == which {
        let text = match syn::parse2::<syn::File>(adjoint.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(_) => adjoint.to_string(),
        };
        eprintln!(
            "// cotangent: {} of `{name}`\n{text}",
            if sig.pullback { "pullback" } else { "adjoint" }
        );
    }
}
