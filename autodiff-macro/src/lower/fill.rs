//! Step 2, slice methods that write every element: lowered to indexed stores, which the
//! reversal handles like any other (the adjoint of a method it cannot see would need a
//! pullback no one wrote).

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::{unit, Lowerer};

impl Lowerer<'_> {
    // from: `dst.fill(v)` / `dst.copy_from_slice(&src)` (or `clone_from_slice`)
    // into: `for i in 0..dst.len() { dst[i] = v; }` /
    //       `same_len(dst.len(), src.len()); for i in 0..dst.len() { dst[i] = src[i]; }`
    pub(crate) fn fill_method(&mut self, m: &syn::ExprMethodCall) -> Option<Operand> {
        let name = m.method.to_string();
        let fills = matches!(
            name.as_str(),
            "fill" | "copy_from_slice" | "clone_from_slice"
        );
        if !fills || m.args.len() != 1 || m.turbofish.is_some() {
            return None;
        }
        let dst = self.place(&m.receiver)?;
        let span = m.span();
        self.body.vars[dst.base].mutable = true;
        let source = if name == "fill" {
            Source::Value(self.expr(&m.args[0]))
        } else {
            let arg = match &m.args[0] {
                Expr::Reference(r) => &*r.expr,
                other => other,
            };
            let Some(src) = self.place(arg) else {
                return Some(self.error(
                    m.args[0].span(),
                    format!("`.{name}(..)` copies from a slice, array or `Vec` variable (`&src`, `&src[a..b]`) here"),
                ));
            };
            Source::Place(src)
        };
        let len = self.length(&dst, span);
        if let Source::Place(src) = &source {
            // `copy_from_slice` panics on different lengths; so does the generated code.
            let other = self.length(src, span);
            let rules = crate::paths::rules();
            let check: syn::Path = syn::parse_quote!(#rules::same_len);
            self.bind(
                "same_len",
                span,
                Rvalue::Call(Call {
                    callee: Callee::Path(check),
                    recv: None,
                    args: vec![CallArg::Value(len.clone()), CallArg::Value(other)],
                    passive: true,
                }),
            );
        }
        let i = self.body.new_var("i", span, Origin::User);
        let body = self.loop_body(|l| {
            let value = match &source {
                Source::Value(v) => v.clone(),
                Source::Place(src) => {
                    let mut at = src.clone();
                    at.projs.push(Proj::Index(Operand::Var(i)));
                    l.bind("x", span, Rvalue::Read(at))
                }
            };
            let mut place = dst.clone();
            place.projs.push(Proj::Index(Operand::Var(i)));
            l.push(Stmt::Store { place, value });
        });
        self.push(Stmt::For {
            var: i,
            range: ForRange {
                start: Operand::Const(quote!(0usize)),
                end: len,
                inclusive: false,
                adaptors: Vec::new(),
            },
            body,
            exit: None,
            counter: None,
        });
        Some(unit())
    }

    /// `place.len()`, which reads no element.
    fn length(&mut self, place: &Place, span: Span) -> Operand {
        let len = syn::Ident::new("len", span);
        self.bind(
            "len",
            span,
            Rvalue::Call(Call {
                callee: Callee::Method(len, None),
                recv: Some(place.clone()),
                args: Vec::new(),
                passive: true,
            }),
        )
    }
}

enum Source {
    Value(Operand),
    Place(Place),
}
