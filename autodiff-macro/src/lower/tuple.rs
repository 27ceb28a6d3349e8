//! Step 2, tuples: destructuring is desugared into one value per part, so the IR never
//! holds a tuple. Every part is evaluated before any is bound or assigned, as in Rust
//! (`(a, b) = (b, a + b)` reads the old `a` and `b`).

use syn::spanned::Spanned;
use syn::{Expr, Pat};

use crate::ir::*;
use crate::lower::iter::Bound;
use crate::lower::{is_unit, Binding, Lowerer};
use crate::prim::MathFn;

pub const HINT: &str = "a tuple can be destructured here from a tuple expression `(a, b)`, an `if`/`match` whose arms are such tuples, `x.sin_cos()`, or a call whose arguments carry no derivative; a function that returns a tuple cannot be differentiated through yet: return an array `[f64; 2]` from it";

impl Lowerer<'_> {
    // from: `let (s, mut c) = (x.sin(), y);` / `let (s, c) = x.sin_cos();`
    // into: `Let { t1, Sin(x) }; Let { t2, y }; s = t1; c = t2`
    pub fn tuple_local(&mut self, pat: &Pat, ty: Option<syn::Type>, init: &Expr) {
        let Pat::Tuple(tuple) = pat else { return };
        let n = tuple.elems.len();
        if self.split_at(tuple, init) {
            return;
        }
        let Some(parts) = self.tuple_parts(init, n) else {
            return;
        };
        let types: Vec<Option<syn::Type>> = match ty {
            Some(syn::Type::Tuple(t)) => t.elems.into_iter().map(Some).collect(),
            _ => vec![None; n],
        };
        for ((sub, value), ty) in tuple.elems.iter().zip(parts).zip(types) {
            // `(a, b: f64)`: a part's own type annotation wins over the tuple's.
            let (sub, ty) = match sub {
                Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
                other => (other, ty),
            };
            match sub {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    self.bind_local(&p.ident, value, ty)
                }
                Pat::Wild(_) => {}
                other => self.errors.push_spanned(
                    other,
                    "bind each part of the tuple to a name (`let (a, b) = ..;`)",
                ),
            }
        }
    }

    // from: `let [x, y, z] = *p;` / `let Body { vel, mass, .. } = b;`
    // into: `x = p[0]; ..` (copies of the elements) / `vel`, `mass` name the places
    //       `b.vel`, `b.mass` (no copy, no move)
    pub fn destructure_local(&mut self, pat: &Pat, init: &Expr) {
        let base = if crate::lower::matching::is_place_expr(init) {
            self.place(init)
        } else {
            self.value_var(init).map(|base| Place {
                base,
                projs: Vec::new(),
            })
        };
        let Some(base) = base else { return };
        let name_of = |p: &Pat| match p {
            Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                Some(Some(i.ident.clone()))
            }
            Pat::Wild(_) => Some(None),
            _ => None,
        };
        match pat {
            Pat::Slice(s) => {
                for (k, sub) in s.elems.iter().enumerate() {
                    if matches!(sub, Pat::Rest(_)) && k + 1 == s.elems.len() {
                        break;
                    }
                    let Some(name) = name_of(sub) else {
                        self.errors.push_spanned(sub, "bind each element to a name (`let [x, y, z] = *p;`); a `..` may only end the pattern");
                        continue;
                    };
                    let Some(name) = name else { continue };
                    let mut place = base.clone();
                    place
                        .projs
                        .push(Proj::Index(Operand::Const(quote::quote!(#k))));
                    let value = self.bind("x", sub.span(), Rvalue::Read(place));
                    self.bind_local(&name, value, None);
                }
            }
            Pat::Struct(s) => {
                let mutable = self.reference_params.get(&base.base) == Some(&true)
                    || self.body.vars[base.base].mutable;
                for field in &s.fields {
                    let Some(name) = name_of(&field.pat) else {
                        self.errors.push_spanned(
                            &field.pat,
                            "bind each field to a name (`let Body { vel, mass: m, .. } = b;`)",
                        );
                        continue;
                    };
                    let Some(name) = name else { continue };
                    let mut place = base.clone();
                    place.projs.push(Proj::Field(field.member.clone()));
                    let place = self.frozen_indices(place, field.span());
                    self.bind_name(&name.to_string(), Binding::Alias(place, mutable));
                }
            }
            _ => {}
        }
    }

    // from: `let (head, tail) = x.split_at_mut(k);`
    // into: `head` and `tail` name the places `x[..k]` and `x[k..]` (no copy)
    fn split_at(&mut self, tuple: &syn::PatTuple, init: &Expr) -> bool {
        let Expr::MethodCall(m) = init else {
            return false;
        };
        let mutable = m.method == "split_at_mut";
        if !(mutable || m.method == "split_at") || m.args.len() != 1 || tuple.elems.len() != 2 {
            return false;
        }
        let Some(base) = self.place(&m.receiver) else {
            return true;
        };
        let k = self.expr(&m.args[0]);
        let k = match k {
            Operand::Var(v)
                if self.body.vars[v].mutable || self.body.vars[v].origin != Origin::Temp =>
            {
                self.bind("split", m.span(), Rvalue::Use(Operand::Var(v)))
            }
            other => other,
        };
        if mutable {
            self.body.vars[base.base].mutable = true;
        }
        let halves = [(None, Some(k.clone())), (Some(k), None)];
        for (sub, (start, end)) in tuple.elems.iter().zip(halves) {
            let mut place = base.clone();
            place.projs.push(Proj::Range {
                start,
                end,
                inclusive: false,
            });
            let place = self.frozen_indices(place, m.span());
            match sub {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    self.bind_name(&p.ident.to_string(), Binding::Alias(place, mutable))
                }
                Pat::Wild(_) => {}
                other => self.errors.push_spanned(
                    other,
                    "bind each half to a name (`let (head, tail) = x.split_at(k);`)",
                ),
            }
        }
        true
    }

    // from: `(a, b) = (b, a + b);`
    // into: `Let { t1, b }; Let { t2, a + b }; a = t1; b = t2`
    pub fn tuple_assign(&mut self, a: &syn::ExprAssign) {
        let Expr::Tuple(left) = &*a.left else { return };
        let Some(parts) = self.tuple_parts(&a.right, left.elems.len()) else {
            return;
        };
        // A part that is a variable itself is copied first: an earlier assignment of
        // this statement may overwrite it.
        let parts: Vec<Operand> = parts
            .into_iter()
            .map(|op| match op {
                Operand::Var(v) if self.body.vars[v].origin != Origin::Temp => {
                    let span = self.body.vars[v].span;
                    self.bind("old", span, Rvalue::Use(Operand::Var(v)))
                }
                other => other,
            })
            .collect();
        for (target, value) in left.elems.iter().zip(parts) {
            self.assign(target, value);
        }
    }

    // from: `(a, b)` / `x.sin_cos()` / `v.iter().fold((0.0, 0.0), ..)` / an `if` of pairs
    // into: one operand per part: `[a, b]` / `[sin x, cos x]` / two accumulators / see
    //       `branched_tuple`
    /// The `n` parts of a tuple-valued expression, each lowered to an operand.
    fn tuple_parts(&mut self, e: &Expr, n: usize) -> Option<Vec<Operand>> {
        match e {
            Expr::Tuple(t) if t.elems.len() == n => {
                Some(t.elems.iter().map(|e| self.expr(e)).collect())
            }
            Expr::MethodCall(m)
                if m.method == "fold"
                    && m.args.len() == 2
                    && n == 2
                    && matches!(&m.args[0], Expr::Tuple(t) if t.elems.len() == 2) =>
            {
                self.pair_fold(m)
            }
            Expr::MethodCall(m) if m.method == "sin_cos" && m.args.is_empty() && n == 2 => {
                let x = self.expr(&m.receiver);
                Some(self.sin_cos(x, None, m.span()))
            }
            Expr::Call(c) if n == 2 && c.args.len() == 1 && is_sin_cos_path(&c.func).is_some() => {
                let ty = is_sin_cos_path(&c.func);
                let x = self.expr(&c.args[0]);
                Some(self.sin_cos(x, ty, c.span()))
            }
            // from: `if c { (a, b) } else { (b, a) }`
            // into: `let (t1, t2); if c { t1 = a; t2 = b } else { t1 = b; t2 = a }`
            Expr::If(_) | Expr::Match(_) | Expr::Block(_) => self.branched_tuple(e, n),
            // from: `let (lo, hi) = bounds(n);` (a value that is a tuple)
            // into: `Let { t, bounds(n) }; lo = t.0; hi = t.1`
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Path(_) | Expr::Field(_) => {
                match self.expr(e) {
                    // An error was reported for the expression itself.
                    value if is_unit(&value) => None,
                    Operand::Var(t) => Some({
                        let span = self.body.vars[t].span;
                        self.not_if_active
                            .push((t, span, crate::lower::NotIfActive::TupleValue));
                        (0..n)
                            .map(|k| {
                                let member = syn::Member::Unnamed(syn::Index {
                                    index: k as u32,
                                    span: e.span(),
                                });
                                let place = Place {
                                    base: t,
                                    projs: vec![Proj::Field(member)],
                                };
                                self.bind("part", e.span(), Rvalue::Read(place))
                            })
                            .collect()
                    }),
                    Operand::Const(_) => {
                        self.errors.push_spanned(e, HINT);
                        None
                    }
                }
            }
            other => {
                self.errors.push_spanned(other, HINT);
                None
            }
        }
    }

    // from: `let (s, s2) = x.iter().fold((0.0, 0.0), |(s, s2), &v| (s + v, s2 + v * v));`
    // into: `let mut a = 0.0; let mut b = 0.0; for c in .. { let (s, s2, v) = (a, b, x[c]);
    //        a = s + v; b = s2 + v * v; }`
    fn pair_fold(&mut self, m: &syn::ExprMethodCall) -> Option<Vec<Operand>> {
        let span = m.span();
        let Expr::Tuple(init) = &m.args[0] else {
            return None;
        };
        let chain = self.chain(&m.receiver)?;
        let f = self.func(&m.args[1])?;
        let mut accs = Vec::new();
        for e in &init.elems {
            let value = self.expr(e);
            let var = self.temp("acc", span);
            self.push(Stmt::Let {
                var,
                value: Rvalue::Use(value),
            });
            self.body.vars[var].mutable = true;
            accs.push(var);
        }
        let (a, b) = (accs[0], accs[1]);
        self.drive(chain, &mut |l, item| {
            let state = Bound::Pair(
                Box::new(Bound::Value(Operand::Var(a))),
                Box::new(Bound::Value(Operand::Var(b))),
            );
            match l.apply(&f, vec![state, item], false) {
                Bound::Pair(x, y) => {
                    let x = l.value_of(*x, span);
                    let y = l.value_of(*y, span);
                    for (var, value) in [(a, x), (b, y)] {
                        l.push(Stmt::Assign {
                            var,
                            value,
                            overwrites: true,
                        });
                    }
                }
                Bound::Place(..) | Bound::Value(_) => l.errors.push(span, "this fold's closure must return a pair, like its initial value: `|(a, b), v| (a + v, b + v * v)`"),
            }
        });
        Some(vec![Operand::Var(a), Operand::Var(b)])
    }

    fn sin_cos(
        &mut self,
        x: Operand,
        ty: Option<syn::Ident>,
        span: proc_macro2::Span,
    ) -> Vec<Operand> {
        vec![
            self.bind(
                "sin",
                span,
                Rvalue::Math(MathFn::Sin, vec![x.clone()], ty.clone()),
            ),
            self.bind("cos", span, Rvalue::Math(MathFn::Cos, vec![x], ty)),
        ]
    }

    // from: `match k { 0 => (a, b), _ => (b, a) }`
    // into: `Declare p0; Declare p1;` then the `match` with `{ p0 = a; p1 = b; }` as tails
    /// A tuple-valued `if`, `match` or block: each arm's tail tuple is split by rewriting
    /// it into assignments to one fresh variable per part, declared before.
    pub(crate) fn branched_tuple(&mut self, e: &Expr, n: usize) -> Option<Vec<Operand>> {
        let names: Vec<syn::Ident> = (0..n)
            .map(|k| syn::Ident::new(&format!("__cotangent_part_{k}"), e.span()))
            .collect();
        let mut rewritten = e.clone();
        if !assign_tails(&mut rewritten, &names) {
            self.errors.push_spanned(e, HINT);
            return None;
        }
        let mut parts = Vec::new();
        for name in &names {
            let var = self.temp("part", e.span());
            self.push(Stmt::Declare { var });
            self.bind_name(&name.to_string(), Binding::Var(var));
            parts.push(var);
        }
        let start = self.current_len();
        let value = self.expr(&rewritten);
        if !is_unit(&value) {
            self.errors.push_spanned(e, HINT);
            return None;
        }
        // Each arm initialises the parts once, like an if-expression's result.
        for &var in &parts {
            self.body.vars[var].mutable = false;
        }
        self.initialise_in_tail(start, &parts);
        Some(parts.into_iter().map(Operand::Var).collect())
    }
}

/// `f64::sin_cos` / `f32::sin_cos`: the float type of the path form.
fn is_sin_cos_path(func: &Expr) -> Option<syn::Ident> {
    let Expr::Path(p) = func else { return None };
    let segs: Vec<_> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [ty, f] if f.ident == "sin_cos" && (ty.ident == "f64" || ty.ident == "f32") => {
            Some(ty.ident.clone())
        }
        _ => None,
    }
}

/// Whether every tail of a block, `if` or `match` is an `n`-tuple.
pub fn tuple_tails(e: &Expr, n: usize) -> bool {
    let names: Vec<syn::Ident> = (0..n)
        .map(|k| {
            syn::Ident::new(
                &format!("__cotangent_part_{k}"),
                proc_macro2::Span::call_site(),
            )
        })
        .collect();
    matches!(e, Expr::Block(_) | Expr::If(_) | Expr::Match(_))
        && assign_tails(&mut e.clone(), &names)
}

/// Rewrites every tail of `e` that is an `n`-tuple into `{ p0 = a; p1 = b; }`; false if a
/// tail is anything else.
fn assign_tails(e: &mut Expr, names: &[syn::Ident]) -> bool {
    match e {
        Expr::Tuple(t) if t.elems.len() == names.len() => {
            // Built as a syntax tree: the parts are not printed and read again.
            let stmts = names.iter().zip(&t.elems).map(|(name, part)| {
                let assign = Expr::Assign(syn::ExprAssign {
                    attrs: Vec::new(),
                    left: Box::new(syn::parse_quote!(#name)),
                    eq_token: Default::default(),
                    right: Box::new(part.clone()),
                });
                syn::Stmt::Expr(assign, Some(Default::default()))
            });
            let block = syn::Block {
                brace_token: syn::token::Brace(t.span()),
                stmts: stmts.collect(),
            };
            *e = crate::lower::matching::block_expr(block);
            true
        }
        Expr::If(i) => {
            let Some((_, els)) = &mut i.else_branch else {
                return false;
            };
            block_tail(&mut i.then_branch, names) && assign_tails(els, names)
        }
        Expr::Match(m) => m
            .arms
            .iter_mut()
            .all(|arm| assign_tails(&mut arm.body, names)),
        Expr::Block(b) => block_tail(&mut b.block, names),
        // An arm that leaves early still sets the parts (the flags that replace `return`
        // let the code after the `let` be reached in the adjoint's control flow).
        // Built as a syntax tree: the exit's value is not printed and read again (printing
        // would put back parentheses, which lowering no longer looks through).
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => {
            let span = e.span();
            let defaults = names
                .iter()
                .map(|name| {
                    syn::parse_quote_spanned!(span=> #name = ::core::default::Default::default();)
                })
                .collect();
            let block = crate::lower::matching::block_of(defaults, e, span);
            *e = crate::lower::matching::block_expr(block);
            true
        }
        _ => false,
    }
}

fn block_tail(block: &mut syn::Block, names: &[syn::Ident]) -> bool {
    match block.stmts.last_mut() {
        Some(syn::Stmt::Expr(e, None)) => assign_tails(e, names),
        Some(syn::Stmt::Expr(
            e @ (Expr::Return(_) | Expr::Break(_) | Expr::Continue(_)),
            Some(_),
        )) => assign_tails(e, names),
        _ => false,
    }
}
