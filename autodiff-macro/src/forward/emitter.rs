//! Forward mode's emitter: the generated function's signature (std::autodiff's
//! `#[autodiff_forward]` convention: each `Dual` parameter followed by WIDTH tangents of
//! its type), the tangents of the parameters as lane arrays, and the returned value.
//!
//! Every variable that depends on a `Dual` input has its tangent next to it, as an array
//! `d_v: [T; WIDTH]` (one lane per direction): width 1 is the same code with arrays of
//! one element, which the compiler keeps in registers, and a wider one is elementwise
//! work the compiler can vectorise. Nothing is recorded and nothing is allocated for
//! scalars or arrays.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};
use syn::FnArg;

use crate::emit::names::Names;
use crate::emit::primal::Primal;
use crate::emit::private;
use crate::front::args::Activity;
use crate::front::signature::{ParamKind, Signature};
use crate::ir::*;

pub struct Emitter<'a> {
    pub sig: &'a Signature,
    pub body: &'a Body,
    pub names: &'a Names,
    /// `varied[v]`: `v` depends on a `Dual` input and has a tangent.
    pub varied: &'a [bool],
    /// Tangents per `Dual` value.
    pub width: usize,
    /// The lane index of elementwise tangent code.
    pub lane: Ident,
    /// Per parameter, the names of its tangent arguments (empty for `Const`).
    pub tangent_params: Vec<Vec<Ident>>,
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
            Operand::Var(v) => self.names.var(*v),
            Operand::Const(t) => t.clone(),
        }
    }
}

/// The names of the tangent arguments: `dx` for width 1, `dx_1, .., dx_N` otherwise
/// (fresh, so they clash with nothing of the user's).
pub fn tangent_params(sig: &Signature, body: &Body, names: &mut Names) -> Vec<Vec<Ident>> {
    let width = sig.width.unwrap_or(1);
    (0..sig.params.len())
        .map(|i| {
            if sig.params[i].activity == Activity::Const {
                return Vec::new();
            }
            let v = param_var(body, i);
            let base = format!("d{}", names.primal[v]);
            let span = body.vars[v].span;
            match width {
                1 => vec![names.fresh(&base, span)],
                n => (1..=n)
                    .map(|k| names.fresh(&format!("{base}_{k}"), span))
                    .collect(),
            }
        })
        .collect()
}

fn param_var(body: &Body, i: usize) -> VarId {
    body.vars
        .iter()
        .position(|v| v.origin == Origin::Param(i))
        .expect("every parameter has a variable")
}

impl Emitter<'_> {
    pub fn is_dual_reference(&self, v: VarId) -> bool {
        match self.body.vars[v].origin {
            Origin::Param(i) => {
                let p = &self.sig.params[i];
                p.activity != Activity::Const && p.kind.is_reference()
            }
            Origin::User | Origin::Temp | Origin::Control => false,
        }
    }

    /// `[e(0), .., e(WIDTH - 1)]` for an expression `e` of the lane index.
    pub fn lanes(&self, expr: TokenStream) -> TokenStream {
        let (n, l) = (self.width, &self.lane);
        quote!(::core::array::from_fn::<_, #n, _>(|#l: usize| #expr))
    }

    /// A tangent of zero with the shape of a primal value (`+0.0` elements).
    pub fn zero_of(&self, primal: TokenStream) -> TokenStream {
        let p = private();
        quote!(#p::zero_tangent(&#primal))
    }

    /// The generated function.
    pub fn tangent_fn(&self, items: &[syn::Item]) -> TokenStream {
        let signature = self.signature();
        let prologue = self.prologue();
        let body = self.block(&self.body.block);
        let returned = self.returned();
        quote! {
            #signature {
                #(#items)*
                #prologue
                #body
                #returned
            }
        }
    }

    // from: `fn df(x: f64, dx: f64, v: &[f64], dv: &[f64])`
    // into: `let mut d_x = [dx]; let mut d_v = [dv];`: a tangent per lane; a `Const`
    //       parameter that a `Dual` value flows into gets a zero tangent of its own
    fn prologue(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let p = private();
        for (i, params) in self.tangent_params.iter().enumerate() {
            let v = param_var(self.body, i);
            let d = &self.names.adjoint[v];
            if !params.is_empty() {
                out.extend(quote!(let mut #d = [#(#params),*];));
            } else if self.varied[v] {
                let x = self.names.var(v);
                let zero = match self.sig.params[i].kind {
                    ParamKind::Ref
                    | ParamKind::RefMut
                    | ParamKind::SelfRef
                    | ParamKind::SelfMut => self.lanes(quote!(#p::scratch_like(&*#x))),
                    ParamKind::Value | ParamKind::SelfValue => self.lanes(self.zero_of(x)),
                };
                out.extend(quote!(let mut #d = #zero;));
            }
        }
        out
    }

    // from: the result `y` and its tangent lanes `d_y`
    // into: `y` (Const), `(y, d_y[0])` / `d_y[0]` (width 1), `[y, d_y[0], ..]` / `d_y`
    fn returned(&self) -> TokenStream {
        let (Some(ret), Some(result)) = (&self.sig.ret, &self.body.result) else {
            return TokenStream::new();
        };
        let y = self.operand(result);
        let tangent = match result {
            Operand::Var(v) if self.varied[*v] => {
                let d = &self.names.adjoint[*v];
                quote!(#d)
            }
            Operand::Var(_) | Operand::Const(_) => self.lanes(self.zero_of(y.clone())),
        };
        let lanes: Vec<Ident> = (0..self.width)
            .map(|k| Ident::new(&format!("__t{k}"), Span::mixed_site()))
            .collect();
        let take = quote!(let [#(#lanes),*] = #tangent;);
        match (ret.activity, self.width) {
            (Activity::Dual, 1) => quote!(#take (#y, #(#lanes)*)),
            (Activity::Dual, _) => quote!(#take [#y, #(#lanes),*]),
            (Activity::DualOnly, 1) => quote!(#take #(#lanes)*),
            (Activity::DualOnly, _) => tangent,
            (
                Activity::Const | Activity::Active | Activity::ActiveOnly | Activity::Duplicated,
                _,
            ) => y,
        }
    }

    fn return_type(&self) -> TokenStream {
        let Some(ret) = &self.sig.ret else {
            return TokenStream::new();
        };
        let ty = &ret.ty;
        let (n, n1) = (self.width, self.width + 1);
        match (ret.activity, self.width) {
            (Activity::Dual, 1) => quote!(-> (#ty, #ty)),
            (Activity::Dual, _) => quote!(-> [#ty; #n1]),
            (Activity::DualOnly, 1) => quote!(-> #ty),
            (Activity::DualOnly, _) => quote!(-> [#ty; #n]),
            (
                Activity::Const | Activity::Active | Activity::ActiveOnly | Activity::Duplicated,
                _,
            ) => quote!(-> #ty),
        }
    }

    pub fn signature(&self) -> TokenStream {
        let item = &self.sig.item;
        let vis = &item.vis;
        let name = &self.sig.adjoint_name;
        let generics = &item.sig.generics;
        let where_clause = &generics.where_clause;
        let cfgs = item.attrs.iter().filter(|a| a.path().is_ident("cfg"));
        let mut params = Vec::new();
        for (i, (p, input)) in self.sig.params.iter().zip(&item.sig.inputs).enumerate() {
            let v = param_var(self.body, i);
            params.push(match input {
                FnArg::Receiver(r) => r.to_token_stream(),
                FnArg::Typed(t) => {
                    let id = &self.names.primal[v];
                    let m = p.mutable.then(|| quote!(mut));
                    let ty = &t.ty;
                    quote!(#m #id: #ty)
                }
            });
            let ty = &p.ty;
            for d in &self.tangent_params[i] {
                params.push(quote!(#d: #ty));
            }
        }
        let output = self.return_type();
        let doc = format!(
            "Forward-mode derivative of [`{}`], generated by `#[autodiff_forward]`.",
            item.sig.ident
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #[allow(unused_mut, unused_variables, unused_assignments, unused_parens, unused_braces, non_snake_case, unreachable_code, clippy::all, clippy::pedantic, clippy::nursery)]
            #vis fn #name #generics (#(#params),*) #output #where_clause
        }
    }
}

/// The function emitted when the user's function has errors: the right signature, so
/// callers get the real error, not a cascade of "cannot find function `df`".
pub fn stub(sig: &Signature) -> TokenStream {
    let mut body = Body {
        vars: Vec::new(),
        block: Block::default(),
        result: None,
    };
    for (i, p) in sig.params.iter().enumerate() {
        body.new_var(&p.name.to_string(), p.name.span(), Origin::Param(i));
    }
    let mut names = Names::new(&body);
    let tangent_params = tangent_params(sig, &body, &mut names);
    let lane = names.fresh("__lane", Span::call_site());
    let varied = vec![false; body.vars.len()];
    let e = Emitter {
        sig,
        body: &body,
        names: &names,
        varied: &varied,
        width: sig.width.unwrap_or(1),
        lane,
        tangent_params,
    };
    let signature = e.signature();
    quote!(#signature { ::core::unimplemented!("this derivative was not generated: see the compile error on the function") })
}
