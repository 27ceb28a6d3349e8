//! Step 4a, continued: what changes a variable after its definition, and how the reverse
//! sweep can go back: variables reassigned (not available for recomputation), overwrites
//! recorded or undone (`k += 1` undone by `k - 1`), counters read before later increments,
//! and call arguments written after the call (snapshotted at it); from those and what the
//! reverse sweep needs, the kind of tape each recorded variable gets.

use crate::ir::walk::{for_each_stmt, for_each_within};
use crate::ir::*;
use crate::reverse::plan::{call_active, CounterOffset, Plan, TapeKind};

impl Plan {
    /// What a call changes in place whose old value the reverse sweep gives back (see
    /// `passes::order::restored_vars`): recorded before the call, restored at its reverse.
    pub fn call_restores(&self, call: &Call) -> Vec<VarId> {
        let mut out = call.changed();
        out.retain(|v| self.vars[*v].restored);
        out
    }
}

/// What changes each variable after its definition.
pub struct Changes {
    /// Defined in a loop body.
    pub defined_in_loop: Vec<bool>,
    /// Overwritten in a loop body, with the old value recorded (not undone).
    pub recorded_in_loop: Vec<bool>,
    /// Assigned again, stored into, written by a call or incremented as a trip counter:
    /// not available for recomputation.
    pub reassigned: Vec<bool>,
    /// How many overwrites record the old value (not undone).
    pub recorded_assigns: Vec<usize>,
}

// from: `let mut s = 0.0; for i in 0..n { let t = x[i]; s = s + t; u[i] = t; k = k + 1; }`
// into: `t` defined in a loop; `s` reassigned, recorded in a loop, once; `u` reassigned;
//       `k` reassigned, but undone (`k - 1`), not recorded
pub fn changes(body: &Body, inverse: &[Option<(BinOp, Operand)>]) -> Changes {
    let n = body.vars.len();
    let mut c = Changes {
        defined_in_loop: vec![false; n],
        recorded_in_loop: vec![false; n],
        reassigned: vec![false; n],
        recorded_assigns: vec![0; n],
    };
    for_each_stmt(&body.block, &mut |stmt, at| match stmt {
        Stmt::Let { var, value } => {
            c.defined_in_loop[*var] = at.in_loop();
            // Changed in place by a call: not available for recomputation, and recorded
            // at the call when restored (as by an overwrite).
            if let Rvalue::Call(call) = value {
                for b in call.changed() {
                    c.reassigned[b] = true;
                    c.recorded_in_loop[b] |= at.in_loop();
                    c.recorded_assigns[b] += 1;
                }
            }
        }
        Stmt::Declare { var } => c.defined_in_loop[*var] = at.in_loop(),
        // Trip counters are incremented by the loop itself.
        Stmt::For { counter, .. } | Stmt::Loop { counter, .. } => {
            counter.iter().for_each(|k| c.reassigned[*k] = true)
        }
        Stmt::Assign {
            var,
            value,
            overwrites: true,
        } => {
            c.reassigned[*var] = true;
            if value.var().and_then(|t| inverse[t].as_ref()).is_none() {
                c.recorded_in_loop[*var] |= at.in_loop();
                c.recorded_assigns[*var] += 1;
            }
        }
        // Changed in place: not available for recomputation either (`let prev = u;` then
        // `u[0] = ..`).
        Stmt::Store { place, .. } => c.reassigned[place.base] = true,
        Stmt::Assign {
            overwrites: false, ..
        }
        | Stmt::If { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => {}
    });
    c
}

// from: `let t = f(&x, &mut out);` (active), with `x` written after the call
// into: the `snap` variables of both arguments: snapshotted at the call
pub fn snapshotted_referents(body: &Body, active: &[bool]) -> Vec<bool> {
    let mut snapshot = vec![false; body.vars.len()];
    let later = crate::passes::order::written_after_call(&body.block);
    for_each_stmt(&body.block, &mut |stmt, _| {
        let Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } = stmt
        else {
            return;
        };
        if call_active(active, *var, call) {
            for a in &call.args {
                match a {
                    CallArg::Ref { mutable, snap, .. } => {
                        snapshot[*snap] = *mutable || later.contains(snap)
                    }
                    CallArg::Value(_) => {}
                }
            }
        }
    });
    snapshot
}

// from: `let t = a * b;` recorded at the end of a loop body; `s = s + t` recorded once
//       outside loops; `f(&mut out)` snapshotted
// into: `t`: `Tape`; `s`: `Slot`; the argument's `snap`: `Snapshot`
pub fn tape_kinds(
    recorded_at_end: &[bool],
    restored: &[bool],
    changes: &Changes,
    snapshots: &[bool],
) -> Vec<Option<TapeKind>> {
    (0..recorded_at_end.len())
        .map(|v| {
            let at_end = recorded_at_end[v];
            let restored = restored[v];
            let overwritten = restored && changes.recorded_in_loop[v];
            let in_loop = at_end && changes.defined_in_loop[v];
            if snapshots[v] {
                Some(TapeKind::Snapshot)
            } else if in_loop || overwritten {
                Some(TapeKind::Tape)
            } else if at_end || restored && changes.recorded_assigns[v] > 0 {
                // Pushed outside loops: a slot when at most once per call.
                let restores = if restored {
                    changes.recorded_assigns[v]
                } else {
                    0
                };
                let pushes = usize::from(at_end) + restores;
                Some(if pushes == 1 {
                    TapeKind::Slot
                } else {
                    TapeKind::Tape
                })
            } else {
                None
            }
        })
        .collect()
}

/// See [`VarPlan::counter_offsets`]: for each read `let x = a[.., c, ..]` at position `i` of
/// its block, every index `c` reassigned after it in that block only by increments at the
/// block's own level (not in nested blocks).
pub fn counter_offsets(
    block: &Block,
    undo: &[Option<(BinOp, Operand)>],
    n: usize,
) -> Vec<Vec<CounterOffset>> {
    let mut out = vec![Vec::new(); n];
    offsets_in(block, undo, &mut out);
    out
}

fn offsets_in(block: &Block, undo: &[Option<(BinOp, Operand)>], out: &mut [Vec<CounterOffset>]) {
    for (i, stmt) in block.stmts.iter().enumerate() {
        match stmt {
            Stmt::Let {
                var,
                value: Rvalue::Read(place),
            } => {
                for c in place.index_vars() {
                    if let Some(steps) = increments_after(&block.stmts[i + 1..], c, undo) {
                        if !steps.is_empty() {
                            out[*var].push((c, steps));
                        }
                    }
                }
            }
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::If { .. }
            | Stmt::For { .. }
            | Stmt::Loop { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => {}
        }
        for (inner, _) in stmt.blocks() {
            offsets_in(inner, undo, out);
        }
    }
}

/// The inverse steps of the increments of `c` in `rest`, last first; `None` if `c` is
/// changed there in any other way.
fn increments_after(
    rest: &[Stmt],
    c: VarId,
    undo: &[Option<(BinOp, Operand)>],
) -> Option<Vec<(BinOp, Operand)>> {
    let mut steps = Vec::new();
    for stmt in rest {
        match stmt {
            Stmt::Assign {
                var,
                value: Operand::Var(t),
                ..
            } if *var == c => steps.push(undo[*t].clone()?),
            Stmt::Assign { var, .. } if *var == c => return None,
            Stmt::Let { .. } if changes_by_call(stmt, c) => return None,
            Stmt::If { .. } | Stmt::For { .. } | Stmt::Loop { .. } => {
                let mut touched = false;
                for_each_within(stmt, &mut |s| {
                    touched |=
                        matches!(s, Stmt::Assign { var, .. } if *var == c) || changes_by_call(s, c);
                });
                if touched {
                    return None;
                }
            }
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => {}
        }
    }
    steps.reverse();
    Some(steps)
}

/// `bump(&mut c)`, `c.add_assign(1)`: a call that may change `c` in place.
fn changes_by_call(stmt: &Stmt, c: VarId) -> bool {
    matches!(stmt, Stmt::Let { value: Rvalue::Call(call), .. } if call.changed().contains(&c))
}

/// Temporaries `t = v + n` / `t = v - n` (integer literal `n`, the form `+=` lowers to)
/// that are assigned back to `v`: integer counters, undone exactly by the inverse.
pub fn undoable_increments(body: &Body) -> Vec<Option<(BinOp, Operand)>> {
    let mut defs: Vec<Option<(VarId, BinOp, Operand)>> = vec![None; body.vars.len()];
    for_each_stmt(&body.block, &mut |stmt, _| {
        if let Stmt::Let {
            var,
            value:
                Rvalue::Binary(op @ (BinOp::Add | BinOp::Sub), Operand::Var(v), Operand::Const(n)),
        } = stmt
        {
            let literal = syn::parse2::<syn::LitInt>(n.clone()).is_ok();
            if literal {
                defs[*var] = Some((*v, *op, Operand::Const(n.clone())));
            }
        }
    });
    let mut undo = vec![None; body.vars.len()];
    for_each_stmt(&body.block, &mut |stmt, _| {
        if let Stmt::Assign {
            var,
            value: Operand::Var(t),
            ..
        } = stmt
        {
            if let Some((v, op, n)) = &defs[*t] {
                if v == var {
                    let inverse = if *op == BinOp::Add {
                        BinOp::Sub
                    } else {
                        BinOp::Add
                    };
                    undo[*t] = Some((inverse, n.clone()));
                }
            }
        }
    });
    undo
}
