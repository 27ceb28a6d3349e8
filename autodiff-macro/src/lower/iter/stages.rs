//! Step 2, the stages of a chain's loop body. In: an item and the chain's stages
//! (`filter`, `take_while`, `skip_while`, and the `map`s after them). Out: an `if` per
//! `filter`, an early exit per `take_while`, a flag test per `skip_while`, around the
//! body the consumer lowers for each item that gets through.

use crate::ir::*;
use crate::lower::iter::{Bound, Func, Stage};
use crate::lower::{unit, Lowerer};

impl Lowerer<'_> {
    // from: `.filter(|v| c(v)).map(|v| f(v))` on item `x`
    // into: `let keep = c(x); if keep { let y = f(x); each(y) }`
    pub(crate) fn stages(
        &mut self,
        item: Bound,
        stages: &[Stage],
        each: &mut dyn FnMut(&mut Self, Bound),
    ) {
        match stages.split_first() {
            None => each(self, item),
            Some((Stage::Map(f), rest)) => {
                let mapped = self.apply(f, vec![item], false);
                self.stages(mapped, rest, each);
            }
            Some((Stage::Filter(f), rest)) => {
                let cond = self.test(f, &item);
                let (then, _) = self.sub_block(|l| {
                    l.stages(item, rest, each);
                    unit()
                });
                self.diverged = false;
                self.push(Stmt::If {
                    cond,
                    then,
                    els: Block::default(),
                });
            }
            // from: `.take_while(|v| c(v))` on item `x`
            // into: `let keep = c(x); let stop = !keep; if stop { break } ..`
            Some((Stage::TakeWhile(f), rest)) => {
                let keep = self.test(f, &item);
                let stop = self.bind("stop", f.span(), Rvalue::Unary(UnOp::Not, keep));
                let leave = Stmt::Break(f.span());
                if let Some(frame) = self.loops.last_mut() {
                    frame.left_by_break = true;
                }
                self.push(Stmt::If {
                    cond: stop,
                    then: Block { stmts: vec![leave] },
                    els: Block::default(),
                });
                self.stages(item, rest, each);
            }
            // from: `.skip_while(|v| c(v))` on item `x`, with `let mut skipping = true;`
            //       before the loop
            // into: `let s = skipping; if s { let k = c(x); skipping = k; }
            //       let on = !skipping; if on { .. }`
            Some((Stage::SkipWhile(f, skipping), rest)) => {
                let span = f.span();
                let was = self.bind("skipping", span, Rvalue::Use(Operand::Var(*skipping)));
                let (then, _) = self.sub_block(|l| {
                    let still = l.test(f, &item);
                    l.push(Stmt::Assign {
                        var: *skipping,
                        value: still,
                        overwrites: true,
                    });
                    unit()
                });
                self.push(Stmt::If {
                    cond: was,
                    then,
                    els: Block::default(),
                });
                let now = Operand::Var(*skipping);
                let on = self.bind("on", span, Rvalue::Unary(UnOp::Not, now));
                let (then, _) = self.sub_block(|l| {
                    l.stages(item, rest, each);
                    unit()
                });
                self.diverged = false;
                self.push(Stmt::If {
                    cond: on,
                    then,
                    els: Block::default(),
                });
            }
        }
    }

    // from: the predicate `|v| c(v)` of `filter` / `take_while` / `skip_while`, an item
    // into: `let t = c(x);`, a fresh copy: the reverse sweep reads it after the body ran
    fn test(&mut self, f: &Func, item: &Bound) -> Operand {
        let cond = self.apply(f, vec![item.clone()], true);
        let cond = self.value_of(cond, f.span());
        match cond {
            Operand::Var(v) if self.body.vars[v].origin != Origin::Temp => {
                self.bind("keep", f.span(), Rvalue::Use(cond))
            }
            other => other,
        }
    }
}
