//! Identifiers of the generated code. Every local, parameter and tape of the adjoint gets
//! a distinct name with a mixed-site span: it can neither capture nor shadow a name of the
//! user's (a function `sin`), and a user variable called `d_x` or `tape` is just another
//! variable here. Constants are not hygienic in patterns (a `let g` meets a `const g`),
//! so the few fixed names the generator adds start with `__`.

use std::collections::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Body, Origin, VarId};

pub struct Names {
    pub primal: Vec<Ident>,
    pub adjoint: Vec<Ident>,
    pub tape: Vec<Ident>,
    pub witness: Vec<Ident>,
    pub shape: Vec<Ident>,
    /// The seed parameter of an active return.
    pub seed: Ident,
    /// A scratch binding for adjoints being moved.
    pub scratch: Ident,
    /// The primal result, kept before the reverse sweep.
    pub result: Ident,
    used: HashSet<String>,
}

impl Names {
    pub fn new(body: &Body) -> Names {
        let mut names = Names {
            primal: Vec::new(),
            adjoint: Vec::new(),
            tape: Vec::new(),
            witness: Vec::new(),
            shape: Vec::new(),
            seed: Ident::new("d_ret", Span::call_site()),
            scratch: Ident::new("g", Span::call_site()),
            result: Ident::new("primal", Span::call_site()),
            used: HashSet::new(),
        };
        let mut temps = 0usize;
        for info in &body.vars {
            let ident = if info.name == "self" && matches!(info.origin, Origin::Param(_)) {
                names.used.insert("self".into());
                Ident::new("self", info.span)
            } else {
                let base = match info.origin {
                    Origin::Temp => {
                        temps += 1;
                        format!("{}{temps}", sanitize(&info.name))
                    }
                    Origin::Param(_) | Origin::User | Origin::Control => sanitize(&info.name),
                };
                names.fresh(&base, info.span)
            };
            names.primal.push(ident);
        }
        for v in 0..body.vars.len() {
            let base = names.primal[v].to_string();
            let span = body.vars[v].span;
            let d = names.fresh(&format!("d_{base}"), span);
            let t = names.fresh(&format!("tape_{base}"), span);
            let w = names.fresh(&format!("w_{base}"), span);
            let s = names.fresh(&format!("shape_{base}"), span);
            names.adjoint.push(d);
            names.tape.push(t);
            names.witness.push(w);
            names.shape.push(s);
        }
        names.seed = names.fresh("d_ret", Span::call_site());
        names.scratch = names.fresh("__g", Span::call_site());
        names.result = names.fresh("__primal", Span::call_site());
        names
    }

    /// A name not used yet, with a mixed-site span located at the user's code.
    pub fn fresh(&mut self, base: &str, span: Span) -> Ident {
        let mut name = base.to_string();
        let mut k = 1;
        while self.used.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        self.used.insert(name.clone());
        Ident::new(&name, Span::mixed_site().located_at(span))
    }

    pub fn var(&self, v: VarId) -> TokenStream {
        let id = &self.primal[v];
        quote!(#id)
    }
}

fn sanitize(name: &str) -> String {
    let s: String = name
        .trim_start_matches("r#")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.as_str() {
        "" | "_" => "v".to_string(),
        "self" | "Self" | "super" | "crate" | "type" | "match" | "fn" | "mod" | "move" | "ref"
        | "impl" | "trait" | "struct" | "enum" | "use" | "where" | "async" | "await" | "dyn"
        | "loop" | "in" | "as" | "box" | "yield" | "try" | "static" | "const" | "unsafe" => {
            format!("{s}_")
        }
        _ => s,
    }
}
