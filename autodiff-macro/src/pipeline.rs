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

/// Lower, analyse and emit one adjoint. On error, gives the signature back for a stub.
pub fn adjoint(sig: Signature, errors: &mut Errors) -> Result<TokenStream, Box<Signature>> {
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
    structurize::structurize(&mut body, sig.ret.as_ref().map(|r| &r.ty));
    body.check(true);
    let readonly = readonly_vars(&body, &sig);
    cse::share_reads(&mut body, &readonly);
    let active = activity::analyze(&body, &sig);
    let mut plan = plan::plan(&body, active, &readonly);
    unsupported_std_calls(&body, &plan, errors);
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
    structurize::structurize(&mut body, sig.ret.as_ref().map(|r| &r.ty));
    body.check(true);
    // Repeated reads of read-only elements (`x[i]` three times) read once: the tangent's
    // reads too.
    let readonly = readonly_vars(&body, &sig);
    cse::share_reads(&mut body, &readonly);
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
