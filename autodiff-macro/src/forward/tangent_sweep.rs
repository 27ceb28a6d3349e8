//! Forward mode's one sweep: each statement of the primal as the user wrote it (so the
//! returned primal is bit-for-bit `f`'s), followed by its tangent statement, in program
//! order. Nothing is recorded: a tangent is computed where its value is, from the
//! operands' tangents and the rule table's partial derivatives (`rules::tangent`).
//! Values that depend on no `Dual` input (indices, conditions, `Const` data) get no
//! tangent code.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::primal::Primal;
use crate::forward::emitter::Emitter;
use crate::ir::*;
use crate::passes::activity::grows_receiver;
use crate::rules;

impl Emitter<'_> {
    pub fn block(&self, block: &Block) -> TokenStream {
        block.stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let {
                var,
                value: Rvalue::Call(call),
            } if self.through_call(call) => self.forward_call(*var, call),
            Stmt::Let { var, value } => self.let_and_tangent(*var, value),
            Stmt::Declare { var } => {
                let primal = self.declare_stmt(*var);
                let tangent = self.varied[*var].then(|| {
                    let d = &self.names.adjoint[*var];
                    quote!(let mut #d;)
                });
                quote!(#primal #tangent)
            }
            Stmt::Assign { var, value, .. } => {
                let x = self.names.var(*var);
                let v = self.copied(value);
                let tangent = self.varied[*var].then(|| {
                    let d = &self.names.adjoint[*var];
                    let t = self.lanes(self.tangent_value(value));
                    quote!(#d = #t;)
                });
                quote!(#x = #v; #tangent)
            }
            Stmt::Store { place, value } => {
                let target = self.place(place);
                let v = self.copied(value);
                let tangent = self.varied[place.base].then(|| {
                    let (l, n) = (&self.lane, self.n());
                    let d = self.tangent_place(place);
                    let t = self.tangent_value(value);
                    quote!(for #l in 0..#n { #d = #t; })
                });
                quote!(#target = #v; #tangent)
            }
            Stmt::If { cond, then, els } => {
                let cond = self.operand(cond);
                let (then, els) = (self.block(then), self.block(els));
                quote!(if #cond { #then } else { #els })
            }
            Stmt::For {
                var,
                range,
                body,
                exit,
                counter,
            } => {
                let i = self.names.var(*var);
                let range = self.range(range);
                let body = self.loop_body(body, *exit, *counter);
                quote!(for #i in #range { #body })
            }
            Stmt::Loop {
                body,
                exit,
                counter,
            } => {
                let body = self.loop_body(body, *exit, *counter);
                quote!(loop { #body })
            }
            Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(..) => {
                unreachable!("structurize removes early exits")
            }
        }
    }

    // from: `let y = a * b;` / `v.push(Default::default())` on a varied `Vec`
    // into: the statement, then `let d_y = ..;` / the same growth of the tangent's lanes
    fn let_and_tangent(&self, var: VarId, value: &Rvalue) -> TokenStream {
        let primal = self.let_stmt(var, value);
        let tangent = self.let_tangent(var, value);
        let grown = match value {
            Rvalue::Call(call) => self.grown_tangent(call),
            Rvalue::Use(_)
            | Rvalue::Read(_)
            | Rvalue::Copy(..)
            | Rvalue::Unary(..)
            | Rvalue::Binary(..)
            | Rvalue::Math(..)
            | Rvalue::Cast(..)
            | Rvalue::Array(_)
            | Rvalue::Struct(..)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => None,
        };
        quote!(#primal #tangent #grown)
    }

    fn loop_body(&self, body: &Block, exit: Option<VarId>, counter: Option<VarId>) -> TokenStream {
        let count = counter.map(|c| {
            let c = self.names.var(c);
            quote!(#c += 1;)
        });
        let body = self.block(body);
        let leave = exit.map(|e| {
            let e = self.names.var(e);
            quote!(if #e { break; })
        });
        quote!(#count #body #leave)
    }

    /// The tangent of a variable in the current lane, as a place: `d_x[l]`, or
    /// `(*d_x[l])` for the tangent argument of a `Dual` reference.
    fn tangent_var(&self, v: VarId) -> TokenStream {
        let (d, l) = (&self.names.adjoint[v], &self.lane);
        if self.is_dual_reference(v) {
            quote!((*#d[#l]))
        } else {
            quote!(#d[#l])
        }
    }

    /// The tangent of a place in the current lane: the same projections on the base's.
    fn tangent_place(&self, place: &Place) -> TokenStream {
        self.projected(self.tangent_var(place.base), &place.projs, false)
    }

    /// An operand's tangent in the current lane, if it has one.
    fn dot(&self, op: &Operand) -> Option<TokenStream> {
        match op {
            Operand::Var(v) if self.varied[*v] => Some(self.tangent_var(*v)),
            Operand::Var(_) | Operand::Const(_) => None,
        }
    }

    /// An operand's tangent in the current lane as an owned value: a copy of its tangent,
    /// or a zero of its shape.
    fn tangent_value(&self, op: &Operand) -> TokenStream {
        match self.dot(op) {
            Some(d) => quote!(::core::clone::Clone::clone(&#d)),
            None => self.zero_of(self.operand(op)),
        }
    }

    // from: `let y = a * b;` (`a`, `b` varied)
    // into: `let d_y = from_fn(|l| d_a[l] * b + a * d_b[l]);` after the primal statement
    fn let_tangent(&self, var: VarId, value: &Rvalue) -> Option<TokenStream> {
        if !self.varied[var] {
            return None;
        }
        let d = &self.names.adjoint[var];
        let m = self.body.vars[var].mutable.then(|| quote!(mut));
        let lane = self.lane_tangent(var, value);
        Some(match lane {
            Some(t) => {
                let t = self.lanes(t);
                quote!(let #m #d = #t;)
            }
            None => {
                let zero = self.lanes(self.zero_of(self.names.var(var)));
                quote!(let #m #d = #zero;)
            }
        })
    }

    /// The tangent of `var = value` in one lane; `None` when it is zero.
    fn lane_tangent(&self, var: VarId, value: &Rvalue) -> Option<TokenStream> {
        let values = |ops: &[Operand]| -> Vec<TokenStream> {
            ops.iter().map(|o| self.tangent_value(o)).collect()
        };
        if let Some((prim, ops)) = value.primitive() {
            let a: Vec<TokenStream> = ops.iter().map(|o| self.operand(o)).collect();
            let dots: Vec<Option<TokenStream>> = ops.iter().map(|o| self.dot(o)).collect();
            let y = self.names.var(var);
            let tangent = rules::tangent(prim, &a, &y, &dots)?;
            // Generic over the float type: the rules' literals become `T`s.
            return Some(match self.sig.generic_float() {
                true => rules::typed_literals(tangent, &y),
                false => tangent,
            });
        }
        match value {
            Rvalue::Use(op) => self.dot(op).map(|_| self.tangent_value(op)),
            Rvalue::Read(place) => self.varied[place.base].then(|| {
                let d = self.tangent_place(place);
                quote!(::core::clone::Clone::clone(&#d))
            }),
            // The payload's tangent is the same payload of the place's tangent.
            Rvalue::Bind(place, pat, name) => self.varied[place.base].then(|| {
                let d = self.tangent_place(place);
                let zero = self.zero_of(self.names.var(var));
                quote!(match &#d { #pat => ::core::clone::Clone::clone(#name), _ => #zero })
            }),
            Rvalue::Copy(place, method) => self.varied[place.base].then(|| {
                let d = self.tangent_place(place);
                quote!(#d.#method())
            }),
            Rvalue::Array(ops) => {
                let ts = values(ops);
                Some(quote!([#(#ts),*]))
            }
            Rvalue::Repeat(op, len) => {
                let t = self.tangent_value(op);
                Some(quote!([#t; #len]))
            }
            // The tangent of a struct is a struct of the fields' tangents (an integer
            // field's is a zero).
            Rvalue::Struct(path, fields) => {
                let fs = fields.iter().map(|(m, op)| {
                    let t = self.tangent_value(op);
                    quote!(#m: #t)
                });
                Some(quote!(#path { #(#fs),* }))
            }
            Rvalue::VecRepeat(op, n) => {
                let (t, n) = (self.tangent_value(op), self.operand(n));
                Some(quote!(::std::vec![#t; #n]))
            }
            Rvalue::VecList(ops) => {
                let ts = values(ops);
                Some(quote!(::std::vec![#(#ts),*]))
            }
            // A call with a `Dual` input is an error (`pipeline::forward_calls`): the
            // result of one without is a zero; no tangent rule for the rest.
            Rvalue::Unary(..)
            | Rvalue::Binary(..)
            | Rvalue::Math(..)
            | Rvalue::Cast(..)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::ZeroOf(_) => None,
        }
    }

    // from: `v.push(Default::default())` on a varied local `Vec` (lowered `push`)
    // into: the same growth of each lane's tangent, so that the store that follows has
    //       an element to write
    pub fn grown_tangent(&self, call: &Call) -> Option<TokenStream> {
        let (Callee::Method(m, turbofish), Some(recv)) = (&call.callee, &call.recv) else {
            return None;
        };
        if !call.passive || !grows_receiver(&m.to_string()) || !self.varied[recv.base] {
            return None;
        }
        let args = call.args.iter().map(|a| match a {
            CallArg::Value(op) => self.operand(op),
            CallArg::Ref { place, mutable, .. } => self.reference(place, *mutable),
        });
        let (l, n) = (&self.lane, self.n());
        let d = self.tangent_place(recv);
        Some(quote!(for #l in 0..#n { #d.#m #turbofish (#(#args),*); }))
    }
}
