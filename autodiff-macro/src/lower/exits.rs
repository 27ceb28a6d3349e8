//! Step 2, loop exits: `break` and `continue` (labelled or not, `break` with a value out
//! of `loop`). In: the exit and the stack of enclosing loops. Out: plain `Break` /
//! `Continue` of the innermost loop; a labelled exit of an outer loop becomes a flag set
//! before a plain `break`, tested after each loop it leaves (`passes::structurize` then
//! turns those into flags of its own, like any early exit).

use quote::quote;
use syn::spanned::Spanned;

use crate::ir::*;
use crate::lower::{unit, Lowerer};

/// A loop being lowered.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoopFrame {
    /// The label the user wrote (`'outer`), without its quote.
    pub label: Option<String>,
    /// A `break` leaves this loop (a `loop` without one never ends by itself).
    pub left_by_break: bool,
    /// Flags of labelled exits to this loop from a nested one: `false` at the start of
    /// each trip.
    pub flags: Vec<VarId>,
    /// Labelled exits that pass through this loop: `(flag, target loop, continue)`,
    /// tested right after it.
    pub through: Vec<(VarId, usize, bool)>,
    /// The value of a `loop` left by `break v`.
    pub value: Option<VarId>,
}

impl Lowerer<'_> {
    // from: `loop`, `while`, `for` (a label the caller set in `next_label`)
    // into: a new frame on the stack of enclosing loops
    pub(crate) fn enter_loop(&mut self) {
        let label = self.next_label.take();
        self.loops.push(LoopFrame {
            label,
            ..LoopFrame::default()
        });
    }

    // from: the lowered body of the innermost loop
    // into: `let flag = false;` first in it for each labelled exit to this loop; the frame
    //       is kept for `push_loop`
    pub(crate) fn leave_loop(&mut self, body: &mut Block) -> bool {
        let frame = self.loops.pop().unwrap_or_default();
        for &flag in &frame.flags {
            let value = Rvalue::Use(Operand::Const(quote!(false)));
            body.stmts.insert(0, Stmt::Let { var: flag, value });
        }
        let left = frame.left_by_break;
        self.closed_loop = Some(frame);
        left
    }

    // from: the statement of the loop just left, `For { .. }` / `Loop { .. }`
    // into: that statement, then `let c = flag; if c { break }` (or `continue` in the loop
    //       a labelled `continue` names) for each labelled exit that passes through it
    pub(crate) fn push_loop(&mut self, stmt: Stmt) {
        self.push(stmt);
        let Some(frame) = self.closed_loop.take() else {
            return;
        };
        let here = self.loops.len().saturating_sub(1);
        for (flag, target, is_continue) in frame.through {
            let span = self.body.vars[flag].span;
            let cond = self.bind("left", span, Rvalue::Use(Operand::Var(flag)));
            let exit = if is_continue && target == here {
                Stmt::Continue(span)
            } else {
                if let Some(f) = self.loops.last_mut() {
                    f.left_by_break = true;
                }
                Stmt::Break(span)
            };
            self.push(Stmt::If {
                cond,
                then: Block { stmts: vec![exit] },
                els: Block::default(),
            });
        }
    }

    // from: `'outer` in `break 'outer` / `continue 'outer` (or none)
    // into: the index of the loop it leaves in the stack of enclosing loops
    fn target(&mut self, label: Option<&syn::Lifetime>) -> Option<usize> {
        let Some(label) = label else {
            return self.loops.len().checked_sub(1);
        };
        let name = label.ident.to_string();
        let found = self
            .loops
            .iter()
            .rposition(|f| f.label.as_deref() == Some(name.as_str()));
        if found.is_none() {
            self.errors.push(label.span(), format!("no enclosing loop is labelled `'{name}`: label the loop (`'{name}: for ..`) or leave out the label"));
        }
        found
    }

    // from: `break 'outer v` (label and value optional)
    // into: `r = v;` for the value of the `loop`, then the exit (see `exit`)
    pub fn break_expr(&mut self, e: &syn::ExprBreak) -> Operand {
        let Some(target) = self.target(e.label.as_ref()) else {
            return unit();
        };
        if let Some(value) = &e.expr {
            let value = self.expr(value);
            let result = match self.loops[target].value {
                Some(r) => r,
                None => {
                    let r = self.temp("loop_value", e.span());
                    self.loops[target].value = Some(r);
                    r
                }
            };
            self.body.vars[result].mutable = true;
            self.push(Stmt::Assign {
                var: result,
                value,
                overwrites: true,
            });
        }
        self.exit(target, false, e.break_token.span);
        unit()
    }

    // from: `continue 'outer` (label optional)
    // into: the exit (see `exit`)
    pub fn continue_expr(&mut self, e: &syn::ExprContinue) -> Operand {
        if let Some(target) = self.target(e.label.as_ref()) {
            self.exit(target, true, e.continue_token.span);
        }
        unit()
    }

    // from: a `break` / `continue` of the loop `target` in the stack
    // into: `Break` / `Continue` if it is the innermost loop; else `flag = true; Break`,
    //       the flag tested after each loop it leaves (`push_loop`)
    fn exit(&mut self, target: usize, is_continue: bool, span: proc_macro2::Span) {
        let innermost = self.loops.len() - 1;
        if target == innermost {
            if !is_continue {
                self.loops[innermost].left_by_break = true;
                self.push(Stmt::Break(span));
            } else {
                self.push(Stmt::Continue(span));
            }
        } else {
            let flag = self.temp(if is_continue { "continued" } else { "broke" }, span);
            self.body.vars[flag].mutable = true;
            self.loops[target].flags.push(flag);
            for frame in &mut self.loops[target + 1..] {
                frame.through.push((flag, target, is_continue));
            }
            self.push(Stmt::Assign {
                var: flag,
                value: Operand::Const(quote!(true)),
                overwrites: true,
            });
            self.loops[innermost].left_by_break = true;
            self.push(Stmt::Break(span));
        }
        self.diverged = true;
    }
}
