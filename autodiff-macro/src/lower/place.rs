//! Step 2, places: what assignments write and what indices, fields and `*` name. In: a
//! place expression (`x`, `a[i][j]`, `x[a..b]`, `s.field`, `*out`, `v.last().unwrap()`,
//! or a computed value that is indexed). Out: a `Place` (a variable and its projections),
//! read with `Rvalue::Read` and written with `Stmt::Assign` / `Stmt::Store`.

use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, UnOp as SynUnOp};

use crate::ir::*;
use crate::lower::{Binding, Lowerer};

impl Lowerer<'_> {
    // from: `x += e` / `a[i] += e`
    // into: `let t = x + e; x = t;` / `let old = a[i]; let t = old + e; a[i] = t;`
    pub(crate) fn compound_assign(&mut self, b: &syn::ExprBinary, op: BinOp) {
        let right = self.expr(&b.right);
        let Some(place) = self.place(&b.left) else {
            return;
        };
        let old = if place.projs.is_empty() {
            Operand::Var(place.base)
        } else {
            self.bind("x", b.left.span(), Rvalue::Read(place.clone()))
        };
        let new = self.bind("t", b.span(), Rvalue::Binary(op, old, right));
        self.write(place, new);
    }

    // from: `x = e` / `a[i][j] = e` / `*out = e`
    // into: `Assign { x, e }` / `Store { a[i][j], e }`
    pub fn assign(&mut self, left: &Expr, value: Operand) {
        if let Expr::Infer(_) = left {
            return;
        }
        if let Some(place) = self.place(left) {
            self.write(place, value);
        }
    }

    // from: the place `x` / `a[i]` and a value `v`
    // into: `Assign { x, v }` / `Store { a[i], v }` (the variable becomes mutable)
    pub(crate) fn write(&mut self, place: Place, value: Operand) {
        if place.projs.is_empty() {
            self.body.vars[place.base].mutable = true;
            self.push(Stmt::Assign {
                var: place.base,
                value,
                overwrites: true,
            });
        } else {
            self.body.vars[place.base].mutable = true;
            self.push(Stmt::Store { place, value });
        }
    }

    // from: `x`, `a[i][j]`, `x[a..b]`, `s.field`, `*out`, `v.last().unwrap()`, `f(x)[i]`
    // into: a `Place`: its variable (a temporary for a computed value) and projections
    pub fn place(&mut self, e: &Expr) -> Option<Place> {
        match e {
            Expr::Path(p) if self.alias_of(p).is_some() => self.alias_of(p),
            Expr::Path(p) => self.path_place(p),
            Expr::Index(i) => self.index_place(i),
            Expr::Field(f) => {
                let mut place = self.place(&f.base)?;
                place.projs.push(Proj::Field(f.member.clone()));
                Some(place)
            }
            Expr::MethodCall(m) if end_element(m).is_some() => self.end_place(m),
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => self.deref_place(u),
            other => self.computed_place(other),
        }
    }

    // from: `x` (a variable) / `TABLE` (a constant, to be indexed)
    // into: the place `x` / the place of a copy `let c = TABLE;`
    fn path_place(&mut self, p: &syn::ExprPath) -> Option<Place> {
        match self.path_value(p) {
            Operand::Var(base) => Some(Place {
                base,
                projs: Vec::new(),
            }),
            constant => {
                // An indexed constant (`TABLE[i]`): index a copy of it.
                let span = p.span();
                match self.bind("c", span, Rvalue::Use(constant)) {
                    Operand::Var(base) => Some(Place {
                        base,
                        projs: Vec::new(),
                    }),
                    Operand::Const(_) => None,
                }
            }
        }
    }

    // from: `x[i]` / `x[a..b]`
    // into: `x` with `Proj::Index(i)` / `Proj::Range { a, b }` (whose adjoint is `d_x[a..b]`)
    fn index_place(&mut self, i: &syn::ExprIndex) -> Option<Place> {
        let mut place = self.place(&i.expr)?;
        if let Expr::Range(r) = &*i.index {
            let start = r.start.as_ref().map(|e| self.expr(e));
            let end = r.end.as_ref().map(|e| self.expr(e));
            let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
            place.projs.push(Proj::Range {
                start,
                end,
                inclusive,
            });
            return Some(place);
        }
        let index = self.expr(&i.index);
        self.push_index(&mut place, index, i.span());
        Some(place)
    }

    // from: `x.last().unwrap()` / `v.first_mut().unwrap()`
    // into: the place `x[x.len() - 1]` / `v[0]`
    fn end_place(&mut self, m: &syn::ExprMethodCall) -> Option<Place> {
        let (slice, last) = end_element(m)?;
        let mut place = self.place(slice)?;
        let index = if last {
            let len = self.len_of(&place, m.span());
            self.int(BinOp::Sub, len, Operand::Const(quote!(1usize)), m.span())
        } else {
            Operand::Const(quote!(0usize))
        };
        place.projs.push(Proj::Index(index));
        Some(place)
    }

    // from: `*out` of a reference parameter / `*r` of an alias / `*v.last_mut().unwrap()`
    // into: `out` with `Proj::Deref` / the aliased place / the element's place
    fn deref_place(&mut self, u: &syn::ExprUnary) -> Option<Place> {
        if let Expr::MethodCall(m) = &*u.expr {
            if end_element(m).is_some() {
                return self.place(&u.expr);
            }
        }
        if let Expr::Path(p) = &*u.expr {
            // `*r` of a reference alias is the aliased place itself.
            if let Some(place) = self.alias_of(p) {
                return Some(place);
            }
        }
        let mut place = self.place(&u.expr)?;
        if !place.projs.is_empty() || !matches!(self.body.vars[place.base].origin, Origin::Param(_))
        {
            self.errors.push_spanned(u, "`*` is supported on reference parameters (`*x`, `*out = ..`), not on a `Box` or a local reference: index or copy the value instead, and take a boxed value as `&f64` / `&[f64]` (the caller passes `&*b`)");
            return None;
        }
        place.projs.push(Proj::Deref);
        Some(place)
    }

    // from: `f(x)[i]`, `(a * b).field`: a computed value, indexed
    // into: `let t = f(x);` and the place `t`
    fn computed_place(&mut self, other: &Expr) -> Option<Place> {
        let value = self.expr(other);
        match value {
            Operand::Var(base) => Some(Place {
                base,
                projs: Vec::new(),
            }),
            Operand::Const(_) => {
                self.errors.push_spanned(
                    other,
                    "this expression cannot be indexed or assigned to in a differentiated function",
                );
                None
            }
        }
    }

    pub(crate) fn alias_of(&self, p: &syn::ExprPath) -> Option<Place> {
        let ident = p.path.get_ident()?;
        match self.lookup(&ident.to_string())? {
            Binding::Alias(place, _) if p.qself.is_none() => Some(place),
            Binding::Alias(..) | Binding::Var(_) | Binding::Closure(..) => None,
        }
    }
}

/// `x.last().unwrap()` and friends: the slice and whether it is the last element.
pub(crate) fn end_element(m: &syn::ExprMethodCall) -> Option<(&Expr, bool)> {
    if !matches!(m.method.to_string().as_str(), "unwrap" | "expect") {
        return None;
    }
    let Expr::MethodCall(inner) = &*m.receiver else {
        return None;
    };
    if !inner.args.is_empty() {
        return None;
    }
    match inner.method.to_string().as_str() {
        "last" | "last_mut" => Some((&inner.receiver, true)),
        "first" | "first_mut" => Some((&inner.receiver, false)),
        _ => None,
    }
}
