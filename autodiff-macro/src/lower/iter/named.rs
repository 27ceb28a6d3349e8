//! Step 2, iterator chains bound to a name: `let terms = x.iter().map(|v| v * v);` then
//! `terms.sum()`. In: the statements of a block. Out: the same statements with the chain
//! written where it is consumed (once) and its `let` gone, so that the chain's lowering
//! sees the whole chain. Inlining moves where the chain is built, not what it reads: the
//! names it uses must keep their meaning until the use (checked: no `let` or assignment
//! of one of them in between), and it must be consumed once.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use crate::lower::iter::is_chain;
use crate::lower::matching::binding_names;
use crate::lower::Lowerer;

/// Where a block's name is used, as a path expression.
pub(crate) struct Uses<'n> {
    pub name: &'n str,
    pub spans: Vec<Span>,
}

impl<'a> Visit<'a> for Uses<'_> {
    fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
        if p.path.is_ident(self.name) {
            self.spans.push(p.span());
        }
    }
}

/// Writes the chain in place of each use of the name.
struct Inline<'n> {
    name: &'n str,
    chain: &'n Expr,
}

impl VisitMut for Inline<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if matches!(e, Expr::Path(p) if p.path.is_ident(self.name)) {
            *e = self.chain.clone();
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The names a statement binds with `let` or assigns (`a = ..`, `a += ..`), at any depth.
struct Changed(Vec<String>);

impl<'a> Visit<'a> for Changed {
    fn visit_local(&mut self, l: &'a syn::Local) {
        self.0
            .extend(binding_names(&l.pat).iter().map(ToString::to_string));
        syn::visit::visit_local(self, l);
    }
    fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
        if let Expr::Path(p) = &*a.left {
            self.0.extend(p.path.get_ident().map(ToString::to_string));
        }
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_binary(&mut self, b: &'a syn::ExprBinary) {
        use syn::BinOp as B;
        let compound = matches!(
            b.op,
            B::AddAssign(_)
                | B::SubAssign(_)
                | B::MulAssign(_)
                | B::DivAssign(_)
                | B::RemAssign(_)
                | B::BitAndAssign(_)
                | B::BitOrAssign(_)
                | B::BitXorAssign(_)
                | B::ShlAssign(_)
                | B::ShrAssign(_)
        );
        if let (true, Expr::Path(p)) = (compound, &*b.left) {
            self.0.extend(p.path.get_ident().map(ToString::to_string));
        }
        syn::visit::visit_expr_binary(self, b);
    }
}

/// The names patterns bind, at any depth (`let`, closure parameters, `for`, arms).
struct PatNames(Vec<String>);

impl<'a> Visit<'a> for PatNames {
    fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
        self.0.push(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }
}

/// Whether a statement binds `name` in a nested scope (a top-level `let` that binds it
/// again ends the chain's scope instead: only its value is looked at).
fn binds_nested(stmt: &syn::Stmt, name: &str) -> bool {
    let mut names = PatNames(Vec::new());
    match stmt {
        syn::Stmt::Local(l) if rebinds(stmt, name) => {
            if let Some(init) = &l.init {
                names.visit_local_init(init);
            }
        }
        other => names.visit_stmt(other),
    }
    names.0.iter().any(|n| n == name)
}

/// `let name = chain;` (a plain name, a value that is an iterator chain).
fn named_chain(stmt: &syn::Stmt) -> Option<(String, Expr)> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let Pat::Ident(p) = &l.pat else { return None };
    if p.by_ref.is_some() || p.subpat.is_some() || matches!(&*init.expr, Expr::Range(_)) {
        return None;
    }
    is_chain(&init.expr).then(|| (p.ident.to_string(), (*init.expr).clone()))
}

/// Whether the statement binds `name` again (the uses after it are of the new binding).
fn rebinds(stmt: &syn::Stmt, name: &str) -> bool {
    matches!(stmt, syn::Stmt::Local(l) if binding_names(&l.pat).iter().any(|n| n == name))
}

impl Lowerer<'_> {
    // from: `let terms = x.iter().map(|v| v * v); let n = x.len(); terms.sum::<f64>() / n`
    // into: `let n = x.len(); x.iter().map(|v| v * v).sum::<f64>() / n`
    /// The statements of a block with each chain bound to a name inlined where it is used.
    pub(crate) fn inline_named_chains(&mut self, stmts: &[syn::Stmt]) -> Vec<syn::Stmt> {
        let mut out = stmts.to_vec();
        let mut i = 0;
        while i < out.len() {
            let Some((name, chain)) = named_chain(&out[i]) else {
                i += 1;
                continue;
            };
            let mut uses = Uses {
                name: &name,
                spans: Vec::new(),
            };
            let mut end = i + 1;
            while end < out.len() {
                uses.visit_stmt(&out[end]);
                end += 1;
                if rebinds(&out[end - 1], &name) {
                    break;
                }
            }
            let Some(&first) = uses.spans.first() else {
                i += 1;
                continue;
            };
            if out[i + 1..end].iter().any(|s| binds_nested(s, &name)) {
                let last = uses.spans.last().copied().unwrap_or(first);
                self.errors.push(last, format!("the name `{name}` of an iterator is bound again in an inner scope before its use: give one of them another name"));
                out.remove(i);
                continue;
            }
            if let Some(&second) = uses.spans.get(1) {
                self.errors.push(second, format!("the iterator `{name}` is used more than once: an iterator bound to a name is written where it is used, once; build it again (`x.iter().map(..)`) for the second use, or collect it into a `Vec`"));
                // The name stays unbound: its uses raise no second error.
                out.remove(i);
                continue;
            }
            self.check_captures(&name, &chain, &out[i + 1..end], first);
            for stmt in &mut out[i + 1..end] {
                Inline {
                    name: &name,
                    chain: &chain,
                }
                .visit_stmt_mut(stmt);
            }
            out.remove(i);
        }
        out
    }

    // from: `let t = x.iter().map(|v| v * a); a = 2.0; t.sum()`
    // into: an error at the use: `a` changes between the chain and its use
    fn check_captures(&mut self, name: &str, chain: &Expr, between: &[syn::Stmt], at: Span) {
        let mut changed = Changed(Vec::new());
        between.iter().for_each(|s| changed.visit_stmt(s));
        // The chain's own closure parameters are not captures.
        let mut own = PatNames(Vec::new());
        own.visit_expr(chain);
        for other in changed.0.into_iter().filter(|n| !own.0.contains(n)) {
            let mut read = Uses {
                name: &other,
                spans: Vec::new(),
            };
            read.visit_expr(chain);
            if !read.spans.is_empty() {
                self.errors.push(at, format!("`{other}`, which the iterator `{name}` reads, is bound or assigned again before `{name}` is used: use the chain where it is defined, or bind `{other}` to a new name"));
                return;
            }
        }
    }
}
