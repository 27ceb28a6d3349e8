//! The one walk of the IR: what a statement holds (nested blocks), reads (`uses`) and
//! defines (`defs`), and what a value or place reads (`operands`, `places`).
//!
//! Every match here lists each variant, so a new `Stmt`, `Rvalue`, `Proj` or `CallArg`
//! variant is a compile error here and in every analysis that decides something per
//! variant, instead of a value that silently gets no derivative. Analyses use
//! [`for_each_stmt`] instead of recursing through blocks by hand.

use super::*;

/// Where the walk is: the statement's rank in pre-order (from 1), and the ids of the loops
/// around it, outermost first (ids from 1, in the order the walk enters the loops).
#[derive(Clone, Debug)]
pub struct Site<'s> {
    pub rank: usize,
    pub loops: &'s [usize],
}

impl Site<'_> {
    /// How many loop bodies hold the statement.
    pub fn depth(&self) -> usize {
        self.loops.len()
    }

    pub fn in_loop(&self) -> bool {
        self.depth() > 0
    }
}

/// Calls `f` on every statement of `block`, nested ones included, in pre-order (a
/// statement before the statements of its blocks; `then` before `els`).
pub fn for_each_stmt<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt, &Site)) {
    let (mut rank, mut loop_ids) = (0, 0);
    walk_block(block, &mut Vec::new(), &mut rank, &mut loop_ids, f);
}

/// Calls `f` on `stmt` and on every statement nested in it, in pre-order.
pub fn for_each_within<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a Stmt)) {
    f(stmt);
    for (block, _) in stmt.blocks() {
        for s in &block.stmts {
            for_each_within(s, f);
        }
    }
}

fn walk_block<'a>(
    block: &'a Block,
    loops: &mut Vec<usize>,
    rank: &mut usize,
    loop_ids: &mut usize,
    f: &mut impl FnMut(&'a Stmt, &Site),
) {
    for stmt in &block.stmts {
        *rank += 1;
        f(
            stmt,
            &Site {
                rank: *rank,
                loops: loops.as_slice(),
            },
        );
        for (inner, is_loop_body) in stmt.blocks() {
            if is_loop_body {
                *loop_ids += 1;
                loops.push(*loop_ids);
            }
            walk_block(inner, loops, rank, loop_ids, f);
            if is_loop_body {
                loops.pop();
            }
        }
    }
}

impl Stmt {
    /// The blocks the statement holds, each with whether it is a loop body.
    pub fn blocks(&self) -> Vec<(&Block, bool)> {
        match self {
            Stmt::If { then, els, .. } => vec![(then, false), (els, false)],
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => vec![(body, true)],
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => Vec::new(),
        }
    }

    /// [`Stmt::blocks`], to rewrite them.
    pub fn blocks_mut(&mut self) -> Vec<&mut Block> {
        match self {
            Stmt::If { then, els, .. } => vec![then, els],
            Stmt::For { body, .. } | Stmt::Loop { body, .. } => vec![body],
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => Vec::new(),
        }
    }

    /// The variable the statement defines: a `let`'s, a declaration's, a `for` variable.
    pub fn defs(&self) -> Option<VarId> {
        match self {
            Stmt::Let { var, .. } | Stmt::Declare { var } | Stmt::For { var, .. } => Some(*var),
            Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::If { .. }
            | Stmt::Loop { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => None,
        }
    }

    /// The variables the statement itself reads (its nested blocks' statements excluded):
    /// a `let`'s [`Rvalue::uses`], a moved value, a store's value and indices, a
    /// condition, a range's bounds and step, and a loop's `exit` flag and trip `counter`.
    pub fn uses(&self) -> Vec<VarId> {
        match self {
            Stmt::Let { value, .. } => value.uses(),
            Stmt::Declare { .. } | Stmt::Break(_) | Stmt::Continue(_) => Vec::new(),
            Stmt::Assign { value, .. } => value.var().into_iter().collect(),
            Stmt::Store { place, value } => {
                value.var().into_iter().chain(place.index_vars()).collect()
            }
            Stmt::If { cond, .. } => cond.var().into_iter().collect(),
            Stmt::For {
                range,
                exit,
                counter,
                ..
            } => {
                let mut out: Vec<VarId> = range
                    .operands()
                    .into_iter()
                    .filter_map(Operand::var)
                    .collect();
                out.extend(*exit);
                out.extend(*counter);
                out
            }
            Stmt::Loop { exit, counter, .. } => exit.iter().chain(counter).copied().collect(),
            Stmt::Return(value) => value.iter().filter_map(Operand::var).collect(),
        }
    }
}

impl ForRange {
    /// The bounds, then the step of each `step_by`.
    pub fn operands(&self) -> Vec<&Operand> {
        let mut out = vec![&self.start, &self.end];
        for a in &self.adaptors {
            match a {
                RangeAdaptor::Rev => {}
                RangeAdaptor::StepBy(k) => out.push(k),
            }
        }
        out
    }
}

impl Place {
    /// The operands of its projections: indices, and a sub-slice's bounds.
    pub fn index_operands(&self) -> Vec<&Operand> {
        let mut out = Vec::new();
        for p in &self.projs {
            match p {
                Proj::Index(op) => out.push(op),
                Proj::Range { start, end, .. } => out.extend(start.iter().chain(end)),
                Proj::Field(_) | Proj::Deref => {}
            }
        }
        out
    }

    /// The base, then the variables of its projections.
    pub fn uses(&self) -> Vec<VarId> {
        let mut out = vec![self.base];
        out.extend(self.index_vars());
        out
    }
}

impl Rvalue {
    /// The operands the value reads directly, not through a place: a call's by-value
    /// arguments, a `Repeat`'s element (not its constant length).
    pub fn operands(&self) -> Vec<&Operand> {
        match self {
            Rvalue::Use(op)
            | Rvalue::Unary(_, op)
            | Rvalue::Cast(op, _, _)
            | Rvalue::Repeat(op, _) => vec![op],
            Rvalue::Binary(_, a, b) | Rvalue::VecRepeat(a, b) => vec![a, b],
            Rvalue::Math(_, ops, _) | Rvalue::Array(ops) | Rvalue::VecList(ops) => {
                ops.iter().collect()
            }
            Rvalue::Struct(_, fields) => fields.iter().map(|(_, op)| op).collect(),
            Rvalue::Call(call) => call
                .args
                .iter()
                .filter_map(|a| match a {
                    CallArg::Value(op) => Some(op),
                    CallArg::Ref { .. } => None,
                })
                .collect(),
            Rvalue::Read(_)
            | Rvalue::Copy(..)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => Vec::new(),
        }
    }

    /// The places the value reads: a read's, a copy's, a pattern test's, and a call's
    /// receiver and reference arguments.
    pub fn places(&self) -> Vec<&Place> {
        match self {
            Rvalue::Read(p) | Rvalue::Copy(p, _) | Rvalue::Matches(p, _) | Rvalue::Bind(p, ..) => {
                vec![p]
            }
            Rvalue::Call(call) => {
                let mut out: Vec<&Place> = call.recv.iter().collect();
                for a in &call.args {
                    match a {
                        CallArg::Value(_) => {}
                        CallArg::Ref { place, .. } => out.push(place),
                    }
                }
                out
            }
            Rvalue::Use(_)
            | Rvalue::Unary(..)
            | Rvalue::Binary(..)
            | Rvalue::Math(..)
            | Rvalue::Cast(..)
            | Rvalue::Array(_)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Struct(..)
            | Rvalue::ZeroOf(_) => Vec::new(),
        }
    }

    /// Every variable the value reads: its operands, and its places' bases and indices.
    pub fn uses(&self) -> Vec<VarId> {
        let mut out: Vec<VarId> = self
            .operands()
            .into_iter()
            .filter_map(Operand::var)
            .collect();
        for p in self.places() {
            out.extend(p.uses());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::*;

    #[test]
    fn pre_order_with_loop_depth() {
        let mut b = Builder::new();
        let [x, i, t, u, c] = b.vars(["x", "i", "t", "u", "c"]);
        let block = vec![
            let_(c, lit("true")),
            if_(
                var(c),
                vec![let_(t, bin(BinOp::Add, var(x), lit("1.0")))],
                vec![],
            ),
            for_(i, lit("0"), lit("3"), vec![let_(u, read(x, [var(i)]))]),
        ];
        let body = b.finish(block);
        let mut seen = Vec::new();
        for_each_stmt(&body.block, &mut |s, at| {
            seen.push((s.defs(), at.rank, at.depth()))
        });
        assert_eq!(
            seen,
            vec![
                (Some(c), 1, 0),
                (None, 2, 0),
                (Some(t), 3, 0),
                (Some(i), 4, 0),
                (Some(u), 5, 1)
            ]
        );
    }

    #[test]
    fn loops_get_distinct_ids() {
        let mut b = Builder::new();
        let [i, j, t] = b.vars(["i", "j", "t"]);
        let body = b.finish(vec![
            for_(i, lit("0"), lit("3"), vec![let_(t, lit("1.0"))]),
            loop_(vec![for_(j, lit("0"), lit("2"), vec![])]),
        ]);
        let mut loops = Vec::new();
        for_each_stmt(&body.block, &mut |_, at| loops.push(at.loops.to_vec()));
        assert_eq!(loops, vec![vec![], vec![1], vec![], vec![2]]);
    }

    #[test]
    fn rvalue_uses_reach_through_places_and_calls() {
        let mut b = Builder::new();
        let [x, i, k, y, s] = b.vars(["x", "i", "k", "y", "s"]);
        assert_eq!(read(x, [var(i)]).uses(), vec![x, i]);
        assert_eq!(bin(BinOp::Mul, var(x), lit("2.0")).uses(), vec![x]);
        let call = Rvalue::Call(Call {
            callee: Callee::Method(syn::parse_quote!(dot), None),
            recv: Some(place(y, [var(k)])),
            args: vec![
                CallArg::Value(var(i)),
                CallArg::Ref {
                    place: place(x, []),
                    mutable: false,
                    snap: s,
                },
            ],
            passive: false,
        });
        assert_eq!(call.uses(), vec![i, y, k, x]);
        assert!(Rvalue::ZeroOf(syn::parse_quote!(f64)).uses().is_empty());
    }

    #[test]
    fn statement_uses_and_defs() {
        let mut b = Builder::new();
        let [a, i, n, e, c, k] = b.vars(["a", "i", "n", "e", "c", "k"]);
        let store = Stmt::Store {
            place: place(a, [var(i)]),
            value: var(k),
        };
        assert_eq!(store.uses(), vec![k, i]);
        assert_eq!(store.defs(), None);
        let mut lp = for_(i, lit("0"), var(n), vec![]);
        if let Stmt::For { exit, counter, .. } = &mut lp {
            *exit = Some(e);
            *counter = Some(c);
        }
        assert_eq!(lp.uses(), vec![n, e, c]);
        assert_eq!(lp.defs(), Some(i));
        let stepped = Place {
            base: a,
            projs: vec![Proj::Range {
                start: Some(var(i)),
                end: None,
                inclusive: false,
            }],
        };
        assert_eq!(stepped.uses(), vec![a, i]);
    }
}
