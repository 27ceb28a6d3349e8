//! Step 2, `a.chain(b)`: two loops, one after the other. In: the chains of `a` and `b`.
//! Out: one [`Chain`] whose `then` is the next part; `drive` runs a loop per part with
//! the same body. Adaptors after `chain` that act on each item (`map`, `filter`,
//! `copied`, `cloned`) apply to every part, `rev` reverses the parts and each of them;
//! those that count items or leave early (`enumerate`, `skip`, `zip`, `take_while`, ..)
//! are spanned errors, and so is a `break` in the body of a `for` over a chained
//! iterator (it would leave only the part it is in).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::lower::iter::Chain;
use crate::lower::Lowerer;

/// The parts of a chained iterator, first to last.
fn parts(chain: Chain) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut next = Some(chain);
    while let Some(mut c) = next {
        next = c.then.take().map(|b| *b);
        out.push(c);
    }
    out
}

/// The parts joined again into one chained iterator.
fn join(parts: Vec<Chain>) -> Option<Chain> {
    parts.into_iter().rev().fold(None, |next, mut c| {
        c.then = next.map(Box::new);
        Some(c)
    })
}

/// A `break` in a loop body (conservatively: any labelled one, and an unlabelled one not
/// inside a nested loop or closure).
struct Breaks(Option<Span>);

impl<'a> Visit<'a> for Breaks {
    fn visit_expr_break(&mut self, b: &'a syn::ExprBreak) {
        self.0.get_or_insert(b.span());
    }
    fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        self.labelled_only(&f.body);
    }
    fn visit_expr_while(&mut self, w: &'a syn::ExprWhile) {
        self.visit_expr(&w.cond);
        self.labelled_only(&w.body);
    }
    fn visit_expr_loop(&mut self, l: &'a syn::ExprLoop) {
        self.labelled_only(&l.body);
    }
    fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
    fn visit_expr_continue(&mut self, c: &'a syn::ExprContinue) {
        // A labelled `continue` may name the loop over the chained iterator.
        if c.label.is_some() {
            self.0.get_or_insert(c.span());
        }
    }
}

impl Breaks {
    fn labelled_only(&mut self, body: &syn::Block) {
        struct Labelled<'b>(&'b mut Option<Span>);
        impl<'a> Visit<'a> for Labelled<'_> {
            fn visit_expr_break(&mut self, b: &'a syn::ExprBreak) {
                if b.label.is_some() {
                    self.0.get_or_insert(b.span());
                }
            }
            fn visit_expr_continue(&mut self, c: &'a syn::ExprContinue) {
                if c.label.is_some() {
                    self.0.get_or_insert(c.span());
                }
            }
        }
        Labelled(&mut self.0).visit_block(body);
    }
}

impl Lowerer<'_> {
    // from: `a.chain(b)` (`b` any iterable: `b.iter()`, `&b`, a range)
    // into: the chain of `a` with the chain of `b` as its last part
    pub(crate) fn chained(&mut self, m: &syn::ExprMethodCall) -> Option<Chain> {
        let first = self.chain(&m.receiver)?;
        let second = self.chain(&m.args[0])?;
        let mut all = parts(first);
        all.extend(parts(second));
        join(all)
    }

    // from: `a.chain(b).map(f)` / `.rev()` / `.enumerate()`
    // into: `a.map(f).chain(b.map(f))` / `b.rev().chain(a.rev())` / an error
    pub(crate) fn adapt_chained(
        &mut self,
        chain: Chain,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<Chain> {
        let mut all = parts(chain);
        match name {
            "map" | "filter" | "copied" | "cloned" => {}
            "rev" => all.reverse(),
            _ => {
                self.errors.push(span, format!("`.{name}(..)` after `.chain(..)` is not supported: write two loops, one after the other (`for v in a.iter() {{ .. }} for v in b.iter() {{ .. }}`), with a counter or a flag declared before them"));
                return None;
            }
        }
        for part in &mut all {
            if part.flat.is_some() {
                self.adapt_flat(part, m, name, span)?;
            } else {
                self.adaptor(part, m, name, span)?;
            }
        }
        join(all)
    }

    // from: `for v in a.iter().chain(b) { .. break .. }`
    // into: an error at the `break`: it would leave the loop over `a` only
    pub(crate) fn check_chained_body(&mut self, chain: &Chain, body: &syn::Block) -> bool {
        if chain.then.is_none() && chain.flat.is_none() {
            return true;
        }
        let mut breaks = Breaks(None);
        breaks.visit_block(body);
        if let Some(at) = breaks.0 {
            self.errors.push(at, "`break` (or a labelled `continue`) in a loop over a chained or flattened iterator (`a.chain(b)`, `rows.iter().flatten()`) is not supported: write the loops (`for v in a { .. } for v in b { .. }`, `'rows: for row in rows { for v in row { .. break 'rows; } }`)");
            return false;
        }
        true
    }
}
