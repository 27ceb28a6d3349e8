//! Step 2, reductions of iterator chains (the chains are in `iter`, their closures in
//! `closure`): `sum`, `product`, `fold`, `count`, `len`, `for_each`, `collect`, and
//! `max_by` / `min_by` / `reduce` followed by `.unwrap()`. In: the method call that
//! consumes a chain. Out: a loop over the chain's counter (`drive`) that updates an
//! accumulator declared before it, whose variable is the reduction's value.

use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::iter::{is_chain, whole, Bound, Chain, Func, ADAPTORS, SOURCES};
use crate::lower::{unit, Lowerer};

/// The `Option` an `unwrap` applies to, through `.copied()` / `.cloned()`.
fn option_of(e: &Expr) -> &Expr {
    match e {
        Expr::MethodCall(m)
            if (m.method == "copied" || m.method == "cloned")
                && m.args.is_empty()
                && !is_chain(&m.receiver) =>
        {
            &m.receiver
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

    // from: `x.iter().sum::<f64>()` / `x.iter().max_by(..).unwrap()` / `x.iter().map(f)`
    // into: see `reduction` / see `best` / an error (an unconsumed iterator); `None` for a
    //       method that is not an iterator's
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
                    n if SOURCES.contains(&n) || ADAPTORS.contains(&n) => "an iterator must be consumed where it is built: loop over it (`for v in x.iter() { .. }`) or end the chain with `.sum()`, `.product()`, `.fold(..)`, `.count()`, `.for_each(..)` or `.max_by(..).unwrap()`; one bound to a name is written where it is used, once (`let t = x.iter().map(..); t.sum()`); it cannot be passed to a function".to_string(),
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

    // from: `chain.sum()`, `.product()`, `.fold(..)`, `.count()`, `.len()`, `.collect()`, `.for_each(..)`
    // into: the chain's loop updating an accumulator (one method per reduction below)
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
            "len" | "count"
                if chain.stages.is_empty() && chain.then.is_none() && chain.flat.is_none() =>
            {
                self.count(&chain.seq, span)
            }
            "len" => self.error(
                m.method.span(),
                "a filtered iterator has no `.len()`: use `.count()`",
            ),
            "count" => self.count_reduction(chain, span),
            "sum" | "product" => self.sum_reduction(chain, m, name),
            "fold" => self.fold_reduction(chain, m),
            "collect" => self.collect_reduction(chain, m),
            _ => self.for_each_reduction(chain, m),
        }
    }

    // from: `x.iter().filter(p).count()`
    // into: `let mut n = 0usize; for c in .. { if p(x[c]) { n = n + 1; } }`
    fn count_reduction(&mut self, chain: Chain, span: Span) -> Operand {
        let n = self.accumulator("count", Operand::Const(quote!(0usize)), span);
        self.drive(chain, &mut |l, _| {
            let t = l.int(BinOp::Add, Operand::Var(n), Operand::Const(quote!(1)), span);
            l.set(n, t);
        });
        Operand::Var(n)
    }

    // from: `x.iter().map(f).sum::<f64>()` (or `.product()`)
    // into: `let mut sum = <f64 as Sum>::sum(empty()); for c in .. { sum = sum + f(x[c]); }`
    fn sum_reduction(&mut self, chain: Chain, m: &syn::ExprMethodCall, name: &str) -> Operand {
        let span = m.span();
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
    fn fold_reduction(&mut self, chain: Chain, m: &syn::ExprMethodCall) -> Operand {
        let span = m.span();
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
    fn collect_reduction(&mut self, chain: Chain, m: &syn::ExprMethodCall) -> Operand {
        let span = m.span();
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

    // from: `x.iter().for_each(|v| body)`
    // into: `for c in .. { body[v ≡ x[c]] }`
    fn for_each_reduction(&mut self, chain: Chain, m: &syn::ExprMethodCall) -> Operand {
        let Some(f) = self.func(&m.args[0]) else {
            return unit();
        };
        self.drive(chain, &mut |l, item| {
            l.apply(&f, vec![item], false);
        });
        unit()
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
            let (els, _) = l.sub_block(|l| l.compare_and_keep(&kind, &f, best, v.clone(), span));
            l.push(Stmt::If {
                cond: first,
                then,
                els,
            });
            l.set(found, Operand::Const(quote!(true)));
        });
        self.unwrap_found(found, outer, span);
        Operand::Var(best)
    }

    // from: the item `v` after the first, with `best` so far (`cmp` the closure of `max_by`)
    // into: `let o = cmp(&best, &v); let gt = o == Greater; let take = !gt;
    //        if take { best = v; }` (`reduce`: `best = f(best, v);`)
    fn compare_and_keep(
        &mut self,
        kind: &str,
        f: &Func,
        best: VarId,
        v: Operand,
        span: Span,
    ) -> Operand {
        let args = vec![Bound::Value(Operand::Var(best)), Bound::Value(v.clone())];
        if kind == "reduce" {
            let r = self.apply(f, args, false);
            let r = self.value_of(r, span);
            self.set(best, r);
            return unit();
        }
        let order = self.apply(f, args, true);
        let order = self.value_of(order, span);
        let greater = Operand::Const(quote!(::core::cmp::Ordering::Greater));
        let gt = self.bind(
            "gt",
            span,
            Rvalue::Binary(BinOp::Other(OtherOp::Eq), order, greater),
        );
        let take = if kind == "max_by" {
            self.bind("take", span, Rvalue::Unary(UnOp::Not, gt))
        } else {
            gt
        };
        let (update, _) = self.sub_block(|l| {
            l.set(best, v);
            unit()
        });
        self.push(Stmt::If {
            cond: take,
            then: update,
            els: Block::default(),
        });
        unit()
    }

    // from: the `.unwrap()` (or `.expect(msg)`) after `max_by(..)`
    // into: `found.then_some(()).unwrap();`, which panics as std's does on an empty iterator
    fn unwrap_found(&mut self, found: VarId, outer: &syn::ExprMethodCall, span: Span) {
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
        "filter_map" | "find_map" => "`.filter(..)` then `.map(..)`, or a loop with an `if`",
        "map_while" => "a loop that leaves early: `for v in x.iter() { if !cond { break; } .. }`",
        "scan" => "a loop that updates a state declared before it: `let mut s = init; for v in x.iter() { s = ..; }`",
        "unzip" | "partition" => "a loop that pushes into two local `Vec`s: `let mut a = Vec::new(); let mut b = Vec::new(); for v in x.iter() { if cond { a.push(*v) } else { b.push(*v) } }`",
        "max" | "min" => "for floats `.fold(f64::NEG_INFINITY, f64::max)`, or `.max_by(|a, b| a.total_cmp(b)).unwrap()`",
        "max_by_key" | "min_by_key" => "`.max_by(|a, b| key(a).total_cmp(&key(b))).unwrap()`",
        "position" | "rposition" | "find" | "any" | "all" => "a loop with a flag: `let mut found = false; for (i, v) in x.iter().enumerate() { if cond { found = true; } }`",
        "last" | "nth" => "an index: `x[x.len() - 1]`, `x[n]`",
        _ => "an indexed loop: `for i in 0..x.len() { .. x[i] .. }`",
    };
    format!("`.{name}(..)` is not supported on iterators in a differentiated function: write {instead}. Supported: `iter`, `iter_mut`, `chunks`, `windows`, `enumerate`, `zip`, `rev`, `skip`, `take`, `step_by`, `map`, `filter`, `take_while`, `skip_while`, `chain`, `flatten`, `flat_map`, `copied`, `cloned`, consumed by `for`, `sum`, `product`, `fold`, `count`, `for_each`, `collect` (into a `Vec`), or `max_by` / `min_by` / `reduce` + `.unwrap()`")
}
