//! The primal computation as tokens, shared by every mode: operands, places, ranges,
//! values and calls exactly as the user wrote them, so that each mode's primal is
//! bit-for-bit `f`'s. A mode implements the few required methods (what a variable is
//! called, whether it holds a value) and gets the rest.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::names::Names;
use crate::emit::private;
use crate::front::signature::Signature;
use crate::ir::*;

/// IR to primal tokens. Implemented by reverse mode's and forward mode's emitters.
pub trait Primal {
    fn sig(&self) -> &Signature;
    fn body(&self) -> &Body;
    fn names(&self) -> &Names;

    /// A value as an expression: a variable's name, or the user's constant.
    fn operand(&self, op: &Operand) -> TokenStream;

    /// Whether `v` holds its value here (reverse mode's pullbacks skip some, keeping only
    /// a type witness).
    fn has_value(&self, _v: VarId) -> bool {
        true
    }

    /// The primal place expression (`x[i][j]`, `self.w[k]`, `*out`).
    fn place(&self, place: &Place) -> TokenStream {
        let base = self.names().var(place.base);
        self.projected(base, &place.projs, true)
    }

    fn projected(&self, base: TokenStream, projs: &[Proj], primal: bool) -> TokenStream {
        let mut out = base;
        for p in projs {
            out = match p {
                Proj::Index(i) => {
                    let i = self.operand(i);
                    quote!(#out[#i])
                }
                Proj::Field(m) => quote!(#out.#m),
                Proj::Range {
                    start,
                    end,
                    inclusive,
                } => {
                    let start = start.as_ref().map(|s| self.operand(s));
                    let end = end.as_ref().map(|e| self.operand(e));
                    if *inclusive {
                        quote!(#out[#start..=#end])
                    } else {
                        quote!(#out[#start..#end])
                    }
                }
                // The adjoint of a reference parameter already names its referent.
                Proj::Deref if primal => quote!((*#out)),
                Proj::Deref => out,
            };
        }
        out
    }

    /// The referent of a reference argument: `(*x)` for a reference parameter passed on,
    /// the place itself otherwise.
    fn referent(&self, place: &Place) -> TokenStream {
        let x = self.place(place);
        if place.projs.is_empty() && self.is_reference_param(place.base) {
            quote!((*#x))
        } else {
            x
        }
    }

    /// `&place` / `&mut place` as a call argument.
    fn reference(&self, place: &Place, mutable: bool) -> TokenStream {
        let target = self.referent(place);
        if mutable {
            quote!(&mut #target)
        } else {
            quote!(&#target)
        }
    }

    fn is_reference_param(&self, v: VarId) -> bool {
        match self.body().vars[v].origin {
            Origin::Param(i) => self.sig().params[i].kind.is_reference(),
            Origin::User | Origin::Temp | Origin::Control => false,
        }
    }

    /// The items that make a call of a helper without the hidden item `hidden` names an
    /// error saying what to do (`emit::unmarked`); `arity` counts the call's arguments.
    fn unmarked_fallback(
        &self,
        call: &Call,
        hidden: &dyn Fn(&str) -> String,
        arity: usize,
        mode: crate::emit::unmarked::Hidden,
    ) -> TokenStream {
        let f = match &call.callee {
            // Only on a parameter itself, whose type is known to be the one with the
            // method (`(*self)`, `(*p)`): at a field or a local that may be a `Box`, the
            // fallback would be picked before autoderef reaches the helper's method.
            Callee::Method(m, _) => match &call.recv {
                Some(r)
                    if r.projs.is_empty()
                        && matches!(self.body().vars[r.base].origin, Origin::Param(_)) =>
                {
                    m.to_string()
                }
                Some(_) | None => return TokenStream::new(),
            },
            Callee::Path(p) => match p.segments.last() {
                Some(last) => last.ident.to_string(),
                None => return TokenStream::new(),
            },
        };
        crate::emit::unmarked::fallback(call, &hidden(&f), None, arity, mode)
    }

    /// `path(args)` or `recv.method(args)`; `hidden` renames the callee to one of its
    /// hidden functions (same path, last segment renamed: a pullback, a forward
    /// derivative).
    fn call_expr(
        &self,
        call: &Call,
        hidden: Option<&dyn Fn(&str) -> String>,
        args: Vec<TokenStream>,
    ) -> TokenStream {
        let rename = |ident: &syn::Ident| match hidden {
            Some(name) => syn::Ident::new(&name(&ident.to_string()), ident.span()),
            None => ident.clone(),
        };
        match (&call.callee, &call.recv) {
            (Callee::Method(m, turbofish), Some(recv)) => {
                // A hidden method is called on the referent (`(*self)`, not a `&mut`
                // reference), so that the fallback of `emit::unmarked` cannot be picked at
                // the reference before the helper's own method at the referent.
                let recv = match hidden {
                    Some(_) => self.referent(recv),
                    None => self.place(recv),
                };
                let m = rename(m);
                quote!(#recv.#m #turbofish (#(#args),*))
            }
            (Callee::Path(path), _) => {
                let mut path = path.clone();
                if let Some(last) = path.segments.last_mut() {
                    last.ident = rename(&last.ident);
                }
                quote!(#path(#(#args),*))
            }
            (Callee::Method(..), None) => unreachable!("methods have receivers"),
        }
    }

    /// `start..end` with its adaptors, as the user wrote it. An inclusive range with
    /// `step_by` becomes `start..end + 1`, whose `step_by` can be reversed.
    fn range(&self, r: &ForRange) -> TokenStream {
        let start = self.operand(&r.start);
        let end = self.operand(&r.end);
        let stepped = r
            .adaptors
            .iter()
            .any(|a| matches!(a, RangeAdaptor::StepBy(_)));
        let mut out = match (r.inclusive, stepped) {
            (true, false) => quote!((#start..=#end)),
            (true, true) => quote!((#start..#end + 1)),
            (false, _) => quote!((#start..#end)),
        };
        for a in &r.adaptors {
            out = match a {
                RangeAdaptor::Rev => quote!(#out.rev()),
                RangeAdaptor::StepBy(k) => {
                    let k = self.operand(k);
                    quote!(#out.step_by(#k))
                }
            };
        }
        out
    }

    // from: `h = next;` (a `Vec` is moved in `f`)
    // into: `h = Clone::clone(&next);`: the adjoint sweep still reads `next` (its shape,
    // its recorded value); for `Copy` values the clone is a plain copy.
    fn copied(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v)
                if self.has_value(*v)
                    && !matches!(self.body().vars[*v].origin, Origin::Param(_)) =>
            {
                let x = self.names().var(*v);
                quote!(::core::clone::Clone::clone(&#x))
            }
            other => self.operand(other),
        }
    }

    fn rvalue(&self, rv: &Rvalue) -> TokenStream {
        let p = private();
        match rv {
            // Values moved into another binding or a literal stay readable (`h = next;`,
            // `vec![a.to_vec(), b]`): their adjoints are made from them later.
            Rvalue::Use(op) => self.copied(op),
            Rvalue::Read(place) => self.place(place),
            Rvalue::Copy(place, method) => {
                let place = self.place(place);
                quote!(#place.#method())
            }
            Rvalue::Unary(op, a) => {
                let a = self.operand(a);
                match op {
                    UnOp::Neg => quote!(-#a),
                    UnOp::Not => quote!(!#a),
                }
            }
            Rvalue::Binary(op, a, b) => {
                let a = self.operand(a);
                let b = self.operand(b);
                let op: TokenStream = match op {
                    BinOp::Add => quote!(+),
                    BinOp::Sub => quote!(-),
                    BinOp::Mul => quote!(*),
                    BinOp::Div => quote!(/),
                    BinOp::Rem => quote!(%),
                    BinOp::Other(op) => op.tokens(),
                };
                quote!(#a #op #b)
            }
            Rvalue::Math(f, args, path_ty) => {
                let name = syn::Ident::new(f.name(), proc_macro2::Span::call_site());
                let ops = args.iter().map(|a| self.operand(a));
                match path_ty {
                    Some(ty) => quote!(#ty::#name(#(#ops),*)),
                    None => {
                        let recv = self.operand(&args[0]);
                        let rest = args[1..].iter().map(|a| self.operand(a));
                        quote!(#recv.#name(#(#rest),*))
                    }
                }
            }
            Rvalue::Cast(a, ty, _) => {
                let a = self.operand(a);
                quote!(#a as #ty)
            }
            Rvalue::Array(ops) => {
                let ops = ops.iter().map(|o| self.copied(o));
                quote!([#(#ops),*])
            }
            Rvalue::Repeat(op, len) => {
                let op = self.operand(op);
                quote!([#op; #len])
            }
            Rvalue::Struct(path, fields) => {
                let fs = fields.iter().map(|(m, op)| {
                    let op = self.copied(op);
                    quote!(#m: #op)
                });
                quote!(#path { #(#fs),* })
            }
            Rvalue::VecRepeat(op, n) => {
                let op = self.copied(op);
                let n = self.operand(n);
                quote!(::std::vec![#op; #n])
            }
            Rvalue::VecList(ops) => {
                let ops = ops.iter().map(|o| self.copied(o));
                quote!(::std::vec![#(#ops),*])
            }
            Rvalue::Call(call) => {
                let args = call.args.iter().map(|a| match a {
                    CallArg::Value(op) => self.operand(op),
                    CallArg::Ref { place, mutable, .. } => self.reference(place, *mutable),
                });
                self.call_expr(call, None, args.collect())
            }
            Rvalue::Matches(place, pat) => {
                let place = self.place(place);
                quote!(::core::matches!(#place, #pat))
            }
            Rvalue::Bind(place, pat, name) => {
                let place = self.place(place);
                quote!(match &#place {
                    #pat => ::core::clone::Clone::clone(#name),
                    _ => ::core::unreachable!(),
                })
            }
            Rvalue::ZeroOf(ty) => quote!(<#ty as #p::TypeZero>::type_zero()),
        }
    }

    /// `let mut x: T = value;` as the user wrote it.
    fn let_stmt(&self, var: VarId, value: &Rvalue) -> TokenStream {
        let x = self.names().var(var);
        let info = &self.body().vars[var];
        let m = info.mutable.then(|| quote!(mut));
        let ty = info.ty.as_ref().map(|t| quote!(: #t));
        let rv = self.rvalue(value);
        quote!(let #m #x #ty = #rv;)
    }

    /// `let mut x: T;`, assigned in every branch that follows; the type the user wrote
    /// (`let t: f64 = if ..`) fixes literals the branches assign.
    fn declare_stmt(&self, var: VarId) -> TokenStream {
        let x = self.names().var(var);
        let info = &self.body().vars[var];
        let m = info.mutable.then(|| quote!(mut));
        let ty = info.ty.as_ref().map(|t| quote!(: #t));
        quote!(let #m #x #ty;)
    }
}
