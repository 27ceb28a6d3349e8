//! Step 2, `flatten` and `flat_map` over nested slices (`&[Vec<f64>]`, `&[[f64; N]]`):
//! a nested loop. In: the chain of the rows, and the adaptors of each row's iterator
//! (`flat_map(|r| r.iter().skip(1))`, and the item-wise `map`, `filter`, `copied`,
//! `cloned` after `flatten`). Out: the rows' loop, in whose body each row is a place
//! looped over by the inner chain. A row must be a place (an element of the outer
//! slice); adaptors after `flatten` that count items or leave early are spanned errors.

use proc_macro2::Span;
use syn::visit::Visit;
use syn::{Expr, Pat};

use crate::lower::iter::named::Uses;
use crate::lower::iter::{Bound, Chain};
use crate::lower::Lowerer;

/// The adaptors of each row's iterator, in order.
pub(crate) struct Flat {
    pub inner: Vec<syn::ExprMethodCall>,
    pub span: Span,
}

/// Adaptors a row's iterator may have inside `flat_map`.
const ROW_ADAPTORS: &[&str] = &[
    "rev",
    "enumerate",
    "skip",
    "take",
    "step_by",
    "map",
    "filter",
    "take_while",
    "skip_while",
    "copied",
    "cloned",
];

// from: the body `r.iter().skip(1).map(f)` of `flat_map(|r| ..)`
// into: `[skip(1), map(f)]`, the row's adaptors, if the body is such a chain on `r`
//       whose adaptors do not read `r` (else `None`)
fn row_adaptors(body: &Expr, row: &str) -> Option<Vec<syn::ExprMethodCall>> {
    let mut calls = Vec::new();
    let mut e = body;
    loop {
        match e {
            Expr::Path(p) if p.path.is_ident(row) => break,
            Expr::MethodCall(m) => {
                calls.push(m.clone());
                e = &m.receiver;
            }
            _ => return None,
        }
    }
    calls.reverse();
    if calls
        .first()
        .is_some_and(|m| m.args.is_empty() && (m.method == "iter" || m.method == "into_iter"))
    {
        calls.remove(0);
    }
    for m in &calls {
        let mut uses = Uses {
            name: row,
            spans: Vec::new(),
        };
        m.args.iter().for_each(|a| uses.visit_expr(a));
        let name = m.method.to_string();
        if !ROW_ADAPTORS.contains(&name.as_str()) || !uses.spans.is_empty() {
            return None;
        }
    }
    Some(calls)
}

impl Lowerer<'_> {
    // from: `rows.iter().flatten()`
    // into: the chain of the rows, each row looped over (see `drive_flat`)
    pub(crate) fn flattened(&mut self, m: &syn::ExprMethodCall) -> Option<Chain> {
        self.flat_chain(m, Vec::new())
    }

    // from: `rows.iter().flat_map(|r| r.iter().skip(1))`
    // into: the chain of the rows, each row looped over with `.skip(1)`
    pub(crate) fn flat_mapped(&mut self, m: &syn::ExprMethodCall) -> Option<Chain> {
        let inner = match &m.args[0] {
            Expr::Closure(c) if c.inputs.len() == 1 => match &c.inputs[0] {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    row_adaptors(&c.body, &p.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        };
        let Some(inner) = inner else {
            self.errors.push_spanned(&m.args[0], "`flat_map` is supported with a closure that iterates over its row: `|r| r.iter()`, with adaptors that do not read `r` (`|r| r.iter().skip(1).map(|v| v * v)`); write nested loops otherwise: `for r in rows.iter() { for v in r.iter() { .. } }`");
            return None;
        };
        self.flat_chain(m, inner)
    }

    // from: `rows.iter()` and the rows' adaptors `[skip(1)]`
    // into: the chain of the rows with `flat` set (a chain or a flattened chain: an error)
    fn flat_chain(
        &mut self,
        m: &syn::ExprMethodCall,
        inner: Vec<syn::ExprMethodCall>,
    ) -> Option<Chain> {
        let mut chain = self.chain(&m.receiver)?;
        if chain.flat.is_some() || chain.then.is_some() {
            self.errors.push(m.method.span(), format!("`.{}(..)` of a chained or flattened iterator is not supported: write the loops", m.method));
            return None;
        }
        chain.flat = Some(Flat {
            inner,
            span: m.method.span(),
        });
        Some(chain)
    }

    // from: `.map(f)` after `flatten` / `flat_map`
    // into: `f` applied in each row's loop; adaptors that count or leave early: an error
    pub(crate) fn adapt_flat(
        &mut self,
        chain: &mut Chain,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<()> {
        if !matches!(name, "map" | "filter" | "copied" | "cloned") {
            self.errors.push(span, format!("`.{name}(..)` after `.flatten()` / `.flat_map(..)` is not supported: write nested loops (`for row in rows.iter() {{ for v in row.iter() {{ .. }} }}`), with a counter or a flag declared before them"));
            return None;
        }
        if let Some(flat) = &mut chain.flat {
            flat.inner.push(m.clone());
        }
        Some(())
    }

    // from: `rows.iter().flatten()` driven with a body `each`
    // into: `For { c in 0..rows.len(), body: [For { k in 0..rows[c].len(), body:
    //       [each(rows[c][k])] }] }`
    pub(crate) fn drive_flat(
        &mut self,
        rows: Chain,
        flat: Flat,
        each: &mut dyn FnMut(&mut Self, Bound),
    ) {
        self.drive(rows, &mut |l, row| {
            let Bound::Place(place, mutable) = row else {
                l.errors.push(flat.span, "`flatten` / `flat_map` is supported over rows that are elements of a slice, array or `Vec` (`rows.iter().flatten()`, `&[Vec<f64>]`, `&[[f64; N]]`): write nested loops");
                return;
            };
            let mut inner = l.place_chain(place, mutable, flat.span);
            for m in &flat.inner {
                let name = m.method.to_string();
                if l.adaptor(&mut inner, m, &name, m.method.span()).is_none() {
                    return;
                }
            }
            l.drive(inner, &mut *each);
        });
    }
}
