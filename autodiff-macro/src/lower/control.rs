//! Step 2, control flow: `if` (as a statement or a value), `&&` / `||`, `for` over
//! ranges, `while`, `loop`, and the early exits `break`, `continue` and `return`, which
//! `passes::structurize` later turns into flags.

use syn::spanned::Spanned;
use syn::{Expr, Pat};

use crate::ir::*;
use crate::lower::{has_exit, is_unit, unit, Binding, Lowerer};
use quote::quote;

impl Lowerer<'_> {
    // from: `if c { a } else { b }` (value used)
    // into: `Declare r; If { c, then: [.., r = a], els: [.., r = b] }`
    pub fn if_expr(&mut self, e: &syn::ExprIf) -> Operand {
        if let Expr::Let(l) = &*e.cond {
            return self.if_let(e, l);
        }
        let cond = match self.expr(&e.cond) {
            // `if first { first = false; .. }`: the reverse sweep must branch on the value
            // the condition had, not on the variable's final value.
            Operand::Var(v)
                if self.body.vars[v].origin != Origin::Temp || self.body.vars[v].mutable =>
            {
                self.bind("cond", e.cond.span(), Rvalue::Use(Operand::Var(v)))
            }
            cond => cond,
        };
        let result = self.temp("branch", e.if_token.span);
        let start = self.diverged;
        let (mut then, then_value) = self.sub_block(|l| l.block_value(&e.then_branch));
        let then_diverged = std::mem::replace(&mut self.diverged, start);
        let (mut els, else_value) = match &e.else_branch {
            Some((_, else_expr)) => self.sub_block(|l| l.expr(else_expr)),
            None => (Block::default(), unit()),
        };
        let else_diverged = self.diverged;
        self.diverged = then_diverged && else_diverged;
        let has_value = e.else_branch.is_some()
            && (!is_unit(&then_value) || then_diverged)
            && (!is_unit(&else_value) || else_diverged)
            && !(then_diverged && else_diverged);
        if !has_value {
            self.push(Stmt::If { cond, then, els });
            return unit();
        }
        for (block, value, diverged) in [
            (&mut then, then_value, then_diverged),
            (&mut els, else_value, else_diverged),
        ] {
            self.set_branch_result(block, result, value, diverged);
        }
        self.push(Stmt::Declare { var: result });
        self.push(Stmt::If { cond, then, els });
        Operand::Var(result)
    }

    // from: `if let P = s { a } else { b }`
    // into: `match s { P => a, _ => b }`, built as a syntax tree: the user's expressions are
    //       not printed and read again
    fn if_let(&mut self, e: &syn::ExprIf, l: &syn::ExprLet) -> Operand {
        let span = e.if_token.span;
        let block = crate::lower::matching::block_expr;
        let els = match &e.else_branch {
            Some((_, els)) => (**els).clone(),
            None => block(syn::parse_quote!({})),
        };
        let then = block(e.then_branch.clone());
        let m = crate::lower::matching::match_or_else(
            (*l.expr).clone(),
            (*l.pat).clone(),
            then,
            els,
            span,
        );
        self.match_expr(&m)
    }

    // from: an arm of `if c { a } else { b }` whose value is used, with its value `a`
    // into: `r = a;` at its end; `r = Default::default();` first in an arm that leaves
    //       early (or may, in a nested branch)
    fn set_branch_result(
        &mut self,
        block: &mut Block,
        result: VarId,
        value: Operand,
        diverged: bool,
    ) {
        // An arm that leaves early (`else { return 0.0; }`) still initialises the result:
        // its adjoint is created after the branch, whichever arm ran. So does an arm
        // that may leave early in a nested branch (`else if c { break } else { v }`):
        // the exit's flag guards the assignment at its end.
        let default = || Operand::Const(quote!(::core::default::Default::default()));
        if diverged {
            block.stmts.insert(
                0,
                Stmt::Assign {
                    var: result,
                    value: default(),
                    overwrites: false,
                },
            );
            return;
        }
        let may_exit = has_exit(block);
        if may_exit {
            self.body.vars[result].mutable = true;
            block.stmts.insert(
                0,
                Stmt::Assign {
                    var: result,
                    value: default(),
                    overwrites: false,
                },
            );
        }
        block.stmts.push(Stmt::Assign {
            var: result,
            value,
            overwrites: may_exit,
        });
    }

    // from: `a && b`
    // into: `Declare r; If { a, then: [.., r = b], els: [r = false] }` (b evaluated only if a)
    pub fn short_circuit(&mut self, e: &syn::ExprBinary, is_and: bool) -> Operand {
        let left = self.expr(&e.left);
        let result = self.temp(if is_and { "and" } else { "or" }, e.span());
        let (mut right_block, right) = self.sub_block(|l| l.expr(&e.right));
        right_block.stmts.push(Stmt::Assign {
            var: result,
            value: right,
            overwrites: false,
        });
        let short = Block {
            stmts: vec![Stmt::Assign {
                var: result,
                value: Operand::Const(if is_and { quote!(false) } else { quote!(true) }),
                overwrites: false,
            }],
        };
        let (then, els) = if is_and {
            (right_block, short)
        } else {
            (short, right_block)
        };
        self.push(Stmt::Declare { var: result });
        self.push(Stmt::If {
            cond: left,
            then,
            els,
        });
        Operand::Var(result)
    }

    // from: `for i in (a..b).rev().step_by(k) { body }`
    // into: `For { i, range: a..b [Rev, StepBy(k)], body }`
    pub fn for_loop(&mut self, e: &syn::ExprForLoop) -> Operand {
        self.next_label = e.label.as_ref().map(|l| l.name.ident.to_string());
        if !crate::lower::iter::is_range_loop(&e.expr) {
            return self.iter_for_loop(e);
        }
        let name = match &*e.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.to_string(),
            Pat::Wild(_) => "_".to_string(),
            other => {
                return self.error(other.span(), "the loop variable must be a name or `_`: iterate over indices (`for i in 0..n`) and index inside the body");
            }
        };
        let label = self.next_label.take();
        let Some(range) = self.range(&e.expr) else {
            return unit();
        };
        self.next_label = label;
        let var = self.body.new_var(
            if name == "_" { "i" } else { &name },
            e.pat.span(),
            Origin::User,
        );
        let body = self.loop_body(|l| {
            if name != "_" {
                l.bind_name(&name, Binding::Var(var));
            }
            l.block_value(&e.body);
        });
        self.push_loop(Stmt::For {
            var,
            range,
            body,
            exit: None,
            counter: None,
        });
        unit()
    }

    /// Lowers a loop body, tracking `break`s that leave it; the loop itself never diverges
    /// (a `loop` with no `break` is handled by the caller).
    pub(crate) fn loop_body(&mut self, f: impl FnOnce(&mut Self)) -> Block {
        self.enter_loop();
        let (mut block, _) = self.sub_block(|l| {
            f(l);
            unit()
        });
        self.leave_loop(&mut block);
        self.diverged = false;
        block
    }

    // from: `(0..n).rev().step_by(2)`
    // into: `ForRange { start: 0, end: n, inclusive: false, adaptors: [Rev, StepBy(2)] }`
    pub(crate) fn range(&mut self, e: &Expr) -> Option<ForRange> {
        match e {
            Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => {
                let mut r = self.range(&m.receiver)?;
                r.adaptors.push(RangeAdaptor::Rev);
                Some(r)
            }
            Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
                let mut r = self.range(&m.receiver)?;
                let step = self.expr(&m.args[0]);
                r.adaptors.push(RangeAdaptor::StepBy(step));
                Some(r)
            }
            Expr::Range(r) => {
                let (Some(start), Some(end)) = (&r.start, &r.end) else {
                    self.errors.push_spanned(
                        r,
                        "a `for` range needs both bounds: write `a..b` or `a..=b`",
                    );
                    return None;
                };
                let start = self.expr(start);
                let end = self.expr(end);
                let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                Some(ForRange {
                    start,
                    end,
                    inclusive,
                    adaptors: Vec::new(),
                })
            }
            other => {
                self.errors.push_spanned(other, "cotangent differentiates `for` loops over ranges (`a..b`, `a..=b`, with `.rev()` or `.step_by(k)`): loop over indices, e.g. `for i in 0..x.len()`, and read `x[i]` in the body");
                None
            }
        }
    }

    // from: `while c { body }`
    // into: `Loop { [let c = ..; let stop = !c; if stop { break }; body] }`
    pub fn while_loop(&mut self, e: &syn::ExprWhile) -> Operand {
        if let Expr::Let(l) = &*e.cond {
            return self.while_let(e, l);
        }
        self.next_label = e.label.as_ref().map(|l| l.name.ident.to_string());
        let body = self.loop_body(|l| {
            let cond = l.expr(&e.cond);
            let stop = l.bind("stop", e.cond.span(), Rvalue::Unary(UnOp::Not, cond));
            let (then, _) = l.sub_block(|l| {
                l.push(Stmt::Break(e.while_token.span));
                unit()
            });
            l.push(Stmt::If {
                cond: stop,
                then,
                els: Block::default(),
            });
            l.block_value(&e.body);
        });
        self.push_loop(Stmt::Loop {
            body,
            exit: None,
            counter: None,
        });
        unit()
    }

    // from: `'a: while let P = s { body }` (`s` carries no derivative)
    // into: `'a: loop { match s { P => body, _ => break } }`, built as a syntax tree
    fn while_let(&mut self, e: &syn::ExprWhile, l: &syn::ExprLet) -> Operand {
        let span = e.while_token.span;
        let leave = Expr::Break(syn::ExprBreak {
            attrs: Vec::new(),
            break_token: syn::Token![break](span),
            label: None,
            expr: None,
        });
        let body = crate::lower::matching::block_expr(e.body.clone());
        let m = Expr::Match(crate::lower::matching::match_or_else(
            (*l.expr).clone(),
            (*l.pat).clone(),
            body,
            leave,
            span,
        ));
        let body = syn::Block {
            brace_token: e.body.brace_token,
            stmts: vec![syn::Stmt::Expr(m, None)],
        };
        self.loop_expr(&syn::ExprLoop {
            attrs: Vec::new(),
            label: e.label.clone(),
            loop_token: syn::Token![loop](span),
            body,
        })
    }

    // from: `loop { body }` / `let r = loop { .. break v; .. }`
    // into: `Loop { body, exit: None, counter: None }` (`structurize` fills in the exit) /
    //       `let mut r = Default::default(); Loop { .. r = v; Break .. }`, and `r`
    pub fn loop_expr(&mut self, e: &syn::ExprLoop) -> Operand {
        self.next_label = e.label.as_ref().map(|l| l.name.ident.to_string());
        self.enter_loop();
        let (mut body, _) = self.sub_block(|l| {
            l.block_value(&e.body);
            unit()
        });
        let left_by_break = self.leave_loop(&mut body);
        let value = self.closed_loop.as_ref().and_then(|f| f.value);
        if let Some(r) = value {
            // Every `break v` assigns it; rustc cannot see that through the flags.
            let default = Operand::Const(quote!(::core::default::Default::default()));
            self.push(Stmt::Let {
                var: r,
                value: Rvalue::Use(default),
            });
        }
        self.push_loop(Stmt::Loop {
            body,
            exit: None,
            counter: None,
        });
        // `loop` without `break` only ends by `return`: what follows is unreachable.
        self.diverged = !left_by_break;
        value.map_or_else(unit, Operand::Var)
    }

    // from: `return x * 2.0`
    // into: `let t = x * 2.0; Return(Some(t))`; the rest of the block is dead code
    pub fn return_expr(&mut self, e: &syn::ExprReturn) -> Operand {
        let value = e.expr.as_ref().map(|v| self.expr(v));
        self.push(Stmt::Return(value));
        self.diverged = true;
        unit()
    }
}
