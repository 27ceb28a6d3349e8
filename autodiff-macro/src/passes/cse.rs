//! Step 3b: repeated reads of one element of a read-only argument share one variable.
//!
//! `x[i] * x[i]` reads `x[i]` twice; each read would add its adjoint into `d_x[i]`
//! separately, a bounds-checked read-modify-write of memory each. Sharing the first read
//! adds the two contributions in a register and writes `d_x[i]` once. Only reads of
//! arguments behind `&` qualify (their elements cannot change during the call), at indices
//! that are constants or variables never reassigned.

use std::collections::{HashMap, HashSet};

use crate::ir::walk::for_each_stmt;
use crate::ir::*;

// from: `let x5 = x[i]; let x6 = x[i]; let t7 = x5 * x6;`
// into: `let x5 = x[i]; let x6 = x5;    let t7 = x5 * x6;`
pub fn share_reads(body: &mut Body, readonly: &[bool]) {
    let mut reassigned = HashSet::new();
    for_each_stmt(&body.block, &mut |stmt, _| match stmt {
        Stmt::Assign { var, .. } => {
            reassigned.insert(*var);
        }
        Stmt::For { counter, .. } | Stmt::Loop { counter, .. } => reassigned.extend(*counter),
        // `bump(&mut k)` or `k.add_assign(1)` between two reads of `x[k]`.
        Stmt::Let {
            value: Rvalue::Call(call),
            ..
        } => reassigned.extend(call.changed()),
        Stmt::Store { place, .. } => {
            reassigned.insert(place.base);
        }
        Stmt::Let { .. }
        | Stmt::Declare { .. }
        | Stmt::If { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => {}
    });
    // A variable that is changed after the read (`let mut b = x[1]; b = b * x[0];`) no
    // longer holds the element: it is not shared.
    let changed: Vec<bool> = body.vars.iter().map(|v| v.mutable).collect();
    let mut scopes = vec![HashMap::new()];
    share_in(
        &mut body.block,
        readonly,
        &reassigned,
        &changed,
        &mut scopes,
    );
}

fn share_in(
    block: &mut Block,
    readonly: &[bool],
    reassigned: &HashSet<VarId>,
    changed: &[bool],
    scopes: &mut Vec<HashMap<String, VarId>>,
) {
    for stmt in &mut block.stmts {
        if let Stmt::Let { var, value } = stmt {
            let Rvalue::Read(place) = value else { continue };
            let Some(key) = key(place, readonly, reassigned) else {
                continue;
            };
            match scopes.iter().rev().find_map(|s| s.get(&key)) {
                Some(first) => *value = Rvalue::Use(Operand::Var(*first)),
                None if !changed[*var] && !reassigned.contains(var) => {
                    scopes.last_mut().map(|s| s.insert(key, *var));
                }
                None => {}
            }
        }
        // Each nested block (each branch, a loop body) is a scope of its own.
        for inner in stmt.blocks_mut() {
            scopes.push(HashMap::new());
            share_in(inner, readonly, reassigned, changed, scopes);
            scopes.pop();
        }
    }
}

/// A key naming the element, if the read qualifies.
fn key(place: &Place, readonly: &[bool], reassigned: &HashSet<VarId>) -> Option<String> {
    if !readonly[place.base] || reassigned.contains(&place.base) {
        return None;
    }
    let mut key = format!("{}", place.base);
    for p in &place.projs {
        match p {
            Proj::Index(Operand::Var(v)) if !reassigned.contains(v) => key += &format!("[v{v}]"),
            Proj::Index(Operand::Const(c)) => key += &format!("[{c}]"),
            Proj::Field(m) => key += &format!(".{}", quote::quote!(#m)),
            Proj::Deref => key += "*",
            // Not through sub-slices: measured slower (the iterator form of Rosenbrock,
            // `x[i..][..2][k]`, took 9.0 us instead of 5.6 us with shared reads).
            Proj::Index(Operand::Var(_)) | Proj::Range { .. } => return None,
        }
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::*;

    fn shared(body: &Body, v: VarId) -> Option<VarId> {
        let mut out = None;
        crate::ir::walk::for_each_stmt(&body.block, &mut |s, _| {
            if let Stmt::Let {
                var,
                value: Rvalue::Use(Operand::Var(first)),
            } = s
            {
                if *var == v {
                    out = Some(*first);
                }
            }
        });
        out
    }

    fn readonly(body: &Body, vars: &[VarId]) -> Vec<bool> {
        (0..body.vars.len()).map(|v| vars.contains(&v)).collect()
    }

    #[test]
    fn a_second_read_of_an_element_uses_the_first() {
        let mut b = Builder::new();
        let (x, i) = (b.param("x"), b.param("i"));
        let [a, c, t] = b.vars(["a", "c", "t"]);
        let mut body = b.finish(vec![
            let_(a, read(x, [var(i)])),
            let_(c, read(x, [var(i)])),
            let_(t, bin(BinOp::Mul, var(a), var(c))),
        ]);
        let ro = readonly(&body, &[x]);
        share_reads(&mut body, &ro);
        assert_eq!(shared(&body, c), Some(a));
    }

    #[test]
    fn reads_of_mutable_places_or_at_reassigned_indices_are_not_shared() {
        let mut b = Builder::new();
        let (x, y, i) = (b.param("x"), b.param("y"), b.param("i"));
        let [a, c, d, e, k] = b.vars(["a", "c", "d", "e", "k"]);
        let mut body = b.finish(vec![
            let_(a, read(y, [var(i)])),
            let_(c, read(y, [var(i)])),
            let_(k, lit("0")),
            let_(d, read(x, [var(k)])),
            assign(k, lit("1")),
            let_(e, read(x, [var(k)])),
        ]);
        let ro = readonly(&body, &[x]);
        share_reads(&mut body, &ro);
        assert_eq!(shared(&body, c), None, "`y` is not read-only");
        assert_eq!(shared(&body, e), None, "`k` changed between the reads");
    }

    #[test]
    fn an_index_passed_as_mut_to_a_call_is_reassigned() {
        let mut b = Builder::new();
        let x = b.param("x");
        let [k, a, r, c, s] = b.vars(["k", "a", "r", "c", "s"]);
        // `let k = 0; let a = x[k]; bump(&mut k); let c = x[k];`
        let mut body = b.finish(vec![
            let_(k, lit("0")),
            let_(a, read(x, [var(k)])),
            let_(
                r,
                Rvalue::Call(Call {
                    callee: Callee::Path(syn::parse_quote!(bump)),
                    recv: None,
                    args: vec![CallArg::Ref {
                        place: place(k, []),
                        mutable: true,
                        snap: s,
                    }],
                    passive: false,
                }),
            ),
            let_(c, read(x, [var(k)])),
        ]);
        let ro = readonly(&body, &[x]);
        share_reads(&mut body, &ro);
        assert_eq!(shared(&body, c), None);
    }

    #[test]
    fn a_read_in_a_branch_is_not_shared_with_the_other_branch() {
        let mut b = Builder::new();
        let (x, c) = (b.param("x"), b.param("c"));
        let [outer, t, e, after] = b.vars(["outer", "t", "e", "after"]);
        let mut body = b.finish(vec![
            if_(
                var(c),
                vec![let_(t, read(x, [lit("0")]))],
                vec![let_(e, read(x, [lit("0")]))],
            ),
            let_(outer, read(x, [lit("1")])),
            if_(var(c), vec![let_(after, read(x, [lit("1")]))], vec![]),
        ]);
        let ro = readonly(&body, &[x]);
        share_reads(&mut body, &ro);
        assert_eq!(shared(&body, e), None, "`t` is not in scope in the `else`");
        assert_eq!(
            shared(&body, after),
            Some(outer),
            "an outer read is in scope"
        );
    }

    #[test]
    fn reads_through_sub_slices_are_not_shared() {
        let mut b = Builder::new();
        let (x, i) = (b.param("x"), b.param("i"));
        let [a, c] = b.vars(["a", "c"]);
        let window = || Place {
            base: x,
            projs: vec![
                Proj::Range {
                    start: Some(var(i)),
                    end: None,
                    inclusive: false,
                },
                Proj::Index(lit("0")),
            ],
        };
        let mut body = b.finish(vec![
            let_(a, Rvalue::Read(window())),
            let_(c, Rvalue::Read(window())),
        ]);
        let ro = readonly(&body, &[x]);
        share_reads(&mut body, &ro);
        assert_eq!(shared(&body, c), None);
    }
}
