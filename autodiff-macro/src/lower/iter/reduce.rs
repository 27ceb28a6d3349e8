//! Step 2, reductions and closures of iterator chains (the chains are in `lower_iter`):
//! `sum`, `product`, `fold`, `count`, `len`, `for_each`, and `max_by` / `min_by` /
//! `reduce` followed by `.unwrap()`, each a loop that updates an accumulator. Closures are
//! lowered inline where the item is at hand, their parameters bound to it, so they capture
//! the enclosing function's variables by name and need no runtime representation.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use crate::ir::*;
use crate::lower::iter::{is_chain, Bound, Func, ADAPTORS, SOURCES};
use crate::lower::{is_unit, unit, Binding, Lowerer};

impl Func {
    pub(crate) fn span(&self) -> Span {
        match self {
            Func::Closure(c) => c.span(),
            Func::Path(p) => p.span(),
        }
    }
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        other => other,
    }
}

/// The `Option` an `unwrap` applies to, through `.copied()` / `.cloned()`.
fn option_of(e: &Expr) -> &Expr {
    match strip(e) {
        Expr::MethodCall(m)
            if (m.method == "copied" || m.method == "cloned")
                && m.args.is_empty()
                && !is_chain(&m.receiver) =>
        {
            strip(&m.receiver)
        }
        other => other,
    }
}

impl Lowerer<'_> {
    /// The hook of `method_call`: a reduction of an iterator chain, or the error for an
    /// iterator method that is unsupported or left unconsumed. `None`: not an iterator.
    /// `chain.max_by(..).unwrap()` (or `min_by`, `reduce`, with `expect`): a reduction
    /// whose value is an element, which `*` may dereference.
    pub(crate) fn is_reduction(&self, m: &syn::ExprMethodCall) -> bool {
        matches!(m.method.to_string().as_str(), "unwrap" | "expect")
            && matches!(option_of(&m.receiver), Expr::MethodCall(inner)
                if matches!(inner.method.to_string().as_str(), "max_by" | "min_by" | "reduce")
                    && inner.args.len() == 1
                    && is_chain(&inner.receiver))
    }

    pub(crate) fn iter_method(&mut self, m: &syn::ExprMethodCall) -> Option<Operand> {
        let name = m.method.to_string();
        let on_chain = is_chain(&m.receiver);
        match name.as_str() {
            "sum" | "product" | "fold" | "count" | "for_each" | "len" | "collect" if on_chain => {
                Some(self.reduction(m, &name))
            }
            "unwrap" | "expect" => match option_of(&m.receiver) {
                Expr::MethodCall(inner)
                    if matches!(
                        inner.method.to_string().as_str(),
                        "max_by" | "min_by" | "reduce"
                    ) && inner.args.len() == 1
                        && is_chain(&inner.receiver) =>
                {
                    Some(self.best(inner, m))
                }
                _ => None,
            },
            _ if on_chain || SOURCES.contains(&name.as_str()) => {
                let message = match name.as_str() {
                    "max_by" | "min_by" | "reduce" => format!("`.{name}(..)` gives an `Option` here: follow it with `.unwrap()` (or `.expect(..)`)"),
                    n if SOURCES.contains(&n) || ADAPTORS.contains(&n) => "an iterator must be consumed where it is built: loop over it (`for v in x.iter() { .. }`) or end the chain with `.sum()`, `.product()`, `.fold(..)`, `.count()`, `.for_each(..)` or `.max_by(..).unwrap()`; it cannot be stored in a variable or passed to a function".to_string(),
                    _ => unsupported_message(&name),
                };
                Some(self.error(m.method.span(), message))
            }
            _ => None,
        }
    }

    /// The error for an iterator method the chain lowering does not know.
    pub(crate) fn unsupported(&mut self, m: &syn::ExprMethodCall) {
        let message = unsupported_message(&m.method.to_string());
        self.errors.push(m.method.span(), message);
    }

    fn reduction(&mut self, m: &syn::ExprMethodCall, name: &str) -> Operand {
        let span = m.span();
        let arity = match name {
            "fold" => 2,
            "for_each" => 1,
            _ => 0,
        };
        if m.args.len() != arity {
            return self.error(
                m.method.span(),
                format!("`.{name}` takes {arity} argument(s)"),
            );
        }
        let Some(chain) = self.chain(&m.receiver) else {
            return unit();
        };
        match name {
            // from: `x.iter().skip(1).count()`  into: the number of counter values
            "len" | "count" if chain.stages.is_empty() => self.count(&chain.seq, span),
            "len" => self.error(
                m.method.span(),
                "a filtered iterator has no `.len()`: use `.count()`",
            ),
            // from: `x.iter().filter(p).count()`  into: `let mut n = 0; for .. { if p { n += 1 } }`
            "count" => {
                let n = self.accumulator("count", Operand::Const(quote!(0usize)), span);
                self.drive(chain, &mut |l, _| {
                    let t = l.int(BinOp::Add, Operand::Var(n), Operand::Const(quote!(1)), span);
                    l.set(n, t);
                });
                Operand::Var(n)
            }
            // from: `x.iter().map(f).sum::<f64>()`
            // into: `let mut sum = <f64 as Sum>::sum(empty()); for c in .. { sum = sum + f(x[c]); }`
            "sum" | "product" => {
                let (op, init) = (
                    if name == "sum" {
                        BinOp::Add
                    } else {
                        BinOp::Mul
                    },
                    identity(name, m.turbofish.as_ref()),
                );
                let acc = self.accumulator(name, init, span);
                self.drive(chain, &mut |l, item| {
                    let v = l.value_of(item, span);
                    let t = l.bind("t", span, Rvalue::Binary(op, Operand::Var(acc), v));
                    l.set(acc, t);
                });
                Operand::Var(acc)
            }
            // from: `x.iter().fold(init, |acc, v| body)`
            // into: `let mut acc = init; for c in .. { acc = body[acc, v ≡ x[c]]; }`
            "fold" => {
                let init = self.expr(&m.args[0]);
                let Some(f) = self.func(&m.args[1]) else {
                    return unit();
                };
                let acc = self.accumulator("acc", init.clone(), span);
                // `|m: f64, v| ..`: the accumulator's written type fixes an untyped `0.0`;
                // so does `f64::max`, or else the signature's one float type (in `f` the
                // type comes from where the fold's value goes).
                let written = match &f {
                    Func::Closure(c) => match c.inputs.first() {
                        Some(syn::Pat::Type(t)) => Some((*t.ty).clone()),
                        _ => None,
                    },
                    Func::Path(p) => p
                        .path
                        .segments
                        .first()
                        .filter(|s| s.ident == "f64" || s.ident == "f32")
                        .map(|s| {
                            let t = &s.ident;
                            syn::parse_quote!(#t)
                        }),
                };
                let untyped = matches!(&init, Operand::Const(t)
                    if syn::parse2::<syn::LitFloat>(t.clone()).is_ok_and(|l| l.suffix().is_empty()));
                self.body.vars[acc].ty = written.or_else(|| {
                    let t = self.float_type.clone().filter(|_| untyped)?;
                    Some(syn::parse_quote!(#t))
                });
                self.drive(chain, &mut |l, item| {
                    let r = l.apply(&f, vec![Bound::Value(Operand::Var(acc)), item], false);
                    let r = l.value_of(r, span);
                    l.set(acc, r);
                });
                Operand::Var(acc)
            }
            // from: `x.iter().map(f).collect::<Vec<f64>>()`
            // into: `let mut v = Vec::new(); for c in .. { v.push(f(x[c])); }`
            "collect" => {
                let vec_type = match m.turbofish.as_ref().and_then(|t| t.args.first()) {
                    None => None,
                    Some(syn::GenericArgument::Type(syn::Type::Path(p)))
                        if p.path.segments.last().is_some_and(|s| s.ident == "Vec") =>
                    {
                        Some(syn::Type::Path(p.clone()))
                    }
                    Some(_) => {
                        return self.error(
                            m.method.span(),
                            "`.collect()` is supported into a `Vec` only: `collect::<Vec<f64>>()`",
                        );
                    }
                };
                let v = self.temp("collected", span);
                self.push(Stmt::Let {
                    var: v,
                    value: Rvalue::Call(Call {
                        callee: Callee::Path(syn::parse_quote!(::std::vec::Vec::new)),
                        recv: None,
                        args: Vec::new(),
                        passive: true,
                    }),
                });
                self.body.vars[v].ty = vec_type;
                self.drive(chain, &mut |l, item| {
                    let x = l.value_of(item, span);
                    l.push_value(whole(v), x, span);
                });
                Operand::Var(v)
            }
            // from: `x.iter().for_each(|v| body)`  into: `for c in .. { body[v ≡ x[c]] }`
            _ => {
                let Some(f) = self.func(&m.args[0]) else {
                    return unit();
                };
                self.drive(chain, &mut |l, item| {
                    l.apply(&f, vec![item], false);
                });
                unit()
            }
        }
    }

    // from: `x.iter().max_by(|a, b| a.total_cmp(b)).unwrap()`
    // into: `let mut found = false; let mut best = Default::default();
    //        for c in .. { let v = x[c]; let first = !found;
    //          if first { best = v; } else { let o = cmp(&best, &v);
    //            let gt = o == Greater; let take = !gt; if take { best = v; } }
    //          found = true; }
    //        found.then_some(()).unwrap(); best`
    // `max_by` keeps the last of equal maxima and `min_by` the first (std's convention),
    // and the adjoint flows to the element the primal kept.
    fn best(&mut self, inner: &syn::ExprMethodCall, outer: &syn::ExprMethodCall) -> Operand {
        let kind = inner.method.to_string();
        let span = inner.span();
        let Some(chain) = self.chain(&inner.receiver) else {
            return unit();
        };
        let Some(f) = self.func(&inner.args[0]) else {
            return unit();
        };
        let found = self.accumulator("found", Operand::Const(quote!(false)), span);
        let default = Call {
            callee: Callee::Path(syn::parse_quote!(::core::default::Default::default)),
            recv: None,
            args: Vec::new(),
            passive: true,
        };
        let best = self.temp("best", span);
        self.push(Stmt::Let {
            var: best,
            value: Rvalue::Call(default),
        });
        self.body.vars[best].mutable = true;
        self.drive(chain, &mut |l, item| {
            let v = l.value_of(item, span);
            // `best = v` comes first in the code, so that the compiler knows `best`'s type
            // where the closure calls a method on it.
            let first = l.bind("first", span, Rvalue::Unary(UnOp::Not, Operand::Var(found)));
            let (then, _) = l.sub_block(|l| {
                l.set(best, v.clone());
                unit()
            });
            let (els, _) = l.sub_block(|l| {
                let args = vec![Bound::Value(Operand::Var(best)), Bound::Value(v.clone())];
                if kind == "reduce" {
                    let r = l.apply(&f, args, false);
                    let r = l.value_of(r, span);
                    l.set(best, r);
                    return unit();
                }
                let order = l.apply(&f, args, true);
                let order = l.value_of(order, span);
                let greater = Operand::Const(quote!(::core::cmp::Ordering::Greater));
                let gt = l.bind(
                    "gt",
                    span,
                    Rvalue::Binary(BinOp::Other(OtherOp::Eq), order, greater),
                );
                let take = if kind == "max_by" {
                    l.bind("take", span, Rvalue::Unary(UnOp::Not, gt))
                } else {
                    gt
                };
                let (update, _) = l.sub_block(|l| {
                    l.set(best, v.clone());
                    unit()
                });
                l.push(Stmt::If {
                    cond: take,
                    then: update,
                    els: Block::default(),
                });
                unit()
            });
            l.push(Stmt::If {
                cond: first,
                then,
                els,
            });
            l.set(found, Operand::Const(quote!(true)));
        });
        // `Option::unwrap` / `expect` of the user's, with std's panic on an empty iterator.
        let some = self.passive_method(whole(found), "then_some", vec![unit()], span);
        let args = outer
            .args
            .iter()
            .map(|a| match a {
                Expr::Lit(l) => Operand::Const(quote!(#l)),
                other => self.expr(other),
            })
            .collect();
        if let Operand::Var(some) = some {
            let method = outer.method.to_string();
            self.passive_method(whole(some), &method, args, outer.method.span());
        }
        Operand::Var(best)
    }

    /// `let mut name = init;`, updated by the loop that follows.
    fn accumulator(&mut self, hint: &str, init: Operand, span: Span) -> VarId {
        let var = self.temp(hint, span);
        self.push(Stmt::Let {
            var,
            value: Rvalue::Use(init),
        });
        self.body.vars[var].mutable = true;
        var
    }

    fn set(&mut self, var: VarId, value: Operand) {
        self.body.vars[var].mutable = true;
        self.push(Stmt::Assign {
            var,
            value,
            overwrites: true,
        });
    }

    /// The closure or function path passed to an adaptor or a reduction.
    pub(crate) fn func(&mut self, e: &Expr) -> Option<Func> {
        match e {
            Expr::Paren(p) => self.func(&p.expr),
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
                match strip(&body) {
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
                        _ => return,
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
                _ => self.errors.push_spanned(t, "this pattern does not match the item: a `zip` or `enumerate` item is a pair `(a, b)` (three-way zips nest: `((a, b), c)`), any other item a single name"),
            },
            // from: `for [x, y] in points.iter()` (a slice of arrays)
            // into: `x`, `y` name `points[c][0]`, `points[c][1]`
            Pat::Slice(s) if s.elems.iter().all(|e| !matches!(e, Pat::Rest(_))) => {
                let (place, mutable) = match item {
                    Bound::Place(place, mutable) => (place, mutable),
                    Bound::Value(Operand::Var(v)) => (whole(v), false),
                    _ => {
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

/// The whole variable `base`, as a place.
fn whole(base: VarId) -> Place {
    Place {
        base,
        projs: Vec::new(),
    }
}

/// The neutral element std's `Sum` / `Product` start from, so that the result is the
/// same bits as `f`'s (`-0.0` for float sums since Rust 1.82, `0.0` before).
fn identity(name: &str, turbofish: Option<&syn::AngleBracketedGenericArguments>) -> Operand {
    let f = format_ident!("{}", name);
    match turbofish.and_then(|t| t.args.first()) {
        Some(syn::GenericArgument::Type(ty)) => {
            Operand::Const(quote!(::core::iter::Iterator::#f::<#ty>(::core::iter::empty::<#ty>())))
        }
        _ => Operand::Const(
            quote!((::core::iter::Iterator::#f::<f64>(::core::iter::empty::<f64>()) as _)),
        ),
    }
}

fn unsupported_message(name: &str) -> String {
    let instead = match name {
        "chain" => "two loops, one after the other: `for v in a.iter() { .. } for v in b.iter() { .. }`",
        "flat_map" | "flatten" => "nested loops: `for row in m.iter() { for v in row.iter() { .. } }`",
        "filter_map" | "find_map" => "`.filter(..)` then `.map(..)`, or a loop with an `if`",
        "take_while" | "map_while" => "a loop that leaves early: `for v in x.iter() { if !cond { break; } .. }`",
        "skip_while" => "a loop with a flag: `let mut on = false; for v in x.iter() { if !cond { on = true; } if on { .. } }`",
        "scan" => "a loop that updates a state declared before it: `let mut s = init; for v in x.iter() { s = ..; }`",
        "unzip" | "partition" => "a loop that pushes into two local `Vec`s: `let mut a = Vec::new(); let mut b = Vec::new(); for v in x.iter() { if cond { a.push(*v) } else { b.push(*v) } }`",
        "max" | "min" => "for floats `.fold(f64::NEG_INFINITY, f64::max)`, or `.max_by(|a, b| a.total_cmp(b)).unwrap()`",
        "max_by_key" | "min_by_key" => "`.max_by(|a, b| key(a).total_cmp(&key(b))).unwrap()`",
        "position" | "rposition" | "find" | "any" | "all" => "a loop with a flag: `let mut found = false; for (i, v) in x.iter().enumerate() { if cond { found = true; } }`",
        "last" | "nth" => "an index: `x[x.len() - 1]`, `x[n]`",
        _ => "an indexed loop: `for i in 0..x.len() { .. x[i] .. }`",
    };
    format!("`.{name}(..)` is not supported on iterators in a differentiated function: write {instead}. Supported: `iter`, `iter_mut`, `chunks`, `windows`, `enumerate`, `zip`, `rev`, `skip`, `take`, `step_by`, `map`, `filter`, `copied`, `cloned`, consumed by `for`, `sum`, `product`, `fold`, `count`, `for_each`, `collect` (into a `Vec`), or `max_by` / `min_by` / `reduce` + `.unwrap()`")
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
        let Expr::Unary(inner) = strip(&outer.expr) else {
            return;
        };
        let is_param = matches!(strip(&inner.expr), Expr::Path(p)
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
