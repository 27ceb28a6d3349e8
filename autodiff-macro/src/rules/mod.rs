//! The derivative rules of every mode, from one table (`table.rs`): each primitive's
//! partial derivative per operand, applied to a seed. From an entry come
//!
//! - the reverse-mode statement [`adjoint`]: `adj += g · ∂y/∂a[k]`;
//! - the forward-mode expression [`tangent`]: `ẏ = Σ_k ∂y/∂a[k] · ȧ[k]` over the active
//!   operands;
//! - what the reverse statement reads, [`needs`]: found in the entry's tokens, so it cannot
//!   disagree with them.
//!
//! Both modes keep an entry's guards: a singular partial is skipped for a zero seed (the
//! adjoint or tangent of a value in an untaken branch stays 0, not `0 * inf = NaN`), and a
//! branch partial (`max`) follows the branch the primal took.
//!
//! Only `prim` is used here: the rules are tokens in, tokens out.

mod table;

use std::cell::RefCell;
use std::collections::HashMap;

use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};

use crate::prim::{MathFn, Prim};

/// How an operand's term joins its adjoint (or the result's tangent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    /// `adj += term`.
    Add,
    /// `adj -= term`.
    Sub,
    /// `adj += term as _`: a float cast's adjoint changes type.
    Cast,
}

/// One operand's partial derivative applied to a seed `g`: an entry of the table.
#[derive(Clone, Debug)]
struct Partial {
    /// `g · ∂y/∂a[k]`, up to the sign of `join`: linear in `g`.
    term: TokenStream,
    join: Join,
    /// The primal's branch on which the partial is `term` (elsewhere it is 0).
    when: Option<TokenStream>,
    /// Infinite somewhere in the domain: skipped for a zero seed.
    singular: bool,
}

impl Partial {
    fn new(term: TokenStream, join: Join) -> Partial {
        Partial {
            term,
            join,
            when: None,
            singular: false,
        }
    }

    fn when(self, cond: TokenStream) -> Partial {
        Partial {
            when: Some(cond),
            ..self
        }
    }

    fn singular(self) -> Partial {
        Partial {
            singular: true,
            ..self
        }
    }

    /// `adj += term` as a statement, under the entry's guards.
    fn statement(&self, g: &TokenStream, adj: &TokenStream) -> TokenStream {
        let term = &self.term;
        let stmt = match self.join {
            Join::Add => quote!(#adj += #term;),
            Join::Sub => quote!(#adj -= #term;),
            Join::Cast => {
                let p = crate::paths::private();
                quote!(#p::accumulate_cast(&mut #adj, #term);)
            }
        };
        let stmt = match &self.when {
            Some(cond) => quote!(if #cond { #stmt }),
            None => stmt,
        };
        if self.singular {
            let r = crate::paths::rules();
            quote!(if #r::nonzero(#g) { #stmt })
        } else {
            stmt
        }
    }

    /// The term as a summand of the result's tangent for the operand's tangent `dot`:
    /// whether it is subtracted, and the expression.
    fn summand(&self, dot: &TokenStream, y: &TokenStream) -> (bool, TokenStream) {
        let r = crate::paths::rules();
        let mut term = match self.join {
            Join::Cast => quote!(#r::cast_like(#dot, #y)),
            Join::Add | Join::Sub => self.term.clone(),
        };
        if let Some(cond) = &self.when {
            term = quote!(if #cond { #term } else { ::core::default::Default::default() });
        }
        if self.singular {
            // A zero tangent is its own (typed) zero.
            term = quote!(if #r::nonzero(#dot) { #term } else { #dot });
        }
        (self.join == Join::Sub, term)
    }
}

/// `adj += g · ∂y/∂a[k]` as a statement, for operands `a`, primal result `y` and the
/// result's adjoint `g`; empty where the partial is zero.
pub fn adjoint(
    prim: Prim,
    k: usize,
    a: &[TokenStream],
    y: &TokenStream,
    g: &TokenStream,
    adj: &TokenStream,
) -> TokenStream {
    table::partial(prim, k, a, y, g)
        .map(|p| p.statement(g, adj))
        .unwrap_or_default()
}

/// The result's tangent `Σ_k ∂y/∂a[k] · ȧ[k]` as an expression, for operands `a`, primal
/// result `y` and the operands' tangents `dots` (`None` for an inactive operand, which is
/// skipped). `None` when no operand contributes: the tangent is zero.
#[allow(dead_code)] // Forward mode's; `tests/forward_rules.rs` runs what it writes.
pub fn tangent(
    prim: Prim,
    a: &[TokenStream],
    y: &TokenStream,
    dots: &[Option<TokenStream>],
) -> Option<TokenStream> {
    let summands: Vec<(bool, TokenStream)> = dots
        .iter()
        .enumerate()
        .filter_map(|(k, dot)| {
            let dot = dot.as_ref()?;
            Some(table::partial(prim, k, a, y, dot)?.summand(dot, y))
        })
        .collect();
    if let [(false, only)] = summands.as_slice() {
        return Some(only.clone());
    }
    let mut out: Option<TokenStream> = None;
    for (negative, term) in summands {
        let term = parenthesized(term);
        out = Some(match (out, negative) {
            (None, false) => term,
            (None, true) => quote!(-#term),
            (Some(sum), false) => quote!(#sum + #term),
            (Some(sum), true) => quote!(#sum - #term),
        });
    }
    out
}

/// `tokens` with every unsuffixed float literal `c` (`2.0` of `g / (2.0 * y)`) replaced by
/// `rules::lit(like, c)`, a constant of the type of `like`: for a function generic over
/// its float type `T`, where an untyped literal is not a `T`. `like` is the seed, which has
/// the type of the primitive's result and operands. Integer literals (`powi`'s exponent,
/// `clamp`'s branch `0u8`) are kept.
pub fn typed_literals(tokens: TokenStream, like: &TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut out =
                    proc_macro2::Group::new(g.delimiter(), typed_literals(g.stream(), like));
                out.set_span(g.span());
                TokenStream::from(TokenTree::Group(out))
            }
            TokenTree::Literal(l) => {
                match syn::parse2::<syn::LitFloat>(TokenTree::Literal(l.clone()).into()) {
                    Ok(f) if f.suffix().is_empty() => {
                        let r = crate::paths::rules();
                        quote!(#r::lit(#like, #l))
                    }
                    _ => TokenTree::Literal(l).into(),
                }
            }
            other => other.into(),
        })
        .collect()
}

/// `(t)` unless `t` is one token tree already.
fn parenthesized(t: TokenStream) -> TokenStream {
    if t.clone().into_iter().nth(1).is_none() {
        t
    } else {
        quote!((#t))
    }
}

/// The primal values the reverse statement of operand `k` reads besides the seed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Bit `j`: operand `j`.
    args: u8,
    pub result: bool,
}

impl Needs {
    pub fn arg(self, j: usize) -> bool {
        self.args & (1 << j) != 0
    }
}

/// Operands a primitive can take (`mul_add`, `clamp`).
const MAX_ARITY: usize = 3;

/// What `adjoint(prim, k, ..)` reads, found by writing it for placeholder operands; `None`
/// where operand `k` has a zero partial.
fn entry(prim: Prim, k: usize) -> Option<Needs> {
    thread_local! {
        static CACHE: RefCell<HashMap<(Prim, usize), Option<Needs>>> = RefCell::default();
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&(prim, k)).copied()) {
        return hit;
    }
    let a: Vec<TokenStream> = (0..MAX_ARITY)
        .map(|j| {
            let id = format_ident!("__rule_arg{j}");
            quote!(#id)
        })
        .collect();
    let (y, g, adj) = (quote!(__rule_y), quote!(__rule_g), quote!(__rule_target));
    let found = table::partial(prim, k, &a, &y, &g).map(|p| {
        let mut idents = Vec::new();
        idents_in(p.statement(&g, &adj), &mut idents);
        let mut needs = Needs::default();
        for id in idents {
            if id == "__rule_y" {
                needs.result = true;
            } else if let Some(j) = id.strip_prefix("__rule_arg") {
                needs.args |= 1 << j.parse::<u8>().expect("placeholder index");
            }
        }
        needs
    });
    CACHE.with(|c| c.borrow_mut().insert((prim, k), found));
    found
}

fn idents_in(tokens: TokenStream, out: &mut Vec<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(id) => out.push(id.to_string()),
            TokenTree::Group(g) => idents_in(g.stream(), out),
            _ => {}
        }
    }
}

/// The primal values (operands, result) the adjoint of operand `k` reads.
pub fn needs(prim: Prim, k: usize) -> Needs {
    entry(prim, k).unwrap_or_default()
}

/// Whether a derivative flows through operand `k` (its partial is not zero).
pub fn differentiable(prim: Prim, k: usize) -> bool {
    entry(prim, k).is_some()
}

impl MathFn {
    /// Operands that can carry a derivative (not `powi`'s integer exponent, not the
    /// operands of piecewise-constant functions).
    pub fn differentiable_arg(self, k: usize) -> bool {
        differentiable(Prim::Math(self), k)
    }
}

#[cfg(test)]
mod tests;
