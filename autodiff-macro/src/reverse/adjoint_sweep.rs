//! Step 4c: the reverse sweep: statements in reverse order, loops run backwards, branches
//! replayed from their (recorded) conditions, adjoints accumulated with `+=`. A block's
//! reverse starts by popping the values recorded at its end and zeroing the adjoints of
//! the values it defines.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::emit::primal::Primal;
use crate::emit::private;
use crate::emit::unmarked::Hidden;
use crate::front::args::Activity;
use crate::ir::*;
use crate::reverse::emitter::Emitter;

impl Emitter<'_> {
    /// Adjoint declarations, the seed, and the reversed function block.
    pub fn reverse_top(&self) -> TokenStream {
        let p = private();
        let mut out = TokenStream::new();
        for (i, param) in self.sig.params.iter().enumerate() {
            let v = self.param_var(i);
            let (d, x) = (&self.names.adjoint[v], self.names.var(v));
            if param.activity == Activity::Active {
                out.extend(quote!(let mut #d = #p::zero_like(&#x);));
            } else if param.activity == Activity::Const && self.plan.active[v] {
                // A `Const` argument that carries active values inside the function (a
                // `&mut` work buffer): a local adjoint, seeded with zero.
                if param.kind.is_reference() {
                    out.extend(quote!(let mut #d = #p::scratch_like(&*#x);));
                } else {
                    out.extend(quote!(let mut #d = #p::zero_like(&#x);));
                }
            }
        }
        out.extend(self.zero_adjoints(&self.body.block, true));
        let seeded = self
            .sig
            .ret
            .as_ref()
            .is_some_and(|r| matches!(r.activity, Activity::Active | Activity::ActiveOnly));
        if let (Some(Operand::Var(r)), true) = (&self.body.result, seeded) {
            if self.plan.active[*r] {
                let (d, seed) = (self.adjoint(*r), &self.names.seed);
                out.extend(quote!(#p::accumulate(&mut #d, #seed);));
            }
        }
        for stmt in self.body.block.stmts.iter().rev() {
            if self.plan.stmt_has_reverse(stmt) {
                out.extend(self.reverse_stmt(stmt));
            }
        }
        out
    }

    // from: the start of a nested block's reverse
    // into: `let t = tape_t.pop(); let mut d_t = zero_like(&t); let mut d_u = zero_of(w_u);`
    fn reverse_block(&self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for v in block.stmts.iter().filter_map(defined_here) {
            if self.plan.recorded_at_end(v) {
                let (x, tape) = (self.names.var(v), &self.names.tape[v]);
                let m = self.body.vars[v].mutable.then(|| quote!(mut));
                out.extend(quote!(let #m #x = #tape.pop();));
            }
        }
        // Elements of read-only arguments and index arithmetic are recomputed, in order.
        for stmt in &block.stmts {
            if let Stmt::Let { var, value } = stmt {
                if self.plan.recomputed(*var) {
                    let value = self.at_read_time(*var, value);
                    let (x, value) = (self.names.var(*var), self.rvalue(&value));
                    out.extend(quote!(let #x = #value;));
                }
            }
        }
        out.extend(self.zero_adjoints(block, false));

        for stmt in block.stmts.iter().rev() {
            if self.plan.stmt_has_reverse(stmt) {
                out.extend(self.reverse_stmt(stmt));
            }
        }
        out
    }

    // from: `let x5 = ltri[idx]` recomputed where `idx += 1` has not been undone yet
    // into: `let x5 = ltri[(idx - 1)]`
    fn at_read_time(&self, var: VarId, value: &Rvalue) -> Rvalue {
        let offsets = &self.plan.vars[var].counter_offsets;
        let Rvalue::Read(place) = value else {
            return value.clone();
        };
        let mut place = place.clone();
        for proj in &mut place.projs {
            if let Proj::Index(Operand::Var(c)) = proj {
                if let Some((_, steps)) = offsets.iter().find(|(v, _)| v == c) {
                    let mut at = self.names.var(*c);
                    for (op, n) in steps {
                        let n = self.operand(n);
                        at = match op {
                            BinOp::Add => quote!((#at + #n)),
                            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Other(_) => {
                                quote!((#at - #n))
                            }
                        };
                    }
                    *proj = Proj::Index(Operand::Const(at));
                }
            }
        }
        Rvalue::Read(place)
    }

    fn zero_adjoints(&self, block: &Block, top: bool) -> TokenStream {
        let p = private();
        let mut out = TokenStream::new();
        for v in block.stmts.iter().filter_map(defined_here) {
            if !self.plan.active[v] {
                continue;
            }
            let d = &self.names.adjoint[v];
            // `shaped` values are witnessed ones (never top-level) that are not scalars,
            // so never `dead`.
            if self.plan.shape_recorded(v) {
                let (w, s) = (&self.names.witness[v], &self.names.shape[v]);
                out.extend(quote!(let mut #d = #p::zero_shaped(#w, &#s.pop());));
            } else if self.plan.zero_from_witness(v) && !top || self.plan.dead(v) {
                let w = &self.names.witness[v];
                out.extend(quote!(let mut #d = #p::zero_of(#w);));
            } else {
                // At the user's code: a value of a type that cannot carry a derivative
                // (a struct literal without `#[derive(Differentiable)]`) is an error there.
                let (x, span) = (self.names.var(v), self.body.vars[v].span);
                let zero = quote_spanned!(span=> #p::zero_like(&#x));
                out.extend(quote!(let mut #d = #zero;));
            }
        }
        out
    }

    fn reverse_stmt(&self, stmt: &Stmt) -> TokenStream {
        let p = private();
        let g = &self.names.scratch;
        match stmt {
            Stmt::Let {
                var,
                value: Rvalue::Call(call),
            } => self.reverse_call_stmt(*var, call),
            Stmt::Let { var, value } if self.plan.active[*var] => self.reverse_let(*var, value),
            Stmt::Let { .. } | Stmt::Declare { .. } => TokenStream::new(),
            // from: `x = v` (old value recorded)
            // into: `let g = take(&mut d_x); x = tape_x.pop(); d_v += g;`
            Stmt::Assign {
                var,
                value,
                overwrites,
            } => self.reverse_assign(*var, value, *overwrites),
            // from: `a[i] = v`
            // into: `let g = take(&mut d_a[i]); d_v += g;` (the old element is gone)
            Stmt::Store { place, value } => {
                let d = self.adjoint_place(place);
                match value.var().filter(|v| self.plan.active[*v]) {
                    Some(src) => {
                        let ds = self.adjoint(src);
                        // An element of a caller's buffer is left at `0.0`, not `-0.0`.
                        let take = match self.body.vars[place.base].origin {
                            Origin::Param(_) => quote!(take_zeroed),
                            Origin::User | Origin::Temp | Origin::Control => quote!(take),
                        };
                        quote!({ let #g = #p::#take(&mut #d); #p::accumulate(&mut #ds, #g); })
                    }
                    None => quote!(#p::zero_out(&mut #d);),
                }
            }
            Stmt::If { cond, then, els } => {
                let cond = self.operand(cond);
                let then = self.reverse_block(then);
                let els = self.reverse_block(els);
                if els.is_empty() {
                    quote!(if #cond { #then })
                } else {
                    quote!(if #cond { #then } else { #els })
                }
            }
            // from: `for i in a..b { body }`, left early after `n` trips or not
            // into: `for i in (a..b).rev() { reverse(body) }` / `for i in rev_take(a..b, n)`
            Stmt::For {
                var,
                range,
                body,
                counter,
                ..
            } => {
                let i = self.names.var(*var);
                let range = self.range(range);
                let iter = match counter {
                    Some(c) => {
                        let c = self.names.var(*c);
                        quote!(#p::rev_take(#range, #c))
                    }
                    None => quote!(#range.rev()),
                };
                let body = self.reverse_block(body);
                quote!(for #i in #iter { #body })
            }
            Stmt::Loop { body, counter, .. } => {
                let c = self
                    .names
                    .var(counter.expect("structurize counts the trips of every loop"));
                let body = self.reverse_block(body);
                quote!(for _ in 0..#c { #body })
            }
            Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(..) => TokenStream::new(),
        }
    }

    fn reverse_assign(&self, var: VarId, value: &Operand, overwrites: bool) -> TokenStream {
        let p = private();
        let g = &self.names.scratch;
        let mut out = TokenStream::new();
        let active = self.plan.active[var];
        if active {
            let d = self.adjoint(var);
            out.extend(quote!(let #g = #p::take(&mut #d);));
        }
        if self.plan.restores(var, overwrites) {
            let (x, tape) = (self.names.var(var), &self.names.tape[var]);
            match self.plan.inverse_of(value) {
                Some((op, n)) => {
                    let (op, n) = (
                        if *op == BinOp::Add {
                            quote!(+)
                        } else {
                            quote!(-)
                        },
                        self.operand(n),
                    );
                    out.extend(quote!(#x = #x #op #n;));
                }
                None => out.extend(quote!(#x = #tape.pop();)),
            }
        }
        if let (true, Some(src)) = (active, value.var().filter(|v| self.plan.active[*v])) {
            let d = self.adjoint(src);
            out.extend(quote!(#p::accumulate(&mut #d, #g);));
        }
        quote!({ #out })
    }

    // from: `let r = bump(&mut k);` whose write of `k` the reverse sweep undoes
    // into: `k = tape_k.pop();`, then the call's pullback, if it has one
    fn reverse_call_stmt(&self, var: VarId, call: &Call) -> TokenStream {
        let mut out: TokenStream = self
            .plan
            .call_restores(call)
            .into_iter()
            .map(|v| {
                let (x, tape) = (self.names.var(v), &self.names.tape[v]);
                quote!(#x = #tape.pop();)
            })
            .collect();
        out.extend(self.reverse_call(var, call));
        out
    }

    // from: `let t = f(x, &y[a..], &mut out);` with `x`, `y` active
    // into: `restore(&mut out, &s); let g = __cotangent_pb_f_adc(x, &y[a..], &mut d_y[a..],
    //        &mut out, d_t); restore(&mut out, &s); d_x += g;`
    fn reverse_call(&self, var: VarId, call: &Call) -> TokenStream {
        if !self.plan.call_active(var, call) {
            return TokenStream::new();
        }
        let p = private();
        let (mut pre, mut post, mut args) = (TokenStream::new(), TokenStream::new(), Vec::new());
        let mask = self.call_mask(call);
        let mut gradients = Vec::new();
        let mut shadowed = Vec::new();
        let mut dropped = TokenStream::new();

        if let Some(recv) = &call.recv {
            if self.plan.active[recv.base] {
                let d = self.adjoint_place(recv);
                args.push(quote!(&mut #d));
                // `self.get(&self.w)`: the argument's shadow is part of the receiver's.
                shadowed.push(recv.base);
            }
        }
        for (k, a) in call.args.iter().enumerate() {
            match a {
                CallArg::Value(op) => {
                    args.push(self.operand(op));
                    gradients.extend(op.var().filter(|v| self.plan.active[*v]));
                }
                CallArg::Ref {
                    place,
                    mutable,
                    snap,
                } => {
                    if self.plan.vars[*snap].referent_snapshot {
                        let (tape, target) = (&self.names.tape[*snap], self.referent(place));
                        if *mutable {
                            let guard = self.snapshot_guard(call, &mask, k);
                            pre.extend(quote!(if #guard { #tape.restore(&mut #target); }));
                            post.extend(quote!(if #guard { #tape.restore(&mut #target); }));
                            dropped.extend(quote!(if #guard { #tape.drop_last(); }));
                            args.push(quote!(&mut #target));
                        } else {
                            dropped.extend(quote!(#tape.drop_last();));
                            args.push(quote!(#tape.view(&#target)));
                        }
                    } else {
                        args.push(self.reference(place, *mutable));
                    }
                    if self.plan.active[place.base] {
                        let d = self.adjoint_place(place);
                        if shadowed.contains(&place.base) {
                            // A second shadow of one buffer: a scratch, added in afterwards.
                            let s = self.names.var(*snap);
                            let target = self.referent(place);
                            pre.extend(quote!(let mut #s = #p::scratch_like(&#target);));
                            args.push(quote!(::core::borrow::BorrowMut::borrow_mut(&mut #s)));
                            post.extend(quote!(#p::accumulate_from(&mut #d, #s);));
                        } else {
                            args.push(quote!(&mut #d));
                        }
                        shadowed.push(place.base);
                    }
                }
            }
        }
        args.push(if self.plan.active[var] {
            let d = &self.names.adjoint[var];
            quote!(#d)
        } else {
            // A result nobody reads: a zero of its shape, or `()` (see `plan::needs_of`).
            let r = self.names.var(var);
            quote!(#p::dead_seed(&#r))
        });
        let g = &self.names.scratch;
        let name = |f: &str| crate::emit::pullback_name(f, &mask);
        let fallback = self.unmarked_fallback(call, &name, args.len(), Hidden::Pullback);
        let pullback = self.call_expr(call, Some(&name), args);
        let accumulate = match gradients.as_slice() {
            [v] => {
                let d = self.adjoint(*v);
                quote!(#p::accumulate(&mut #d, #g);)
            }
            many => many
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let d = self.adjoint(*v);
                    let k = syn::Index::from(k);
                    quote!(#p::accumulate(&mut #d, #g.#k);)
                })
                .collect(),
        };
        quote!({ #fallback #pre let #g = #pullback; #post #dropped #accumulate })
    }

    fn reverse_let(&self, var: VarId, value: &Rvalue) -> TokenStream {
        let p = private();
        let d = &self.names.adjoint[var];
        let g = quote!(#d);
        let y = self.names.var(var);
        let adj = |op: &Operand| {
            op.var()
                .filter(|v| self.plan.active[*v])
                .map(|v| self.adjoint(v))
        };
        let mut out = TokenStream::new();
        match value {
            Rvalue::Use(op) => {
                if let Some(a) = adj(op) {
                    out.extend(quote!(#p::accumulate(&mut #a, #g);));
                }
            }
            Rvalue::Read(place) if self.plan.active[place.base] => {
                let a = self.adjoint_place(place);
                out.extend(quote!(#p::accumulate(&mut #a, #g);));
            }
            // The copy's adjoint may be a `Vec` of a slice's or array's adjoint.
            Rvalue::Copy(place, _) if self.plan.active[place.base] => {
                let a = self.adjoint_place(place);
                out.extend(quote!(#p::accumulate_from(&mut #a, #g);));
            }
            Rvalue::Array(ops) | Rvalue::VecList(ops) => {
                for (k, op) in ops.iter().enumerate() {
                    if let Some(a) = adj(op) {
                        out.extend(
                            quote!(#p::accumulate(&mut #a, ::core::clone::Clone::clone(&#g[#k]));),
                        );
                    }
                }
            }
            // from: `let p = P { x: a, v: w };` (or `Shape::Circle { 0: a }`)
            // into: `match &d_p { P { x: e, .. } => accumulate(&mut d_a, clone(e)), _ => {} }`
            //       per field: a pattern, as the adjoint of an enum has no fields to name
            Rvalue::Struct(path, fields) => {
                let e = &self.names.scratch;
                for (m, op) in fields {
                    if let Some(a) = adj(op) {
                        out.extend(quote!(match &#g {
                            #path { #m: #e, .. } => #p::accumulate(&mut #a, ::core::clone::Clone::clone(#e)),
                            _ => {}
                        }));
                    }
                }
            }
            // from: `let r = bind!(s, Shape::Circle(r), r);` (a payload of the user's enum)
            // into: `match &mut d_s { Shape::Circle(r) => accumulate(r, d_r), _ => {} }`:
            //       the shadow has the primal's variant
            Rvalue::Bind(place, pat, name) if self.plan.active[place.base] => {
                let a = self.adjoint_place(place);
                out.extend(quote!(match &mut #a { #pat => #p::accumulate(#name, #g), _ => {} }));
            }
            Rvalue::Repeat(op, _) | Rvalue::VecRepeat(op, _) => {
                if let Some(a) = adj(op) {
                    let e = &self.names.scratch;
                    out.extend(quote!(for #e in #g.iter() { #p::accumulate(&mut #a, ::core::clone::Clone::clone(#e)); }));
                }
            }
            // Operators, math primitives and float casts: the rule table.
            rv @ (Rvalue::Unary(UnOp::Neg, _)
            | Rvalue::Binary(..)
            | Rvalue::Math(..)
            | Rvalue::Cast(_, _, true)) => {
                if let Some((prim, ops)) = rv.primitive() {
                    let toks: Vec<TokenStream> = ops.iter().map(|a| self.operand(a)).collect();
                    // Generic over the float type: the rules' literals become `T`s.
                    let generic = self.sig.generic_float();
                    for (k, operand) in ops.into_iter().enumerate() {
                        if let Some(target) = adj(operand) {
                            let stmt = crate::rules::adjoint(prim, k, &toks, &y, &g, &target);
                            out.extend(match generic {
                                true => crate::rules::typed_literals(stmt, &g),
                                false => stmt,
                            });
                        }
                    }
                }
            }
            // Calls are reversed by `reverse_call`; the rest carries no derivative.
            Rvalue::Read(_)
            | Rvalue::Copy(..)
            | Rvalue::Unary(UnOp::Not, _)
            | Rvalue::Cast(_, _, false)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => {}
        }
        out
    }
}
