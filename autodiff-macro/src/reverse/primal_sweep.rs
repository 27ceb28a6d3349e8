//! Step 4b: the forward sweep: the primal computation, statement for statement as the
//! user wrote it (so the returned primal is bit-for-bit `f`'s), plus recording: old values
//! pushed before overwrites, block-local values pushed at the end of their block, trip
//! counts of loops that can be left early.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::primal::Primal;
use crate::emit::private;
use crate::ir::*;
use crate::reverse::emitter::Emitter;

impl Emitter<'_> {
    pub fn forward_block(&self, block: &Block, top: bool) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            out.extend(self.forward_stmt(stmt));
        }
        if !top {
            out.extend(self.end_of_block(block));
        }
        out
    }

    // from: a block whose values the reverse sweep needs
    // into: `tape_t.push(t);` for each, and `w_u = Witness::of(&u);` for adjoints' types
    fn end_of_block(&self, block: &Block) -> TokenStream {
        let p = private();
        let mut out = TokenStream::new();
        for v in block.stmts.iter().filter_map(defined_here) {
            let x = self.names.var(v);
            if self.plan.zero_from_witness(v) && !self.plan.dead(v) {
                let w = &self.names.witness[v];
                out.extend(quote!(#w = #p::Witness::of(&#x);));
                if self.plan.shape_recorded(v) {
                    let s = &self.names.shape[v];
                    out.extend(quote!(#s.push(#p::shape_of(&#x));));
                }
            }
            if self.plan.recorded_at_end(v) {
                let tape = &self.names.tape[v];
                out.extend(quote!(#tape.push(#x);));
            }
        }
        out
    }

    // from: `let t = a * b;` / `t = u;` / `out[j] = t;` that a pullback does not need
    // into: `w_t = Witness::of_fn(|| a * b);` / `w_t = Witness::of(&u);` / nothing
    fn skipped_stmt(&self, stmt: &Stmt) -> Option<TokenStream> {
        let p = private();
        match stmt {
            Stmt::Let { var, value } if self.plan.dead(*var) || self.plan.deferred(*var) => {
                let w = &self.names.witness[*var];
                let rv = self.rvalue(value);
                // `let s: f64 = ..`: the written type, for what only it determines.
                let ty = self.body.vars[*var].ty.as_ref().map(|t| quote!(::<#t>));
                let rv = match value {
                    // Float arithmetic has one type: the right operand fixes the result's,
                    // which inference cannot get from a left operand of unknown type.
                    Rvalue::Binary(op, _, b) if ty.is_none() && op.differentiable() => {
                        let b = self.operand(b);
                        quote!(#p::same_type(#rv, &#b))
                    }
                    Rvalue::Binary(..)
                    | Rvalue::Use(_)
                    | Rvalue::Read(_)
                    | Rvalue::Copy(..)
                    | Rvalue::Unary(..)
                    | Rvalue::Math(..)
                    | Rvalue::Cast(..)
                    | Rvalue::Array(_)
                    | Rvalue::Struct(..)
                    | Rvalue::Repeat(..)
                    | Rvalue::VecRepeat(..)
                    | Rvalue::VecList(_)
                    | Rvalue::Call(_)
                    | Rvalue::Matches(..)
                    | Rvalue::Bind(..)
                    | Rvalue::ZeroOf(_) => rv,
                };
                Some(quote!(#w = #p::Witness #ty::of_fn(|| #rv);))
            }
            Stmt::Assign { var, value, .. } if self.plan.dead(*var) => {
                let w = &self.names.witness[*var];
                Some(match value {
                    Operand::Var(v) if !self.plan.dead(*v) => {
                        let x = self.names.var(*v);
                        quote!(#w = #p::Witness::of(&#x);)
                    }
                    other => {
                        let x = self.operand(other);
                        quote!(#w = #p::Witness::of_fn(|| #x);)
                    }
                })
            }
            Stmt::Store { place, .. } if self.plan.vars[place.base].writes_unread => {
                Some(TokenStream::new())
            }
            // A variable nothing reads any more (a by-value parameter updated in place
            // whose final value the pullback does not need): its update is skipped with
            // the values it came from.
            Stmt::Assign { var, .. } if self.plan.vars[*var].writes_unread => {
                Some(TokenStream::new())
            }
            Stmt::Let { .. }
            | Stmt::Assign { .. }
            | Stmt::Store { .. }
            | Stmt::Declare { .. }
            | Stmt::If { .. }
            | Stmt::For { .. }
            | Stmt::Loop { .. }
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Return(_) => None,
        }
    }

    fn forward_stmt(&self, stmt: &Stmt) -> TokenStream {
        if let Some(skipped) = self.skipped_stmt(stmt) {
            return skipped;
        }
        match stmt {
            Stmt::Let { var, value } => {
                let mut snaps = self.record_call_writes(value);
                snaps.extend(self.record_call_arguments(value));
                let stmt = self.let_stmt(*var, value);
                quote!(#snaps #stmt)
            }
            Stmt::Declare { var } => self.declare_stmt(*var),
            Stmt::Assign {
                var,
                value,
                overwrites,
            } => {
                let x = self.names.var(*var);
                let recorded = self.plan.records_overwrite(*var, value, *overwrites);
                let value = self.copied(value);
                let record = recorded.then(|| {
                    let tape = &self.names.tape[*var];
                    quote!(#tape.push(#x);)
                });
                quote!(#record #x = #value;)
            }
            Stmt::Store { place, value } => {
                let place = self.place(place);
                let value = self.copied(value);
                quote!(#place = #value;)
            }
            Stmt::If { cond, then, els } => {
                let cond = self.operand(cond);
                let then = self.forward_block(then, false);
                let els = self.forward_block(els, false);
                if els.is_empty() {
                    quote!(if #cond { #then })
                } else {
                    quote!(if #cond { #then } else { #els })
                }
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
                let reserve = self.reserve_tapes(body, &range);
                let body = self.loop_body(body, *exit, *counter);
                quote!(#reserve for #i in #range { #body })
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

    // from: `bump(&mut k)` (or `k.add_assign(1)`) where the reverse sweep reads `k` before it
    // into: `tape_k.push(Clone::clone(&k)); bump(&mut k)`, popped back at the call's reverse
    fn record_call_writes(&self, value: &Rvalue) -> TokenStream {
        let Rvalue::Call(call) = value else {
            return TokenStream::new();
        };
        let pushes = self.plan.call_restores(call).into_iter().map(|v| {
            let (x, tape) = (self.names.var(v), &self.names.tape[v]);
            quote!(#tape.push(::core::clone::Clone::clone(&#x));)
        });
        pushes.collect()
    }

    // from: `f(&x, &mut out)` where `x` changes later and `out` is written by `f`
    // into: `tape_s1.push(ToOwned::to_owned(&x)); tape_s2.push(ToOwned::to_owned(&out)); f(..)`
    fn record_call_arguments(&self, value: &Rvalue) -> TokenStream {
        let mut out = TokenStream::new();
        if let Rvalue::Call(call) = value {
            let mask = self.call_mask(call);
            for (k, a) in call.args.iter().enumerate() {
                if let CallArg::Ref {
                    place,
                    snap,
                    mutable,
                } = a
                {
                    if self.plan.vars[*snap].referent_snapshot {
                        let (tape, target) = (&self.names.tape[*snap], self.referent(place));
                        let push = quote!(#tape.push(&#target););
                        out.extend(if *mutable {
                            let guard = self.snapshot_guard(call, &mask, k);
                            quote!(if #guard { #push })
                        } else {
                            push
                        });
                    }
                }
            }
        }
        out
    }

    // from: `for i in a..b { .. t = x[i] * y; .. }` with `t` recorded once per trip
    // into: `tape_t.reserve(size_hint(a..b).0 * 1); for i in a..b { .. }`
    fn reserve_tapes(&self, body: &Block, range: &TokenStream) -> TokenStream {
        let mut pushes: Vec<(VarId, usize)> = Vec::new();
        self.count_pushes(body, &mut pushes);
        if pushes.is_empty() {
            return TokenStream::new();
        }
        let reserves = pushes.iter().map(|(v, n)| {
            let tape = &self.names.tape[*v];
            quote!(#tape.reserve(trips * #n);)
        });
        quote!({ let trips = ::core::iter::Iterator::size_hint(&#range).0; #(#reserves)* })
    }

    /// Pushes per trip of the loop whose body is `block`, by tape (nested loops excluded:
    /// they reserve for themselves).
    fn count_pushes(&self, block: &Block, pushes: &mut Vec<(VarId, usize)>) {
        fn add(pushes: &mut Vec<(VarId, usize)>, v: VarId) {
            match pushes.iter_mut().find(|(w, _)| *w == v) {
                Some((_, n)) => *n += 1,
                None => pushes.push((v, 1)),
            }
        }
        for stmt in &block.stmts {
            match stmt {
                Stmt::Let { var, .. } | Stmt::Declare { var }
                    if self.plan.recorded_at_end(*var) =>
                {
                    add(pushes, *var)
                }
                Stmt::Assign {
                    var,
                    overwrites,
                    value,
                } if self.plan.records_overwrite(*var, value, *overwrites) => add(pushes, *var),
                Stmt::Let {
                    value: Rvalue::Call(call),
                    ..
                } => {
                    for v in self.plan.call_restores(call) {
                        add(pushes, v);
                    }
                }
                Stmt::If { then, els, .. } => {
                    self.count_pushes(then, pushes);
                    self.count_pushes(els, pushes);
                }
                // Nested loops reserve for themselves.
                Stmt::Let { .. }
                | Stmt::Declare { .. }
                | Stmt::Assign { .. }
                | Stmt::Store { .. }
                | Stmt::For { .. }
                | Stmt::Loop { .. }
                | Stmt::Break(_)
                | Stmt::Continue(_)
                | Stmt::Return(_) => {}
            }
        }
    }

    fn loop_body(&self, body: &Block, exit: Option<VarId>, counter: Option<VarId>) -> TokenStream {
        let count = counter.map(|c| {
            let c = self.names.var(c);
            quote!(#c += 1;)
        });
        let body = self.forward_block(body, false);
        let leave = exit.map(|e| {
            let e = self.names.var(e);
            quote!(if #e { break; })
        });
        quote!(#count #body #leave)
    }
}
