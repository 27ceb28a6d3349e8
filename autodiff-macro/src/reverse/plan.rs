//! Step 4a: the to-be-recorded analysis. Decides which primal values the reverse sweep
//! reads, and how each gets there ([`Reach`]):
//!
//! - a value defined in the function's own block stays in scope: nothing to record;
//! - a value defined in a nested block (loop body, branch) is recomputed at the start of
//!   the block's reverse when its operands are still there, or else pushed at the end of
//!   that block and popped when the reverse sweep enters it;
//! - a value overwritten by an assignment has its old value pushed before the assignment
//!   (or undone, for `+= 1`) and restored when the reverse sweep undoes it.
//!
//! Linear operations need no primal value, so `s += x[i]` records nothing; a loop-free
//! function records nothing at all (its values are all in scope). Each recorded variable
//! has its own tape: a `Slot` (never allocates) when it is pushed at most once per call.
//!
//! [`plan`] runs the analyses in order: `scopes`, then what changes each variable and how
//! it is undone (`recording`), `needed_values` (a fixpoint of what is recomputed, needed and
//! restored), then `adjoint_zeros` and `recording::tape_kinds` from their results.

use crate::ir::walk::for_each_stmt;
use crate::ir::*;
use crate::reverse::recording::{
    changes, counter_offsets, snapshotted_referents, tape_kinds, undoable_increments, Changes,
};

/// A counter read before later increments in its block, and the inverse steps back to its
/// value at the read (see [`VarPlan::counter_offsets`]).
pub type CounterOffset = (VarId, Vec<(BinOp, Operand)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TapeKind {
    Slot,
    Tape,
    /// Call arguments' referents, flattened into one buffer (the runtime's `SnapshotTape`).
    Snapshot,
}

/// Where a variable is bound, as the reverse sweep sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A parameter, or defined in the function's own block: in scope all along.
    Top,
    /// Bound by a `for`, and rebound by the reversed loop.
    LoopVar,
    /// Defined in a nested block (a branch, a loop body).
    Nested,
}

/// How the reverse sweep gets a variable's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The reverse sweep does not read it.
    NotNeeded,
    /// Read, and in scope there ([`Scope::Top`] or [`Scope::LoopVar`]).
    InScope,
    /// Read, and computed again at the start of its block's reverse: an element of a
    /// read-only argument, or arithmetic on values that are still there.
    Recomputed,
    /// Read, and pushed at the end of its defining block, popped when the reverse sweep
    /// enters it.
    RecordedAtEnd,
}

/// Where the adjoint's zero comes from, in the block that defines the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZeroFrom {
    /// `zero_like(&x)`: the value is there.
    Value,
    /// An active value neither in scope nor read by the reverse sweep: a zero-sized type
    /// witness taken at the end of its block.
    Witness,
    /// As `Witness`, for a value that may be a `Vec` (not known to be a scalar): its
    /// shape is recorded too, so that its adjoint has its length.
    WitnessAndShape,
}

/// What a pullback's forward sweep does with a value (see `prune`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forward {
    Computed,
    /// Not computed: the reverse sweep recomputes it ([`Reach::Recomputed`]); a witness
    /// stands in for its type.
    Deferred,
    /// Not computed, nor read by anything: a witness stands in for its type.
    Dead,
}

/// The plan for one variable.
#[derive(Clone, Debug)]
pub struct VarPlan {
    pub scope: Scope,
    pub reach: Reach,
    /// Read by the reverse sweep as it was before a later assignment: the assignment's
    /// old value is given back (recorded, or undone for `+= 1`).
    pub restored: bool,
    /// For the `snap` variable of a call's reference argument: the referent is
    /// snapshotted at the call (a `&mut` argument, or a place the function writes later).
    pub referent_snapshot: bool,
    pub zero: ZeroFrom,
    /// The tape its recorded values go on.
    pub tape: Option<TapeKind>,
    /// For a temporary `t = v ± n` (integer literal `n`) assigned back to `v`: the inverse
    /// operation and `n`.
    pub inverse: Option<(BinOp, Operand)>,
    /// For a recomputed read `x[idx]` whose index counter is incremented later in the same
    /// block (`idx += 1`): the counter and the inverse steps from its value at the end of
    /// the block, where the reverse sweep recomputes, back to its value at the read.
    pub counter_offsets: Vec<CounterOffset>,
    /// Pullbacks only.
    pub forward: Forward,
    /// Pullbacks only: a place nothing reads after the forward sweep writes it, so the
    /// writes are skipped (`&mut` outputs of a helper).
    pub writes_unread: bool,
}

pub struct Plan {
    /// The activity analysis' result, which the plan starts from.
    pub active: Vec<bool>,
    pub vars: Vec<VarPlan>,
}

impl Plan {
    /// Whether the reverse sweep reads `var` (in scope, recomputed or recorded).
    pub fn needed(&self, var: VarId) -> bool {
        self.vars[var].reach != Reach::NotNeeded
    }

    pub fn recomputed(&self, var: VarId) -> bool {
        self.vars[var].reach == Reach::Recomputed
    }

    pub fn recorded_at_end(&self, var: VarId) -> bool {
        self.vars[var].reach == Reach::RecordedAtEnd
    }

    /// Its adjoint's zero comes from a type witness (with a recorded shape or not).
    pub fn zero_from_witness(&self, var: VarId) -> bool {
        self.vars[var].zero != ZeroFrom::Value
    }

    /// Its shape is recorded for its adjoint's zero.
    pub fn shape_recorded(&self, var: VarId) -> bool {
        self.vars[var].zero == ZeroFrom::WitnessAndShape
    }

    /// Pullbacks only: not computed by the forward sweep, nor read by the reverse sweep.
    pub fn dead(&self, var: VarId) -> bool {
        self.vars[var].forward == Forward::Dead
    }

    /// Pullbacks only: not computed by the forward sweep, but recomputed by the reverse.
    pub fn deferred(&self, var: VarId) -> bool {
        self.vars[var].forward == Forward::Deferred
    }

    pub fn restores(&self, var: VarId, overwrites: bool) -> bool {
        overwrites && self.vars[var].restored
    }

    /// Whether `var = value` restores by recording the old value (not by an inverse).
    pub fn records_overwrite(&self, var: VarId, value: &Operand, overwrites: bool) -> bool {
        self.restores(var, overwrites) && self.inverse_of(value).is_none()
    }

    /// `var = value` where `value` was computed as `var ± n` (an integer literal): the
    /// reverse sweep undoes it with `var ∓ n` instead of recording the old value.
    pub fn inverse_of(&self, value: &Operand) -> Option<&(BinOp, Operand)> {
        value.var().and_then(|t| self.vars[t].inverse.as_ref())
    }

    /// Whether the reverse sweep has anything to do for `stmt`.
    pub fn stmt_has_reverse(&self, stmt: &Stmt) -> bool {
        stmt_has_reverse(stmt, &self.active, &|v| self.recorded_at_end(v), &|v| {
            self.vars[v].restored
        })
    }

    /// Whether a call's pullback runs: some argument (the receiver, a value, a place)
    /// carries a derivative, so its pattern has a letter other than `c`, and so does
    /// something the call changes (its result, a place it writes). Activity is per
    /// variable: `let mut s = h(c); s *= w;` makes `s` active though this value of it is
    /// constant (there is no all-`Const` pullback to ask for), and a result nobody reads
    /// (`let v = h(x);`) needs no pullback (nor a seed of its shape).
    pub fn call_active(&self, result: VarId, call: &Call) -> bool {
        call_active(&self.active, result, call)
    }

    /// Whether some argument of a call carries a derivative.
    pub fn call_varied(&self, call: &Call) -> bool {
        call_varied(&self.active, call)
    }
}

pub(crate) fn call_active(active: &[bool], result: VarId, call: &Call) -> bool {
    call_varied(active, call)
        && crate::passes::activity::call_outputs(result, call)
            .iter()
            .any(|v| active[*v])
}

fn call_varied(active: &[bool], call: &Call) -> bool {
    !call.passive && call.inputs().iter().any(|v| active[*v])
}

fn stmt_has_reverse(
    stmt: &Stmt,
    active: &[bool],
    recorded_at_end: &dyn Fn(VarId) -> bool,
    restored: &dyn Fn(VarId) -> bool,
) -> bool {
    let nested = || {
        stmt.blocks().into_iter().any(|(b, _)| {
            b.stmts
                .iter()
                .any(|s| stmt_has_reverse(s, active, recorded_at_end, restored))
        })
    };
    match stmt {
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } => {
            call_active(active, *var, call)
                || recorded_at_end(*var)
                || call.changed().into_iter().any(restored)
        }
        Stmt::Let { var, .. } | Stmt::Declare { var } => active[*var] || recorded_at_end(*var),
        Stmt::Assign {
            var, overwrites, ..
        } => active[*var] || *overwrites && restored(*var),
        Stmt::Store { place, .. } => active[place.base],
        Stmt::If { .. } | Stmt::For { .. } | Stmt::Loop { .. } => nested(),
        Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(..) => false,
    }
}

/// `readonly[v]`: `v` is an argument behind a shared reference, so its elements cannot
/// change during the call and can be read again instead of recorded.
pub fn plan(body: &Body, active: Vec<bool>, readonly: &[bool]) -> Plan {
    let n = body.vars.len();
    let scope = scopes(body);
    let inverse = undoable_increments(body);
    let changes = changes(body, &inverse);
    let counter_offsets = counter_offsets(&body.block, &inverse, n);
    let snapshots = snapshotted_referents(body, &active);
    let needs = needed_values(body, &active, &scope, readonly, &changes, &counter_offsets);
    let zeros = adjoint_zeros(body, &active, &scope, &needs.needed);
    let tapes = tape_kinds(
        &needs.recorded_at_end,
        &needs.restored,
        &changes,
        &snapshots,
    );
    let vars = (0..n)
        .map(|v| VarPlan {
            scope: scope[v],
            reach: needs.reach(v),
            restored: needs.restored[v],
            referent_snapshot: snapshots[v],
            zero: zeros[v],
            tape: tapes[v],
            inverse: inverse[v].clone(),
            counter_offsets: counter_offsets[v].clone(),
            forward: Forward::Computed,
            writes_unread: false,
        })
        .collect();
    Plan { active, vars }
}

// from: `fn f(x: f64, n: usize) { let a = ..; for i in 0..n { let t = ..; } }`
// into: `x`, `a`, `n`: `Top`; `i`: `LoopVar`; `t`: `Nested`
fn scopes(body: &Body) -> Vec<Scope> {
    let mut scope = vec![Scope::Nested; body.vars.len()];
    for (v, info) in body.vars.iter().enumerate() {
        if let Origin::Param(_) = info.origin {
            scope[v] = Scope::Top;
        }
    }
    for stmt in &body.block.stmts {
        if let Some(v) = defined_here(stmt) {
            scope[v] = Scope::Top;
        }
    }
    for_each_stmt(&body.block, &mut |stmt, _| {
        if let Stmt::For { var, .. } = stmt {
            scope[*var] = Scope::LoopVar;
        }
    });
    scope
}

/// The state of [`needed_values`]' fixpoint; `needs_of` reads it.
struct Needs<'a> {
    active: &'a [bool],
    scope: &'a [Scope],
    needed: Vec<bool>,
    /// Could be computed again in the reverse sweep (whether needed or not).
    recomputable: Vec<bool>,
    /// Needed, nested, and not recomputable: pushed at the end of its block.
    recorded_at_end: Vec<bool>,
    restored: Vec<bool>,
}

impl Needs<'_> {
    fn reach(&self, v: VarId) -> Reach {
        if !self.needed[v] {
            Reach::NotNeeded
        } else if self.scope[v] != Scope::Nested {
            Reach::InScope
        } else if self.recomputable[v] {
            Reach::Recomputed
        } else {
            Reach::RecordedAtEnd
        }
    }

    fn recomputed(&self, v: VarId) -> bool {
        self.recomputable[v] && self.needed[v]
    }

    fn call_active(&self, result: VarId, call: &Call) -> bool {
        call_active(self.active, result, call)
    }

    fn stmt_has_reverse(&self, stmt: &Stmt) -> bool {
        stmt_has_reverse(stmt, self.active, &|v| self.recorded_at_end[v], &|v| {
            self.restored[v]
        })
    }

    fn count(flags: &[bool]) -> usize {
        flags.iter().filter(|b| **b).count()
    }
}

// from: `for i in 0..n { let a = x[i]; let t = a.sin(); s = s + t * t; }` (`x: &[f64]`)
// into: `t` needed (`t * t`), recorded at the end of the body; `a` needed (`sin`),
//       recomputed from `x[i]`; `i` needed, in scope in the reversed loop; `s` not needed
fn needed_values<'a>(
    body: &Body,
    active: &'a [bool],
    scope: &'a [Scope],
    readonly: &[bool],
    changes: &Changes,
    counter_offsets: &[Vec<CounterOffset>],
) -> Needs<'a> {
    let n = body.vars.len();
    let mut plan = Needs {
        active,
        scope,
        needed: vec![false; n],
        recomputable: vec![false; n],
        recorded_at_end: vec![false; n],
        restored: vec![false; n],
    };
    let mut recomputable_before = 0;
    loop {
        recomputable_values(body, &mut plan, readonly, changes, counter_offsets);
        plan.recorded_at_end = (0..n)
            .map(|v| plan.needed[v] && scope[v] == Scope::Nested && !plan.recomputable[v])
            .collect();
        let mut newly = Vec::new();
        for_each_stmt(&body.block, &mut |stmt, _| {
            newly.extend(needs_of(&plan, stmt))
        });
        let before = Needs::count(&plan.needed);
        for v in newly {
            plan.needed[v] = true;
        }
        // Restoring a value makes its assignments part of the reverse sweep, whose
        // branches and loops then need their conditions and trip counts.
        let restored = crate::passes::order::restored_vars(&body.block, n, |s| needs_of(&plan, s));
        let restored_before = Needs::count(&plan.restored);
        for (v, r) in restored.into_iter().enumerate() {
            plan.restored[v] = plan.needed[v] && r;
        }
        let recomputable_now = Needs::count(&plan.recomputable);
        if Needs::count(&plan.needed) == before
            && recomputable_now == recomputable_before
            && Needs::count(&plan.restored) == restored_before
        {
            break;
        }
        recomputable_before = recomputable_now;
    }
    plan
}

/// One pass of what the reverse sweep can compute again at the start of a block's
/// reverse: its operands must hold the same values there, so none is ever reassigned.
fn recomputable_values(
    body: &Body,
    plan: &mut Needs,
    readonly: &[bool],
    changes: &Changes,
    counter_offsets: &[Vec<CounterOffset>],
) {
    let reassigned = &changes.reassigned;
    for_each_stmt(&body.block, &mut |stmt, _| {
        let Stmt::Let { var, value } = stmt else {
            return;
        };
        let available = |v: VarId| {
            (plan.scope[v] != Scope::Nested || plan.needed[v] || plan.recomputable[v])
                && !reassigned[v]
        };
        let operands: Option<Vec<VarId>> = match value {
            // An element of a read-only argument (at a counter's value before later
            // increments, if it must).
            Rvalue::Read(place) if readonly[place.base] => {
                let adjusted = &counter_offsets[*var];
                if adjusted
                    .iter()
                    .any(|(c, _)| plan.scope[*c] != Scope::Top && !plan.needed[*c])
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
            Rvalue::Read(_)
            | Rvalue::Copy(..)
            | Rvalue::Math(..)
            | Rvalue::Array(_)
            | Rvalue::Struct(..)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => None,
        };
        if let Some(operands) = operands {
            let r = plan.scope[*var] != Scope::Top
                && !reassigned[*var]
                && operands.into_iter().all(available);
            plan.recomputable[*var] = r;
        }
    });
}

// from: `for i in 0..n { let t = x[i] * w; let v = vec![t; 2]; }` (`t`, `v` active,
//       neither needed)
// into: `t`: `Witness`; `v`: `WitnessAndShape`; `x`, `w`: `Value`
fn adjoint_zeros(body: &Body, active: &[bool], scope: &[Scope], needed: &[bool]) -> Vec<ZeroFrom> {
    let scalar = crate::reverse::prune::scalar_values(body);
    (0..body.vars.len())
        .map(|v| {
            if !(active[v] && scope[v] == Scope::Nested && !needed[v]) {
                ZeroFrom::Value
            } else if scalar[v] {
                ZeroFrom::Witness
            } else {
                ZeroFrom::WitnessAndShape
            }
        })
        .collect()
}

/// The primal values the reverse of `stmt` reads.
fn needs_of(plan: &Needs, stmt: &Stmt) -> Vec<VarId> {
    let active = |op: &Operand| op.var().is_some_and(|v| plan.active[v]);
    let mut out = Vec::new();
    let mut add = |op: &Operand| out.extend(op.var());
    match stmt {
        // A recomputed value needs its operands.
        Stmt::Let { var, value } if plan.recomputed(*var) => match value {
            Rvalue::Read(place) => out.extend(place.index_vars()),
            Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _, _) => add(op),
            Rvalue::Binary(_, a, b) => {
                add(a);
                add(b);
            }
            // Never recomputed (see `plan`).
            Rvalue::Copy(..)
            | Rvalue::Math(..)
            | Rvalue::Array(_)
            | Rvalue::Struct(..)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => {}
        },
        // An active `Vec` made in a nested block: its adjoint takes its length from it, so
        // it is recorded (a type witness gives no length).
        Stmt::Let { var, value }
            if plan.active[*var]
                && plan.scope[*var] != Scope::Top
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
            // A result nobody reads still gets a seed of its shape (`dead_seed`).
            if !plan.active[*var] {
                out.push(*var);
            }
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
            Rvalue::Read(place) | Rvalue::Copy(place, _) | Rvalue::Bind(place, ..) => {
                out.extend(place.index_vars())
            }
            // Each active operand's rule reads what its table entry uses (`a * b`: the
            // other operand).
            rv @ (Rvalue::Unary(..) | Rvalue::Binary(..) | Rvalue::Math(..) | Rvalue::Cast(..)) => {
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
            // Linear, or not differentiated: no primal value needed.
            Rvalue::Use(_)
            | Rvalue::Array(_)
            | Rvalue::Struct(..)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::ZeroOf(_) => {}
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
    out
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
