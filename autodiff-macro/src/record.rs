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

use crate::activity::for_each_stmt;
use crate::ir::*;

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
    pub tape: Vec<Option<TapeKind>>,
}

impl Plan {
    pub fn restores(&self, var: VarId, overwrites: bool) -> bool {
        overwrites && self.needed[var]
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
    let mut mutated = vec![false; n];
    let mut reassigned = vec![false; n];
    for_each_stmt(&body.block, false, &mut |stmt, in_loop| match stmt {
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } => {
            defined_in_loop[*var] = in_loop;
            call.written().for_each(|v| mutated[v] = true);
        }
        Stmt::Store { place, .. } => mutated[place.base] = true,
        Stmt::Let { var, .. } | Stmt::Declare { var } => defined_in_loop[*var] = in_loop,
        Stmt::For { var, .. } => loop_var[*var] = true,
        Stmt::Assign {
            var,
            overwrites: true,
            ..
        } => {
            assigned_in_loop[*var] |= in_loop;
            mutated[*var] = true;
            reassigned[*var] = true;
        }
        _ => {}
    });
    let mut plan = Plan {
        active,
        needed: vec![false; n],
        top,
        loop_var,
        snapshot: vec![false; n],
        remat: vec![false; n],
        snap: vec![false; n],
        witness: vec![false; n],
        tape: vec![None; n],
    };
    for_each_stmt(&body.block, false, &mut |stmt, _| {
        if let Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } = stmt
        {
            if plan.call_active(*var, call) {
                for a in &call.args {
                    if let CallArg::Ref {
                        place,
                        mutable,
                        snap,
                    } = a
                    {
                        plan.snap[*snap] = *mutable || mutated[place.base];
                    }
                }
            }
        }
    });
    loop {
        for_each_stmt(&body.block, false, &mut |stmt, _| {
            if let Stmt::Let {
                var,
                value: Rvalue::Read(place),
            } = stmt
            {
                // Re-read at the start of the block's reverse: the indices must hold the
                // same values there, so they are never reassigned.
                let available = |v: VarId| {
                    (plan.top[v] || plan.loop_var[v] || plan.needed[v]) && !reassigned[v]
                };
                plan.remat[*var] = !plan.top[*var]
                    && !reassigned[*var]
                    && readonly[place.base]
                    && place.index_vars().all(available);
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
        if plan.needed.iter().filter(|b| **b).count() == before {
            break;
        }
    }
    for v in 0..n {
        plan.witness[v] = plan.active[v] && !plan.top[v] && !plan.needed[v] && !plan.loop_var[v];
        let overwritten = plan.needed[v] && assigned_in_loop[v];
        let in_loop = plan.snapshot[v] && defined_in_loop[v];
        plan.tape[v] = if plan.snap[v] {
            Some(TapeKind::Snapshot)
        } else if in_loop || overwritten {

            Some(TapeKind::Tape)
        } else if plan.snapshot[v]
            || plan.needed[v] && has_overwrite(&body.block, v)
        {
            Some(TapeKind::Slot)
        } else {
            None
        };
    }
    plan
}

fn has_overwrite(block: &Block, v: VarId) -> bool {
    let mut found = false;
    for_each_stmt(block, false, &mut |stmt, _| {
        if let Stmt::Assign {
            var,
            overwrites: true,
            ..
        } = stmt
        {
            found |= *var == v;
        }
    });
    found
}

/// The primal values the reverse of `stmt` reads.
fn needs_of(plan: &Plan, stmt: &Stmt) -> Vec<VarId> {
    let active = |op: &Operand| op.var().is_some_and(|v| plan.active[v]);
    let mut out = Vec::new();
    let mut add = |op: &Operand| out.extend(op.var());
    match stmt {
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

                    CallArg::Ref { place, snap, .. } => {
                        out.extend(place.index_vars());
                        if !plan.snap[*snap] {
                            out.push(place.base);
                        }
                    }
                }
            }
        }

        Stmt::Let { var, value } if plan.active[*var] => match value {
            Rvalue::Read(place) => out.extend(place.index_vars()),
            Rvalue::Binary(op, a, b) => {
                let needs = op.needs();
                if needs.args {
                    // `a * b`: each adjoint reads the other operand; `a / b` and `a % b` read both.
                    if *op == BinOp::Mul {
                        if active(a) {
                            add(b);
                        }
                        if active(b) {
                            add(a);
                        }
                    } else {
                        add(a);
                        add(b);
                    }
                }
                if needs.result {
                    out.push(*var);
                }
            }
            Rvalue::Math(f, args) => {
                let needs = f.needs();
                if needs.args {
                    args.iter().for_each(&mut add);
                }
                if needs.result {
                    out.push(*var);
                }
            }
            _ => {}
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
