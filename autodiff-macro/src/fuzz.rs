//! The macro never panics on user input: a property test that expands many randomly
//! generated and mutated functions through the macro's own entry points (all three
//! attributes) and checks that
//! each gives tokens (well-formed Rust when the input was) or `compile_error!`s.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// xorshift64*: deterministic, so a failure reproduces from its case number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SCALARS: [&str; 4] = ["a", "b", "s", "t"];
const MATH: [&str; 12] = [
    "sin", "cos", "exp", "ln", "sqrt", "tanh", "abs", "atan", "cbrt", "exp_m1", "recip", "sinh",
];

fn scalar(r: &mut Rng, depth: usize) -> String {
    if depth == 0 {
        return match r.below(4) {
            0 => format!("{}.5", r.below(4)),
            1 => format!("x[{}]", r.below(3)),
            2 => "x[i % x.len()]".to_string(),
            _ => r.pick(&SCALARS).to_string(),
        };
    }
    let (p, q) = (scalar(r, depth - 1), scalar(r, depth - 1));
    match r.below(9) {
        0 => format!("({p} + {q})"),
        1 => format!("({p} * {q})"),
        2 => format!("({p} - {q})"),
        3 => format!("({p} / ({q} + 2.0))"),
        4 => format!("{p}.{}()", r.pick(&MATH)),
        5 => format!("{p}.max({q})"),
        6 => format!("f64::powi({p}, {})", r.below(4)),
        7 => format!("if {p} > {q} {{ {p} }} else {{ {q} }}"),
        _ => format!("-{p}"),
    }
}

fn statement(r: &mut Rng, depth: usize) -> String {
    let v = r.pick(&SCALARS);
    let e = scalar(r, 2);
    match r.below(if depth == 0 { 9 } else { 15 }) {
        0 => format!("{v} = {e};"),
        1 => format!("{v} += {e};"),
        2 => format!("{v} *= 0.5 + {e}.abs().min(1.0);"),
        3 => format!("buf[{}] = {e};", r.below(3)),
        4 => format!("let u = {e}; {v} -= u;"),
        5 => format!("let (p, q) = ({e}, {v}); ({v}, s) = (q * p, s + p);"),
        6 => format!("v.push({e}); {v} += v[v.len() - 1] * w[0];"),
        7 => format!(
            "{v} += match i0 % 3 {{ 0 => {e}, 1 | 2 if {v} > 0.0 => {v} * 2.0, k => k as f64 * {e} }};"
        ),
        8 => format!("let sq = |z: f64| z * {e}; {v} = sq({v}); std::mem::swap(&mut s, &mut t);"),
        9 => format!(
            "for i in 0..{} {{ {} }}",
            r.below(4),
            statement(r, depth - 1)
        ),
        10 => format!(
            "if {e} < 1.0 {{ {} }} else {{ {} }}",
            statement(r, depth - 1),
            statement(r, depth - 1)
        ),
        11 => format!(
            "let mut k = 0; while k < {} {{ k += 1; {} if {e} > 2.0 {{ break; }} }}",
            r.below(4),
            statement(r, depth - 1)
        ),
        12 => format!(
            "for i in (0..x.len()).rev() {{ if {e} > 0.0 {{ continue; }} {} }}",
            statement(r, depth - 1)
        ),
        13 => format!("if {e} > 3.0 {{ return {v}; }}"),
        _ => format!("loop {{ {} break; }}", statement(r, depth - 1)),
    }
}

fn function(r: &mut Rng) -> String {
    let body: Vec<String> = (0..1 + r.below(5)).map(|_| statement(r, 2)).collect();
    format!(
        "fn f(x: &[f64], a: f64, b: f64) -> f64 {{ let mut s = 0.0; let mut t = 1.0; let mut buf = [0.0; 3]; let mut v = vec![a]; let w: Vec<f64> = x.iter().map(|z| z * b).collect(); let i0 = x.len(); {} s + t * buf[1] + v[0] }}",
        body.join(" ")
    )
}

/// Deletes, duplicates or replaces a few token trees (at any nesting depth).
fn mutate(r: &mut Rng, tokens: TokenStream) -> TokenStream {
    let junk: [TokenStream; 8] = [
        quote!(;),
        quote!(match),
        quote!(&mut),
        quote!(..),
        quote!(?),
        quote!(| |),
        quote!(unsafe),
        quote!('a),
    ];
    let mut out = TokenStream::new();
    for tt in tokens {
        match r.below(40) {
            0 => continue,
            1 => {
                out.extend([tt.clone(), tt]);
                continue;
            }
            2 => {
                out.extend(junk[r.below(junk.len())].clone());
                continue;
            }
            _ => {}
        }
        match tt {
            TokenTree::Group(g) => {
                let inner = mutate(r, g.stream());
                out.extend([TokenTree::Group(proc_macro2::Group::new(
                    g.delimiter(),
                    inner,
                ))]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// The attribute a case goes through.
#[derive(Clone, Copy)]
enum Entry {
    Reverse,
    Forward,
    Differentiable,
}

fn expands_without_panic(
    attr: TokenStream,
    item: TokenStream,
    entry: Entry,
) -> Result<TokenStream, String> {
    std::panic::catch_unwind(|| match entry {
        Entry::Differentiable => crate::expand::differentiable(attr, item),
        Entry::Reverse => crate::expand::autodiff_reverse(attr, item),
        Entry::Forward => crate::expand::autodiff_forward(attr, item),
    })
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn generated_functions_expand_to_well_formed_rust() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..150 {
        let source = function(&mut r);
        let item: TokenStream = source.parse().expect("the generator writes valid Rust");
        let (attr, entry) = match case % 6 {
            0 => (TokenStream::new(), Entry::Differentiable),
            3 => (quote!(forward), Entry::Differentiable),
            1 | 4 => (quote!(d_f, Dual, Dual, Const, Dual), Entry::Forward),
            _ => (
                quote!(d_f, Duplicated, Active, Const, Active),
                Entry::Reverse,
            ),
        };
        let out = expands_without_panic(attr, item, entry)
            .unwrap_or_else(|e| panic!("case {case} panicked: {e}\n{source}"));
        let text = out.to_string();
        assert!(
            !text.contains("compile_error"),
            "case {case} was rejected:\n{source}\n{text}"
        );
        syn::parse2::<syn::File>(out)
            .unwrap_or_else(|e| panic!("case {case}: malformed output ({e})\n{source}"));
    }
}

#[test]
fn mutated_functions_never_panic() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let attrs = [
        quote!(d_f, Duplicated, Active, Const, Active),
        quote!(d_f, Active),
        quote!(),
        quote!(d_f, Dupe, Active, Const, Active),
        quote!(Active, Active),
        // `#[differentiable]` lists, good and bad (each also goes to `autodiff_reverse`)
        quote!(Duplicated, Active, Active),
        quote!(Duplicate, Const, Active),
        quote!(Duplicated Active, Active),
        quote!(ActiveOnly, Const, Const),
        quote!(custom = f_pullback),
        quote!(custom =),
        // `#[autodiff_forward]`, good and bad
        quote!(d_f, Dual, Dual, Const, DualOnly),
        quote!(d_f, 4, Dual, Const, Dual, Dual),
        quote!(d_f, Dual, 2, Dual),
        quote!(d_f, 0, Active),
        quote!(forward, Duplicated, Active, Active),
    ];
    for case in 0..1000 {
        let source = function(&mut r);
        let item = mutate(&mut r, source.parse().expect("valid"));
        let attr = attrs[r.below(attrs.len())].clone();
        let shown = item.to_string();
        let entry = match case % 4 {
            0 => Entry::Differentiable,
            1 => Entry::Forward,
            _ => Entry::Reverse,
        };
        let out = expands_without_panic(attr, item, entry)
            .unwrap_or_else(|e| panic!("case {case} panicked: {e}\n{shown}"));
        assert!(!out.is_empty(), "case {case}: no output");
    }
}
