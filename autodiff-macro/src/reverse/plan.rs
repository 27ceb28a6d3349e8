//! Step 4a: the to-be-recorded analysis. Decides which primal values the reverse sweep
//! reads (`needed`), and how each is made available there:
//!
//! - a value defined in the function's own block stays in scope: nothing to record;
//! - a value defined in a nested block (loop body, branch) is pushed at the end of that
//!   block and popped when the reverse sweep enters it (`snapshot`);
//! - a value overwritten by an assignment has its old value pushed before the assignment
//!   and restored when the reverse sweep undoes it.
//!
//! Linear operations need no primal value, so `s += x[i]` records nothing; a loop-free
//! function records nothing at all (its values are all in scope). Each recorded variable
//! has its own tape: a `Slot` (never allocates) when it is pushed at most once per call.

use crate::ir::*;
use crate::passes::activity::for_each_stmt;

/// A counter read before later increments in its block, and the inverse steps back to its
/// value at the read (see [`Plan::counter_offsets`]).
pub type CounterOffset = (VarId, Vec<(BinOp, Operand)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TapeKind {
    Slot,
    Tape,
    /// Call arguments' referents, flattened into one buffer.
    Snapshot,
}

pub struct Plan {
    pub active: Vec<bool>,
    pub needed: Vec<bool>,
    /// Needed, and read by the reverse sweep as it was before a later assignment: the
    /// assignment's old value is given back (recorded, or undone for `+= 1`).
    pub restored: Vec<bool>,
    /// Defined in the function's own block, or a parameter.
    pub top: Vec<bool>,
    /// Bound by a `for` (rebound by the reversed loop).
    pub loop_var: Vec<bool>,
    /// Pushed at the end of its defining block.
    pub snapshot: Vec<bool>,
    /// Read again in the reverse sweep instead of recorded: an element of a read-only
    /// argument, at indices the reverse sweep has (`x[i]` of `x: &[f64]` in a loop).
    pub remat: Vec<bool>,
    /// For the `snap` variable of a call argument: the referent is recorded at the call
    /// (a `&mut` argument, or a place the function writes later).
    pub snap: Vec<bool>,
    /// Its adjoint's zero comes from a zero-sized type witness (not recorded, not in scope).
    pub witness: Vec<bool>,
    /// A witnessed value that may be a `Vec` (not known to be a scalar): its shape is
    /// recorded too, so that its adjoint has its length.
    pub shaped: Vec<bool>,
    pub tape: Vec<Option<TapeKind>>,
    /// Pullbacks only (`prune`): not computed by the forward sweep; a witness stands in.
    pub dead: Vec<bool>,
    /// Pullbacks only: recomputed by the reverse sweep (`remat`) and unused by the forward
    /// sweep, which skips it.
    pub skipped: Vec<bool>,
    /// Pullbacks only: a place nothing reads after the forward sweep writes it, so the
    /// writes are skipped (`&mut` outputs of a helper).
    pub unread: Vec<bool>,
    /// For a temporary `t = v ± n` (integer literal `n`) assigned back to `v`: the inverse
    /// operation and `n`.
    pub undo: Vec<Option<(BinOp, Operand)>>,
    /// For a recomputed read `x[idx]` whose index counter is incremented later in the same
    /// block (`idx += 1`): the counter and the inverse steps from its value at the end of
    /// the block, where the reverse sweep recomputes, back to its value at the read.
    pub counter_offsets: Vec<Vec<CounterOffset>>,
}

impl Plan {
    pub fn restores(&self, var: VarId, overwrites: bool) -> bool {
        overwrites && self.restored[var]
    }

    /// Whether `var = value` restores by recording the old value (not by an inverse).
    pub fn records_overwrite(&self, var: VarId, value: &Operand, overwrites: bool) -> bool {
        self.restores(var, overwrites) && self.undo_of(value).is_none()
    }

    /// `var = value` where `value` was computed as `var ± n` (an integer literal): the
    /// reverse sweep undoes it with `var ∓ n` instead of recording the old value.
    pub fn undo_of(&self, value: &Operand) -> Option<&(BinOp, Operand)> {
        value.var().and_then(|t| self.undo[t].as_ref())
    }

    /// Whether the reverse sweep has anything to do for `stmt`.
    pub fn stmt_has_reverse(&self, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Let {
                var,
                value: Rvalue::Call(call),
            } => self.call_active(*var, call) || self.snapshot[*var],
            Stmt::Let { var, .. } | Stmt::Declare { var } => {
                self.active[*var] || self.snapshot[*var]
            }
            Stmt::Assign {
                var, overwrites, ..
            } => self.active[*var] || self.restores(*var, *overwrites),
            Stmt::Store { place, .. } => self.active[place.base],
            Stmt::If { then, els, .. } => self.has_reverse(then) || self.has_reverse(els),
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => self.has_reverse(body),
            Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(..) => false,
        }
    }

    /// Whether a call has an active input or output, so its pullback runs.
    pub fn call_active(&self, result: VarId, call: &Call) -> bool {
        !call.passive
            && (self.active[result]
                || call
                    .inputs()
                    .iter()
                    .chain(call.written().collect::<Vec<_>>().iter())
                    .any(|v| self.active[*v]))
    }

    pub fn has_reverse(&self, block: &Block) -> bool {
        block.stmts.iter().any(|s| self.stmt_has_reverse(s))
    }
}

/// `readonly[v]`: `v` is an argument behind a shared reference, so its elements cannot
/// change during the call and can be read again instead of recorded.
pub fn plan(body: &Body, active: Vec<bool>, readonly: &[bool]) -> Plan {
    let n = body.vars.len();
    let mut top = vec![false; n];
    for (v, info) in body.vars.iter().enumerate() {
        top[v] = matches!(info.origin, Origin::Param(_));
    }
    for stmt in &body.block.stmts {
        if let Some(v) = defined_here(stmt) {
            top[v] = true;
        }
    }
    let mut loop_var = vec![false; n];
    let mut defined_in_loop = vec![false; n];
    let mut assigned_in_loop = vec![false; n];
    let mut reassigned = vec![false; n];
    let mut recorded_assigns = vec![0usize; n];
    let undo = undoable_increments(body);
    for_each_stmt(&body.block, false, &mut |stmt, in_loop| match stmt {
        Stmt::Let { var, value } => {
            defined_in_loop[*var] = in_loop;
            // Changed in place by a call: not available for recomputation.
            if let Rvalue::Call(call) = value {
                call.written().for_each(|b| reassigned[b] = true);
                if !call.passive {
                    call.recv.iter().for_each(|r| reassigned[r.base] = true);
                }
            }
        }
        Stmt::Declare { var } => defined_in_loop[*var] = in_loop,
        Stmt::For { var, counter, .. } => {
            loop_var[*var] = true;
            // Trip counters are incremented by the loop itself.
            counter.iter().for_each(|c| reassigned[*c] = true);
        }
        Stmt::Loop { counter, .. } => counter.iter().for_each(|c| reassigned[*c] = true),

        Stmt::Assign {
            var,
            value,
            overwrites: true,
        } => {
            reassigned[*var] = true;
            if value.var().and_then(|t| undo[t].as_ref()).is_none() {
                assigned_in_loop[*var] |= in_loop;
                recorded_assigns[*var] += 1;
            }
        }
        // Changed in place: not available for recomputation either (`let prev = u;` then
        // `u[0] = ..`).
        Stmt::Store { place, .. } => reassigned[place.base] = true,
        _ => {}
    });
    let mut plan = Plan {
        active,
        needed: vec![false; n],
        restored: vec![false; n],
        top,
        loop_var,
        snapshot: vec![false; n],
        remat: vec![false; n],
        snap: vec![false; n],
        witness: vec![false; n],
        shaped: vec![false; n],
        tape: vec![None; n],
        counter_offsets: counter_offsets(&body.block, &undo, n),
        dead: vec![false; n],
        skipped: vec![false; n],
        unread: vec![false; n],
        undo,
    };
    let later = crate::passes::order::written_after_call(&body.block);
    let mut remat_before = 0;
    for_each_stmt(&body.block, false, &mut |stmt, _| {
        if let Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } = stmt
        {
            if plan.call_active(*var, call) {
                for a in &call.args {
                    if let CallArg::Ref { mutable, snap, .. } = a {
                        plan.snap[*snap] = *mutable || later.contains(snap);
                    }
                }
            }
        }
    });
    loop {
        for_each_stmt(&body.block, false, &mut |stmt, _| {
            let Stmt::Let { var, value } = stmt else {
                return;
            };
            // Recomputed at the start of the block's reverse: the operands must hold the
            // same values there, so none is ever reassigned.
            let available = |v: VarId| {
                (plan.top[v] || plan.loop_var[v] || plan.needed[v] || plan.remat[v])
                    && !reassigned[v]
            };
            let operands: Option<Vec<VarId>> = match value {
                // An element of a read-only argument (at a counter's value before later
                // increments, if it must).
                Rvalue::Read(place) if readonly[place.base] => {
                    let adjusted = &plan.counter_offsets[*var];
                    if adjusted
                        .iter()
                        .any(|(c, _)| !plan.top[*c] && !plan.needed[*c])
                    {
                        None
                    } else {
                        Some(
                            place
                                .index_vars()
                                .filter(|v| !adjusted.iter().any(|(c, _)| c == v))
                                .collect(),
                        )
                    }
                }
                // Arithmetic: cheaper to redo than to push and pop (index arithmetic, and
                // active values such as `x[i + 1] - x[i] * x[i]` from read-only inputs).
                Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _, _) => {
                    Some(op.var().into_iter().collect())
                }
                Rvalue::Binary(_, a, b) => Some(a.var().into_iter().chain(b.var()).collect()),
                _ => None,
            };
            if let Some(operands) = operands {
                plan.remat[*var] =
                    !plan.top[*var] && !reassigned[*var] && operands.into_iter().all(available);
            }
        });
        for v in 0..n {
            plan.snapshot[v] =
                plan.needed[v] && !plan.top[v] && !plan.loop_var[v] && !plan.remat[v];
        }

        let mut newly = Vec::new();
        for_each_stmt(&body.block, false, &mut |stmt, _| {
            newly.extend(needs_of(&plan, stmt))
        });
        let before = plan.needed.iter().filter(|b| **b).count();
        for v in newly {
            plan.needed[v] = true;
        }
        // Restoring a value makes its assignments part of the reverse sweep, whose
        // branches and loops then need their conditions and trip counts.
        let restored = crate::passes::order::restored_vars(&body.block, n, |s| needs_of(&plan, s));
        let restored_before = plan.restored.iter().filter(|b| **b).count();
        for (v, r) in restored.into_iter().enumerate() {
            plan.restored[v] = plan.needed[v] && r;
        }
        let restored_now = plan.restored.iter().filter(|b| **b).count();
        let remat_now = plan.remat.iter().filter(|b| **b).count();
        if plan.needed.iter().filter(|b| **b).count() == before
            && remat_now == remat_before
            && restored_now == restored_before
        {
            break;
        }
        remat_before = remat_now;
    }
    let scalar = crate::reverse::prune::scalar_values(body);
    for v in 0..n {
        plan.witness[v] = plan.active[v] && !plan.top[v] && !plan.needed[v] && !plan.loop_var[v];
        plan.shaped[v] = plan.witness[v] && !scalar[v];
        let overwritten = plan.restored[v] && assigned_in_loop[v];
        let in_loop = plan.snapshot[v] && defined_in_loop[v];
        plan.tape[v] = if plan.snap[v] {
            Some(TapeKind::Snapshot)
        } else if in_loop || overwritten {
            Some(TapeKind::Tape)
        } else if plan.snapshot[v] || plan.restored[v] && recorded_assigns[v] > 0 {
            // Pushed outside loops: a slot when at most once per call.
            let restores = if plan.restored[v] {
                recorded_assigns[v]
            } else {
                0
            };
            let pushes = usize::from(plan.snapshot[v]) + restores;
            Some(if pushes == 1 {
                TapeKind::Slot
            } else {
                TapeKind::Tape
            })
        } else {
            None
        };
    }
    plan
}

/// See [`Plan::counter_offsets`]: for each read `let x = a[.., c, ..]` at position `i` of
/// its block, every index `c` reassigned after it in that block only by increments at the
/// block's own level (not in nested blocks).
fn counter_offsets(
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
            Stmt::If { then, els, .. } => {
                offsets_in(then, undo, out);
                offsets_in(els, undo, out);
            }
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => offsets_in(body, undo, out),
            _ => {}
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
            Stmt::If { .. } | Stmt::For { .. } | Stmt::Loop { .. } => {
                let mut touched = false;
                for_each_stmt(
                    &Block {
                        stmts: vec![stmt.clone()],
                    },
                    false,
                    &mut |s, _| {
                        touched |= matches!(s, Stmt::Assign { var, .. } if *var == c);
                    },
                );
                if touched {
                    return None;
                }
            }
            _ => {}
        }
    }
    steps.reverse();
    Some(steps)
}

/// Temporaries `t = v + n` / `t = v - n` (integer literal `n`, the form `+=` lowers to)
/// that are assigned back to `v`: integer counters, undone exactly by the inverse.
fn undoable_increments(body: &Body) -> Vec<Option<(BinOp, Operand)>> {
    let mut defs: Vec<Option<(VarId, BinOp, Operand)>> = vec![None; body.vars.len()];
    for_each_stmt(&body.block, false, &mut |stmt, _| {
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
    for_each_stmt(&body.block, false, &mut |stmt, _| {
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

/// The primal values the reverse of `stmt` reads.
fn needs_of(plan: &Plan, stmt: &Stmt) -> Vec<VarId> {
    let active = |op: &Operand| op.var().is_some_and(|v| plan.active[v]);
    let mut out = Vec::new();
    let mut add = |op: &Operand| out.extend(op.var());
    match stmt {
        // A recomputed value needs its operands.
        Stmt::Let { var, value } if plan.remat[*var] && plan.needed[*var] => match value {
            Rvalue::Read(place) => out.extend(place.index_vars()),
            Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _, _) => add(op),
            Rvalue::Binary(_, a, b) => {
                add(a);
                add(b);
            }
            _ => {}
        },
        // An active `Vec` made in a nested block: its adjoint takes its length from it, so
        // it is recorded (a type witness gives no length).
        Stmt::Let { var, value }
            if plan.active[*var]
                && !plan.top[*var]
                && matches!(
                    value,
                    Rvalue::VecRepeat(..) | Rvalue::VecList(_) | Rvalue::Copy(..)
                ) =>
        {
            out.push(*var);
            // `rows[i - 1].clone()`: its adjoint flows back to `d_rows[i - 1]`.
            if let Rvalue::Copy(place, _) = value {
                out.extend(place.index_vars());
            }
        }
        // A pullback runs the callee again on the same arguments.
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } if plan.call_active(*var, call) => {
            if let Some(recv) = &call.recv {
                out.extend(recv.index_vars());
                out.push(recv.base);
            }
            for a in &call.args {
                match a {
                    CallArg::Value(op) => out.extend(op.var()),

                    // The referent is passed live, or restored from its record in place.
                    CallArg::Ref { place, .. } => {
                        out.extend(place.index_vars());
                        out.push(place.base);
                    }
                }
            }
        }

        Stmt::Let { var, value } if plan.active[*var] => match value {
            Rvalue::Read(place) | Rvalue::Copy(place, _) => out.extend(place.index_vars()),
            // Each active operand's rule reads what its table entry uses (`a * b`: the
            // other operand).
            rv => {
                if let Some((prim, ops)) = rv.primitive() {
                    for (k, _) in ops.iter().enumerate().filter(|(_, op)| active(op)) {
                        let needs = crate::rules::needs(prim, k);
                        for (_, op) in ops.iter().enumerate().filter(|(j, _)| needs.arg(*j)) {
                            add(op);
                        }
                        if needs.result {
                            add(&Operand::Var(*var));
                        }
                    }
                }
            }
        },
        Stmt::Store { place, .. } if plan.active[place.base] => out.extend(place.index_vars()),
        Stmt::If { cond, .. } if plan.stmt_has_reverse(stmt) => add(cond),
        Stmt::For { range, counter, .. } if plan.stmt_has_reverse(stmt) => {
            add(&range.start);
            add(&range.end);
            for a in &range.adaptors {
                if let RangeAdaptor::StepBy(k) = a {
                    add(k);
                }
            }
            out.extend(*counter);
        }
        Stmt::Loop { counter, .. } if plan.stmt_has_reverse(stmt) => out.extend(*counter),
        _ => {}
    }
    out
}
