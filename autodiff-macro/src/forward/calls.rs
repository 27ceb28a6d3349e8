//! Forward mode through calls: a call that a tangent reaches calls the callee's hidden
//! forward derivative for the pattern of arguments that carry one (`calls::forward`),
//! passing each such argument's tangent lanes after it, and binds the result's tangent.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::forward_name;
use crate::emit::primal::Primal;
use crate::emit::unmarked::Hidden;
use crate::forward::emitter::Emitter;
use crate::ir::*;

impl Emitter<'_> {
    /// Whether the call is differentiated through: not passive, and a tangent reaches its
    /// receiver or one of its arguments (std methods on such a receiver are an error,
    /// `pipeline::forward_calls`).
    pub fn through_call(&self, call: &Call) -> bool {
        !call.passive && (self.recv_varied(call) || call.args.iter().any(|a| self.arg_varied(a)))
    }

    fn recv_varied(&self, call: &Call) -> bool {
        call.recv.as_ref().is_some_and(|r| self.varied[r.base])
    }

    fn arg_varied(&self, a: &CallArg) -> bool {
        match a {
            CallArg::Value(op) => op.var().is_some_and(|v| self.varied[v]),
            CallArg::Ref { place, .. } => self.varied[place.base],
        }
    }

    /// One letter per parameter, as the callee's patterns name them (`calls::mask`).
    fn forward_mask(&self, call: &Call) -> String {
        let recv = call
            .recv
            .iter()
            .map(|r| if self.varied[r.base] { 'd' } else { 'c' });
        let args = call.args.iter().map(|a| match a {
            CallArg::Value(_) if self.arg_varied(a) => 'a',
            CallArg::Ref { .. } if self.arg_varied(a) => 'd',
            CallArg::Value(_) | CallArg::Ref { .. } => 'c',
        });
        recv.chain(args).collect()
    }

    // from: `let y = helper(&x[a..], &mut out, s);` with `x` and `out` carrying tangents
    // into: `let (y, d_y) = __cotangent_fwd_helper_ddc(&x[a..], from_fn(|l| &d_x[l][a..]),
    //        &mut out, d_out.each_mut().map(|d| &mut *d), s);`
    pub fn forward_call(&self, var: VarId, call: &Call) -> TokenStream {
        let mut args = Vec::new();
        // A `Dual` `&self`: its tangent lanes come first.
        if let Some(recv) = call.recv.as_ref().filter(|r| self.varied[r.base]) {
            args.push(self.tangent_refs(recv, false));
        }
        for a in &call.args {
            match a {
                CallArg::Value(op) => {
                    args.push(self.operand(op));
                    if let Some(v) = op.var().filter(|v| self.varied[*v]) {
                        let d = &self.names.adjoint[v];
                        args.push(quote!(::core::clone::Clone::clone(&#d)));
                    }
                }
                CallArg::Ref { place, mutable, .. } => {
                    args.push(self.reference(place, *mutable));
                    if self.varied[place.base] {
                        args.push(self.tangent_refs(place, *mutable));
                    }
                }
            }
        }
        let mask = self.forward_mask(call);
        let name = |f: &str| forward_name(f, &mask);
        let span = match &call.callee {
            Callee::Method(m, _) => m.span(),
            Callee::Path(p) => p
                .segments
                .last()
                .map_or(self.body.vars[var].span, |s| s.ident.span()),
        };
        let fallback = self.unmarked_fallback(call, &name, args.len(), Hidden::Forward);
        let call = at_callee(self.call_expr(call, Some(&name), args), span);
        let call = match fallback.is_empty() {
            true => call,
            false => quote!({ #fallback #call }),
        };
        let x = self.names.var(var);
        let m = self.body.vars[var].mutable.then(|| quote!(mut));
        let tangent = match self.varied[var] {
            true => {
                let d = &self.names.adjoint[var];
                quote!(#m #d)
            }
            false => quote!(_),
        };
        quote!(let (#m #x, #tangent) = #call;)
    }

    /// The lanes of a reference argument's tangent: `[&d_x[0][a..], ..]`, or for `&mut`
    /// one reborrow per lane (`each_mut`, so that the lanes' borrows are disjoint).
    fn tangent_refs(&self, place: &Place, mutable: bool) -> TokenStream {
        let d = &self.names.adjoint[place.base];
        let e = &self.elem;
        let lane = match self.is_dual_reference(place.base) {
            true => quote!((**#e)),
            false => quote!((*#e)),
        };
        let target = self.projected(lane, &place.projs, false);
        match mutable {
            true => quote!(#d.each_mut().map(|#e| &mut #target)),
            false => quote!(#d.each_ref().map(|#e| &#target)),
        }
    }
}

/// The call located at the callee's name (each token keeps its hygiene), so that a compile error about the call (a
/// helper without a forward derivative) points at the user's call, not at the attribute.
fn at_callee(call: TokenStream, span: proc_macro2::Span) -> TokenStream {
    call.into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Group(g) => {
                let mut out = proc_macro2::Group::new(g.delimiter(), at_callee(g.stream(), span));
                out.set_span(g.span().located_at(span));
                proc_macro2::TokenTree::Group(out)
            }
            mut other => {
                other.set_span(other.span().located_at(span));
                other
            }
        })
        .collect()
}
