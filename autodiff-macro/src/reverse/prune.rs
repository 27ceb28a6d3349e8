//! Step 4c (pullbacks only): the forward statements a pullback can skip.
//!
//! A caller runs a helper's pullback to get the helper's adjoints; the pullback reruns the
//! helper's forward sweep only for the values its reverse sweep reads. The rest is dead:
//! its result, and what it writes through `&mut` parameters (the caller restores those
//! around the pullback). LLVM removes dead arithmetic by itself, but not stores through
//! references nor the bounds checks that feed them, so `out[j] = w·x` would be recomputed
//! in full. Here a skipped value keeps only its type, as a zero-sized witness inferred
//! from a closure that is never called (`w_t = Witness::of_fn(|| a * b)`).

use crate::ir::walk::for_each_stmt;
use crate::ir::*;
use crate::reverse::plan::{Forward, Plan, Scope};

/// Marks in `plan` the values a pullback's forward sweep skips (`Forward::Dead`, or
/// `Forward::Deferred` to the reverse sweep) and the parameters it need not write
/// (`writes_unread`).
pub fn prune(body: &Body, plan: &mut Plan) {
    let live = live_values(body, plan);
    let scalar = scalar_values(body);
    // Read-only arguments whose elements the reverse sweep reads again (`x[i]` redone
    // instead of recorded): a caller must keep them as they were at the call.
    let mut reread = vec![false; body.vars.len()];
    for_each_stmt(&body.block, &mut |stmt, _| {
        if let Stmt::Let { var, value } = stmt {
            if plan.recomputed(*var) {
                value.uses().into_iter().for_each(|u| reread[u] = true);
            }
        }
    });
    for v in 0..body.vars.len() {
        let needed = plan.needed(v);
        let var = &mut plan.vars[v];
        var.forward = match (scalar[v] && !live[v], needed) {
            (false, _) => Forward::Computed,
            (true, false) => Forward::Dead,
            (true, true) => Forward::Deferred,
        };
        var.writes_unread = !live[v] && !reread[v];
    }
}

/// What the pullback must compute: what its reverse sweep reads, what decides its control
/// flow, calls, values no witness can stand in for, and what those read.
fn live_values(body: &Body, plan: &Plan) -> Vec<bool> {
    let n = body.vars.len();
    let scalar = scalar_values(body);
    let param = |v: VarId| matches!(body.vars[v].origin, Origin::Param(_));
    let mut live: Vec<bool> = (0..n)
        .map(|v| {
            // A recomputed value is needed by the reverse sweep only, which redoes it.
            plan.needed(v) && !plan.recomputed(v)
                || plan.vars[v].scope == Scope::LoopVar
                || body.vars[v].origin == Origin::Control
        })
        .collect();
    for_each_stmt(&body.block, &mut |stmt, _| match stmt {
        // Values whose type a witness cannot stand in for, and calls (side effects).
        Stmt::Let { var, value } if !scalar[*var] || matches!(value, Rvalue::Call(_)) => {
            live[*var] = true;
        }
        Stmt::Declare { var } => live[*var] = true,
        Stmt::Let { .. }
        | Stmt::Assign { .. }
        | Stmt::Store { .. }
        | Stmt::If { .. }
        | Stmt::For { .. }
        | Stmt::Loop { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => {}
    });
    loop {
        let before = live.iter().filter(|l| **l).count();
        for_each_stmt(&body.block, &mut |stmt, _| {
            // A statement whose result is live reads what it reads; control flow always.
            let uses = match stmt {
                Stmt::Let { var, value } if live[*var] => uses_of(value, param),
                Stmt::Assign { var, .. } if live[*var] => stmt.uses(),
                Stmt::Store { place, .. } if live[place.base] => stmt.uses(),
                Stmt::If { .. } | Stmt::For { .. } | Stmt::Loop { .. } => stmt.uses(),
                Stmt::Let { .. }
                | Stmt::Assign { .. }
                | Stmt::Store { .. }
                | Stmt::Declare { .. }
                | Stmt::Break(_)
                | Stmt::Continue(_)
                | Stmt::Return(_) => Vec::new(),
            };
            for v in uses {
                live[v] = true;
            }
        });
        if live.iter().filter(|l| **l).count() == before {
            break;
        }
    }
    live
}

/// The variables a live `let` reads. The length of a parameter (`out.len()`) does not
/// read its contents.
fn uses_of(value: &Rvalue, param: impl Fn(VarId) -> bool) -> Vec<VarId> {
    if let Rvalue::Call(call) = value {
        let length = matches!(&call.callee, Callee::Method(m, _) if m == "len" || m == "is_empty");
        if let Some(recv) = call.recv.as_ref().filter(|r| length && r.projs.is_empty()) {
            if param(recv.base) {
                let mut uses = value.uses();
                let at = uses.iter().position(|u| *u == recv.base);
                at.map(|k| uses.remove(k));
                return uses;
            }
        }
    }
    value.uses()
}

/// Values of `Copy` scalar or array type, whose adjoint a witness can create: arithmetic,
/// math functions, casts, elements read by index, and copies of those.
pub fn scalar_values(body: &Body) -> Vec<bool> {
    let mut scalar = vec![false; body.vars.len()];
    for_each_stmt(&body.block, &mut |stmt, _| {
        if let Stmt::Let { var, value } = stmt {
            scalar[*var] = match value {
                Rvalue::Binary(..) | Rvalue::Unary(..) | Rvalue::Math(..) | Rvalue::Cast(..) => {
                    true
                }
                Rvalue::Read(p) => matches!(p.projs.last(), Some(Proj::Index(_))),
                Rvalue::Use(Operand::Const(_)) => true,
                Rvalue::Use(Operand::Var(v)) => scalar[*v],
                Rvalue::Copy(..)
                | Rvalue::Array(_)
                | Rvalue::Repeat(..)
                | Rvalue::VecRepeat(..)
                | Rvalue::VecList(_)
                | Rvalue::Call(_)
                | Rvalue::Matches(..)
                | Rvalue::Bind(..)
                | Rvalue::ZeroOf(_) => false,
            };
        }
    });
    scalar
}
