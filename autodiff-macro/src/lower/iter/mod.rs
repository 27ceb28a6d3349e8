//! Step 2, iterators: `for` loops over iterator chains, and the chains' reductions
//! (`sum`, `fold`, `max_by`, ..), desugared here, once, into indexed `For` loops over
//! ranges, so that control flow, activity, recording and the reverse sweep only ever see
//! indices.
//!
//! The model. A chain visits the values of one loop counter `c`, a [`Seq`]: an arithmetic
//! progression walked up or down, which `rev`, `skip`, `take` and `step_by` only narrow or
//! reorder. Its item is a tree of functions of `c` ([`Item`]): an element of a place
//! (`x[c]`, or the sub-slice of `chunks` / `windows`), a position (`enumerate`, a range's
//! own values), a pair (`zip`), or a closure applied lazily (`map`). Elements are aliases
//! of places ([`Binding::Alias`]), so `v`, `&v` and `*v` all read `x[c]`, and `*v = ..` of
//! an `iter_mut` element stores into it. `filter`, `take_while` (an early exit),
//! `skip_while` (a flag set before the loop), and the `map`s after them, are stages of
//! the loop body: an `if` each. The counter arithmetic is in `seq`, reductions in
//! `reduce`, closures in `closure`, the body's stages in `stages`, chains bound to a name
//! in `named`, `chain` (a loop per part) in `chained`, `flatten` / `flat_map` (nested
//! loops) in `flat`.

mod chained;
mod closure;
mod flat;
mod named;
mod reduce;
pub mod seq;
mod stages;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::iter::seq::{is_lit, one, zero, Map, Seq};
use crate::lower::{unit, Binding, Lowerer};

/// What one item of a chain is, as a function of the counter.
#[derive(Clone)]
pub(crate) enum Item {
    /// The element `place[i]` (or the sub-slice at `i`, per `shape`), `i` = maps(counter).
    Elem {
        place: Place,
        shape: Shape,
        maps: Vec<Map>,
        mutable: bool,
    },
    /// An integer: the counter of a range, the position of `enumerate` (`cast` to `usize`
    /// when the counter may be of another integer type).
    Count {
        maps: Vec<Map>,
        cast: bool,
    },
    Pair(Box<Item>, Box<Item>),
    Mapped(Box<Item>, Func),
}

#[derive(Clone)]
pub(crate) enum Shape {
    One,
    /// `chunks(size)`: `place[i..min(i + size, len)]`.
    Chunk {
        size: Operand,
        len: Operand,
    },
    /// `windows(size)`, `chunks_exact(size)`: `place[i..][..size]`.
    Window(Operand),
}

/// A closure, or a function path used as one (`f64::max`, `helper`).
#[derive(Clone)]
pub(crate) enum Func {
    Closure(syn::ExprClosure),
    Path(syn::ExprPath),
}

pub(crate) enum Stage {
    Map(Func),
    Filter(Func),
    /// `take_while(p)`: the loop is left at the first item `p` rejects.
    TakeWhile(Func),
    /// `skip_while(p)`: items are skipped while the flag (`true` before the loop) is set;
    /// it is cleared at the first item `p` rejects.
    SkipWhile(Func, VarId),
}

pub(crate) struct Chain {
    pub seq: Seq,
    pub item: Item,
    /// `filter` and what follows it, run in order in the loop body.
    pub stages: Vec<Stage>,
    /// The counter is a `usize` (an index), not a user range of another integer type.
    pub usize_counter: bool,
    pub span: Span,
    /// The next part of a chained iterator (`a.chain(b)`): its own loop, after this one.
    pub then: Option<Box<Chain>>,
    /// `flatten` / `flat_map`: each item is a row, looped over by an inner loop.
    pub flat: Option<flat::Flat>,
}

/// What an item is bound to: a place (aliased, not copied), a value, or a pair.
#[derive(Clone)]
pub(crate) enum Bound {
    Place(Place, bool),
    Value(Operand),
    Pair(Box<Bound>, Box<Bound>),
}

/// The whole variable `base`, as a place.
pub(crate) fn whole(base: VarId) -> Place {
    Place {
        base,
        projs: Vec::new(),
    }
}

/// Methods that create an iterator from a place.
pub(crate) const SOURCES: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "chunks",
    "chunks_mut",
    "chunks_exact",
    "chunks_exact_mut",
    "windows",
];

/// Iterator adaptors this module lowers.
pub(crate) const ADAPTORS: &[&str] = &[
    "rev",
    "skip",
    "take",
    "step_by",
    "enumerate",
    "zip",
    "map",
    "filter",
    "take_while",
    "skip_while",
    "chain",
    "flatten",
    "flat_map",
    "copied",
    "cloned",
];

/// Iterator adaptors it does not: a chain through them gets a spanned error.
const UNSUPPORTED_ADAPTORS: &[&str] = &[
    "filter_map",
    "map_while",
    "scan",
    "peekable",
    "cycle",
    "inspect",
    "fuse",
    "by_ref",
    "rchunks",
    "array_chunks",
];

/// Whether `e` is syntactically an iterator chain (ends in a source or a range).
pub(crate) fn is_chain(e: &Expr) -> bool {
    match e {
        Expr::Range(_) => true,
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            SOURCES.contains(&name.as_str())
                || ((ADAPTORS.contains(&name.as_str())
                    || UNSUPPORTED_ADAPTORS.contains(&name.as_str()))
                    && is_chain(&m.receiver))
        }
        Expr::Call(c) => is_zip_call(c),
        _ => false,
    }
}

/// `std::iter::zip(a, b)` (or `zip(a, b)` imported).
fn is_zip_call(c: &syn::ExprCall) -> bool {
    c.args.len() == 2
        && matches!(&*c.func, Expr::Path(p) if p.qself.is_none()
            && p.path.segments.last().is_some_and(|s| s.ident == "zip")
            && p.path.segments.len() <= 3)
}

/// Whether a `for` loop iterates over a range `lower::range` handles itself.
pub(crate) fn is_range_loop(e: &Expr) -> bool {
    match e {
        Expr::Range(_) => true,
        Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => is_range_loop(&m.receiver),
        Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
            is_range_loop(&m.receiver)
        }
        _ => false,
    }
}

impl Lowerer<'_> {
    // from: `for (i, &v) in x.iter().enumerate().rev() { body }`
    // into: `let n = x.len(); For { c in (0..n).rev(), [i = c; v ≡ x[c]; body] }`
    pub(crate) fn iter_for_loop(&mut self, e: &syn::ExprForLoop) -> Operand {
        let label = self.next_label.take();
        let Some(chain) = self.chain(&e.expr) else {
            return unit();
        };
        if !self.check_chained_body(&chain, &e.body) {
            return unit();
        }
        self.next_label = label;
        self.drive(chain, &mut |l, item| {
            l.bind_pat(&e.pat, item, false);
            l.block_value(&e.body);
        });
        unit()
    }

    // from: the chain of `x.iter().enumerate().filter(p)` and a body `each`
    // into: `For { c in lo..hi, body: [if p(i, x[c]) { each((i, x[c])) }] }`
    /// Lowers a chain's loop: `each` gets every item that passes the filters, in the body.
    pub(crate) fn drive(&mut self, mut chain: Chain, each: &mut dyn FnMut(&mut Self, Bound)) {
        if let Some(flat) = chain.flat.take() {
            let then = chain.then.take();
            self.drive_flat(chain, flat, each);
            if let Some(next) = then {
                self.drive(*next, each);
            }
            return;
        }
        let Chain {
            seq,
            item,
            stages,
            span,
            then,
            ..
        } = chain;
        let label = self.next_label.clone();
        let var = self.temp("i", span);
        let body = self.loop_body(|l| {
            let bound = l.eval(&item, &Operand::Var(var), span);
            l.stages(bound, &stages, each);
        });
        self.push_loop(Stmt::For {
            var,
            range: seq.range(),
            body,
            exit: None,
            counter: None,
        });
        // from: the next part of `a.chain(b)`  into: its own loop, with the same body
        if let Some(next) = then {
            self.next_label = label;
            self.drive(*next, each);
        }
    }

    // from: an item tree at counter `c`
    // into: its index computations in the loop body; elements stay places
    fn eval(&mut self, item: &Item, c: &Operand, span: Span) -> Bound {
        match item {
            Item::Elem {
                place,
                shape,
                maps,
                mutable,
            } => {
                let i = self.apply_maps(maps, c.clone(), span);
                let mut place = place.clone();
                match shape {
                    Shape::One => place.projs.push(Proj::Index(i)),
                    Shape::Chunk { size, len } => {
                        let end = self.int(BinOp::Add, i.clone(), size.clone(), span);
                        let end = self.int_fn("min", end, len.clone(), span);
                        place.projs.push(Proj::Range {
                            start: Some(i),
                            end: Some(end),
                            inclusive: false,
                        });
                    }
                    Shape::Window(size) => {
                        place.projs.push(Proj::Range {
                            start: Some(i),
                            end: None,
                            inclusive: false,
                        });
                        place.projs.push(Proj::Range {
                            start: None,
                            end: Some(size.clone()),
                            inclusive: false,
                        });
                    }
                }
                Bound::Place(place, *mutable)
            }
            Item::Count { maps, cast } => {
                let q = self.apply_maps(maps, c.clone(), span);
                if *cast {
                    let ty: syn::Type = syn::parse_quote!(usize);
                    Bound::Value(self.bind("pos", span, Rvalue::Cast(q, ty, false)))
                } else {
                    Bound::Value(q)
                }
            }
            Item::Pair(a, b) => {
                let a = self.eval(a, c, span);
                let b = self.eval(b, c, span);
                Bound::Pair(Box::new(a), Box::new(b))
            }
            Item::Mapped(inner, f) => {
                let inner = self.eval(inner, c, span);
                self.apply(f, vec![inner], false)
            }
        }
    }

    // from: `a..b` / `&x` / `x.iter().rev().skip(1)` / `std::iter::zip(a, b)`
    // into: a `Chain`: its counter's `Seq`, its item as functions of the counter, its stages
    /// The chain an iterable expression stands for; `None` after an error.
    pub(crate) fn chain(&mut self, e: &Expr) -> Option<Chain> {
        match e {
            Expr::Range(r) => self.range_source(r),
            Expr::Reference(r) => self.place_source(&r.expr, r.mutability.is_some()),
            Expr::MethodCall(m) => self.chain_method(m),
            // from: `std::iter::zip(a, b)`  into: `a.into_iter().zip(b)`
            Expr::Call(c) if is_zip_call(c) => {
                let (a, b) = (&c.args[0], &c.args[1]);
                // Built as a syntax tree: `a` and `b` are not printed and read again.
                let call = |receiver: Expr, name: &str, args: Vec<Expr>| {
                    Expr::MethodCall(syn::ExprMethodCall {
                        attrs: Vec::new(),
                        receiver: Box::new(receiver),
                        dot_token: Default::default(),
                        method: syn::Ident::new(name, c.span()),
                        turbofish: None,
                        paren_token: Default::default(),
                        args: args.into_iter().collect(),
                    })
                };
                let method = call(
                    call(a.clone(), "into_iter", Vec::new()),
                    "zip",
                    vec![b.clone()],
                );
                self.chain(&method)
            }
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) | Expr::Unary(_) => {
                let mutable = self.is_mut_ref(e);
                self.place_source(e, mutable)
            }
            other => {
                self.errors.push_spanned(other, "cotangent cannot iterate over this expression: iterate over a slice, array or `Vec` (`x.iter()`, `&x`, `x.iter_mut()`, `x.chunks(n)`, `x.windows(n)`) or a range (`0..n`)");
                None
            }
        }
    }

    /// A path naming a `&mut` parameter or alias: iterating over it yields `&mut` elements.
    fn is_mut_ref(&self, e: &Expr) -> bool {
        let Expr::Path(p) = e else { return false };
        let Some(id) = p.path.get_ident() else {
            return false;
        };
        match self.lookup(&id.to_string()) {
            Some(Binding::Var(v)) => self.reference_params.get(&v).copied().unwrap_or(false),
            Some(Binding::Alias(_, mutable)) => mutable,
            Some(Binding::Closure(..)) | None => false,
        }
    }

    // from: `a..b` / `a..=b`
    // into: the counter runs over `a..b` / `a..b + 1`, and is the item
    fn range_source(&mut self, r: &syn::ExprRange) -> Option<Chain> {
        let (Some(start), Some(end)) = (&r.start, &r.end) else {
            self.errors.push_spanned(r, "an iterator range needs both bounds here: write `a..b` or `a..=b` (for positions, use `.enumerate()`)");
            return None;
        };
        let lo = self.expr(start);
        let mut hi = self.expr(end);
        if matches!(r.limits, syn::RangeLimits::Closed(_)) {
            hi = self.int(BinOp::Add, hi, one(), r.span());
        }
        Some(Chain {
            seq: Seq {
                lo,
                hi,
                step: None,
                desc: false,
            },
            item: Item::Count {
                maps: Vec::new(),
                cast: false,
            },
            stages: Vec::new(),
            usize_counter: false,
            span: r.span(),
            then: None,
            flat: None,
        })
    }

    // from: `x.iter()`, `&x`, `x` (slice, array, `Vec`, sub-slice), `x.iter_mut()`
    // into: the counter runs over `0..x.len()`; the item is the place `x[c]`
    fn place_source(&mut self, e: &Expr, mutable: bool) -> Option<Chain> {
        let place = self.place(e)?;
        if mutable {
            self.body.vars[place.base].mutable = true;
        }
        Some(self.place_chain(place, mutable, e.span()))
    }

    // from: the place `x` (a slice, array or `Vec`; a row `rows[c]` of `flatten`)
    // into: the counter runs over `0..x.len()`; the item is the place `x[c]`
    pub(crate) fn place_chain(&mut self, place: Place, mutable: bool, span: Span) -> Chain {
        let len = self.len_of(&place, span);
        Chain {
            seq: Seq {
                lo: zero(),
                hi: len,
                step: None,
                desc: false,
            },
            item: Item::Elem {
                place,
                shape: Shape::One,
                maps: Vec::new(),
                mutable,
            },
            stages: Vec::new(),
            usize_counter: true,
            span,
            then: None,
            flat: None,
        }
    }

    // from: `x.chunks(n)` / `x.windows(n)` / `x.chunks_exact(n)`
    // into: `(0..len).step_by(n)` with `x[c..min(c + n, len)]` / `0..len + 1 - n` with
    //       `x[c..][..n]` / `(0..len / n * n).step_by(n)` with `x[c..][..n]`
    fn slices_source(&mut self, m: &syn::ExprMethodCall, name: &str) -> Option<Chain> {
        let mut chain = self.place_source(&m.receiver, name.ends_with("_mut"))?;
        let size = self.expr(&m.args[0]);
        if is_lit(&size, "0") {
            self.errors.push_spanned(
                &m.args[0],
                format!("`.{name}(0)` panics: the size must be at least 1"),
            );
            return None;
        }
        let span = m.span();
        let len = chain.seq.hi.clone();
        let shape = match name {
            "windows" => {
                // `size / size` is 1, or panics like `windows(0)` does.
                let one = match size {
                    Operand::Const(_) => one(),
                    Operand::Var(_) => self.int(BinOp::Div, size.clone(), size.clone(), span),
                };
                let end = self.int(BinOp::Add, len.clone(), one, span);
                chain.seq.hi = self.sat_sub(end, size.clone(), span);
                Shape::Window(size)
            }
            "chunks" | "chunks_mut" => {
                chain.seq.step = Some(size.clone());
                Shape::Chunk { size, len }
            }
            _ => {
                let whole = self.int(BinOp::Div, len, size.clone(), span);
                chain.seq.hi = self.int(BinOp::Mul, whole, size.clone(), span);
                chain.seq.step = Some(size.clone());
                Shape::Window(size)
            }
        };
        if let Item::Elem { shape: s, .. } = &mut chain.item {
            *s = shape;
        }
        chain.span = span;
        Some(chain)
    }

    // from: `x.iter()` / `x.chunks(n)` / `chain.skip(1)`
    // into: the chain of a source (see `place_source`, `slices_source`) / the receiver's
    //       chain with the adaptor applied
    fn chain_method(&mut self, m: &syn::ExprMethodCall) -> Option<Chain> {
        let name = m.method.to_string();
        let span = m.method.span();
        match (name.as_str(), m.args.len()) {
            ("iter" | "into_iter", 0) if is_chain(&m.receiver) => self.chain(&m.receiver),
            ("iter", 0) => self.place_source(&m.receiver, false),
            ("into_iter", 0) => {
                let mutable = self.is_mut_ref(&m.receiver);
                self.place_source(&m.receiver, mutable)
            }
            ("iter_mut", 0) => self.place_source(&m.receiver, true),
            ("chunks" | "chunks_mut" | "chunks_exact" | "chunks_exact_mut" | "windows", 1) => {
                self.slices_source(m, &name)
            }
            ("chain", 1) => self.chained(m),
            ("flatten", 0) => self.flattened(m),
            ("flat_map", 1) => self.flat_mapped(m),
            ("rev" | "copied" | "cloned" | "enumerate", 0)
            | ("skip" | "take" | "step_by" | "zip" | "map" | "filter", 1)
            | ("take_while" | "skip_while", 1) => {
                let mut chain = self.chain(&m.receiver)?;
                if chain.then.is_some() {
                    return self.adapt_chained(chain, m, &name, span);
                }
                if chain.flat.is_some() {
                    self.adapt_flat(&mut chain, m, &name, span)?;
                    return Some(chain);
                }
                self.adaptor(&mut chain, m, &name, span)?;
                Some(chain)
            }
            _ => {
                self.unsupported(m);
                None
            }
        }
    }
}
