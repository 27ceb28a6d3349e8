//! One generated function, end to end: lower the body, run the passes, then either plan
//! the recording and emit the reverse-mode adjoint, or emit the forward-mode derivative.
//! On error, the signature comes back for a stub.

use proc_macro2::TokenStream;

use crate::emit::names;
use crate::errors::Errors;
use crate::forward;
use crate::front::signature::{ParamKind, Signature};
use crate::ir;
use crate::lower;
use crate::passes::{activity, cse, structurize};
use crate::reverse::emitter::Emitter;
use crate::reverse::{plan, prune};

/// The lowered body, its items, the constructs that are errors only on values that carry
/// a derivative, and which variables are read-only.
type Prepared = (
    ir::Body,
    Vec<syn::Item>,
    Vec<(ir::VarId, proc_macro2::Span, lower::NotIfActive)>,
    Vec<bool>,
);

/// What both modes do first: lower the body, turn early exits into flags, and share
/// repeated reads of read-only elements (`x[i]` three times is read once, and so are its
/// adjoint and tangent). `None` after an error.
fn prepare(sig: &Signature, errors: &mut Errors) -> Option<Prepared> {
    if !errors.is_empty() {
        return None;
    }
    let lower::Lowered {
        mut body,
        items,
        not_if_active,
    } = lower::lower(sig, errors);
    if !errors.is_empty() {
        return None;
    }
    body.check(false);
    structurize::structurize(&mut body, sig.ret.as_ref().map(|r| &r.ty));
    body.check(true);
    let readonly = readonly_vars(&body, sig);
    cse::share_reads(&mut body, &readonly);
    Some((body, items, not_if_active, readonly))
}

/// Lower, analyse and emit one adjoint. On error, gives the signature back for a stub.
pub fn adjoint(sig: Signature, errors: &mut Errors) -> Result<TokenStream, Box<Signature>> {
    let Some((body, items, not_if_active, readonly)) = prepare(&sig, errors) else {
        return Err(Box::new(sig));
    };
    let active = activity::analyze(&body, &sig);
    let mut plan = plan::plan(&body, active, &readonly);
    unsupported_std_calls(&body, &plan, errors);
    vecs_by_value(&body, &sig, &plan, errors);
    for (_, span, what) in not_if_active.into_iter().filter(|(v, ..)| plan.active[*v]) {
        errors.push(span, what.message());
    }
    for var in crate::passes::order::receivers_written_after(&body.block) {
        let active_call = crate::passes::activity::find_let(&body.block, var)
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
            .filter(|i| !plan.vars[emitter.param_var(*i)].writes_unread)
            .fold(0u64, |bits, i| bits | 1 << i);
        adjoint.extend(emitter.reads_const(reads));
    }
    Ok(adjoint)
}

/// Lower, analyse and emit one forward-mode derivative. On error, gives the signature back
/// for a stub.
pub fn tangent(sig: Signature, errors: &mut Errors) -> Result<TokenStream, Box<Signature>> {
    let Some((body, items, not_if_active, _)) = prepare(&sig, errors) else {
        return Err(Box::new(sig));
    };
    let varied = activity::varied(&body, &sig);
    for (_, span, what) in not_if_active.into_iter().filter(|(v, ..)| varied[*v]) {
        errors.push(span, what.message());
    }
    forward_calls(&body, &varied, errors);
    if !errors.is_empty() {
        return Err(Box::new(sig));
    }
    let mut names = names::Names::new(&body);
    let tangent_params = forward::emitter::tangent_params(&sig, &body, &mut names);
    let lane = names.fresh("__lane", proc_macro2::Span::call_site());
    let elem = names.fresh("__d", proc_macro2::Span::call_site());
    let generic_width = sig
        .pullback
        .then(|| names.fresh("__N", proc_macro2::Span::call_site()));
    let emitter = forward::emitter::Emitter {
        sig: &sig,
        body: &body,
        names: &names,
        varied: &varied,
        width: sig.width.unwrap_or(1),
        lane,
        elem,
        tangent_params,
        generic_width,
    };
    let derivative = emitter.tangent_fn(&items);
    dump(&sig, &derivative);
    Ok(derivative)
}

/// Forward mode goes through a call with the callee's hidden forward derivative
/// (`forward::calls`), a method's too; a standard-library method on a receiver that
/// carries a tangent has none: a spanned error, instead of a missing hidden method.
fn forward_calls(body: &ir::Body, varied: &[bool], errors: &mut Errors) {
    crate::ir::walk::for_each_stmt(&body.block, &mut |stmt, _| {
        let ir::Stmt::Let {
            value: ir::Rvalue::Call(call),
            ..
        } = stmt
        else {
            return;
        };
        let (ir::Callee::Method(m, _), Some(recv)) = (&call.callee, &call.recv) else {
            return;
        };
        if call.passive || !varied[recv.base] || !std_method(&m.to_string()) {
            return;
        }
        errors.push(m.span(), format!("forward mode does not differentiate through `.{m}(..)` on a value that carries a tangent yet: write the computation with operators and indices, or call a function that takes the value as an argument"));
    });
}

/// Methods of `Vec` and slices that change or take apart their receiver.
fn std_method(name: &str) -> bool {
    matches!(
        name,
        "push"
            | "extend_from_slice"
            | "extend"
            | "resize"
            | "clear"
            | "truncate"
            | "pop"
            | "drain"
            | "retain"
            | "first"
            | "last"
            | "first_mut"
            | "last_mut"
            | "sort"
            | "sort_by"
            | "sort_unstable_by"
            | "reverse"
            | "rotate_left"
            | "rotate_right"
            | "try_into"
    )
}

/// The variables whose contents never change: `&` parameters.
fn readonly_vars(body: &ir::Body, sig: &Signature) -> Vec<bool> {
    body.vars
        .iter()
        .map(|v| match v.origin {
            ir::Origin::Param(i) => {
                matches!(sig.params[i].kind, ParamKind::Ref | ParamKind::SelfRef)
            }
            ir::Origin::User | ir::Origin::Temp | ir::Origin::Control => false,
        })
        .collect()
}

/// Standard-library methods that carry a derivative through them but have no pullback:
/// a spanned error with what to write instead, rather than a missing `__cotangent_pb_..`.
fn unsupported_std_calls(body: &ir::Body, plan: &plan::Plan, errors: &mut Errors) {
    crate::ir::walk::for_each_stmt(&body.block, &mut |stmt, _| {
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
            "rem_euclid" | "div_euclid" | "sin_cos" => {
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

/// A `Vec` that carries a derivative, passed by value to a helper: no pullback takes one
/// (a by-value parameter carries a derivative only as a float or an array), so this is an
/// error here, at the call, rather than a missing pullback.
fn vecs_by_value(body: &ir::Body, sig: &Signature, plan: &plan::Plan, errors: &mut Errors) {
    crate::ir::walk::for_each_stmt(&body.block, &mut |stmt, _| {
        let ir::Stmt::Let {
            var,
            value: ir::Rvalue::Call(call),
        } = stmt
        else {
            return;
        };
        if !plan.call_active(*var, call) {
            return;
        }
        for a in &call.args {
            let ir::CallArg::Value(ir::Operand::Var(v)) = a else {
                continue;
            };
            if plan.active[*v] && is_vec(body, sig, *v) {
                let callee = match &call.callee {
                    ir::Callee::Method(m, _) => m.to_string(),
                    ir::Callee::Path(p) => p
                        .segments
                        .last()
                        .map_or(String::new(), |s| s.ident.to_string()),
                };
                let name = &body.vars[*v].name;
                let (what, pass) = match body.vars[*v].origin {
                    ir::Origin::User | ir::Origin::Param(_) => {
                        (format!("`{name}`"), format!("`&{name}`"))
                    }
                    ir::Origin::Temp | ir::Origin::Control => {
                        ("this argument".to_string(), "a reference to it".to_string())
                    }
                };
                errors.push(
                    body.vars[*var].span,
                    format!("{what} carries a derivative and is a `Vec` passed by value to `{callee}`, whose by-value parameters can carry one only as floats or arrays of floats: pass {pass} to a `&[f64]` parameter (which gets the derivative as `Duplicated`)"),
                );
            }
        }
    });
}

/// `v` is known to be a `Vec`: built by `vec![..]`, copied from a slice (`.to_vec()`),
/// moved from one, or a parameter or binding declared `Vec<..>`.
fn is_vec(body: &ir::Body, sig: &Signature, v: ir::VarId) -> bool {
    let declared = match body.vars[v].origin {
        ir::Origin::Param(i) => Some(&sig.params[i].ty),
        ir::Origin::User | ir::Origin::Temp | ir::Origin::Control => body.vars[v].ty.as_ref(),
    };
    let named_vec = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Vec"));
    if declared.is_some_and(named_vec) {
        return true;
    }
    match activity::find_let(&body.block, v) {
        Some(ir::Rvalue::VecRepeat(..) | ir::Rvalue::VecList(_)) => true,
        Some(ir::Rvalue::Copy(place, _)) => match place.projs.last() {
            None | Some(ir::Proj::Range { .. }) => {
                is_vec(body, sig, place.base)
                    || !place.projs.is_empty()
                    || is_slice_param(body, sig, place.base)
            }
            Some(ir::Proj::Index(_) | ir::Proj::Field(_) | ir::Proj::Deref) => false,
        },
        Some(ir::Rvalue::Use(ir::Operand::Var(w))) => is_vec(body, sig, *w),
        Some(
            ir::Rvalue::Use(ir::Operand::Const(_))
            | ir::Rvalue::Read(_)
            | ir::Rvalue::Unary(..)
            | ir::Rvalue::Binary(..)
            | ir::Rvalue::Math(..)
            | ir::Rvalue::Cast(..)
            | ir::Rvalue::Array(_)
            | ir::Rvalue::Struct(..)
            | ir::Rvalue::Repeat(..)
            | ir::Rvalue::Call(_)
            | ir::Rvalue::Matches(..)
            | ir::Rvalue::Bind(..)
            | ir::Rvalue::ZeroOf(_),
        )
        | None => false,
    }
}

/// A parameter declared `&[T]`, `&mut [T]` or `&Vec<T>`: `.to_vec()` of it is a `Vec`.
fn is_slice_param(body: &ir::Body, sig: &Signature, v: ir::VarId) -> bool {
    let ir::Origin::Param(i) = body.vars[v].origin else {
        return false;
    };
    match &sig.params[i].ty {
        syn::Type::Reference(r) => {
            matches!(&*r.elem, syn::Type::Slice(_))
                || matches!(&*r.elem, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Vec"))
        }
        _ => false,
    }
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
            match (sig.width, sig.pullback) {
                (Some(_), _) => "forward derivative",
                (None, true) => "pullback",
                (None, false) => "adjoint",
            }
        );
    }
}
