//! Step 2, `match` and `matches!`: a pattern test is a boolean value
//! ([`Rvalue::Matches`], never differentiated), and a `match` is the chain of `if`s the
//! existing reversal of branches already handles. `let P = s else { .. }` is a `match`
//! with the names as its value (`while let` is a `loop` around a `match`, in `control`).
//!
//! The original function keeps its `match`, so the compiler has checked exhaustiveness
//! there: the chain tests every arm but the last, which is the final `else`.

use syn::spanned::Spanned;
use syn::{Expr, Pat};

use crate::ir::*;
use crate::lower::{unit, Binding, Lowerer};

/// The marker macro of a binding inside a pattern (`bind!(scrutinee, pattern, name)`),
/// produced by the lowering of `match` only.
pub const BIND: &str = "__cotangent_bind";

/// The name the scrutinee is bound to while the arms are lowered; user code cannot
/// name it (the `__cotangent` prefix is reserved).
const SCRUTINEE: &str = "__cotangent_scrutinee";

/// The name the test of a guarded `matches!(s, P if g)` is bound to while `&& g` is
/// lowered.
const MATCHED: &str = "__cotangent_matched";

impl Lowerer<'_> {
    // from: `let Some(i) = idx else { return 0.0 };` (`idx` carries no derivative)
    // into: `let i = match idx { Some(i) => i, _ => { return 0.0 } };` (a tuple of the
    //       names for several, a `match` statement for none), built as a syntax tree
    pub(crate) fn let_else(&mut self, pat: &Pat, init: &Expr, els: &Expr) {
        let names = binding_names(pat);
        let span = pat.span();
        let name_expr = |n: &syn::Ident| -> Expr {
            Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: n.clone().into(),
            })
        };
        let value = match names.as_slice() {
            [one] => name_expr(one),
            several => Expr::Tuple(syn::ExprTuple {
                attrs: Vec::new(),
                paren_token: syn::token::Paren(span),
                elems: several.iter().map(name_expr).collect(),
            }),
        };
        let m = Expr::Match(match_or_else(
            init.clone(),
            pat.clone(),
            value,
            els.clone(),
            span,
        ));
        match names.as_slice() {
            [] => {
                self.expr(&m);
            }
            [one] => {
                let value = self.expr(&m);
                self.bind_local(one, value, None);
            }
            several => {
                let pats = several.iter().map(|n| {
                    Pat::Ident(syn::PatIdent {
                        attrs: Vec::new(),
                        by_ref: None,
                        mutability: None,
                        ident: n.clone(),
                        subpat: None,
                    })
                });
                let tuple = Pat::Tuple(syn::PatTuple {
                    attrs: Vec::new(),
                    paren_token: syn::token::Paren(span),
                    elems: pats.collect(),
                });
                self.tuple_local(&tuple, None, &m);
            }
        }
    }

    // from: `match s { P if g => a, x => b }`
    // into: `if matches!(s, P) && g { a } else { let x = s; b }`
    pub fn match_expr(&mut self, e: &syn::ExprMatch) -> Operand {
        if e.arms.is_empty() {
            return self.error(
                e.match_token.span,
                "a `match` without arms cannot be differentiated",
            );
        }
        self.scopes.push(Default::default());
        let scrutinees = self.scrutinees(e);
        let value = match scrutinees {
            Some(names) => {
                let chain = self.arm_chain(&names, &e.arms);
                self.expr(&chain)
            }
            None => unit(),
        };
        self.scopes.pop();
        value
    }

    // from: `match self.mode { .. }` / `match (i == 0, k) { .. }`
    // into: a reserved name aliasing the place `self.mode` / one name per component
    /// Binds the scrutinee (or, for `match (a, b)` with tuple patterns, each component) to
    /// a reserved name, as an alias of the place it is (no copy, no move) or as a value.
    fn scrutinees(&mut self, e: &syn::ExprMatch) -> Option<Vec<syn::Ident>> {
        let parts: Vec<&Expr> = match &*e.expr {
            Expr::Tuple(t) if !t.elems.is_empty() => {
                let n = t.elems.len();
                let fits = |p: &Pat| match p {
                    Pat::Tuple(pt) => {
                        pt.elems.len() == n && pt.elems.iter().all(|q| !matches!(q, Pat::Rest(_)))
                    }
                    Pat::Wild(_) => true,
                    _ => false,
                };
                if let Some(arm) = e.arms.iter().find(|a| !fits(&a.pat)) {
                    self.errors.push_spanned(&arm.pat, format!("a `match` on a tuple is supported when every arm is a tuple pattern of {n} parts (`(0, _)`) or `_`: bind the whole tuple by matching its parts"));
                    return None;
                }
                t.elems.iter().collect()
            }
            Expr::Tuple(_) => vec![],
            other => vec![other],
        };
        let mut names = Vec::new();
        for (k, part) in parts.into_iter().enumerate() {
            let name = syn::Ident::new(&format!("{SCRUTINEE}_{k}"), part.span());
            let binding = if is_place_expr(part) {
                let place = self.place(part)?;
                Binding::Alias(self.frozen_indices(place, part.span()), false)
            } else {
                Binding::Var(self.value_var(part)?)
            };
            self.bind_name(&name.to_string(), binding);
            names.push(name);
        }
        Some(names)
    }

    // from: `A => a, B | C if g => b, _ => c` (for the scrutinee `s`)
    // into: `if matches!(s, A) { a } else if matches!(s, B | C) && { g } { b } else { c }`
    /// The arms as nested `if`s; bindings become `let`s at the start of their arm (and of
    /// their guard).
    fn arm_chain(&mut self, names: &[syn::Ident], arms: &[syn::Arm]) -> Expr {
        let (arm, rest) = arms.split_first().expect("at least one arm");
        let parts = pattern_parts(&arm.pat, names.len());
        let mut lets: Vec<syn::Stmt> = Vec::new();
        let mut tests: Vec<Expr> = Vec::new();
        for (pat, name) in parts.iter().zip(names) {
            let (binding, test) = split_binding(pat);
            if let Some(test) = test {
                if binds_parts(test) {
                    // from: `Loss::Huber(d) => body`
                    // into: `if matches!(s, Loss::Huber(_)) { let d = bind!(s, Loss::Huber(d), d); body }`
                    let bind = syn::Ident::new(BIND, test.span());
                    for ident in binding_names(test) {
                        // A reference, as Rust binds it through `&T`: `d` and `*d` both read.
                        lets.push(syn::parse_quote_spanned!(ident.span()=> let #ident = &#bind!(#name, #test, #ident);));
                    }
                    let wild = wildcard_bindings(test);
                    tests.push(
                        syn::parse_quote_spanned!(test.span()=> ::core::matches!(#name, #wild)),
                    );
                } else {
                    tests.push(
                        syn::parse_quote_spanned!(test.span()=> ::core::matches!(#name, #test)),
                    );
                }
            }
            if let Some(ident) = binding {
                // `m =>` binds a copy of the value (`{ s }`), not the place matched: the arm
                // may change the scrutinee variable.
                lets.push(syn::parse_quote_spanned!(ident.span()=> let #ident = { #name };));
            }
        }
        // Built as syntax trees, not printed and parsed again: user expressions (a guard
        // `{ x[i] } > 0.1`, a body) keep the structure they were parsed with.
        let then = block_of(lets.clone(), &arm.body, arm.fat_arrow_token.span());
        if rest.is_empty() {
            return block_expr(then);
        }
        if let Some((_, guard)) = &arm.guard {
            tests.push(block_expr(block_of(lets, guard, guard.span())));
        }
        let cond: Expr = tests
            .into_iter()
            .reduce(and)
            .unwrap_or_else(|| syn::parse_quote!(true));
        let els = self.arm_chain(names, rest);
        let span = arm.pat.span();
        Expr::If(syn::ExprIf {
            attrs: Vec::new(),
            if_token: syn::Token![if](span),
            cond: Box::new(cond),
            then_branch: then,
            else_branch: Some((syn::Token![else](span), Box::new(els))),
        })
    }

    // from: `matches!(s, P)` / `matches!(s, P if g)`
    // into: `Let { t, Matches(s, P) }` (`&& g` for a guard)
    pub fn matches_macro(&mut self, mac: &syn::Macro) -> Operand {
        let parsed = mac.parse_body_with(|input: syn::parse::ParseStream| {
            let scrutinee: Expr = input.parse()?;
            let _: syn::Token![,] = input.parse()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(syn::Token![if]) {
                let _: syn::Token![if] = input.parse()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            let _: Option<syn::Token![,]> = input.parse()?;
            Ok((scrutinee, pat, guard))
        });
        let (scrutinee, pat, guard) = match parsed {
            Ok((scrutinee, pat, guard)) => (
                crate::lower::transparent(scrutinee),
                pat,
                guard.map(crate::lower::transparent),
            ),
            Err(e) => {
                return self.error(
                    e.span(),
                    "could not read this `matches!(..)`: write `matches!(value, pattern)`",
                )
            }
        };
        if binds_parts(&pat) || matches!(pat, Pat::Ident(_)) && split_binding(&pat).0.is_some() {
            return self.error(pat.span(), "a pattern that binds a name is not supported in `matches!` here: test the value with a pattern without bindings");
        }
        let place = if is_place_expr(&scrutinee) {
            self.place(&scrutinee)
        } else {
            self.value_var(&scrutinee).map(|base| Place {
                base,
                projs: Vec::new(),
            })
        };
        let Some(place) = place else { return unit() };
        let matched = self.bind("matches", mac.span(), Rvalue::Matches(place, Box::new(pat)));
        // from: `matches!(s, P if g)`  into: `m && g` for `m = matches!(s, P)`, with the
        // guard as parsed (`{ x[i] } > 0.1`), not printed and read again
        let (Some(guard), Operand::Var(m)) = (guard, &matched) else {
            return matched;
        };
        let name = syn::Ident::new(MATCHED, mac.span());
        self.scopes.push(Default::default());
        self.bind_name(MATCHED, Binding::Var(*m));
        let value = self.expr(&and(syn::parse_quote!(#name), guard));
        self.scopes.pop();
        value
    }
}

impl Lowerer<'_> {
    // from: `f(x) + 1` (a value) / `k` (a mutable variable)
    // into: its temporary / a copy `let value = k;`
    /// A computed value (not a place) as a variable that keeps it: the value's own
    /// temporary, or a copy when it is a variable that may change later.
    pub(crate) fn value_var(&mut self, e: &Expr) -> Option<VarId> {
        match self.expr(e) {
            Operand::Var(v) if !self.body.vars[v].mutable => Some(v),
            value => self.bind("value", e.span(), Rvalue::Use(value)).var(),
        }
    }

    // from: `bind!(s, Loss::Huber(d), d)` (made by `arm_chain`)
    // into: `Let { t, Bind(s, Loss::Huber(d), d) }`
    pub fn bind_macro(&mut self, mac: &syn::Macro) -> Operand {
        let parsed = mac.parse_body_with(|input: syn::parse::ParseStream| {
            let scrutinee: Expr = input.parse()?;
            let _: syn::Token![,] = input.parse()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let _: syn::Token![,] = input.parse()?;
            let name: syn::Ident = input.parse()?;
            Ok((scrutinee, pat, name))
        });
        let Ok((scrutinee, pat, name)) = parsed else {
            return self.error(mac.span(), "could not read a pattern binding");
        };
        let Some(place) = self.place(&scrutinee) else {
            return unit();
        };
        // A payload of the user's enum is differentiated (its shadow is an enum of the same
        // variant); `Option` and `Result` cannot carry a derivative.
        if std_payload(&pat) {
            self.not_if_active.push((
                place.base,
                pat.span(),
                crate::lower::NotIfActive::BoundParts,
            ));
        }
        self.bind(
            &name.to_string(),
            name.span(),
            Rvalue::Bind(place, Box::new(pat), name.clone()),
        )
    }
}

/// `{ lets.. tail }` as a syntax tree: the tail stays the expression it was parsed as
/// (printed and parsed again, a guard `{ x[i] } > 0.1` would start with a statement).
pub(crate) fn block_of(lets: Vec<syn::Stmt>, tail: &Expr, span: proc_macro2::Span) -> syn::Block {
    let mut stmts = lets;
    stmts.push(syn::Stmt::Expr(tail.clone(), None));
    syn::Block {
        brace_token: syn::token::Brace(span),
        stmts,
    }
}

/// `a && b` as a syntax tree.
fn and(a: Expr, b: Expr) -> Expr {
    Expr::Binary(syn::ExprBinary {
        attrs: Vec::new(),
        left: Box::new(a),
        op: syn::BinOp::And(Default::default()),
        right: Box::new(b),
    })
}

/// `match scrutinee { pat => then, _ => els }` as a syntax tree (the rewrites of `if let`,
/// `while let` and `let .. else`): the user's expressions are not printed and read again.
pub(crate) fn match_or_else(
    scrutinee: Expr,
    pat: Pat,
    then: Expr,
    els: Expr,
    span: proc_macro2::Span,
) -> syn::ExprMatch {
    let arm = |pat: Pat, body: Expr| syn::Arm {
        attrs: Vec::new(),
        pat,
        guard: None,
        fat_arrow_token: syn::Token![=>](span),
        body: Box::new(body),
        comma: Some(syn::Token![,](span)),
    };
    let wild = Pat::Wild(syn::PatWild {
        attrs: Vec::new(),
        underscore_token: syn::Token![_](span),
    });
    syn::ExprMatch {
        attrs: Vec::new(),
        match_token: syn::Token![match](span),
        expr: Box::new(scrutinee),
        brace_token: syn::token::Brace(span),
        arms: vec![arm(pat, then), arm(wild, els)],
    }
}

pub(crate) fn block_expr(block: syn::Block) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block,
    })
}

/// The names a pattern binds, in order.
pub fn binding_names(pat: &Pat) -> Vec<syn::Ident> {
    struct Names(Vec<syn::Ident>);
    impl<'a> syn::visit::Visit<'a> for Names {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            if is_binding_name(&p.ident) {
                self.0.push(p.ident.clone());
            }
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_pat_or(&mut self, o: &'a syn::PatOr) {
            // Every case binds the same names: the first says which.
            if let Some(first) = o.cases.first() {
                self.visit_pat(first);
            }
        }
    }
    let mut names = Names(Vec::new());
    syn::visit::Visit::visit_pat(&mut names, pat);
    names.0
}

/// The pattern with every binding replaced by `_` (`x @ P` by `P`): a test that binds
/// nothing.
fn wildcard_bindings(pat: &Pat) -> Pat {
    struct Wildcards;
    impl syn::visit_mut::VisitMut for Wildcards {
        fn visit_pat_mut(&mut self, pat: &mut Pat) {
            if let Pat::Ident(p) = pat {
                if is_binding_name(&p.ident) {
                    *pat = match p.subpat.take() {
                        Some((_, inner)) => *inner,
                        None => Pat::Wild(syn::PatWild {
                            attrs: Vec::new(),
                            underscore_token: syn::Token![_](p.ident.span()),
                        }),
                    };
                }
            }
            syn::visit_mut::visit_pat_mut(self, pat);
        }
        fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
            // `Point { x, .. }` becomes `Point { x: _, .. }`.
            f.colon_token.get_or_insert_with(Default::default);
            syn::visit_mut::visit_field_pat_mut(self, f);
        }
    }
    let mut out = pat.clone();
    syn::visit_mut::VisitMut::visit_pat_mut(&mut Wildcards, &mut out);
    out
}

/// An expression that names a place: matched in place, as Rust does, so a non-`Copy`
/// field (`self.mode`) is neither moved nor copied.
pub fn is_place_expr(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Field(f) => is_place_expr(&f.base),
        Expr::Index(i) => is_place_expr(&i.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place_expr(&u.expr),
        _ => false,
    }
}

/// The pattern of each scrutinee: the parts of a tuple pattern, or `_` for each.
fn pattern_parts(pat: &Pat, n: usize) -> Vec<Pat> {
    match pat {
        Pat::Tuple(t) if n > 1 => t.elems.iter().cloned().collect(),
        Pat::Wild(_) if n > 1 => vec![pat.clone(); n],
        other => vec![other.clone()],
    }
}

/// `x` → (Some(x), None); `x @ P` → (Some(x), Some(P)); `_` → (None, None); else
/// (None, Some(P)). An identifier that starts with an upper-case letter is a constant or
/// a unit variant (`None`, `MAX`), as the compiler will read it in `f`.
fn split_binding(pat: &Pat) -> (Option<syn::Ident>, Option<&Pat>) {
    match pat {
        Pat::Wild(_) => (None, None),
        Pat::Ident(p) if is_binding_name(&p.ident) && p.by_ref.is_none() => {
            (Some(p.ident.clone()), p.subpat.as_ref().map(|(_, q)| &**q))
        }
        other => (None, Some(other)),
    }
}

fn is_binding_name(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .trim_start_matches("r#")
        .starts_with(|c: char| c.is_lowercase() || c == '_')
}

/// Whether a pattern binds a name anywhere inside it.
pub fn binds_parts(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => {
            is_binding_name(&p.ident) || p.subpat.as_ref().is_some_and(|(_, q)| binds_parts(q))
        }
        Pat::Or(o) => o.cases.iter().any(binds_parts),
        Pat::Paren(p) => binds_parts(&p.pat),
        Pat::Reference(r) => binds_parts(&r.pat),
        Pat::Slice(s) => s.elems.iter().any(binds_parts),
        Pat::Tuple(t) => t.elems.iter().any(binds_parts),
        Pat::TupleStruct(t) => t.elems.iter().any(binds_parts),
        Pat::Struct(s) => s.fields.iter().any(|f| binds_parts(&f.pat)),
        Pat::Type(t) => binds_parts(&t.pat),
        _ => false,
    }
}

/// `Some(v)`, `Ok(v)`, `Err(e)` (also behind `&` or in `|`): parts of std's `Option` and
/// `Result`, which carry no derivative.
fn std_payload(pat: &Pat) -> bool {
    let std_path = |p: &syn::Path| {
        p.segments
            .last()
            .is_some_and(|s| ["Some", "Ok", "Err", "None"].contains(&s.ident.to_string().as_str()))
    };
    match pat {
        Pat::TupleStruct(t) => std_path(&t.path),
        Pat::Struct(s) => std_path(&s.path),
        Pat::Path(p) => std_path(&p.path),
        Pat::Reference(r) => std_payload(&r.pat),
        Pat::Paren(p) => std_payload(&p.pat),
        Pat::Or(o) => o.cases.iter().any(std_payload),
        Pat::Ident(i) => i.subpat.as_ref().is_some_and(|(_, p)| std_payload(p)),
        // Anything else binds a whole value or parts of a tuple, slice or struct.
        _ => false,
    }
}
