use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{adjoint, differentiable, needs, table, tangent, Needs};
use crate::prim::{BinOp, MathFn, OtherOp, Prim};

fn operands(n: usize) -> Vec<TokenStream> {
    (0..n)
        .map(|j| {
            let id = format_ident!("a{j}");
            quote!(#id)
        })
        .collect()
}

fn tangents(n: usize, active: &[usize]) -> Vec<Option<TokenStream>> {
    (0..n)
        .map(|j| {
            let id = format_ident!("da{j}");
            active.contains(&j).then(|| quote!(#id))
        })
        .collect()
}

/// Every primitive with its number of operands.
fn all() -> Vec<(Prim, usize)> {
    let bins = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::Rem];
    let mut out: Vec<(Prim, usize)> = bins.into_iter().map(|b| (Prim::Bin(b), 2)).collect();
    out.extend([(Prim::Neg, 1), (Prim::FloatCast, 1)]);
    out.extend(MathFn::ALL.iter().map(|&f| (Prim::Math(f), f.arity())));
    out
}

fn idents(t: &TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    super::idents_in(t.clone(), &mut out);
    out
}

fn tangent_of(prim: Prim, n: usize, active: &[usize]) -> String {
    let y = quote!(y);
    tangent(prim, &operands(n), &y, &tangents(n, active))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn s(t: TokenStream) -> String {
    t.to_string()
}

#[test]
fn every_operand_has_an_entry_or_a_zero_derivative() {
    use MathFn::*;
    let zero = |f: MathFn, k: usize| {
        matches!(f, Signum | Floor | Ceil | Round | Trunc)
            || (f == Powi && k == 1)
            || (f == Copysign && k == 1)
    };
    for &f in MathFn::ALL {
        for k in 0..f.arity() {
            assert_eq!(
                f.differentiable_arg(k),
                !zero(f, k),
                "{}: operand {k}",
                f.name()
            );
        }
    }
    for (prim, n) in all() {
        let (a, y, g) = (operands(n), quote!(y), quote!(seed));
        for k in 0..n {
            let Some(p) = table::partial(prim, k, &a, &y, &g) else {
                continue;
            };
            // Linear in the seed: the term uses it, a branch condition does not.
            assert!(idents(&p.term).contains(&"seed".into()), "{prim:?} {k}");
            if let Some(c) = &p.when {
                assert!(!idents(c).contains(&"seed".into()), "{prim:?} {k}");
            }
            // It reads only operands the primitive has.
            assert!((n..3).all(|j| !needs(prim, k).arg(j)), "{prim:?} {k}");
        }
    }
    assert!(!differentiable(Prim::Bin(BinOp::Other(OtherOp::Lt)), 0));
}

#[test]
fn generated_code_parses() {
    for (prim, n) in all() {
        let (a, y, g, adj) = (operands(n), quote!(y), quote!(g), quote!(d[i]));
        for k in 0..n {
            let stmt = adjoint(prim, k, &a, &y, &g, &adj);
            if !stmt.is_empty() {
                syn::parse2::<syn::Stmt>(stmt).expect("a statement");
            }
        }
        let all_active: Vec<usize> = (0..n).collect();
        if let Some(t) = tangent(prim, &a, &y, &tangents(n, &all_active)) {
            syn::parse2::<syn::Expr>(t).expect("an expression");
        }
    }
}

#[test]
fn reverse_statements() {
    let (a, y, g, adj) = (operands(3), quote!(y), quote!(g), quote!(adj));
    let rev = |p: Prim, k: usize| s(adjoint(p, k, &a, &y, &g, &adj));
    let r = quote!(::cotangent::__private::rules);
    assert_eq!(rev(Prim::Bin(BinOp::Mul), 0), s(quote!(adj += g * a1;)));
    assert_eq!(rev(Prim::Bin(BinOp::Div), 1), s(quote!(adj -= g * y / a1;)));
    assert_eq!(rev(Prim::Neg, 0), s(quote!(adj -= g;)));
    assert_eq!(
        rev(Prim::FloatCast, 0),
        s(quote!(::cotangent::__private::accumulate_cast(&mut adj, g);))
    );
    assert_eq!(
        rev(Prim::Math(MathFn::Sqrt), 0),
        s(quote!(if #r::nonzero(g) { adj += g / (2.0 * y); }))
    );
    assert_eq!(
        rev(Prim::Math(MathFn::Max), 1),
        s(quote!(if !#r::max_takes_receiver(a0, a1) { adj += g; }))
    );
    assert_eq!(
        rev(Prim::Math(MathFn::Clamp), 2),
        s(quote!(if #r::clamp_branch(a0, a1, a2) == 2u8 { adj += g; }))
    );
    assert!(rev(Prim::Math(MathFn::Floor), 0).is_empty());
    assert!(rev(Prim::Math(MathFn::Powi), 1).is_empty());
}

#[test]
fn needs_per_operand() {
    let n = |p: Prim, k: usize| {
        let d = needs(p, k);
        ((0..3).filter(|j| d.arg(*j)).collect::<Vec<_>>(), d.result)
    };
    use MathFn::*;
    // `a * b`: each operand's adjoint reads the other one only.
    assert_eq!(n(Prim::Bin(BinOp::Mul), 0), (vec![1], false));
    assert_eq!(n(Prim::Bin(BinOp::Mul), 1), (vec![0], false));
    // `a / b`: the numerator's reads `b`; the denominator's `b` and `y`.
    assert_eq!(n(Prim::Bin(BinOp::Div), 0), (vec![1], false));
    assert_eq!(n(Prim::Bin(BinOp::Div), 1), (vec![1], true));
    assert_eq!(n(Prim::Bin(BinOp::Rem), 0), (vec![], false));
    assert_eq!(n(Prim::Bin(BinOp::Add), 1), (vec![], false));
    assert_eq!(n(Prim::Math(Exp), 0), (vec![], true));
    assert_eq!(n(Prim::Math(Sin), 0), (vec![0], false));
    assert_eq!(n(Prim::Math(Hypot), 1), (vec![1], true));
    assert_eq!(n(Prim::Math(Powf), 0), (vec![0, 1], false));
    assert_eq!(n(Prim::Math(Powf), 1), (vec![0], true));
    assert_eq!(n(Prim::Math(MulAdd), 2), (vec![], false));
    assert_eq!(n(Prim::Math(Clamp), 1), (vec![0, 1, 2], false));
    assert_eq!(needs(Prim::Math(Floor), 0), Needs::default());
}

#[test]
fn forward_tangents() {
    use MathFn::*;
    let r = quote!(::cotangent::__private::rules);
    let zero = quote!(::core::default::Default::default());
    let t = tangent_of;
    assert_eq!(t(Prim::Math(Sin), 1, &[0]), s(quote!(da0 * a0.cos())));
    assert_eq!(t(Prim::Math(Exp), 1, &[0]), s(quote!(da0 * y)));
    assert_eq!(t(Prim::Math(Cos), 1, &[0]), s(quote!(-(da0 * a0.sin()))));
    assert_eq!(
        t(Prim::Bin(BinOp::Mul), 2, &[0, 1]),
        s(quote!((da0 * a1) + (da1 * a0)))
    );
    assert_eq!(t(Prim::Bin(BinOp::Mul), 2, &[1]), s(quote!(da1 * a0)));
    assert_eq!(t(Prim::Bin(BinOp::Sub), 2, &[0, 1]), s(quote!(da0 - da1)));
    assert_eq!(t(Prim::Bin(BinOp::Sub), 2, &[1]), s(quote!(-da1)));
    assert_eq!(
        t(Prim::Bin(BinOp::Div), 2, &[0, 1]),
        s(quote!((da0 / a1) - (da1 * y / a1)))
    );
    assert_eq!(t(Prim::Neg, 1, &[0]), s(quote!(-da0)));
    assert_eq!(
        t(Prim::FloatCast, 1, &[0]),
        s(quote!(#r::cast_like(da0, y)))
    );
    // A zero tangent through sqrt(0) stays 0: the guard of the reverse rule.
    assert_eq!(
        t(Prim::Math(Sqrt), 1, &[0]),
        s(quote!(if #r::nonzero(da0) { da0 / (2.0 * y) } else { da0 }))
    );
    assert_eq!(
        t(Prim::Math(Powf), 2, &[0, 1]),
        s(quote!(
            (if #r::nonzero(da0) { #r::powf_base(a0, a1, da0) } else { da0 })
                + (if #r::nonzero(da1) { #r::powf_exponent(a0, y, da1) } else { da1 })
        ))
    );
    // The branch the primal took.
    assert_eq!(
        t(Prim::Math(Max), 2, &[0, 1]),
        s(quote!(
            (if #r::max_takes_receiver(a0, a1) { da0 } else { #zero })
                + (if !#r::max_takes_receiver(a0, a1) { da1 } else { #zero })
        ))
    );
    assert_eq!(
        t(Prim::Math(Clamp), 3, &[0]),
        s(quote!(if #r::clamp_branch(a0, a1, a2) == 0u8 { da0 } else { #zero }))
    );
    assert_eq!(
        t(Prim::Math(Powi), 2, &[0, 1]),
        s(quote!(#r::powi(a0, a1, da0)))
    );
    // Inactive operands and zero derivatives contribute nothing.
    assert_eq!(t(Prim::Math(Powi), 2, &[1]), "");
    assert_eq!(t(Prim::Math(Floor), 1, &[0]), "");
    assert_eq!(t(Prim::Bin(BinOp::Add), 2, &[]), "");
}

/// The file `tests/forward_rules.rs` includes: for every primitive, a function from the
/// operands and their tangents to the primal and the tangent `rules::tangent` writes, so
/// that forward mode's expressions are compiled (for `f32` and `f64`) and checked against
/// finite differences before forward mode exists.
fn tangent_functions() -> String {
    let mut items = TokenStream::new();
    let mut entries = TokenStream::new();
    for (prim, n) in all() {
        let name = match prim {
            Prim::Bin(op) => format!("{op:?}").to_lowercase(),
            Prim::Math(f) => f.name().to_string(),
            Prim::Neg => "neg".into(),
            // Its result has another type: `rules::cast_like` is tested in the runtime.
            Prim::FloatCast => continue,
        };
        let a = operands(n);
        let active: Vec<usize> = (0..n).filter(|&k| differentiable(prim, k)).collect();
        let y = quote!(y);
        let primal = match prim {
            Prim::Bin(op) => {
                let sym: TokenStream = match op {
                    BinOp::Add => quote!(+),
                    BinOp::Sub => quote!(-),
                    BinOp::Mul => quote!(*),
                    BinOp::Div => quote!(/),
                    _ => quote!(%),
                };
                quote!(a0 #sym a1)
            }
            Prim::Neg => quote!(-a0),
            Prim::Math(f) => {
                let method = format_ident!("{}", f.name());
                let rest = &a[1..];
                quote!(a0.#method(#(#rest),*))
            }
            Prim::FloatCast => unreachable!(),
        };
        let dot = tangent(prim, &a, &y, &tangents(n, &active)).unwrap_or_else(|| quote!(0.0));
        let int = (prim == Prim::Math(MathFn::Powi)).then(|| quote!(let a1 = a1 as i32;));
        let f = format_ident!("{name}");
        items.extend(quote! {
            pub fn #f(a: [T; 3], da: [T; 3]) -> (T, T) {
                let [a0, a1, a2] = a;
                let [da0, da1, da2] = da;
                #int
                let y: T = #primal;
                (y, #dot)
            }
        });
        entries.extend(quote!((#name, #n, &[#(#active),*], #f),));
    }
    let file: syn::File = syn::parse2(quote! {
        #items
        /// Name, number of operands, operands with a derivative, function.
        pub const PRIMS: &[(&str, usize, &[usize], fn([T; 3], [T; 3]) -> (T, T))] = &[#entries];
    })
    .expect("tangent functions parse");
    format!(
        "// @generated by `rules::tests::tangent_functions_are_current` in autodiff-macro\n\
         // (`COTANGENT_BLESS=1 cargo test -p autodiff-macro` rewrites it): the tangent of\n\
         // every primitive as `rules::tangent` writes it, for `tests/forward_rules.rs`.\n\n{}",
        prettyplease::unparse(&file)
    )
}

#[test]
fn tangent_functions_are_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/tangents.rs");
    let text = tangent_functions();
    if std::env::var_os("COTANGENT_BLESS").is_some() {
        std::fs::write(path, &text).expect("write tests/data/tangents.rs");
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == text,
        "tests/data/tangents.rs is out of date: run `COTANGENT_BLESS=1 cargo test -p autodiff-macro rules`"
    );
}

#[test]
fn typed_literals_in_generic_functions() {
    let a = operands(3);
    let (y, g, adj) = (quote!(y), quote!(g), quote!(d));
    let sqrt = adjoint(Prim::Math(MathFn::Sqrt), 0, &a, &y, &g, &adj);
    let typed = super::typed_literals(sqrt, &g).to_string();
    assert!(typed.contains("rules :: lit (g , 2.0)"), "{typed}");
    // Integer literals stay: `powi`'s exponent, `clamp`'s branch.
    let clamp = adjoint(Prim::Math(MathFn::Clamp), 2, &a, &y, &g, &adj);
    let kept = super::typed_literals(clamp.clone(), &g).to_string();
    assert_eq!(kept, clamp.to_string());
    let suffixed = super::typed_literals(quote!(g * 2.0f32 + 3), &g).to_string();
    assert_eq!(suffixed, quote!(g * 2.0f32 + 3).to_string());
}
