//! Step 3: activity analysis. A variable is active when it depends on an active input
//! (it is *varied*) and the output depends on it (it is *useful*); only active values get
//! adjoints and adjoint code. Integers, indices, comparisons, constants and values
//! computed only from `Const` arguments are never varied.
//!
//! Both analyses are flow-insensitive fixpoints over the whole body, so loops need no
//! special treatment.

use crate::front::args::Activity;
use crate::front::signature::{ParamKind, Signature};
use crate::ir::*;

/// Calls `f` on every statement, depth first, with whether it sits inside a loop body.
pub fn for_each_stmt<'a>(block: &'a Block, in_loop: bool, f: &mut impl FnMut(&'a Stmt, bool)) {
    for stmt in &block.stmts {
        f(stmt, in_loop);
        match stmt {
            Stmt::If { then, els, .. } => {
                for_each_stmt(then, in_loop, f);
                for_each_stmt(els, in_loop, f);
            }
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => for_each_stmt(body, true, f),
            _ => {}
        }
    }
}

/// The operands through which a derivative can flow into the value of `rv`.
pub fn differentiable_inputs(rv: &Rvalue) -> Vec<VarId> {
    let vars = |ops: &[Operand]| ops.iter().filter_map(Operand::var).collect::<Vec<_>>();
    match rv {
        Rvalue::Use(op) | Rvalue::Unary(UnOp::Neg, op) => vars(std::slice::from_ref(op)),
        Rvalue::Read(place) | Rvalue::Copy(place, _) => vec![place.base],
        // Not differentiated: an active place here is a spanned error (`expand`), which
        // this edge lets the analysis see.
        Rvalue::Bind(place, ..) => vec![place.base],
        Rvalue::Binary(op, a, b) if op.differentiable() => vars(&[a.clone(), b.clone()]),
        Rvalue::Math(f, args, _) => args
            .iter()
            .enumerate()
            .filter(|(k, _)| f.differentiable_arg(*k))
            .filter_map(|(_, op)| op.var())
            .collect(),
        Rvalue::Cast(op, _, true) => vars(std::slice::from_ref(op)),
        Rvalue::Array(ops) | Rvalue::VecList(ops) => vars(ops),
        Rvalue::Repeat(op, _) | Rvalue::VecRepeat(op, _) => vars(std::slice::from_ref(op)),
        _ => Vec::new(),
    }
}

/// `active[v]` for every variable.
pub fn analyze(body: &Body, sig: &Signature) -> Vec<bool> {
    let n = body.vars.len();
    let mut varied = vec![false; n];
    let mut useful = vec![false; n];
    for (v, info) in body.vars.iter().enumerate() {
        if let Origin::Param(i) = info.origin {
            let p = &sig.params[i];
            varied[v] = p.activity != Activity::Const;
            useful[v] = p.activity == Activity::Duplicated
                && matches!(p.kind, ParamKind::RefMut | ParamKind::SelfMut);
        }
    }
    let seeded = sig
        .ret
        .as_ref()
        .is_some_and(|r| r.activity != Activity::Const);
    if let (Some(Operand::Var(r)), true) = (&body.result, seeded) {
        useful[*r] = true;
    }
    loop {
        let mut changed = false;
        let mut mark = |flags: &mut Vec<bool>, v: VarId| {
            if !flags[v] {
                flags[v] = true;
                changed = true;
            }
        };
        for_each_stmt(&body.block, false, &mut |stmt, _| match stmt {
            // A call flows from every input to every output (its result and the places
            // it writes through `&mut`), as its pullback will.
            Stmt::Let {
                var,
                value: Rvalue::Call(call),
            } if !call.passive => {
                let inputs = call.inputs();
                let outputs = call_outputs(*var, call);
                if inputs.iter().any(|v| varied[*v]) {
                    outputs.iter().for_each(|v| mark(&mut varied, *v));
                }
                if outputs.iter().any(|v| useful[*v]) {
                    inputs.iter().for_each(|v| mark(&mut useful, *v));
                }
            }
            Stmt::Let { var, value } => {
                let inputs = differentiable_inputs(value);
                if inputs.iter().any(|v| varied[*v]) {
                    mark(&mut varied, *var);
                }
                if useful[*var] {
                    inputs.iter().for_each(|v| mark(&mut useful, *v));
                }
            }
            Stmt::Assign {
                var,
                value: Operand::Var(src),
                ..
            } => {
                if varied[*src] {
                    mark(&mut varied, *var);
                }
                if useful[*var] {
                    mark(&mut useful, *src);
                }
            }
            Stmt::Store {
                place,
                value: Operand::Var(src),
            } => {
                if varied[*src] {
                    mark(&mut varied, place.base);
                }
                if useful[place.base] {
                    mark(&mut useful, *src);
                }
            }
            _ => {}
        });
        if !changed {
            break;
        }
    }
    varied.iter().zip(&useful).map(|(a, b)| *a && *b).collect()
}

/// What a call `var = call` may change: its result, the places it writes through `&mut`,
/// and a receiver it grows (`v.push(x)` puts `x` into `v`; then rejected with a hint, not
/// dropped).
pub fn call_outputs(var: VarId, call: &Call) -> Vec<VarId> {
    let grows = match (&call.callee, &call.recv) {
        (Callee::Method(m, _), Some(recv)) if grows_receiver(&m.to_string()) => Some(recv.base),
        _ => None,
    };
    std::iter::once(var)
        .chain(call.written())
        .chain(grows)
        .collect()
}

/// The value `var` is defined with, if a `let` defines it.
pub fn find_let(block: &Block, var: VarId) -> Option<&Rvalue> {
    let mut found = None;
    for_each_stmt(block, false, &mut |stmt, _| {
        if let Stmt::Let { var: v, value } = stmt {
            if *v == var {
                found = Some(value);
            }
        }
    });
    found
}

/// `Vec` methods that store their arguments into the receiver.
pub fn grows_receiver(method: &str) -> bool {
    matches!(method, "push" | "extend_from_slice" | "extend" | "resize")
}
