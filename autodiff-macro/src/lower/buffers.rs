//! Step 2, buffer operations: `push`, `std::mem::swap` / `replace`, `slice::swap`, and
//! indices into `windows` / `chunks_exact` items, lowered to ordinary reads and stores.

use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::{unit, Lowerer};

impl Lowerer<'_> {
    // from: `std::mem::swap(&mut a, &mut b[i])`
    // into: `let t1 = a; let t2 = b[i]; a = t2; b[i] = t1;` (moves become copies)
    pub(crate) fn swap(&mut self, a: &Expr, b: &Expr, span: proc_macro2::Span) -> Operand {
        let (Some(pa), Some(pb)) = (self.mut_ref_place(a), self.mut_ref_place(b)) else {
            return unit();
        };
        self.swap_places(pa, pb, span);
        unit()
    }

    // from: the places `a`, `b` to swap
    // into: `let t1 = a; let t2 = b; a = t2; b = t1;`
    /// Both values read before either is written: `swap(&mut x[i], &mut x[i])` is a no-op.
    fn swap_places(&mut self, pa: Place, pb: Place, span: proc_macro2::Span) {
        let va = self.read_place(pa.clone(), span);
        let vb = self.read_place(pb.clone(), span);
        self.write(pa, vb);
        self.write(pb, va);
    }

    // from: `v.push(e)` / `x.swap(i, j)` on a place
    // into: see `push_value` / `let t1 = x[i]; let t2 = x[j]; x[i] = t2; x[j] = t1;`
    pub(crate) fn buffer_method(&mut self, m: &syn::ExprMethodCall) -> Option<Operand> {
        let name = m.method.to_string();
        match (name.as_str(), m.args.len(), &m.turbofish) {
            ("push", 1, None) => {
                let base = self.place(&m.receiver)?;
                if matches!(self.body.vars[base.base].origin, Origin::Param(_)) {
                    // An error if the argument carries a derivative (a log of steps is fine).
                    self.not_if_active.push((
                        base.base,
                        m.method.span(),
                        crate::lower::NotIfActive::PushedArgument,
                    ));
                }
                let value = self.expr(&m.args[0]);
                self.push_value(base, value, m.span());
                Some(unit())
            }
            ("swap", 2, None) => {
                let base = self.place(&m.receiver)?;
                let i = self.expr(&m.args[0]);
                let j = self.expr(&m.args[1]);
                let at = |k: Operand| {
                    let mut p = base.clone();
                    p.projs.push(Proj::Index(k));
                    p
                };
                self.swap_places(at(i), at(j), m.span());
                Some(unit())
            }
            _ => None,
        }
    }

    // from: `let old = std::mem::replace(&mut a, b);`
    // into: `let old = a; a = b;`
    pub(crate) fn replace(
        &mut self,
        target: &Expr,
        value: &Expr,
        span: proc_macro2::Span,
    ) -> Operand {
        let Some(place) = self.mut_ref_place(target) else {
            return unit();
        };
        let old = self.read_place(place.clone(), span);
        let value = self.expr(value);
        self.write(place, value);
        old
    }

    /// The place of a `&mut place` argument.
    pub(crate) fn mut_ref_place(&mut self, e: &Expr) -> Option<Place> {
        match e {
            Expr::Reference(r) if r.mutability.is_some() => self.place(&r.expr),
            other => {
                self.errors.push_spanned(other, "pass `&mut` of a variable or an element here (`std::mem::swap(&mut a, &mut b)`)");
                None
            }
        }
    }

    /// The current value of a place, as a fresh temporary (a whole variable is copied).
    pub(crate) fn read_place(&mut self, place: Place, span: proc_macro2::Span) -> Operand {
        if place.projs.is_empty() {
            self.bind("old", span, Rvalue::Use(Operand::Var(place.base)))
        } else {
            self.bind("old", span, Rvalue::Read(place))
        }
    }

    // from: `v.push(e)`
    // into: `let k = v.len(); v.push(Default::default()); v[k] = e;`: the growth carries
    // no derivative, the store is an ordinary one, whose adjoint is `d_v[k]` (the
    // adjoint of `v` is made from its final value, so it has every pushed element).
    pub(crate) fn push_value(&mut self, vec: Place, value: Operand, span: proc_macro2::Span) {
        let k = self.len_of(&vec, span);
        self.body.vars[vec.base].mutable = true;
        let zero = Operand::Const(quote!(::core::default::Default::default()));
        self.passive_method(vec.clone(), "push", vec![zero], span);
        let mut element = vec;
        element.projs.push(Proj::Index(k));
        self.write(element, value);
    }

    // from: `w[1]` of a window `w = x[i..][..2]` (`windows(2)`, `chunks_exact(2)`)
    // into: `x[i + 1]`: the same element without two sub-slices' bounds checks, which
    // the reverse sweep would pay at every read and every adjoint update (the window's
    // own length check is `i + 2 <= len`, which the loop bound already guarantees)
    pub(crate) fn push_index(
        &mut self,
        place: &mut Place,
        index: Operand,
        span: proc_macro2::Span,
    ) {
        let literal = |op: &Operand| match op {
            Operand::Const(t) => syn::parse2::<syn::LitInt>(t.clone())
                .ok()
                .and_then(|l| l.base10_parse::<usize>().ok()),
            Operand::Var(_) => None,
        };
        let n = place.projs.len();
        if n >= 2 {
            if let (
                Proj::Range {
                    start: Some(start),
                    end: None,
                    inclusive: false,
                },
                Proj::Range {
                    start: None,
                    end: Some(size),
                    inclusive: false,
                },
            ) = (&place.projs[n - 2], &place.projs[n - 1])
            {
                if let (Some(k), Some(size)) = (literal(&index), self.window_size(size)) {
                    if k < size {
                        let start = start.clone();
                        let at = match k {
                            0 => start,
                            _ => self.int(BinOp::Add, start, Operand::Const(quote!(#k)), span),
                        };
                        place.projs.truncate(n - 2);
                        place.projs.push(Proj::Index(at));
                        return;
                    }
                }
            }
        }
        place.projs.push(Proj::Index(index));
    }

    /// A window's length when it is an integer literal, directly or through the
    /// temporary `windows(2)` binds it to.
    pub(crate) fn window_size(&self, size: &Operand) -> Option<usize> {
        match size {
            Operand::Const(t) => syn::parse2::<syn::LitInt>(t.clone())
                .ok()
                .and_then(|l| l.base10_parse::<usize>().ok()),
            Operand::Var(v) => self
                .body
                .block
                .stmts
                .iter()
                .chain(self.current_stmts())
                .find_map(|s| {
                    let Stmt::Let {
                        var,
                        value: Rvalue::Use(Operand::Const(t)),
                    } = s
                    else {
                        return None;
                    };
                    if var != v || self.body.vars[*v].mutable {
                        return None;
                    }
                    syn::parse2::<syn::LitInt>(t.clone())
                        .ok()
                        .and_then(|l| l.base10_parse::<usize>().ok())
                }),
        }
    }
}
