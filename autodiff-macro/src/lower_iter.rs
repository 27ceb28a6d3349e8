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
//! an `iter_mut` element stores into it. `filter`, and the `map`s after it, are stages of
//! the loop body: an `if` each. Reductions and closures are in `lower_reduce`.

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::{unit, Binding, Lowerer};

/// The counter values a chain visits: `{lo + j*step < hi}`, ascending, or descending
/// (largest first) when `desc`. `step: None` is 1.
#[derive(Clone)]
pub(crate) struct Seq {
    pub lo: Operand,
    pub hi: Operand,
    pub step: Option<Operand>,
    pub desc: bool,
}

/// The first counter value of a sequence and its direction: positions and counters are
/// converted through it.
#[derive(Clone)]
pub(crate) struct Anchor {
    base: Operand,
    step: Option<Operand>,
    desc: bool,
}

/// One step of an index computation, applied to the counter in order.
#[derive(Clone)]
pub(crate) enum Map {
    /// Counter to position: `(c - base) / step`, or `(base - c) / step` going down.
    Pos(Anchor),
    /// Position to counter: `base + q * step`, or `base - q * step` going down.
    At(Anchor),
}

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
    Count { maps: Vec<Map>, cast: bool },
    Pair(Box<Item>, Box<Item>),
    Mapped(Box<Item>, Func),
}

#[derive(Clone)]
pub(crate) enum Shape {
    One,
    /// `chunks(size)`: `place[i..min(i + size, len)]`.
    Chunk { size: Operand, len: Operand },
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
}

pub(crate) struct Chain {
    pub seq: Seq,
    pub item: Item,
    /// `filter` and what follows it, run in order in the loop body.
    pub stages: Vec<Stage>,
    /// The counter is a `usize` (an index), not a user range of another integer type.
    pub usize_counter: bool,
    pub span: Span,
}

/// What an item is bound to: a place (aliased, not copied), a value, or a pair.
#[derive(Clone)]
pub(crate) enum Bound {
    Place(Place, bool),
    Value(Operand),
    Pair(Box<Bound>, Box<Bound>),
}

/// Methods that create an iterator from a place.
const SOURCES: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "chunks",
    "chunks_mut",
    "chunks_exact",
    "chunks_exact_mut",
    "windows",
];

/// Iterator methods: supported adaptors and consumers, then known unsupported ones.
const ITERATOR_METHODS: &[&str] = &[
    "rev", "skip", "take", "step_by", "enumerate", "zip", "map", "filter", "copied", "cloned",
    "sum", "product", "fold", "count", "for_each", "len", "max_by", "min_by", "reduce",
    "chain", "flat_map", "flatten", "filter_map", "take_while", "skip_while", "map_while",
    "scan", "peekable", "cycle", "inspect", "fuse", "by_ref", "collect", "max", "min",
    "max_by_key", "min_by_key", "position", "find", "any", "all", "last", "nth", "unzip",
    "partition", "try_fold", "sum_by", "rposition", "find_map", "is_sorted",
];

/// Whether `e` is syntactically an iterator chain (ends in a source or a range).
pub(crate) fn is_chain(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_chain(&p.expr),
        Expr::Group(g) => is_chain(&g.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            SOURCES.contains(&name.as_str())
                || (ITERATOR_METHODS.contains(&name.as_str()) && is_chain(&m.receiver))
        }
        _ => false,
    }
}

/// Whether a `for` loop iterates over a range `lower::range` handles itself.
pub(crate) fn is_range_loop(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_range_loop(&p.expr),
        Expr::Group(g) => is_range_loop(&g.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => is_range_loop(&m.receiver),
        Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
            is_range_loop(&m.receiver)
        }
        _ => false,
    }
}

fn same(a: &Operand, b: &Operand) -> bool {
    match (a, b) {
        (Operand::Var(x), Operand::Var(y)) => x == y,
        (Operand::Const(x), Operand::Const(y)) => x.to_string() == y.to_string(),
        _ => false,
    }
}

fn is_lit(op: &Operand, lit: &str) -> bool {
    matches!(op, Operand::Const(t) if t.to_string() == lit)
}

fn zero() -> Operand {
    Operand::Const(quote!(0))
}

fn one() -> Operand {
    Operand::Const(quote!(1))
}

/// Moves the item out, leaving a placeholder that is overwritten right after.
fn take_item(item: &mut Item) -> Item {
    let placeholder = Item::Count {
        maps: Vec::new(),
        cast: false,
    };
    std::mem::replace(item, placeholder)
}

impl Item {
    /// Precedes every index computation of the item by `prefix` (a `zip` realignment).
    fn prefix(&mut self, prefix: &[Map]) {
        match self {
            Item::Elem { maps, .. } | Item::Count { maps, .. } => {
                let rest = std::mem::take(maps);
                maps.extend(prefix.iter().cloned());
                maps.extend(rest);
            }
            Item::Pair(a, b) => {
                a.prefix(prefix);
                b.prefix(prefix);
            }
            Item::Mapped(inner, _) => inner.prefix(prefix),
        }
    }
}

impl Seq {
    /// `(lo..hi).step_by(step).rev()`, as the IR's range.
    fn range(&self) -> ForRange {
        let mut adaptors: Vec<RangeAdaptor> =
            self.step.iter().cloned().map(RangeAdaptor::StepBy).collect();
        if self.desc {
            adaptors.push(RangeAdaptor::Rev);
        }
        ForRange {
            start: self.lo.clone(),
            end: self.hi.clone(),
            inclusive: false,
            adaptors,
        }
    }
}

impl Lowerer<'_> {
    // from: `for (i, &v) in x.iter().enumerate().rev() { body }`
    // into: `let n = x.len(); For { c in (0..n).rev(), [i = c; v ≡ x[c]; body] }`
    pub(crate) fn iter_for_loop(&mut self, e: &syn::ExprForLoop) -> Operand {
        let Some(chain) = self.chain(&e.expr) else {
            return unit();
        };
        self.drive(chain, &mut |l, item| {
            l.bind_pat(&e.pat, item, false);
            l.block_value(&e.body);
        });
        unit()
    }

    /// Lowers a chain's loop: `each` gets every item that passes the filters, in the body.
    pub(crate) fn drive(&mut self, chain: Chain, each: &mut dyn FnMut(&mut Self, Bound)) {
        let Chain {
            seq,
            item,
            stages,
            span,
            ..
        } = chain;
        let var = self.temp("i", span);
        let body = self.loop_body(|l| {
            let bound = l.eval(&item, &Operand::Var(var), span);
            l.stages(bound, &stages, each);
        });
        self.push(Stmt::For {
            var,
            range: seq.range(),
            body,
            exit: None,
            counter: None,
        });
    }

    // from: `.filter(|v| c(v)).map(|v| f(v))` on item `x`
    // into: `let keep = c(x); if keep { let y = f(x); each(y) }`
    fn stages(&mut self, item: Bound, stages: &[Stage], each: &mut dyn FnMut(&mut Self, Bound)) {
        match stages.split_first() {
            None => each(self, item),
            Some((Stage::Map(f), rest)) => {
                let mapped = self.apply(f, vec![item], false);
                self.stages(mapped, rest, each);
            }
            Some((Stage::Filter(f), rest)) => {
                let cond = self.apply(f, vec![item.clone()], true);
                let cond = self.value_of(cond, f.span());
                // A fresh copy: the reverse sweep reads the condition after the body ran.
                let cond = match cond {
                    Operand::Var(v) if self.body.vars[v].origin != Origin::Temp => {
                        self.bind("keep", f.span(), Rvalue::Use(cond))
                    }
                    other => other,
                };
                let (then, _) = self.sub_block(|l| {
                    l.stages(item, rest, each);
                    unit()
                });
                self.diverged = false;
                self.push(Stmt::If {
                    cond,
                    then,
                    els: Block::default(),
                });
            }
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

    fn apply_maps(&mut self, maps: &[Map], c: Operand, span: Span) -> Operand {
        let mut x = c;
        for m in maps {
            x = match m {
                Map::Pos(a) => {
                    let d = if a.desc {
                        self.int(BinOp::Sub, a.base.clone(), x, span)
                    } else {
                        self.int(BinOp::Sub, x, a.base.clone(), span)
                    };
                    match &a.step {
                        Some(k) => self.int(BinOp::Div, d, k.clone(), span),
                        None => d,
                    }
                }
                Map::At(a) => {
                    let d = match &a.step {
                        Some(k) => self.int(BinOp::Mul, x, k.clone(), span),
                        None => x,
                    };
                    let op = if a.desc { BinOp::Sub } else { BinOp::Add };
                    self.int(op, a.base.clone(), d, span)
                }
            };
        }
        x
    }

    /// The chain an iterable expression stands for; `None` after an error.
    pub(crate) fn chain(&mut self, e: &Expr) -> Option<Chain> {
        match e {
            Expr::Paren(p) => self.chain(&p.expr),
            Expr::Group(g) => self.chain(&g.expr),
            Expr::Range(r) => self.range_source(r),
            Expr::Reference(r) => self.place_source(&r.expr, r.mutability.is_some()),
            Expr::MethodCall(m) => self.chain_method(m),
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
            None => false,
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
        })
    }

    // from: `x.iter()`, `&x`, `x` (slice, array, `Vec`, sub-slice), `x.iter_mut()`
    // into: the counter runs over `0..x.len()`; the item is the place `x[c]`
    fn place_source(&mut self, e: &Expr, mutable: bool) -> Option<Chain> {
        let place = self.place(e)?;
        if mutable {
            self.body.vars[place.base].mutable = true;
        }
        let span = e.span();
        let len = self.len_of(&place, span);
        Some(Chain {
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
        })
    }

    // from: `x.chunks(n)` / `x.windows(n)` / `x.chunks_exact(n)`
    // into: `(0..len).step_by(n)` with `x[c..min(c + n, len)]` / `0..len + 1 - n` with
    //       `x[c..][..n]` / `(0..len / n * n).step_by(n)` with `x[c..][..n]`
    fn slices_source(&mut self, m: &syn::ExprMethodCall, name: &str) -> Option<Chain> {
        let mut chain = self.place_source(&m.receiver, name.ends_with("_mut"))?;
        let size = self.expr(&m.args[0]);
        if is_lit(&size, "0") {
            self.errors.push_spanned(&m.args[0], format!("`.{name}(0)` panics: the size must be at least 1"));
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
            ("rev" | "copied" | "cloned" | "enumerate", 0)
            | ("skip" | "take" | "step_by" | "zip" | "map" | "filter", 1) => {
                let mut chain = self.chain(&m.receiver)?;
                self.adaptor(&mut chain, m, &name, span)?;
                Some(chain)
            }
            _ => {
                self.unsupported(m);
                None
            }
        }
    }

    fn adaptor(
        &mut self,
        chain: &mut Chain,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<()> {
        let positional = !matches!(name, "rev" | "copied" | "cloned" | "map" | "filter");
        if positional && !chain.stages.is_empty() {
            self.errors.push(span, format!("`.{name}(..)` after `.filter(..)` is not supported: it would count the filtered items; write the loop, e.g. `let mut k = 0; for v in x.iter() {{ if cond {{ .. k += 1; }} }}`"));
            return None;
        }
        let seq = chain.seq.clone();
        let k = seq.step.clone().unwrap_or_else(one);
        match name {
            "copied" | "cloned" => {}
            // from: `.rev()`  into: the same counters, largest first
            "rev" => chain.seq.desc = !seq.desc,
            // from: `.skip(n)`  into: `lo += n * step` (up) / `hi = lo + (count - n) * step` (down)
            "skip" => {
                let n = self.expr(&m.args[0]);
                let nk = self.int(BinOp::Mul, n.clone(), k.clone(), span);
                if seq.desc {
                    let count = self.count(&seq, span);
                    let left = self.sat_sub(count, n, span);
                    let d = self.int(BinOp::Mul, left, k, span);
                    chain.seq.hi = self.int(BinOp::Add, seq.lo, d, span);
                } else {
                    chain.seq.lo = self.int(BinOp::Add, seq.lo, nk, span);
                }
            }
            // from: `.take(n)`  into: `hi = min(hi, lo + n * step)` (up) / `lo += (count - n) * step` (down)
            "take" => {
                let n = self.expr(&m.args[0]);
                if seq.desc {
                    let count = self.count(&seq, span);
                    let left = self.sat_sub(count, n, span);
                    let d = self.int(BinOp::Mul, left, k, span);
                    chain.seq.lo = self.int(BinOp::Add, seq.lo, d, span);
                } else {
                    let nk = self.int(BinOp::Mul, n, k, span);
                    let end = self.int(BinOp::Add, seq.lo.clone(), nk, span);
                    chain.seq.hi = self.int_fn("min", seq.hi, end, span);
                }
            }
            // from: `.step_by(j)`  into: `step *= j`; going down, `lo` moves to keep the largest
            "step_by" => {
                let j = self.expr(&m.args[0]);
                if seq.desc {
                    let count = self.count(&seq, span);
                    let last = self.sat_sub(count, one(), span);
                    let r = self.int(BinOp::Rem, last, j.clone(), span);
                    let d = self.int(BinOp::Mul, r, k.clone(), span);
                    chain.seq.lo = self.int(BinOp::Add, seq.lo, d, span);
                }
                chain.seq.step = Some(self.int(BinOp::Mul, k, j, span));
            }
            // from: `.enumerate()`  into: the pair `(position of c, item)`
            "enumerate" => {
                let anchor = self.anchor(&seq, span);
                let count = Item::Count {
                    maps: vec![Map::Pos(anchor)],
                    cast: !chain.usize_counter,
                };
                let item = take_item(&mut chain.item);
                chain.item = Item::Pair(Box::new(count), Box::new(item));
            }
            "zip" => {
                let other = self.chain(&m.args[0])?;
                if !other.stages.is_empty() {
                    self.errors.push_spanned(&m.args[0], "zipping with a filtered iterator is not supported: filter after the `zip`, e.g. `a.iter().zip(b).filter(|(x, y)| ..)`");
                    return None;
                }
                self.zip(chain, other, span);
            }
            "map" => {
                let f = self.func(&m.args[0])?;
                if chain.stages.is_empty() {
                    let item = take_item(&mut chain.item);
                    chain.item = Item::Mapped(Box::new(item), f);
                } else {
                    chain.stages.push(Stage::Map(f));
                }
            }
            "filter" => {
                let f = self.func(&m.args[0])?;
                chain.stages.push(Stage::Filter(f));
            }
            _ => {}
        }
        Some(())
    }

    // from: `a.zip(b)` with the same start and step going up
    // into: one counter up to `min(hi_a, hi_b)`
    // from: any other `a.zip(b)`
    // into: `a`'s counter, cut at `min(count_a, count_b)` items; `b`'s items at
    //       `b.anchor ± position_in_a(c) * b.step`
    fn zip(&mut self, a: &mut Chain, b: Chain, span: Span) {
        let (sa, sb) = (a.seq.clone(), b.seq.clone());
        let same_step = match (&sa.step, &sb.step) {
            (None, None) => true,
            (Some(x), Some(y)) => same(x, y),
            _ => false,
        };
        let mut other = b.item;
        if same(&sa.lo, &sb.lo) && same_step && !sa.desc && !sb.desc {
            a.seq.hi = self.int_fn("min", sa.hi, sb.hi, span);
        } else if !(same(&sa.lo, &sb.lo) && same(&sa.hi, &sb.hi) && same_step && sa.desc == sb.desc) {
            let (ca, cb) = (self.count(&sa, span), self.count(&sb, span));
            let (pa, pb) = (self.anchor(&sa, span), self.anchor(&sb, span));
            let k = sa.step.clone().unwrap_or_else(one);
            if sa.desc {
                let extra = self.sat_sub(ca, cb, span);
                let d = self.int(BinOp::Mul, extra, k, span);
                a.seq.lo = self.int(BinOp::Add, sa.lo, d, span);
            } else {
                let d = self.int(BinOp::Mul, cb, k, span);
                let end = self.int(BinOp::Add, sa.lo, d, span);
                a.seq.hi = self.int_fn("min", sa.hi, end, span);
            }
            other.prefix(&[Map::Pos(pa), Map::At(pb)]);
        }
        let mine = take_item(&mut a.item);
        a.item = Item::Pair(Box::new(mine), Box::new(other));
    }

    /// Number of counter values: `ceil((hi - lo) / step)`, 0 when `hi <= lo`.
    pub(crate) fn count(&mut self, seq: &Seq, span: Span) -> Operand {
        let d = self.sat_sub(seq.hi.clone(), seq.lo.clone(), span);
        match &seq.step {
            None => d,
            Some(k) => {
                let up = self.int(BinOp::Add, d, k.clone(), span);
                let up = self.int(BinOp::Sub, up, one(), span);
                self.int(BinOp::Div, up, k.clone(), span)
            }
        }
    }

    /// The first counter value visited: `lo`, or the largest going down.
    fn anchor(&mut self, seq: &Seq, span: Span) -> Anchor {
        let base = if seq.desc {
            let count = self.count(seq, span);
            let last = self.sat_sub(count, one(), span);
            let d = match &seq.step {
                Some(k) => self.int(BinOp::Mul, last, k.clone(), span),
                None => last,
            };
            self.int(BinOp::Add, seq.lo.clone(), d, span)
        } else {
            seq.lo.clone()
        };
        Anchor {
            base,
            step: seq.step.clone(),
            desc: seq.desc,
        }
    }

    /// Integer arithmetic on counters (inactive), with `x + 0`, `x * 1`, .. folded.
    pub(crate) fn int(&mut self, op: BinOp, a: Operand, b: Operand, span: Span) -> Operand {
        match op {
            BinOp::Add if is_lit(&a, "0") => return b,
            BinOp::Add | BinOp::Sub if is_lit(&b, "0") => return a,
            BinOp::Mul if is_lit(&a, "1") => return b,
            BinOp::Mul | BinOp::Div if is_lit(&b, "1") => return a,
            _ => {}
        }
        self.bind("n", span, Rvalue::Binary(op, a, b))
    }

    /// `a - b`, or 0 when `b > a` (as `max(a, b) - b`, for any integer type).
    pub(crate) fn sat_sub(&mut self, a: Operand, b: Operand, span: Span) -> Operand {
        if is_lit(&b, "0") {
            return a;
        }
        let m = self.int_fn("max", a, b.clone(), span);
        self.int(BinOp::Sub, m, b, span)
    }

    /// `::core::cmp::min(a, b)` / `max`: a call that never carries a derivative.
    pub(crate) fn int_fn(&mut self, f: &str, a: Operand, b: Operand, span: Span) -> Operand {
        let path: syn::Path = if f == "min" {
            syn::parse_quote!(::core::cmp::min)
        } else {
            syn::parse_quote!(::core::cmp::max)
        };
        let call = Call {
            callee: Callee::Path(path),
            recv: None,
            args: vec![CallArg::Value(a), CallArg::Value(b)],
            passive: true,
        };
        self.bind(f, span, Rvalue::Call(call))
    }

    /// `place.len()`, a passive call.
    pub(crate) fn len_of(&mut self, place: &Place, span: Span) -> Operand {
        self.passive_method(place.clone(), "len", Vec::new(), span)
    }

    pub(crate) fn passive_method(
        &mut self,
        recv: Place,
        method: &str,
        args: Vec<Operand>,
        span: Span,
    ) -> Operand {
        let call = Call {
            callee: Callee::Method(syn::Ident::new(method, span), None),
            recv: Some(recv),
            args: args.into_iter().map(CallArg::Value).collect(),
            passive: true,
        };
        self.bind(method, span, Rvalue::Call(call))
    }
}
