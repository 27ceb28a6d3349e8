//! Step 2, macros in the body: `vec![..]`, `matches!(..)`, `panic!`-style macros (kept
//! in the adjoint), `assert!`- and `println!`-style ones (left out of it); any other is a
//! spanned error.

use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::{unit, Lowerer};
use crate::prim::ignored_macro;

impl Lowerer<'_> {
    /// A macro as a statement: its value, if any, is dropped.
    pub(crate) fn statement_macro(&mut self, mac: &syn::Macro) {
        let _ = self.macro_value(mac);
    }

    // from: `vec![0.0; n]` / `matches!(m, Mode::A)` / `panic!(..)` / `println!(..)`
    // into: see `vec_macro` / `matches_macro` / `diverging_macro` / nothing
    pub fn macro_value(&mut self, mac: &syn::Macro) -> Operand {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "vec" {
            return self.vec_macro(mac);
        }
        if name == "matches" {
            return self.matches_macro(mac);
        }
        if name == crate::lower::matching::BIND {
            return self.bind_macro(mac);
        }
        if matches!(
            name.as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented"
        ) {
            return self.diverging_macro(mac, &name);
        }
        if ignored_macro(&name) {
            return unit();
        }
        self.error(
            mac.path.span(),
            format!("the macro `{name}!` is not supported in a differentiated function: write its expansion by hand, or compute the value in a `Const` argument (supported: `vec![..]`, `matches!(..)`, `panic!`-style macros; `assert!`-style and `println!`-style macros are left out of the adjoint)"),
        )
    }

    // from: `panic!("bad input {n}")` (also `unreachable!`, `todo!`, `unimplemented!`)
    // into: a passive call `primal_panicked("bad input {n}")` in the forward sweep: `d_f`
    // panics where `f` does (the message's arguments are not formatted)
    pub(crate) fn diverging_macro(&mut self, mac: &syn::Macro, name: &str) -> Operand {
        let message = syn::parse2::<syn::LitStr>(
            mac.tokens
                .clone()
                .into_iter()
                .next()
                .map(proc_macro2::TokenStream::from)
                .unwrap_or_default(),
        )
        .map(|l| format!("{name}!: {}", l.value()))
        .unwrap_or_else(|_| format!("{name}!"));
        self.bind(
            "panicked",
            mac.span(),
            Rvalue::Call(Call {
                callee: Callee::Path({
                    let p = crate::paths::private();
                    syn::parse_quote!(#p::primal_panicked)
                }),
                recv: None,
                args: vec![CallArg::Value(Operand::Const(quote!(#message)))],
                passive: true,
            }),
        )
    }

    // from: `vec![x; n]` / `vec![a, b]`
    // into: `Let { t, VecRepeat(x, n) }` / `Let { t, VecList([a, b]) }`
    pub(crate) fn vec_macro(&mut self, mac: &syn::Macro) -> Operand {
        use crate::lower::transparent;
        use syn::parse::Parser;
        let repeat = |input: syn::parse::ParseStream| -> syn::Result<(Expr, Expr)> {
            let value: Expr = input.parse()?;
            let _: syn::Token![;] = input.parse()?;
            let len: Expr = input.parse()?;
            Ok((transparent(value), transparent(len)))
        };
        if let Ok((value, len)) = repeat.parse2(mac.tokens.clone()) {
            let value = self.expr(&value);
            let len = self.expr(&len);
            return self.bind("v", mac.span(), Rvalue::VecRepeat(value, len));
        }
        let list = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        match list.parse2(mac.tokens.clone()) {
            Ok(items) => {
                let ops = items
                    .into_iter()
                    .map(|e| self.expr(&transparent(e)))
                    .collect();
                self.bind("v", mac.span(), Rvalue::VecList(ops))
            }
            Err(e) => self.error(
                e.span(),
                "could not read this `vec![..]`: write `vec![value; len]` or `vec![a, b, ..]`",
            ),
        }
    }
}
