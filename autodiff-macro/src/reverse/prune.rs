//! Step 4c (pullbacks only): the forward statements a pullback can skip.
//!
//! A caller runs a helper's pullback to get the helper's adjoints; the pullback reruns the
//! helper's forward sweep only for the values its reverse sweep reads. The rest is dead:
//! its result, and what it writes through `&mut` parameters (the caller restores those
//! around the pullback). LLVM removes dead arithmetic by itself, but not stores through
//! references nor the bounds checks that feed them, so `out[j] = w·x` would be recomputed
//! in full. Here a skipped value keeps only its type, as a zero-sized witness inferred
//! from a closure that is never called (`w_t = Witness::of_fn(|| a * b)`).

use crate::ir::*;
use crate::passes::activity::for_each_stmt;
use crate::reverse::plan::Plan;

/// Marks in `plan` the values a pullback's forward sweep skips (`dead`) and the parameters
/// it need not write (`unread`).
pub fn prune(body: &Body, plan: &mut Plan) {
    let live = live_values(body, plan);
    let scalar = scalar_values(body);
    // Read-only arguments whose elements the reverse sweep reads again (`x[i]` redone
    // instead of recorded): a caller must keep them as they were at the call.
    let mut reread = vec![false; body.vars.len()];
    for_each_stmt(&body.block, false, &mut |stmt, _| {
        if let Stmt::Let { var, value } = stmt {
            if plan.remat[*var] && plan.needed[*var] {
                let mut uses = Vec::new();
                uses_of(value, |_| false, &mut uses);
                uses.into_iter().for_each(|u| reread[u] = true);
            }
        }
    });
    for v in 0..body.vars.len() {
        plan.dead[v] = scalar[v] && !live[v] && !plan.needed[v];
        plan.skipped[v] = scalar[v] && !live[v] && plan.needed[v];
        plan.unread[v] = !live[v] && !reread[v];
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
            plan.needed[v] && !plan.remat[v]
                || plan.loop_var[v]
                || body.vars[v].origin == Origin::Control
        })
        .collect();
    for_each_stmt(&body.block, false, &mut |stmt, _| match stmt {
        // Values whose type a witness cannot stand in for, and calls (side effects).
        Stmt::Let { var, value } if !scalar[*var] || matches!(value, Rvalue::Call(_)) => {
            live[*var] = true;
        }
        Stmt::Declare { var } => live[*var] = true,
        _ => {}
    });
    loop {
        let before = live.iter().filter(|l| **l).count();
        for_each_stmt(&body.block, false, &mut |stmt, _| {
            let mut uses: Vec<VarId> = Vec::new();
            match stmt {
                Stmt::Let { var, value } if live[*var] => uses_of(value, param, &mut uses),
                Stmt::Assign { var, value, .. } if live[*var] => uses.extend(value.var()),
                Stmt::Store { place, value } if live[place.base] => {
                    uses.extend(value.var());
                    uses.extend(place.index_vars());
                }
                Stmt::If { cond, .. } => uses.extend(cond.var()),
                Stmt::For {
                    range,
                    exit,
                    counter,
                    ..
                } => {
                    uses.extend(range.start.var());
                    uses.extend(range.end.var());
                    for a in &range.adaptors {
                        if let RangeAdaptor::StepBy(k) = a {
                            uses.extend(k.var());
                        }
                    }
                    uses.extend(*exit);
                    uses.extend(*counter);
                }
                Stmt::Loop { exit, counter, .. } => {
                    uses.extend(*exit);
                    uses.extend(*counter);
                }
                _ => {}
            }
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
fn uses_of(value: &Rvalue, param: impl Fn(VarId) -> bool, uses: &mut Vec<VarId>) {
    let place = |p: &Place, uses: &mut Vec<VarId>| {
        uses.push(p.base);
        uses.extend(p.index_vars());
    };
    match value {
        Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _, _) => uses.extend(op.var()),
        Rvalue::Read(p) | Rvalue::Copy(p, _) | Rvalue::Matches(p, _) | Rvalue::Bind(p, ..) => {
            place(p, uses)
        }
        Rvalue::Binary(_, a, b) => uses.extend(a.var().into_iter().chain(b.var())),
        Rvalue::Math(_, ops, _) | Rvalue::Array(ops) | Rvalue::VecList(ops) => {
            uses.extend(ops.iter().filter_map(Operand::var))
        }
        Rvalue::Repeat(op, _) => uses.extend(op.var()),
        Rvalue::VecRepeat(a, b) => uses.extend(a.var().into_iter().chain(b.var())),
        Rvalue::Call(call) => {
            if let Some(recv) = &call.recv {
                let length =
                    matches!(&call.callee, Callee::Method(m, _) if m == "len" || m == "is_empty");
                if length && recv.projs.is_empty() && param(recv.base) {
                    uses.extend(recv.index_vars());
                } else {
                    place(recv, uses);
                }
            }
            for a in &call.args {
                match a {
                    CallArg::Value(op) => uses.extend(op.var()),
                    CallArg::Ref { place: p, .. } => place(p, uses),
                }
            }
        }
        Rvalue::ZeroOf(_) => {}
    }
}

/// Values of `Copy` scalar or array type, whose adjoint a witness can create: arithmetic,
/// math functions, casts, elements read by index, and copies of those.
pub fn scalar_values(body: &Body) -> Vec<bool> {
    let mut scalar = vec![false; body.vars.len()];
    for_each_stmt(&body.block, false, &mut |stmt, _| {
        if let Stmt::Let { var, value } = stmt {
            scalar[*var] = match value {
                Rvalue::Binary(..) | Rvalue::Unary(..) | Rvalue::Math(..) | Rvalue::Cast(..) => {
                    true
                }
                Rvalue::Read(p) => matches!(p.projs.last(), Some(Proj::Index(_))),
                Rvalue::Use(Operand::Const(_)) => true,
                Rvalue::Use(Operand::Var(v)) => scalar[*v],
                _ => false,
            };
        }
    });
    scalar
}
