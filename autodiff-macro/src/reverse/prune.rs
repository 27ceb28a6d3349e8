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
                | Rvalue::Struct(..)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::*;
    use crate::reverse::plan::plan;

    /// The pruned plan with the listed variables inactive and `readonly` parameters.
    fn pruned(body: &Body, inactive: &[VarId], readonly: &[VarId]) -> Plan {
        let n = body.vars.len();
        let active = (0..n).map(|v| !inactive.contains(&v)).collect();
        let ro: Vec<bool> = (0..n).map(|v| readonly.contains(&v)).collect();
        let mut p = plan(body, active, &ro);
        prune(body, &mut p);
        p
    }

    #[test]
    fn an_output_nothing_reads_is_neither_computed_nor_written() {
        let mut b = Builder::new();
        let (x, out) = (b.param("x"), b.param("out"));
        let [t] = b.vars(["t"]);
        // `let t = x * x; out[0] = t;`: the reverse sweep reads `x`, not `t`.
        let body = b.finish(vec![
            let_(t, bin(BinOp::Mul, var(x), var(x))),
            store(place(out, [lit("0")]), var(t)),
        ]);
        let p = pruned(&body, &[], &[x]);
        assert_eq!(p.vars[t].forward, Forward::Dead);
        assert!(p.vars[out].writes_unread);
        assert_eq!(p.vars[x].forward, Forward::Computed);
    }

    #[test]
    fn recomputed_elements_are_deferred_and_their_arrays_kept() {
        let mut b = Builder::new();
        let (x, n) = (b.param("x"), b.param("n"));
        let [i, a, t] = b.vars(["i", "a", "t"]);
        // `for i in 0..n { let a = x[i]; let t = a.sin(); }`
        let body = b.finish(vec![for_(
            i,
            lit("0"),
            var(n),
            vec![
                let_(a, read(x, [var(i)])),
                let_(t, math(MathFn::Sin, vec![var(a)])),
            ],
        )]);
        let p = pruned(&body, &[n, i], &[x]);
        assert_eq!(
            p.vars[a].forward,
            Forward::Deferred,
            "the reverse sweep redoes `x[i]`"
        );
        assert_eq!(p.vars[t].forward, Forward::Dead);
        assert!(
            !p.vars[x].writes_unread,
            "the caller keeps `x` for the re-read"
        );
        assert_eq!(p.vars[i].forward, Forward::Computed, "loop variables stay");
    }

    #[test]
    fn conditions_and_calls_stay_with_what_they_read() {
        let mut b = Builder::new();
        let (x, y) = (b.param("x"), b.param("y"));
        let [lt, r, u] = b.vars(["lt", "r", "u"]);
        let call = Rvalue::Call(Call {
            callee: Callee::Path(syn::parse_quote!(log)),
            recv: None,
            args: vec![CallArg::Value(var(u))],
            passive: true,
        });
        // `let lt = x < y; if lt { let u = x * 2.0; let r = log(u); }`
        let body = b.finish(vec![
            let_(lt, bin(BinOp::Other(OtherOp::Lt), var(x), var(y))),
            if_(
                var(lt),
                vec![let_(u, bin(BinOp::Mul, var(x), lit("2.0"))), let_(r, call)],
                vec![],
            ),
        ]);
        let p = pruned(&body, &[lt, r, u], &[]);
        assert_eq!(
            p.vars[lt].forward,
            Forward::Computed,
            "a branch's condition"
        );
        assert_eq!(
            p.vars[r].forward,
            Forward::Computed,
            "a call (side effects)"
        );
        assert_eq!(p.vars[u].forward, Forward::Computed, "read by a call");
    }

    #[test]
    fn the_length_of_a_parameter_does_not_read_it() {
        let mut b = Builder::new();
        let out = b.param("out");
        let [len] = b.vars(["len"]);
        let body = b.finish(vec![let_(
            len,
            Rvalue::Call(Call {
                callee: Callee::Method(syn::parse_quote!(len), None),
                recv: Some(place(out, [])),
                args: vec![],
                passive: true,
            }),
        )]);
        let p = pruned(&body, &[len], &[]);
        assert_eq!(p.vars[len].forward, Forward::Computed);
        assert!(p.vars[out].writes_unread);
    }

    #[test]
    fn scalars_are_values_of_arithmetic_and_indexed_reads() {
        let mut b = Builder::new();
        let (x, v) = (b.param("x"), b.param("v"));
        let [e, s, c, whole] = b.vars(["e", "s", "c", "whole"]);
        let body = b.finish(vec![
            let_(e, read(x, [lit("0")])),
            let_(s, bin(BinOp::Add, var(e), lit("1.0"))),
            let_(c, var(s)),
            let_(whole, read(v, [])),
        ]);
        let scalar = scalar_values(&body);
        assert!(scalar[e] && scalar[s] && scalar[c]);
        assert!(!scalar[whole], "a whole place may be a `Vec`");
    }
}
