//! Step 2, the counters of iterator chains (see `iter`): what `rev`, `skip`, `take`,
//! `step_by`, `enumerate` and `zip` do to the sequence of counter values and to the index
//! computations of the items, and the integer arithmetic, emitted before the loop, that
//! does it. All of it is inactive (lengths, counts, indices): no adjoint code comes of it.

use proc_macro2::Span;
use quote::quote;

use crate::ir::*;
use crate::lower::iter::{Chain, Func, Item, Stage};
use crate::lower::Lowerer;

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

/// The same variable, or the same constant tokens.
pub(crate) fn same(a: &Operand, b: &Operand) -> bool {
    match (a, b) {
        (Operand::Var(x), Operand::Var(y)) => x == y,
        (Operand::Const(x), Operand::Const(y)) => x.to_string() == y.to_string(),
        (Operand::Var(_), Operand::Const(_)) | (Operand::Const(_), Operand::Var(_)) => false,
    }
}

pub(crate) fn is_lit(op: &Operand, lit: &str) -> bool {
    matches!(op, Operand::Const(t) if t.to_string() == lit)
}

pub(crate) fn zero() -> Operand {
    Operand::Const(quote!(0))
}

pub(crate) fn one() -> Operand {
    Operand::Const(quote!(1))
}

/// Moves the item out, leaving a placeholder that is overwritten right after.
pub(crate) fn take_item(item: &mut Item) -> Item {
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
    pub(crate) fn range(&self) -> ForRange {
        let mut adaptors: Vec<RangeAdaptor> = self
            .step
            .iter()
            .cloned()
            .map(RangeAdaptor::StepBy)
            .collect();
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
    // from: the maps `[Pos(a), At(b)]` of an item at counter `c`
    // into: `let q = (c - a.base) / a.step; let i = b.base + q * b.step;` in the loop body
    /// An element's index (or a position) from the counter, in the loop body; the reverse
    /// sweep recomputes such integer arithmetic instead of recording it.
    pub(crate) fn apply_maps(&mut self, maps: &[Map], c: Operand, span: Span) -> Operand {
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

    /// Applies the adaptor `name` (arguments in `m`) to a chain: positional adaptors
    /// narrow or reorder its counter values, `map` and `filter` wrap its item.
    pub(crate) fn adaptor(
        &mut self,
        chain: &mut Chain,
        m: &syn::ExprMethodCall,
        name: &str,
        span: Span,
    ) -> Option<()> {
        let positional = !matches!(
            name,
            "rev" | "copied" | "cloned" | "map" | "filter" | "take_while" | "skip_while"
        );
        if positional && !chain.stages.is_empty() {
            self.errors.push(span, format!("`.{name}(..)` after `.filter(..)`, `.take_while(..)` or `.skip_while(..)` is not supported: it would count the items those let through; write the loop, e.g. `let mut k = 0; for v in x.iter() {{ if cond {{ .. k += 1; }} }}`"));
            return None;
        }
        let seq = chain.seq.clone();
        let k = seq.step.clone().unwrap_or_else(one);
        match name {
            // from: `.copied()`  into: `.map(|&v| v)`: items become values, not places
            "copied" | "cloned" => {
                let f = Func::Closure(syn::parse_quote!(|&v| v));
                map_item(chain, f);
            }
            // from: `.rev()`  into: the same counters, largest first
            "rev" => chain.seq.desc = !seq.desc,
            "skip" | "take" | "step_by" => self.narrow(chain, m, name, seq, k, span),
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
                if other.then.is_some() || other.flat.is_some() {
                    self.errors.push_spanned(&m.args[0], "zipping with a chained or flattened iterator (`a.chain(b)`, `rows.iter().flatten()`) is not supported: zip each part or row in its own loop");
                    return None;
                }
                if !other.stages.is_empty() {
                    self.errors.push_spanned(&m.args[0], "zipping with a filtered iterator is not supported: filter after the `zip`, e.g. `a.iter().zip(b).filter(|(x, y)| ..)`");
                    return None;
                }
                self.zip(chain, other, span);
            }
            "map" => {
                let f = self.func(&m.args[0])?;
                map_item(chain, f);
            }
            "filter" => {
                let f = self.func(&m.args[0])?;
                chain.stages.push(Stage::Filter(f));
            }
            // from: `.take_while(p)`  into: a stage that leaves the loop (see `stages`)
            "take_while" => {
                let f = self.func(&m.args[0])?;
                chain.stages.push(Stage::TakeWhile(f));
            }
            // from: `.skip_while(p)`  into: `let mut skipping = true;` before the loop,
            //       and a stage that skips while it is set (see `stages`)
            "skip_while" => {
                let f = self.func(&m.args[0])?;
                let t = Operand::Const(quote::quote!(true));
                let Operand::Var(flag) = self.bind("skipping", span, Rvalue::Use(t)) else {
                    return None;
                };
                self.body.vars[flag].mutable = true;
                chain.stages.push(Stage::SkipWhile(f, flag));
            }
            _ => {}
        }
        Some(())
    }

    // from: `.skip(n)` / `.take(n)` / `.step_by(j)` on a counter from `lo` to `hi` by `step`
    // into: `lo += n * step` / `hi = min(hi, lo + n * step)` / `step *= j` going up; going
    //       down, the bound at the other end moves (see each arm)
    fn narrow(
        &mut self,
        chain: &mut Chain,
        m: &syn::ExprMethodCall,
        name: &str,
        seq: Seq,
        k: Operand,
        span: Span,
    ) {
        match name {
            // from: `.skip(n)`  into: `lo += n * step` (up) / `hi = lo + (count - n) * step` (down)
            "skip" => {
                let n = self.expr(&m.args[0]);
                if seq.desc {
                    let count = self.count(&seq, span);
                    let left = self.sat_sub(count, n, span);
                    let d = self.int(BinOp::Mul, left, k, span);
                    chain.seq.hi = self.int(BinOp::Add, seq.lo, d, span);
                } else {
                    let nk = self.int(BinOp::Mul, n, k, span);
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
            _ => {}
        }
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
        } else if !(same(&sa.lo, &sb.lo) && same(&sa.hi, &sb.hi) && same_step && sa.desc == sb.desc)
        {
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

    // from: the counter `lo..hi` by `step`
    // into: `let d = max(hi, lo) - lo; let n = (d + step - 1) / step;` (`n = d` for step 1)
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
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Other(_) => {}
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

/// `.map(f)` of a chain: its item is mapped lazily, or, after a `filter`, in a stage.
fn map_item(chain: &mut Chain, f: Func) {
    if chain.stages.is_empty() {
        let item = take_item(&mut chain.item);
        chain.item = Item::Mapped(Box::new(item), f);
    } else {
        chain.stages.push(Stage::Map(f));
    }
}
