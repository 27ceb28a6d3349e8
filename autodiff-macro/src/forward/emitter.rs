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
    /// One lane's tangent, in a closure over the lanes.
    pub elem: Ident,
    /// Per parameter, the names of its tangent arguments (empty for `Const`).
    pub tangent_params: Vec<Vec<Ident>>,
    /// A hidden forward derivative for callers: generic over the width, named by this
    /// const parameter; each tangent argument is one array of lanes, and it returns
    /// `(primal, tangents)` for a float result.
    pub generic_width: Option<Ident>,
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

/// The names of the tangent arguments: `dx` for width 1 (and for a hidden forward
/// derivative, whose `dx` holds every lane), `dx_1, .., dx_N` otherwise (fresh, so they
/// clash with nothing of the user's).
pub fn tangent_params(sig: &Signature, body: &Body, names: &mut Names) -> Vec<Vec<Ident>> {
    let width = match sig.pullback {
        true => 1,
        false => sig.width.unwrap_or(1),
    };
    (0..sig.params.len())
        .map(|i| {
            if sig.params[i].activity == Activity::Const {
                return Vec::new();
            }
            let v = param_var(body, i);
            // `dx`, unless that is a keyword (`do` of `o`).
            let mut base = format!("d{}", names.primal[v]);
            if syn::parse_str::<Ident>(&base).is_err() {
                base = format!("d_{}", names.primal[v]);
            }
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

    /// The number of lanes: a literal, or a hidden derivative's const parameter.
    pub fn n(&self) -> TokenStream {
        match &self.generic_width {
            Some(n) => quote!(#n),
            None => {
                let n = self.width;
                quote!(#n)
            }
        }
    }

    /// `[e(0), .., e(WIDTH - 1)]` for an expression `e` of the lane index.
    pub fn lanes(&self, expr: TokenStream) -> TokenStream {
        let (n, l) = (self.n(), &self.lane);
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
            if self.generic_width.is_some() && !params.is_empty() {
                let lanes = self.borrowed_lanes(i, quote!(#(#params)*));
                out.extend(quote!(let mut #d = #lanes;));
            } else if !params.is_empty() {
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

    /// A hidden derivative's reference tangent takes lanes of any type that reaches the
    /// referent: deref coercion, which the primal argument gets, does not reach into
    /// arrays of lanes. `&mut R` takes `[&mut D; N]` for any `D: BorrowMut<R>` (a caller's
    /// `&mut Vec<f64>` for `&mut [f64]`); `&R` takes `[L; N]` for any `L: Deref<Target =
    /// D>`, `D: Borrow<R>` (`&Vec<f64>`, or the `&mut [f64]` lanes of a `&mut` parameter
    /// passed on). The type parameters with their bounds, and the lane type.
    fn lane_type(&self, i: usize) -> (Vec<syn::GenericParam>, TokenStream) {
        let p = &self.sig.params[i];
        let referent = p.referent();
        let d = Ident::new(&format!("__D{i}"), Span::mixed_site());
        let l = Ident::new(&format!("__L{i}"), Span::mixed_site());
        match p.kind {
            ParamKind::RefMut => (
                vec![syn::parse_quote!(#d: ?Sized + ::core::borrow::BorrowMut<#referent>)],
                quote!(&mut #d),
            ),
            ParamKind::Ref
            | ParamKind::Value
            | ParamKind::SelfRef
            | ParamKind::SelfMut
            | ParamKind::SelfValue => (
                vec![
                    syn::parse_quote!(#d: ?Sized + ::core::borrow::Borrow<#referent>),
                    syn::parse_quote!(#l: ::core::ops::Deref<Target = #d>),
                ],
                quote!(#l),
            ),
        }
    }

    // from: `dx: [&mut D; N]` / `dx: [L; N]` of a hidden derivative
    // into: `dx.map(|d| <D as BorrowMut<R>>::borrow_mut(d))` /
    //       `dx.each_ref().map(|d| <D as Borrow<R>>::borrow(&**d))`: lanes of `&mut R` / `&R`
    fn borrowed_lanes(&self, i: usize, lanes: TokenStream) -> TokenStream {
        let p = &self.sig.params[i];
        let referent = p.referent();
        let e = &self.elem;
        let d = Ident::new(&format!("__D{i}"), Span::mixed_site());
        match p.kind {
            ParamKind::RefMut => {
                quote!(#lanes.map(|#e| <#d as ::core::borrow::BorrowMut<#referent>>::borrow_mut(#e)))
            }
            ParamKind::Ref | ParamKind::SelfRef => {
                quote!(#lanes.each_ref().map(|#e| <#d as ::core::borrow::Borrow<#referent>>::borrow(&**#e)))
            }
            ParamKind::Value | ParamKind::SelfMut | ParamKind::SelfValue => lanes,
        }
    }

    // from: the result `y` and its tangent lanes `d_y`
    // into: `y` (Const), `(y, d_y[0])` / `d_y[0]` (width 1), `[y, d_y[0], ..]` / `d_y`
    fn returned(&self) -> TokenStream {
        let (Some(ret), Some(result)) = (&self.sig.ret, &self.body.result) else {
            return match self.generic_width {
                Some(_) => quote!(((), ())),
                None => TokenStream::new(),
            };
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
        if self.generic_width.is_some() {
            return match ret.activity {
                Activity::Dual | Activity::DualOnly => quote!((#y, #tangent)),
                Activity::Const
                | Activity::Active
                | Activity::ActiveOnly
                | Activity::Duplicated => {
                    quote!((#y, ()))
                }
            };
        }
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
            return match self.generic_width {
                Some(_) => quote!(-> ((), ())),
                None => TokenStream::new(),
            };
        };
        let ty = &ret.ty;
        if let Some(n) = &self.generic_width {
            return match ret.activity {
                Activity::Dual | Activity::DualOnly => quote!(-> (#ty, [#ty; #n])),
                Activity::Const
                | Activity::Active
                | Activity::ActiveOnly
                | Activity::Duplicated => {
                    quote!(-> (#ty, ()))
                }
            };
        }
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
        self.signature_where(None)
    }

    /// The signature, with one more `where` predicate if given.
    fn signature_where(&self, extra: Option<syn::WherePredicate>) -> TokenStream {
        let item = &self.sig.item;
        let vis = &item.vis;
        let name = &self.sig.adjoint_name;
        let mut generics = item.sig.generics.clone();
        if let Some(n) = &self.generic_width {
            generics.params.push(syn::parse_quote!(const #n: usize));
        }
        if let Some(extra) = extra {
            generics.make_where_clause().predicates.push(extra);
        }
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
                params.push(match (&self.generic_width, p.kind) {
                    (Some(n), ParamKind::Ref | ParamKind::RefMut | ParamKind::SelfRef) => {
                        let (params, lane) = self.lane_type(i);
                        generics.params.extend(params);
                        quote!(#d: [#lane; #n])
                    }
                    (Some(n), _) => quote!(#d: [#ty; #n]),
                    (None, _) => quote!(#d: #ty),
                });
            }
        }
        let output = self.return_type();
        let where_clause = &generics.where_clause;
        let doc = format!(
            "Forward-mode derivative of [`{}`], generated by `#[autodiff_forward]`.",
            item.sig.ident
        );
        let hidden = self
            .generic_width
            .is_some()
            .then(|| quote!(#[doc(hidden)] #[allow(dead_code)]));
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #hidden
            #[allow(unused_mut, unused_variables, unused_assignments, unused_parens, unused_braces, non_snake_case, unreachable_code, unreachable_patterns, clippy::all, clippy::pedantic, clippy::nursery)]
            #vis fn #name #generics (#(#params),*) #output #where_clause
        }
    }
}

/// The function emitted when the user's function has errors: the right signature, so
/// callers get the real error, not a cascade of "cannot find function `df`".
pub fn stub(sig: &Signature) -> TokenStream {
    with_emitter(sig, |e| {
        let signature = e.signature();
        quote!(#signature { ::core::unimplemented!("this derivative was not generated: see the compile error on the function") })
    })
}

// from: `#[differentiable(custom = softplus_pb)] fn softplus(x: f64) -> f64`, pattern `a`
// into: `fn __cotangent_fwd_softplus_a<const N: usize>(x: f64, dx: [f64; N]) -> (f64, [f64; N])
//        { const { assert!(N == usize::MAX, "..") }; unreachable!() }`: an error when a
//       forward-mode function instantiates it, and only then (the hidden forward
//       derivatives of reverse-mode callers call it too, and must still compile)
pub fn no_forward_rule(sig: &Signature, message: &str) -> TokenStream {
    with_emitter(sig, |e| {
        let n = e.generic_width.as_ref().expect("a hidden derivative");
        let signature = e.signature();
        quote!(#signature {
            const { ::core::assert!(#n == usize::MAX, #message) };
            ::core::unreachable!()
        })
    })
}

// from: `#[differentiable(forward)] fn pair(x1: f64, .., z2: f64)` (64 patterns), pattern
//       `acccca` of the widest `aaaaaa`
// into: `fn __cotangent_fwd_pair_acccca<..>(x1, dx1, y1, .., z2, dz2) {
//            __cotangent_fwd_pair_aaaaaa(x1, dx1, y1, from_fn(|_| zero_tangent(&y1)), ..) }`:
//       zero tangents for the arguments without one (scratch buffers for references)
pub fn narrow_forward(sig: &Signature, widest: &syn::Ident, wide: &[bool]) -> TokenStream {
    with_emitter(sig, |e| {
        let p = private();
        let signature = e.signature();
        let (mut scratch, mut args) = (TokenStream::new(), Vec::new());
        for (i, param) in sig.params.iter().enumerate() {
            let v = param_var(e.body, i);
            let x = &e.names.primal[v];
            args.push(quote!(#x));
            if let Some(d) = e.tangent_params[i].first() {
                args.push(quote!(#d));
                continue;
            }
            if !wide[i] {
                continue;
            }
            args.push(match param.kind {
                ParamKind::RefMut => {
                    let z = &e.names.adjoint[v];
                    scratch.extend(
                        quote!(let mut #z = #p::core::array::from_fn(|_| #p::scratch_like(&*#x));),
                    );
                    quote!(#z.each_mut())
                }
                ParamKind::Ref | ParamKind::SelfRef | ParamKind::SelfMut => {
                    quote!(#p::core::array::from_fn(|_| #p::scratch_like(#x)))
                }
                ParamKind::Value | ParamKind::SelfValue => {
                    quote!(#p::core::array::from_fn(|_| #p::zero_tangent(&#x)))
                }
            });
        }
        quote!(#signature { #scratch #widest(#(#args),*) })
    })
}

/// An emitter of `sig`'s parameters only, for a function whose body is written by hand.
fn with_emitter(sig: &Signature, body_of: impl FnOnce(&Emitter) -> TokenStream) -> TokenStream {
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
    let elem = names.fresh("__d", Span::call_site());
    let generic_width = sig.pullback.then(|| names.fresh("__N", Span::call_site()));
    let varied = vec![false; body.vars.len()];
    let e = Emitter {
        sig,
        body: &body,
        names: &names,
        varied: &varied,
        width: sig.width.unwrap_or(1),
        lane,
        elem,
        tangent_params,
        generic_width,
    };
    body_of(&e)
}
