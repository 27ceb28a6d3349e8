//! Step 2, the closures of iterator chains and of `let f = |v| ..;`: inlined where they
//! are applied, their parameters bound to the item at hand, so they capture the enclosing
//! function's variables by name and need no runtime representation. In: a closure or a
//! function path (`|(a, b)| a * b`, `f64::max`, `helper`) and the items it is applied to
//! (`Bound`: places, values, pairs). Out: the body's statements in the current block and
//! its value as a `Bound`; parameter patterns bind names to places (aliases) or values.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use crate::ir::*;
use crate::lower::iter::{whole, Bound, Func};
use crate::lower::{is_unit, unit, Binding, Lowerer};

impl Func {
    pub(crate) fn span(&self) -> Span {
        match self {
            Func::Closure(c) => c.span(),
            Func::Path(p) => p.span(),
        }
    }
}

impl Lowerer<'_> {
    // from: `|v| v * v` / `f64::max` / `helper`
    // into: `Func::Closure(..)` / `Func::Path(..)`, applied later by `apply`
    /// The closure or function path passed to an adaptor or a reduction.
    pub(crate) fn func(&mut self, e: &Expr) -> Option<Func> {
        match e {
            Expr::Closure(c) => {
                let mut find = FindReturn(None);
                find.visit_expr(&c.body);
                if let Some(span) = find.0 {
                    self.errors.push(span, "`return` inside an iterator closure is not supported: compute the value as the closure's last expression (use `if`/`else` for early cases)");
                    return None;
                }
                Some(Func::Closure(c.clone()))
            }
            Expr::Path(p) if p.qself.is_none() => Some(Func::Path(p.clone())),
            other => {
                self.errors.push_spanned(other, "pass a closure (`|v| v * v`) or the path of a function (`f64::max`, `helper`) here");
                None
            }
        }
    }

    // from: `(|(a, b)| a * b)` applied to the item `(x[c], y[c])`
    // into: `let t = x[c] * y[c];` in the loop body (`a`, `b` alias the elements)
    /// `by_ref`: the closure receives `&Item` (`filter`, `max_by`): values are bound as
    /// places, so `*v`, `**v` and `a.total_cmp(b)` work as in Rust.
    pub(crate) fn apply(&mut self, f: &Func, args: Vec<Bound>, by_ref: bool) -> Bound {
        self.scopes.push(HashMap::new());
        let out = match f {
            Func::Closure(c) if c.inputs.len() != args.len() => {
                let n = args.len();
                self.errors.push_spanned(
                    &c.inputs,
                    format!("this closure takes {n} parameter(s) here"),
                );
                Bound::Value(unit())
            }
            Func::Closure(c) => {
                let mut names = Vec::new();
                for (pat, arg) in c.inputs.iter().zip(args) {
                    pattern_names(pat, &mut names);
                    self.bind_pat(pat, arg, by_ref);
                }
                let mut body = (*c.body).clone();
                CollapseDerefs(&names).visit_expr_mut(&mut body);
                match &body {
                    Expr::Tuple(t) if t.elems.len() == 2 => {
                        let a = Bound::Value(self.expr(&t.elems[0]));
                        let b = Bound::Value(self.expr(&t.elems[1]));
                        Bound::Pair(Box::new(a), Box::new(b))
                    }
                    // `{ let m = ..; (m, z + v) }`, or an `if` whose arms are pairs
                    e if crate::lower::tuple::tuple_tails(e, 2) => {
                        match self.branched_tuple(e, 2).as_deref() {
                            Some([a, b]) => Bound::Pair(
                                Box::new(Bound::Value(a.clone())),
                                Box::new(Bound::Value(b.clone())),
                            ),
                            _ => Bound::Value(unit()),
                        }
                    }
                    e => Bound::Value(self.expr(e)),
                }
            }
            // from: `f64::max` / `helper`  into: `a.max(b)` / `helper(a)`, inline
            Func::Path(p) => {
                let span = p.span();
                let idents: Vec<syn::Ident> = (0..args.len())
                    .map(|k| format_ident!("__cotangent_arg{}", k, span = span))
                    .collect();
                for (id, arg) in idents.iter().zip(args) {
                    self.bind_ident(&id.to_string(), arg, by_ref, span);
                }
                let segments: Vec<&syn::Ident> = p.path.segments.iter().map(|s| &s.ident).collect();
                let call: Expr = match (segments.as_slice(), idents.split_first()) {
                    ([ty, method], Some((first, rest))) if *ty == "f64" || *ty == "f32" => {
                        syn::parse_quote!(#first.#method(#(#rest),*))
                    }
                    _ => syn::parse_quote!(#p(#(#idents),*)),
                };
                Bound::Value(self.expr(&call))
            }
        };
        self.scopes.pop();
        out
    }

    // from: `(i, &v)` against `(position, x[c])`
    // into: `i` names the position; `v` aliases `x[c]`
    pub(crate) fn bind_pat(&mut self, pat: &Pat, item: Bound, by_ref: bool) {
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let name = p.ident.to_string();
                if p.mutability.is_none() {
                    return self.bind_ident(&name, item, by_ref, p.ident.span());
                }
                // `mut v`: a copy the body may change.
                let value = self.value_of(item, p.span());
                let var = self.body.new_var(&name, p.ident.span(), Origin::User);
                self.push(Stmt::Let {
                    var,
                    value: Rvalue::Use(value),
                });
                self.bind_name(&name, Binding::Var(var));
            }
            Pat::Wild(_) => {}
            // `&v`: the value of the element when the item is taken, not an alias of it.
            Pat::Reference(r) => {
                let item = match item {
                    Bound::Place(..) => Bound::Value(self.value_of(item, r.span())),
                    other => other,
                };
                self.bind_pat(&r.pat, item, false)
            }
            Pat::Paren(p) => self.bind_pat(&p.pat, item, by_ref),
            Pat::Type(t) => self.bind_pat(&t.pat, item, by_ref),
            Pat::Tuple(t) => match item {
                Bound::Pair(a, b) if t.elems.len() == 2 => {
                    self.bind_pat(&t.elems[0], *a, by_ref);
                    self.bind_pat(&t.elems[1], *b, by_ref);
                }
                // from: `for &(i, j) in edges` (a slice of tuples)
                // into: `i`, `j` name `edges[c].0`, `edges[c].1`
                item @ (Bound::Place(..) | Bound::Value(Operand::Var(_))) => {
                    let (place, mutable) = match item {
                        Bound::Place(place, mutable) => (place, mutable),
                        Bound::Value(Operand::Var(v)) => (whole(v), false),
                        Bound::Value(Operand::Const(_)) | Bound::Pair(..) => return,
                    };
                    for (k, sub) in t.elems.iter().enumerate() {
                        let mut part = place.clone();
                        part.projs.push(Proj::Field(syn::Member::Unnamed(syn::Index {
                            index: k as u32,
                            span: sub.span(),
                        })));
                        self.bind_pat(sub, Bound::Place(part, mutable), by_ref);
                    }
                }
                Bound::Pair(..) | Bound::Value(Operand::Const(_)) => self.errors.push_spanned(t, "this pattern does not match the item: a `zip` or `enumerate` item is a pair `(a, b)` (three-way zips nest: `((a, b), c)`), any other item a single name"),
            },
            // from: `for [x, y] in points.iter()` (a slice of arrays)
            // into: `x`, `y` name `points[c][0]`, `points[c][1]`
            Pat::Slice(s) if s.elems.iter().all(|e| !matches!(e, Pat::Rest(_))) => {
                let (place, mutable) = match item {
                    Bound::Place(place, mutable) => (place, mutable),
                    Bound::Value(Operand::Var(v)) => (whole(v), false),
                    Bound::Value(Operand::Const(_)) | Bound::Pair(..) => {
                        self.errors.push_spanned(s, "an array pattern needs an array item");
                        return;
                    }
                };
                for (k, sub) in s.elems.iter().enumerate() {
                    let mut part = place.clone();
                    part.projs.push(Proj::Index(Operand::Const(quote!(#k))));
                    self.bind_pat(sub, Bound::Place(part, mutable), by_ref);
                }
            }
            other => self.errors.push_spanned(other, "use a name (`v`, `mut v`), `&v`, a pair `(a, b)`, a tuple or array pattern, or `_` for the items of an iterator"),
        }
    }

    fn bind_ident(&mut self, name: &str, item: Bound, by_ref: bool, span: Span) {
        let binding = match item {
            Bound::Place(place, mutable) => Binding::Alias(place, mutable),
            Bound::Value(op) if is_unit(&op) => return,
            Bound::Value(Operand::Var(v)) if !by_ref => Binding::Var(v),
            Bound::Value(op) => {
                let v = match op {
                    Operand::Var(v) => v,
                    constant => match self.bind("v", span, Rvalue::Use(constant)) {
                        Operand::Var(v) => v,
                        Operand::Const(_) => return,
                    },
                };
                if by_ref {
                    Binding::Alias(whole(v), false)
                } else {
                    Binding::Var(v)
                }
            }
            Bound::Pair(..) => {
                self.errors.push(
                    span,
                    "this item is a pair: destructure it, e.g. `|(a, b)| ..` or `for (a, b) in ..`",
                );
                return;
            }
        };
        self.bind_name(name, binding);
    }

    // from: the item `Place(x[c])` / `Value(t)`
    // into: `let x1 = x[c];` and `x1` / `t`
    /// The value of an item (an element is read).
    pub(crate) fn value_of(&mut self, item: Bound, span: Span) -> Operand {
        match item {
            Bound::Place(place, _) => self.bind("x", span, Rvalue::Read(place)),
            Bound::Value(op) => op,
            Bound::Pair(..) => self.error(
                span,
                "this item is a pair: reduce values, e.g. `.map(|(a, b)| a * b).sum::<f64>()`",
            ),
        }
    }
}

/// The names a closure's parameter patterns bind.
fn pattern_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => out.push(p.ident.to_string()),
        Pat::Reference(r) => pattern_names(&r.pat, out),
        Pat::Paren(p) => pattern_names(&p.pat, out),
        Pat::Type(t) => pattern_names(&t.pat, out),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pattern_names(p, out)),
        _ => {}
    }
}

/// `**v` of a parameter is `*v`: a parameter is an alias of a place however many
/// references Rust puts around it (`filter(|v| **v > 0.0)` over `x.iter()`).
struct CollapseDerefs<'a>(&'a [String]);

impl VisitMut for CollapseDerefs<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let Expr::Unary(outer) = &*e else { return };
        if !matches!(outer.op, syn::UnOp::Deref(_)) {
            return;
        }
        let Expr::Unary(inner) = &*outer.expr else {
            return;
        };
        let is_param = matches!(&*inner.expr, Expr::Path(p)
            if p.path.get_ident().is_some_and(|id| self.0.contains(&id.to_string())));
        if matches!(inner.op, syn::UnOp::Deref(_)) && is_param {
            *e = Expr::Unary(inner.clone());
        }
    }
}

/// The first `return` of a closure body (not of closures nested in it).
struct FindReturn(Option<Span>);

impl<'a> Visit<'a> for FindReturn {
    fn visit_expr_return(&mut self, r: &'a syn::ExprReturn) {
        self.0.get_or_insert(r.return_token.span);
    }
    fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
}
