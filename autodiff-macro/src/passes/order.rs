//! Step 4a, continued: what may run after what. The reverse sweep reads a variable's value
//! as it was at some statement; whether a later write can have changed it decides what
//! must be recorded.

use crate::ir::walk::{for_each_stmt, Site};
use crate::ir::*;

/// Where a statement sits: its rank in program order and the loops around it.
#[derive(Clone)]
pub struct Position {
    rank: usize,
    loops: Vec<usize>,
}

impl Position {
    /// Whether something at `other` can run after something here: it comes later, or a
    /// loop around both runs it again.
    pub fn may_run_after(&self, other: &Position) -> bool {
        other.rank > self.rank || other.loops.iter().any(|l| self.loops.contains(l))
    }
}

impl Position {
    /// Where `at` is, kept beyond the walk.
    pub fn of(at: &Site) -> Position {
        Position {
            rank: at.rank,
            loops: at.loops.to_vec(),
        }
    }
}

/// The `snap` variables of reference arguments whose place may be written after the call,
/// before the reverse sweep reads it: those must be recorded at the call.
pub fn written_after_call(block: &Block) -> Vec<VarId> {
    let mut writes: Vec<(VarId, Position)> = Vec::new();
    let mut reads: Vec<(VarId, VarId, Position)> = Vec::new();
    for_each_stmt(block, &mut |stmt, at| {
        let here = Position::of(at);
        match stmt {
            Stmt::Assign { var, .. } => writes.push((*var, here)),
            Stmt::Store { place, .. } => writes.push((place.base, here)),
            Stmt::Let {
                value: Rvalue::Call(call),
                ..
            } => {
                for a in &call.args {
                    match a {
                        CallArg::Ref {
                            place,
                            mutable,
                            snap,
                        } => {
                            reads.push((*snap, place.base, here.clone()));
                            if *mutable {
                                writes.push((place.base, here.clone()));
                            }
                        }
                        CallArg::Value(_) => {}
                    }
                }
            }
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::If { .. }
            | Stmt::For { .. }
            | Stmt::Loop { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => {}
        }
    });
    reads
        .into_iter()
        .filter(|(_, base, at)| writes.iter().any(|(b, w)| b == base && at.may_run_after(w)))
        .map(|(snap, _, _)| snap)
        .collect()
}

/// `restored[v]`: some write of `v` may run after a statement whose reverse reads `v`, so
/// the reverse sweep must give `v` its old value back at that write. Writes are
/// assignments, and calls that change `v` in place (`bump(&mut k)`, `k.add_assign(1)`),
/// whether differentiated or not. A value read only after its last write (`s.ln()` after
/// the loop that sums `s`) is not restored. A call's write does not count against a read of
/// `v` as the place a call is given (`h(&v)`, `v.get(x)`): that referent is snapshotted
/// at the call (`written_after_call`) and may not be `Clone`.
pub fn restored_vars(block: &Block, n: usize, reads_of: impl Fn(&Stmt) -> Vec<VarId>) -> Vec<bool> {
    // (where, whether as a place given to a call)
    let mut reads: Vec<Vec<(Position, bool)>> = vec![Vec::new(); n];
    // (where, whether by a call)
    let mut writes: Vec<Vec<(Position, bool)>> = vec![Vec::new(); n];
    for_each_stmt(block, &mut |stmt, at| {
        let given = places_given(stmt);
        for v in reads_of(stmt) {
            reads[v].push((Position::of(at), given.contains(&v)));
        }
        match stmt {
            Stmt::Assign {
                var,
                overwrites: true,
                ..
            } => writes[*var].push((Position::of(at), false)),
            Stmt::Let {
                value: Rvalue::Call(call),
                ..
            } => {
                for v in call.changed() {
                    writes[v].push((Position::of(at), true));
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
    });
    (0..n)
        .map(|v| {
            writes[v].iter().any(|(w, by_call)| {
                reads[v]
                    .iter()
                    .any(|(r, given)| !(*by_call && *given) && r.may_run_after(w))
            })
        })
        .collect()
}

/// The bases a call statement gives as places (receiver, references) and reads in no
/// other way (not as an index or a value argument).
fn places_given(stmt: &Stmt) -> Vec<VarId> {
    let Stmt::Let {
        value: value @ Rvalue::Call(_),
        ..
    } = stmt
    else {
        return Vec::new();
    };
    let places = value.places();
    let other: Vec<VarId> = places
        .iter()
        .flat_map(|p| p.index_vars())
        .chain(value.operands().into_iter().filter_map(Operand::var))
        .collect();
    places
        .iter()
        .map(|p| p.base)
        .filter(|b| !other.contains(b))
        .collect()
}

/// Calls (their result variables) whose receiver may be changed after the call: the
/// pullback would see the changed receiver, and a receiver (`self`) cannot be recorded.
pub fn receivers_written_after(block: &Block) -> Vec<VarId> {
    let mut writes: Vec<(VarId, Position)> = Vec::new();
    let mut calls: Vec<(VarId, VarId, Position)> = Vec::new();
    for_each_stmt(block, &mut |stmt, at| match stmt {
        Stmt::Assign { var, .. } => writes.push((*var, Position::of(at))),
        Stmt::Store { place, .. } => writes.push((place.base, Position::of(at))),
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } => {
            writes.extend(call.written().map(|b| (b, Position::of(at))));
            if let Some(recv) = &call.recv {
                calls.push((*var, recv.base, Position::of(at)));
            }
        }
        Stmt::Let { .. }
        | Stmt::Declare { .. }
        | Stmt::If { .. }
        | Stmt::For { .. }
        | Stmt::Loop { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => {}
    });
    calls
        .into_iter()
        .filter(|(_, base, at)| writes.iter().any(|(b, w)| b == base && at.may_run_after(w)))
        .map(|(result, _, _)| result)
        .collect()
}
