//! Step 2b: early exits into flags, so that every block runs to its end and the reverse
//! sweep can replay control flow from recorded branch decisions and trip counts alone.
//!
//! After this pass the IR has no `Break`, `Continue` or `Return` (see `ir` invariants).

use quote::quote;

use crate::ir::walk::for_each_within;
use crate::ir::*;

/// The flags of the loop being transformed, created when first needed.
#[derive(Default)]
struct LoopFlags {
    brk: Option<VarId>,
    cont: Option<VarId>,
}

struct Structurizer<'b> {
    body: &'b mut Body,
    /// `returned` flag and returned value, created by the first early `return`.
    ret: Option<(VarId, Option<VarId>)>,
    ret_ty: Option<syn::Type>,
}

// from: `for i in 0..n { if c { break } s += x[i]; }`
// into: `let mut brk = false; let mut n_iter = 0;
//        for i in 0..n { if c { brk = true } let go = !brk; if go { s += x[i]; } exit: brk }`
pub fn structurize(body: &mut Body, ret_ty: Option<&syn::Type>) {
    let mut stmts = std::mem::take(&mut body.block.stmts);
    // A `return` that ends the function is its tail value.
    if count_returns(&stmts) == 1 {
        if let Some(Stmt::Return(value)) = stmts.last() {
            body.result = value.clone();
            stmts.pop();
        }
    }
    let has_returns = count_returns(&stmts) > 0;
    let mut s = Structurizer {
        body,
        ret: None,
        ret_ty: ret_ty.cloned(),
    };
    if has_returns {
        s.make_ret_vars();
        if let (Some(tail), Some((_, Some(value)))) = (s.body.result.take(), s.ret) {
            stmts.push(Stmt::Assign {
                var: value,
                value: tail,
                overwrites: true,
            });
        }
    }
    let mut top = LoopFlags::default();
    let mut out = s.block(stmts, &mut top);
    if let Some((flag, value)) = s.ret {
        let mut prelude = vec![Stmt::Let {
            var: flag,
            value: Rvalue::Use(Operand::Const(quote!(false))),
        }];
        if let (Some(value), Some(ty)) = (value, s.ret_ty.clone()) {
            prelude.push(Stmt::Let {
                var: value,
                value: Rvalue::ZeroOf(ty),
            });
            s.body.result = Some(Operand::Var(value));
        }
        prelude.append(&mut out);
        out = prelude;
    }
    body.block.stmts = out;
}

fn count_returns(stmts: &[Stmt]) -> usize {
    let mut n = 0;
    for stmt in stmts {
        for_each_within(stmt, &mut |s| {
            n += usize::from(matches!(s, Stmt::Return(..)))
        });
    }
    n
}

/// Whether `stmt` assigns `flag` (anywhere inside it).
fn sets_flag(stmt: &Stmt, flag: VarId) -> bool {
    let mut sets = false;
    for_each_within(stmt, &mut |s| {
        sets |= matches!(s, Stmt::Assign { var, .. } if *var == flag);
    });
    sets
}

impl Structurizer<'_> {
    fn make_ret_vars(&mut self) {
        let span = proc_macro2::Span::call_site();
        let flag = self.control("returned", span);
        let value = self.ret_ty.is_some().then(|| self.control("ret", span));
        self.ret = Some((flag, value));
    }

    fn control(&mut self, name: &str, span: proc_macro2::Span) -> VarId {
        let v = self.body.new_var(name, span, Origin::Control);
        self.body.vars[v].mutable = true;
        v
    }

    fn set(&self, var: VarId) -> Stmt {
        Stmt::Assign {
            var,
            value: Operand::Const(quote!(true)),
            overwrites: true,
        }
    }

    fn block(&mut self, stmts: Vec<Stmt>, flags: &mut LoopFlags) -> Vec<Stmt> {
        let mut out = Vec::new();
        let mut rest = stmts.into_iter();
        while let Some(stmt) = rest.next() {
            match stmt {
                Stmt::Break(span) => {
                    let f = *flags.brk.get_or_insert_with(|| self.control("broke", span));
                    out.push(self.set(f));
                    return out;
                }
                Stmt::Continue(span) => {
                    let f = *flags.cont.get_or_insert_with(|| self.control("skip", span));
                    out.push(self.set(f));
                    return out;
                }
                Stmt::Return(value) => {
                    self.set_returned(value, &mut out);
                    return out;
                }
                Stmt::If { cond, then, els } => {
                    let then = Block {
                        stmts: self.block(then.stmts, flags),
                    };
                    let els = Block {
                        stmts: self.block(els.stmts, flags),
                    };
                    out.push(Stmt::If { cond, then, els });
                }
                Stmt::For {
                    var, range, body, ..
                } => {
                    let (body, exit, counter) = self.loop_body(body, &mut out, false);
                    out.push(Stmt::For {
                        var,
                        range,
                        body,
                        exit,
                        counter,
                    });
                }
                Stmt::Loop { body, .. } => {
                    let (body, exit, counter) = self.loop_body(body, &mut out, true);
                    out.push(Stmt::Loop {
                        body,
                        exit,
                        counter,
                    });
                }
                other @ (Stmt::Let { .. }
                | Stmt::Declare { .. }
                | Stmt::Assign { .. }
                | Stmt::Store { .. }) => {
                    out.push(other);
                    continue;
                }
            }
            // The statement just pushed may have set a flag: guard what follows.
            let last = out.last().expect("a statement was pushed");
            let mut raised: Vec<VarId> = [flags.brk, flags.cont, self.ret.map(|r| r.0)]
                .into_iter()
                .flatten()
                .filter(|f| sets_flag(last, *f))
                .collect();
            raised.dedup();
            if raised.is_empty() {
                continue;
            }
            let remaining: Vec<Stmt> = rest.collect();
            if remaining.is_empty() {
                return out;
            }
            let go = self.none_raised(&raised, &mut out);
            let guarded = self.block(remaining, flags);
            out.push(Stmt::If {
                cond: go,
                then: Block { stmts: guarded },
                els: Block::default(),
            });
            return out;
        }
        out
    }

    // from: `return v`
    // into: `ret = v; returned = true;`
    fn set_returned(&mut self, value: Option<Operand>, out: &mut Vec<Stmt>) {
        let (flag, slot) = self.ret.expect("return flags exist when a return does");
        if let (Some(slot), Some(value)) = (slot, value) {
            out.push(Stmt::Assign {
                var: slot,
                value,
                overwrites: true,
            });
        }
        out.push(self.set(flag));
    }

    /// `let any = f1 || f2 ..; let go = !any;` appended to `out`; returns `go`.
    fn none_raised(&mut self, raised: &[VarId], out: &mut Vec<Stmt>) -> Operand {
        let span = proc_macro2::Span::call_site();
        let mut any = Operand::Var(raised[0]);
        for f in &raised[1..] {
            let t = self.body.new_var("exiting", span, Origin::Control);
            out.push(Stmt::Let {
                var: t,
                value: Rvalue::Binary(BinOp::Other(OtherOp::Or), any, Operand::Var(*f)),
            });
            any = Operand::Var(t);
        }
        let go = self.body.new_var("go", span, Origin::Control);
        out.push(Stmt::Let {
            var: go,
            value: Rvalue::Unary(UnOp::Not, any),
        });
        Operand::Var(go)
    }

    /// Transforms a loop body; declares its flags and counter in `outer`.
    fn loop_body(
        &mut self,
        body: Block,
        outer: &mut Vec<Stmt>,
        always_count: bool,
    ) -> (Block, Option<VarId>, Option<VarId>) {
        let mut flags = LoopFlags::default();
        let mut stmts = self.block(body.stmts, &mut flags);
        if let Some(cont) = flags.cont {
            stmts.insert(
                0,
                Stmt::Let {
                    var: cont,
                    value: Rvalue::Use(Operand::Const(quote!(false))),
                },
            );
        }
        let ret = self
            .ret
            .map(|r| r.0)
            .filter(|f| stmts.iter().any(|s| sets_flag(s, *f)));
        let span = proc_macro2::Span::call_site();
        let exit = match (flags.brk, ret) {
            (None, None) => None,
            (Some(f), None) | (None, Some(f)) => Some(f),
            (Some(b), Some(r)) => {
                let e = self.body.new_var("exit", span, Origin::Control);
                stmts.push(Stmt::Let {
                    var: e,
                    value: Rvalue::Binary(
                        BinOp::Other(OtherOp::Or),
                        Operand::Var(b),
                        Operand::Var(r),
                    ),
                });
                Some(e)
            }
        };
        if let Some(brk) = flags.brk {
            outer.push(Stmt::Let {
                var: brk,
                value: Rvalue::Use(Operand::Const(quote!(false))),
            });
        }
        let counter = (always_count || exit.is_some()).then(|| {
            let c = self.control("trips", span);
            outer.push(Stmt::Let {
                var: c,
                value: Rvalue::Use(Operand::Const(quote!(0usize))),
            });
            c
        });
        (Block { stmts }, exit, counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::*;
    use crate::ir::walk::for_each_stmt;
    use proc_macro2::Span;

    fn names(body: &Body, stmts: &[Stmt]) -> Vec<String> {
        stmts
            .iter()
            .map(|s| match s.defs() {
                Some(v) => format!("let {}", body.vars[v].name),
                None => match s {
                    Stmt::Assign { var, .. } => format!("{} =", body.vars[*var].name),
                    Stmt::If { .. } => "if".into(),
                    Stmt::Loop { .. } => "loop".into(),
                    other => format!("{other:?}"),
                },
            })
            .collect()
    }

    fn early_exits(body: &Body) -> usize {
        let mut n = 0;
        for_each_stmt(&body.block, &mut |s, _| {
            n += usize::from(matches!(
                s,
                Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(_)
            ));
        });
        n
    }

    #[test]
    fn a_final_return_is_the_result() {
        let mut b = Builder::new();
        let x = b.param("x");
        let [t] = b.vars(["t"]);
        let mut body = b.finish(vec![
            let_(t, bin(BinOp::Mul, var(x), var(x))),
            Stmt::Return(Some(var(t))),
        ]);
        structurize(&mut body, Some(&syn::parse_quote!(f64)));
        assert!(matches!(body.result, Some(Operand::Var(v)) if v == t));
        assert_eq!(names(&body, &body.block.stmts), ["let t"]);
    }

    #[test]
    fn a_break_becomes_an_exit_flag_with_a_trip_counter() {
        let mut b = Builder::new();
        let (x, c) = (b.param("x"), b.param("c"));
        let [i, t] = b.vars(["i", "t"]);
        // `for i in 0..3 { if c { break } let t = x * x; }`
        let mut body = b.finish(vec![for_(
            i,
            lit("0"),
            lit("3"),
            vec![
                if_(var(c), vec![Stmt::Break(Span::call_site())], vec![]),
                let_(t, bin(BinOp::Mul, var(x), var(x))),
            ],
        )]);
        structurize(&mut body, None);
        assert_eq!(early_exits(&body), 0);
        body.check(true);
        assert_eq!(
            names(&body, &body.block.stmts),
            ["let broke", "let trips", "let i"]
        );
        let Stmt::For {
            body: inner,
            exit: Some(exit),
            counter: Some(_),
            ..
        } = &body.block.stmts[2]
        else {
            panic!("the loop names its exit flag and counter");
        };
        assert_eq!(body.vars[*exit].name, "broke");
        // The statements after the `if` run only when the flag is not raised.
        assert_eq!(names(&body, &inner.stmts), ["if", "let go", "if"]);
        let Stmt::If { then, .. } = &inner.stmts[2] else {
            unreachable!()
        };
        assert_eq!(names(&body, &then.stmts), ["let t"]);
    }

    #[test]
    fn a_continue_is_a_flag_reset_on_every_trip() {
        let mut b = Builder::new();
        let (x, c) = (b.param("x"), b.param("c"));
        let [i, t] = b.vars(["i", "t"]);
        let mut body = b.finish(vec![for_(
            i,
            lit("0"),
            lit("3"),
            vec![
                if_(var(c), vec![Stmt::Continue(Span::call_site())], vec![]),
                let_(t, var(x)),
            ],
        )]);
        structurize(&mut body, None);
        assert_eq!(early_exits(&body), 0);
        let Stmt::For {
            body: inner,
            exit,
            counter,
            ..
        } = &body.block.stmts[0]
        else {
            panic!("no declarations before the loop");
        };
        assert!(
            exit.is_none() && counter.is_none(),
            "every trip runs to the end"
        );
        assert_eq!(
            names(&body, &inner.stmts),
            ["let skip", "if", "let go", "if"]
        );
    }

    #[test]
    fn an_early_return_in_a_loop_sets_the_returned_value_and_leaves_the_loop() {
        let mut b = Builder::new();
        let (x, c) = (b.param("x"), b.param("c"));
        let [i] = b.vars(["i"]);
        // `for i in 0..3 { if c { return x } } return 0.0`
        let mut body = b.finish(vec![
            for_(
                i,
                lit("0"),
                lit("3"),
                vec![if_(var(c), vec![Stmt::Return(Some(var(x)))], vec![])],
            ),
            Stmt::Return(Some(lit("0.0"))),
        ]);
        structurize(&mut body, Some(&syn::parse_quote!(f64)));
        assert_eq!(early_exits(&body), 0);
        body.check(true);
        let Some(Operand::Var(ret)) = body.result else {
            panic!("the result is the `ret` variable");
        };
        assert_eq!(body.vars[ret].name, "ret");
        assert_eq!(
            names(&body, &body.block.stmts),
            [
                "let returned",
                "let ret",
                "let trips",
                "let i",
                "let go",
                "if"
            ]
        );
        let Stmt::For { exit: Some(e), .. } = &body.block.stmts[3] else {
            panic!("the loop is left when `returned` is set");
        };
        assert_eq!(body.vars[*e].name, "returned");
    }
}
