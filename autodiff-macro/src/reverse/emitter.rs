//! Reverse mode's emitter: IR to tokens. Shared helpers for the primal and adjoint sweeps,
//! and the assembly of the adjoint function: signature (brief §2), tapes, sweeps, returned tuple.
//! Tokens only (`quote!`), never strings; absolute paths to the runtime.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::FnArg;

use crate::emit::names::Names;
use crate::emit::primal::Primal;
use crate::emit::unmarked::Hidden;
use crate::emit::{private, pullback_name, reads_name};
use crate::front::args::Activity;
use crate::front::signature::Signature;
use crate::ir::*;
use crate::reverse::plan::{Plan, TapeKind};

pub struct Emitter<'a> {
    pub sig: &'a Signature,
    pub body: &'a Body,
    pub plan: &'a Plan,
    pub names: &'a Names,
    /// Set while the forward sweep is emitted, where deferred values (`Forward::Deferred`) do not exist.
    pub in_forward: std::cell::Cell<bool>,
}

impl Primal for Emitter<'_> {
    fn sig(&self) -> &Signature {
        self.sig
    }
    fn body(&self) -> &Body {
        self.body
    }
    fn names(&self) -> &Names {
        self.names
    }

    fn operand(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) if self.witnessed(*v) => {
                let (p, w) = (private(), &self.names.witness[*v]);
                quote!(#p::value_of(#w))
            }
            Operand::Var(v) => self.names.var(*v),
            Operand::Const(t) => t.clone(),
        }
    }

    fn has_value(&self, v: VarId) -> bool {
        !self.witnessed(v)
    }
}

impl Emitter<'_> {
    /// Whether `v` has no value here, only its type witness (a pullback's skipped value).
    pub fn witnessed(&self, v: VarId) -> bool {
        self.plan.dead(v) || self.plan.deferred(v) && self.in_forward.get()
    }

    /// The adjoint of a place: the same projections on the base's adjoint.
    pub fn adjoint_place(&self, place: &Place) -> TokenStream {
        self.projected(self.adjoint(place.base), &place.projs, false)
    }

    /// The activity pattern of a call's pullback: a letter per parameter (see `mask`).
    pub fn call_mask(&self, call: &Call) -> String {
        let active = |v: Option<VarId>| v.is_some_and(|v| self.plan.active[v]);
        let recv = call
            .recv
            .iter()
            .map(|r| if active(Some(r.base)) { 'd' } else { 'c' });
        let args = call.args.iter().map(|a| match a {
            CallArg::Value(op) if active(op.var()) => 'a',
            CallArg::Ref { place, .. } if active(Some(place.base)) => 'd',
            CallArg::Value(_) | CallArg::Ref { .. } => 'c',
        });
        recv.chain(args).collect()
    }

    /// Whether the `&mut` argument `k` of `call` must be recorded for the pullback: always
    /// for methods; for paths, what the callee's `__cotangent_rd_` constant says (its
    /// pullback may neither read nor write an output, then the caller records nothing).
    pub fn snapshot_guard(&self, call: &Call, mask: &str, k: usize) -> TokenStream {
        match &call.callee {
            Callee::Path(path) => {
                let mut path = path.clone();
                let Some(last) = path.segments.last_mut() else {
                    return quote!(true);
                };
                let f = last.ident.to_string();
                let reads = reads_name(&f, mask);
                last.ident = syn::Ident::new(&reads, last.ident.span());
                last.arguments = syn::PathArguments::None;
                // An unmarked `Model::f` reads the fallback's constant; the pullback's
                // call says what is wrong.
                let fallback = crate::emit::unmarked::fallback(
                    call,
                    &pullback_name(&f, mask),
                    Some(&reads),
                    0,
                    Hidden::Pullback,
                );
                quote!({ #fallback (#path & (1u64 << #k)) != 0 })
            }
            Callee::Method(..) => quote!(true),
        }
    }

    /// The adjoint of a variable, as a place: `d_x`, or `(*d_x)` for a shadow argument.
    pub fn adjoint(&self, v: VarId) -> TokenStream {
        let d = &self.names.adjoint[v];
        if self.is_shadowed(v) {
            quote!((*#d))
        } else {
            quote!(#d)
        }
    }

    pub fn is_shadowed(&self, v: VarId) -> bool {
        match self.body.vars[v].origin {
            Origin::Param(i) => self.sig.params[i].activity == Activity::Duplicated,
            Origin::User | Origin::Temp | Origin::Control => false,
        }
    }

    fn declarations(&self) -> TokenStream {
        let p = private();
        let mut out = TokenStream::new();
        for v in 0..self.body.vars.len() {
            let tape = &self.names.tape[v];
            match self.plan.vars[v].tape {
                Some(TapeKind::Tape) => out
                    .extend(quote!(let mut #tape = #p::Tape::at({ static SITE: u8 = 0; &SITE });)),
                Some(TapeKind::Slot) => out.extend(quote!(let mut #tape = #p::Slot::new();)),
                Some(TapeKind::Snapshot) => out.extend(
                    quote!(let mut #tape = #p::SnapshotTape::at({ static SITE: u8 = 0; &SITE });),
                ),

                None => {}
            }
            if self.plan.zero_from_witness(v) || self.plan.dead(v) || self.plan.deferred(v) {
                let w = &self.names.witness[v];
                out.extend(quote!(let mut #w = #p::Witness::unknown();));
            }
            if self.plan.shape_recorded(v) {
                let s = &self.names.shape[v];
                out.extend(quote!(let mut #s = #p::Tape::new();));
            }
        }
        out
    }

    /// The generated adjoint function.
    pub fn adjoint_fn(&self, items: &[syn::Item]) -> TokenStream {
        let signature = self.adjoint_signature();
        let decls = self.declarations();
        self.in_forward.set(true);
        let forward = self.forward_block(&self.body.block, true);
        self.in_forward.set(false);
        let reverse = self.reverse_top();
        let returned = self.returned_values();
        let (primal_ret, _) = self.return_parts();
        let result = &self.names.result;
        let keep_result = match (&self.body.result, primal_ret) {
            (Some(r), true) => {
                let r = self.operand(r);
                quote!(let #result = ::core::clone::Clone::clone(&#r);)
            }
            (None, true) => quote!(let #result = ::core::unreachable!();),
            _ => TokenStream::new(),
        };
        let (keep_outputs, restore_outputs) = self.kept_outputs();
        // The primal result is kept before the reverse sweep restores overwritten values.
        quote! {
            #signature {
                #(#items)*
                #decls
                #forward
                #keep_result
                #keep_outputs
                #reverse
                #restore_outputs
                #returned
            }
        }
    }

    // from: `fn f(h: &mut [f64]) { helper(&mut h); .. }`, whose reverse sweep gives `h` its
    //       value before the call back for the helper's pullback
    // into: `final_h.push(&*h);` after the forward sweep, `final_h.restore(&mut *h);` at the end,
    //       so that the caller sees what `f` leaves in `h` (pullbacks need not: their
    //       callers restore the argument themselves)
    fn kept_outputs(&self) -> (TokenStream, TokenStream) {
        let (mut keep, mut restore) = (TokenStream::new(), TokenStream::new());
        if self.sig.pullback {
            return (keep, restore);
        }
        let p = private();
        let mut done = Vec::new();
        crate::ir::walk::for_each_stmt(&self.body.block, &mut |stmt, _| {
            let Stmt::Let {
                value: Rvalue::Call(call),
                ..
            } = stmt
            else {
                return;
            };
            for a in &call.args {
                let CallArg::Ref {
                    place,
                    mutable: true,
                    snap,
                } = a
                else {
                    continue;
                };
                let v = place.base;
                if !self.plan.vars[*snap].referent_snapshot || !self.is_reference_param(v) {
                    continue;
                }
                // The field written (`self.h`), or the whole parameter when indices, which
                // may have other values at the end, select the part.
                let fields = place
                    .projs
                    .iter()
                    .all(|p| matches!(p, Proj::Field(_) | Proj::Deref));
                let target = if fields && !place.projs.is_empty() {
                    self.place(place)
                } else {
                    let x = self.names.var(v);
                    quote!((*#x))
                };
                if done.contains(&target.to_string()) {
                    continue;
                }
                done.push(target.to_string());
                let kept = syn::Ident::new(
                    &format!("final_{}", done.len()),
                    proc_macro2::Span::mixed_site(),
                );
                keep.extend(quote!(let mut #kept = #p::SnapshotTape::new(); #kept.push(&#target);));
                restore.extend(quote!(#kept.restore(&mut #target);));
            }
        });
        (keep, restore)
    }

    /// Whether the adjoint returns the primal, and the types it returns.
    fn return_parts(&self) -> (bool, Vec<TokenStream>) {
        let mut types = Vec::new();
        let primal = self
            .sig
            .ret
            .as_ref()
            .is_some_and(|r| r.activity != Activity::ActiveOnly)
            && !self.sig.pullback;
        if let (true, Some(r)) = (primal, &self.sig.ret) {
            types.push(r.ty.to_token_stream());
        }
        for p in &self.sig.params {
            if p.activity == Activity::Active {
                types.push(p.ty.to_token_stream());
            }
        }
        (primal, types)
    }

    /// Next to a pullback: which parameters' contents it reads (see [`reads_name`]). A
    /// caller records a `&mut` argument for the pullback only if its bit is set.
    pub fn reads_const(&self, reads: u64) -> TokenStream {
        let item = &self.sig.item;
        let (vis, cfgs) = (
            &item.vis,
            item.attrs.iter().filter(|a| a.path().is_ident("cfg")),
        );
        let name = self.sig.adjoint_name.to_string();
        let name = name.replacen("__cotangent_pb_", "__cotangent_rd_", 1);
        let name = syn::Ident::new(&name, self.sig.adjoint_name.span());
        quote! {
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(dead_code, non_upper_case_globals)]
            #vis const #name: u64 = #reads;
        }
    }

    pub fn adjoint_signature(&self) -> TokenStream {
        let item = &self.sig.item;
        let vis = &item.vis;
        let name = &self.sig.adjoint_name;
        let generics = &item.sig.generics;
        let where_clause = &generics.where_clause;
        let cfgs = item.attrs.iter().filter(|a| a.path().is_ident("cfg"));
        let mut params = Vec::new();
        for (i, (p, input)) in self.sig.params.iter().zip(&item.sig.inputs).enumerate() {
            let v = self.param_var(i);
            params.push(match input {
                FnArg::Receiver(r) => {
                    let (and, lifetime, mutability, self_token) = (
                        &r.reference.as_ref().map(|x| x.0),
                        r.reference.as_ref().and_then(|x| x.1.as_ref()),
                        &r.mutability,
                        &r.self_token,
                    );
                    quote!(#and #lifetime #mutability #self_token)
                }
                FnArg::Typed(t) => {
                    let id = &self.names.primal[v];
                    let m = p.mutable.then(|| quote!(mut));
                    let ty = &t.ty;
                    quote!(#m #id: #ty)
                }
            });
            if p.activity == Activity::Duplicated {
                let d = &self.names.adjoint[v];
                let referent = p.referent();
                params.push(quote!(#d: &mut #referent));
            }
        }
        let seeded = self
            .sig
            .ret
            .as_ref()
            .filter(|r| matches!(r.activity, Activity::Active | Activity::ActiveOnly));
        match seeded {
            Some(r) => {
                let seed = &self.names.seed;
                let ty = &r.ty;
                params.push(quote!(#seed: #ty));
            }
            // A caller passes a seed whatever the callee returns.
            None if self.sig.pullback => params.push(quote!(_: ())),
            None => {}
        }
        let (_, types) = self.return_parts();
        let output = match types.len() {
            0 => TokenStream::new(),
            1 => quote!(-> #(#types)*),
            _ => quote!(-> (#(#types),*)),
        };
        let doc = format!(
            "Reverse-mode adjoint of [`{}`], generated by `#[autodiff_reverse]`.",
            item.sig.ident
        );
        let hidden = self
            .sig
            .pullback
            .then(|| quote!(#[doc(hidden)] #[allow(dead_code)]));
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #hidden

            #[allow(unused_mut, unused_variables, unused_assignments, unused_parens, unused_braces, non_snake_case, unreachable_code, unreachable_patterns, clippy::all, clippy::pedantic, clippy::nursery)]
            #vis fn #name #generics (#(#params),*) #output #where_clause
        }
    }

    pub fn param_var(&self, i: usize) -> VarId {
        self.body
            .vars
            .iter()
            .position(|v| v.origin == Origin::Param(i))
            .expect("every parameter has a variable")
    }

    fn returned_values(&self) -> TokenStream {
        let (primal, _) = self.return_parts();
        let mut values = Vec::new();
        if primal {
            let result = &self.names.result;
            values.push(quote!(#result));
        }
        for (i, p) in self.sig.params.iter().enumerate() {
            if p.activity == Activity::Active {
                let v = self.param_var(i);
                let d = self.adjoint(v);
                values.push(if self.sig.pullback {
                    d
                } else {
                    let p = private();
                    quote!(#p::finish(#d))
                });
            }
        }
        match values.len() {
            0 => TokenStream::new(),
            1 => quote!(#(#values)*),
            _ => quote!((#(#values),*)),
        }
    }
}

/// The stub emitted when the function has errors: the right signature, so callers get
/// one error (the real one), not a cascade of "cannot find function `d_f`".
pub fn stub(sig: &Signature) -> TokenStream {
    with_signature(sig, |_| {
        quote!(::core::unimplemented!(
            "this adjoint was not generated: see the compile error on the function"
        ))
    })
}

/// An adjoint's signature with a hand-written body, built from the parameters' names.
pub fn with_signature(
    sig: &Signature,
    body_of: impl FnOnce(&Emitter) -> TokenStream,
) -> TokenStream {
    let mut body = Body {
        vars: Vec::new(),
        block: Block::default(),
        result: None,
    };
    for (i, p) in sig.params.iter().enumerate() {
        body.new_var(&p.name.to_string(), p.name.span(), Origin::Param(i));
    }
    let names = Names::new(&body);
    let n = body.vars.len();
    let plan = crate::reverse::plan::plan(&body, vec![false; n], &vec![false; n]);
    let e = Emitter {
        sig,
        body: &body,
        plan: &plan,
        names: &names,
        in_forward: Default::default(),
    };
    let signature = e.adjoint_signature();
    let body = body_of(&e);
    // A hand-written pullback may read anything.
    let reads = sig.pullback.then(|| e.reads_const(u64::MAX));
    quote!(#signature { #body } #reads)
}
