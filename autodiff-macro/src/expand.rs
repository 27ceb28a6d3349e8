//! The pipeline: validate, then expand (thiserror / async-trait style). On any error the
//! original function is emitted untouched, with the errors and a stub adjoint of the
//! right signature, so that the user sees the real mistakes and nothing else.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{stub, Emitter};
use crate::errors::Errors;
use crate::signature::ParamKind;
use crate::{activity, args, control, ir, lower, names, record, signature};

pub fn autodiff_reverse(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            errors.push(
                e.span(),
                "#[autodiff_reverse] applies to a function with a body (a free function or a method in an `impl` block)",
            );
            let errors = errors.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let args = args::parse(attr, &mut errors);
    let sig = args.and_then(|a| signature::analyze(&item_fn, &a, &mut errors));
    let Some(sig) = sig else {
        let errors = errors.to_compile_errors();
        return quote!(#item_fn #errors);
    };
    let fail = |errors: &Errors| {
        let compile_errors = errors.to_compile_errors();
        let stub = stub(&sig);
        quote!(#item_fn #compile_errors #stub)
    };
    if !errors.is_empty() {
        return fail(&errors);
    }
    let lower::Lowered { mut body, items } = lower::lower(&sig, &mut errors);
    if !errors.is_empty() {
        return fail(&errors);
    }
    body.check(false);
    control::structurize(&mut body, sig.ret.as_ref().map(|r| &r.ty));
    body.check(true);
    let active = activity::analyze(&body, &sig, &mut errors);
    if !errors.is_empty() {
        return fail(&errors);
    }
    let readonly: Vec<bool> = body
        .vars
        .iter()
        .map(|v| match v.origin {
            ir::Origin::Param(i) => {
                matches!(sig.params[i].kind, ParamKind::Ref | ParamKind::SelfRef)
            }
            _ => false,
        })
        .collect();
    let plan = record::plan(&body, active, &readonly);
    let names = names::Names::new(&body);
    let emitter = Emitter {
        sig: &sig,
        body: &body,
        plan: &plan,
        names: &names,
    };
    let adjoint = emitter.adjoint_fn(&items);
    dump(&sig, &adjoint);
    quote!(#item_fn #adjoint)
}

/// `COTANGENT_DUMP=1` (or `=name` of a function) prints the generated adjoint at compile
/// time, so users can read what they run.
fn dump(sig: &signature::Signature, adjoint: &TokenStream) {
    let Ok(which) = std::env::var("COTANGENT_DUMP") else {
        return;
    };
    let name = sig.item.sig.ident.to_string();
    if which == "1" || which == name || sig.adjoint_name == which {
        let text = match syn::parse2::<syn::File>(adjoint.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(_) => adjoint.to_string(),
        };
        eprintln!("// cotangent: adjoint of `{name}`\n{text}");
    }
}
