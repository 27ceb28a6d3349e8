//! Step 4a, continued: what may run after what. The reverse sweep reads a variable's value
//! as it was at some statement; whether a later write can have changed it decides what
//! must be recorded.

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

/// The `snap` variables of reference arguments whose place may be written after the call,
/// before the reverse sweep reads it: those must be recorded at the call.
pub fn written_after_call(block: &Block) -> Vec<VarId> {
    let mut writes: Vec<(VarId, Position)> = Vec::new();
    let mut reads: Vec<(VarId, VarId, Position)> = Vec::new();
    let (mut rank, mut loop_ids) = (0, 0);
    positions(
        block,
        &mut Vec::new(),
        &mut rank,
        &mut loop_ids,
        &mut writes,
        &mut reads,
    );
    reads
        .into_iter()
        .filter(|(_, base, at)| writes.iter().any(|(b, w)| b == base && at.may_run_after(w)))
        .map(|(snap, _, _)| snap)
        .collect()
}

fn positions(
    block: &Block,
    loops: &mut Vec<usize>,
    rank: &mut usize,
    loop_ids: &mut usize,
    writes: &mut Vec<(VarId, Position)>,
    reads: &mut Vec<(VarId, VarId, Position)>,
) {
    for stmt in &block.stmts {
        *rank += 1;
        let here = Position {
            rank: *rank,
            loops: loops.clone(),
        };
        match stmt {
            Stmt::Assign { var, .. } => writes.push((*var, here)),
            Stmt::Store { place, .. } => writes.push((place.base, here)),
            Stmt::Let {
                value: Rvalue::Call(call),
                ..
            } => {
                for a in &call.args {
                    if let CallArg::Ref {
                        place,
                        mutable,
                        snap,
                    } = a
                    {
                        reads.push((*snap, place.base, here.clone()));
                        if *mutable {
                            writes.push((place.base, here.clone()));
                        }
                    }
                }
            }
            Stmt::If { then, els, .. } => {
                positions(then, loops, rank, loop_ids, writes, reads);
                positions(els, loops, rank, loop_ids, writes, reads);
            }
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => {
                *loop_ids += 1;
                loops.push(*loop_ids);
                positions(body, loops, rank, loop_ids, writes, reads);
                loops.pop();
            }
            _ => {}
        }
    }
}

/// Calls `f` with each statement and its position, nested statements included.
pub fn walk<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt, &Position)) {
    fn go<'a>(
        block: &'a Block,
        loops: &mut Vec<usize>,
        rank: &mut usize,
        loop_ids: &mut usize,
        f: &mut impl FnMut(&'a Stmt, &Position),
    ) {
        for stmt in &block.stmts {
            *rank += 1;
            f(
                stmt,
                &Position {
                    rank: *rank,
                    loops: loops.clone(),
                },
            );
            match stmt {
                Stmt::If { then, els, .. } => {
                    go(then, loops, rank, loop_ids, f);
                    go(els, loops, rank, loop_ids, f);
                }
                Stmt::For { body, .. } | Stmt::Loop { body, .. } => {
                    *loop_ids += 1;
                    loops.push(*loop_ids);
                    go(body, loops, rank, loop_ids, f);
                    loops.pop();
                }
                _ => {}
            }
        }
    }
    go(block, &mut Vec::new(), &mut 0, &mut 0, f);
}

/// `restored[v]`: some assignment to `v` may run after a statement whose reverse reads `v`,
/// so the reverse sweep must give `v` its old value back at that assignment. A value read
/// only after its last assignment (`s.ln()` after the loop that sums `s`) is not restored.
pub fn restored_vars(block: &Block, n: usize, reads_of: impl Fn(&Stmt) -> Vec<VarId>) -> Vec<bool> {
    let mut reads: Vec<Vec<Position>> = vec![Vec::new(); n];
    let mut assigns: Vec<Vec<Position>> = vec![Vec::new(); n];
    walk(block, &mut |stmt, at| {
        for v in reads_of(stmt) {
            reads[v].push(at.clone());
        }
        if let Stmt::Assign {
            var,
            overwrites: true,
            ..
        } = stmt
        {
            assigns[*var].push(at.clone());
        }
    });
    (0..n)
        .map(|v| {
            assigns[v]
                .iter()
                .any(|a| reads[v].iter().any(|r| r.may_run_after(a)))
        })
        .collect()
}

/// Calls (their result variables) whose receiver may be changed after the call: the
/// pullback would see the changed receiver, and a receiver (`self`) cannot be recorded.
pub fn receivers_written_after(block: &Block) -> Vec<VarId> {
    let mut writes: Vec<(VarId, Position)> = Vec::new();
    let mut calls: Vec<(VarId, VarId, Position)> = Vec::new();
    walk(block, &mut |stmt, at| match stmt {
        Stmt::Assign { var, .. } => writes.push((*var, at.clone())),
        Stmt::Store { place, .. } => writes.push((place.base, at.clone())),
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } => {
            writes.extend(call.written().map(|b| (b, at.clone())));
            if let Some(recv) = &call.recv {
                calls.push((*var, recv.base, at.clone()));
            }
        }
        _ => {}
    });
    calls
        .into_iter()
        .filter(|(_, base, at)| writes.iter().any(|(b, w)| b == base && at.may_run_after(w)))
        .map(|(result, _, _)| result)
        .collect()
}
