//! Step 2, buffer operations: `push`, `std::mem::swap` / `replace`, `slice::swap`, and
//! indices into `windows` / `chunks_exact` items, lowered to ordinary reads and stores.

use quote::quote;
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
        let va = self.read_place(pa.clone(), span);
        let vb = self.read_place(pb.clone(), span);
        self.write(pa, vb);
        self.write(pb, va);
        unit()
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
            Expr::Paren(p) => self.mut_ref_place(&p.expr),
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
        let method = |name: &str| Callee::Method(syn::Ident::new(name, span), None);
        let k = self.bind(
            "len",
            span,
            Rvalue::Call(Call {
                callee: method("len"),
                recv: Some(vec.clone()),
                args: Vec::new(),
                passive: true,
            }),
        );
        self.body.vars[vec.base].mutable = true;
        let grown = self.temp("grown", span);
        self.push(Stmt::Let {
            var: grown,
            value: Rvalue::Call(Call {
                callee: method("push"),
                recv: Some(vec.clone()),
                args: vec![CallArg::Value(Operand::Const(quote!(
                    ::core::default::Default::default()
                )))],
                passive: true,
            }),
        });
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
                .find_map(|s| match s {
                    Stmt::Let {
                        var,
                        value: Rvalue::Use(Operand::Const(t)),
                    } if var == v && !self.body.vars[*v].mutable => {
                        syn::parse2::<syn::LitInt>(t.clone())
                            .ok()
                            .and_then(|l| l.base10_parse::<usize>().ok())
                    }
                    _ => None,
                }),
        }
    }
}
