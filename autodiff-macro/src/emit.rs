//! Step 6: IR to tokens. Shared helpers for the forward and reverse sweeps, and the
//! assembly of the adjoint function: signature (brief §2), tapes, sweeps, returned tuple.
//! Tokens only (`quote!`), never strings; absolute paths to the runtime.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::FnArg;

use crate::args::Activity;
use crate::ir::*;
use crate::names::Names;
use crate::record::{Plan, TapeKind};
use crate::signature::Signature;

pub struct Emitter<'a> {
    pub sig: &'a Signature,
    pub body: &'a Body,
    pub plan: &'a Plan,
    pub names: &'a Names,
}

pub fn private() -> TokenStream {
    quote!(::cotangent::__private)
}

impl Emitter<'_> {
    pub fn operand(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) => self.names.var(*v),
            Operand::Const(t) => t.clone(),
        }
    }

    /// The primal place expression (`x[i][j]`, `self.w[k]`, `*out`).
    pub fn place(&self, place: &Place) -> TokenStream {
        let base = self.names.var(place.base);
        self.projected(base, &place.projs, true)
    }

    /// The adjoint of a place: the same projections on the base's adjoint.
    pub fn adjoint_place(&self, place: &Place) -> TokenStream {
        self.projected(self.adjoint(place.base), &place.projs, false)
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
            _ => false,
        }
    }

    /// `start..end` with its adaptors, as the user wrote it. An inclusive range with
    /// `step_by` becomes `start..end + 1`, whose `step_by` can be reversed.
    pub fn range(&self, r: &ForRange) -> TokenStream {
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

    fn declarations(&self) -> TokenStream {
        let p = private();
        let mut out = TokenStream::new();
        for v in 0..self.body.vars.len() {
            let tape = &self.names.tape[v];
            match self.plan.tape[v] {
                Some(TapeKind::Tape) => out.extend(quote!(let mut #tape = #p::Tape::new();)),
                Some(TapeKind::Slot) => out.extend(quote!(let mut #tape = #p::Slot::new();)),
                None => {}
            }
            if self.plan.witness[v] {
                let w = &self.names.witness[v];
                out.extend(quote!(let mut #w = #p::Witness::unknown();));
            }
        }
        out
    }

    /// The generated adjoint function.
    pub fn adjoint_fn(&self, items: &[syn::Item]) -> TokenStream {
        let p = private();
        let signature = self.adjoint_signature();
        let decls = self.declarations();
        let forward = self.forward_block(&self.body.block, true);
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
        let _ = p;
        // The primal result is kept before the reverse sweep restores overwritten values.
        quote! {
            #signature {
                #(#items)*
                #decls
                #forward
                #keep_result
                #reverse
                #returned
            }
        }
    }

    /// Whether the adjoint returns the primal, and the types it returns.
    fn return_parts(&self) -> (bool, Vec<TokenStream>) {
        let mut types = Vec::new();
        let primal = self
            .sig
            .ret
            .as_ref()
            .is_some_and(|r| r.activity != Activity::ActiveOnly);
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
        if let Some(r) = &self.sig.ret {
            if matches!(r.activity, Activity::Active | Activity::ActiveOnly) {
                let seed = &self.names.seed;
                let ty = &r.ty;
                params.push(quote!(#seed: #ty));
            }
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
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #[allow(unused_mut, unused_variables, unused_assignments, unused_parens, unused_braces, non_snake_case, unreachable_code, clippy::all, clippy::pedantic, clippy::nursery)]
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
                values.push(self.adjoint(v));
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
    let body = Body {
        vars: Vec::new(),
        block: Block::default(),
        result: None,
    };
    let mut body = body;
    for (i, p) in sig.params.iter().enumerate() {
        body.new_var(&p.name.to_string(), p.name.span(), Origin::Param(i));
    }
    let names = Names::new(&body);
    let n = body.vars.len();
    let plan = crate::record::plan(&body, vec![false; n], &vec![false; n]);

    let e = Emitter {
        sig,
        body: &body,
        plan: &plan,
        names: &names,
    };
    let signature = e.adjoint_signature();
    quote!(#signature { ::core::unimplemented!("this adjoint was not generated: see the compile error on the function") })
}
