//! `#[derive(Differentiable)]`: a user struct or enum becomes a value that carries a
//! derivative, by implementing the runtime's `Adjoint` field by field.
//!
//! Generated code never names a struct's fields by type: adjoints of locals are made with
//! `zero_like(&v)`, added with `accumulate` and reset with `zero_out`, so one trait impl
//! per user type is all a struct needs to be read, built, passed and returned in a
//! differentiated body. A field whose type has no `Adjoint` impl is a compile error at
//! that field (the trait's `on_unimplemented` note says what to do); a field marked
//! `#[cotangent(skip)]` is inert: its adjoint is a clone of its value, never added to.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The entry point: the impl, or the spanned errors.
pub fn derive(input: TokenStream) -> TokenStream {
    let item: syn::DeriveInput = match syn::parse2(input) {
        Ok(item) => item,
        Err(e) => return e.to_compile_error(),
    };
    match expand(&item) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

// from: `#[derive(Differentiable)] struct P<T> { x: T, n: usize }`
// into: `impl<T> Adjoint for P<T> where T: Adjoint, for<'c> usize: Adjoint { .. }`, the
//       `Snapshot` and `TypeZero` impls, and one check per field type naming no parameter
fn expand(item: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let p = crate::paths::private();
    let name = &item.ident;
    let (body, bounds) = match &item.data {
        syn::Data::Struct(s) => (struct_body(&s.fields)?, field_types(&s.fields)?),
        syn::Data::Enum(e) if e.variants.is_empty() => {
            return Err(syn::Error::new(
                item.ident.span(),
                "`Differentiable` needs an enum with at least one variant: an enum without variants holds no value",
            ))
        }
        syn::Data::Enum(e) => {
            let mut types = Vec::new();
            for v in &e.variants {
                types.extend(field_types(&v.fields)?);
            }
            (enum_body(e)?, types)
        }
        syn::Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "`Differentiable` cannot be derived for a union: use a struct, or an enum whose variants carry the floats",
            ))
        }
    };
    let mut generics = item.generics.clone();
    let params: Vec<&syn::Ident> = item.generics.type_params().map(|t| &t.ident).collect();
    // `struct P<T> { x: T, v: Vec<T> }`: `T: Adjoint` and `Vec<T>: Adjoint` (fields whose
    // types name no parameter need no bound); an enum's `Shape` is the enum itself.
    // Other field types get a higher-ranked bound, which keeps the impl free of errors,
    // and one check each, so that a field that cannot carry a derivative is one error
    // at its type.
    let wc = generics.make_where_clause();
    let mut checks = TokenStream::new();
    for ty in &bounds {
        if mentions(ty, &params) {
            wc.predicates.push(syn::parse_quote!(#ty: #p::Adjoint));
        } else {
            wc.predicates
                .push(syn::parse_quote!(for<'__cotangent> #ty: #p::Adjoint));
            checks.extend(quote_spanned!(ty.span()=> let _ = differentiable_field::<#ty>;));
        }
    }
    let checks = (!checks.is_empty()).then(|| {
        quote! {
            const _: () = {
                fn differentiable_field<T: ?::core::marker::Sized + #p::Adjoint>() {}
                #checks
            };
        }
    });
    if matches!(item.data, syn::Data::Enum(_)) {
        wc.predicates.push(syn::parse_quote!(Self: 'static));
    }
    let (imp, ty, wc) = generics.split_for_impl();
    let type_zero = match &item.data {
        syn::Data::Struct(s) => Some(type_zero(name, &generics, &s.fields)?),
        syn::Data::Enum(_) | syn::Data::Union(_) => None,
    };
    let snapshot = snapshot(name, &generics);
    Ok(quote! {
        #[automatically_derived]
        impl #imp #p::Adjoint for #name #ty #wc {
            #body
        }
        #snapshot
        #type_zero
        #checks
    })
}

// from: `struct P { .. }`
// into: `impl Snapshot for P where for<'c> Self: Clone { type Elem = Self; .. }`: a `&mut`
//       argument of this type is recorded for a helper's pullback. The bound is
//       higher-ranked so that a struct without `Clone` still compiles (and is never
//       recorded): a plain `P: Clone` that does not hold is an error at the impl
fn snapshot(name: &syn::Ident, generics: &syn::Generics) -> TokenStream {
    let p = crate::paths::private();
    let mut generics = generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(for<'__cotangent> Self: ::core::clone::Clone));
    let (imp, ty, wc) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #imp #p::Snapshot for #name #ty #wc {
            type Elem = Self;
            type View = Self;
            #[inline]
            fn save(&self, into: &mut #p::Vec<Self>) {
                into.push(::core::clone::Clone::clone(self));
            }
            #[inline]
            fn view(from: &[Self]) -> &Self {
                &from[0]
            }
            #[inline]
            fn restore(&mut self, from: &[Self]) {
                ::core::clone::Clone::clone_from(self, &from[0]);
            }
        }
    }
}

// from: `struct P { x: f64, a: [f64; 2], #[cotangent(skip)] k: Kind }`
// into: `impl TypeZero for P where for<'c> f64: TypeZero, .. { fn type_zero() -> Self {
//       P { x: TypeZero::type_zero(), .., k: Default::default() } } }`: only usable when
//       every field has a zero its type alone determines (no `Vec`), as the
//       higher-ranked bounds say without making the impl an error otherwise
fn type_zero(
    name: &syn::Ident,
    generics: &syn::Generics,
    fields: &syn::Fields,
) -> syn::Result<TokenStream> {
    let p = crate::paths::private();
    let mut generics = generics.clone();
    let wc = generics.make_where_clause();
    let fs = fields_of(fields)?;
    for f in &fs {
        let ty = &f.ty;
        wc.predicates.push(match f.skip {
            true => syn::parse_quote!(for<'__cotangent> #ty: ::core::default::Default),
            false => syn::parse_quote!(for<'__cotangent> #ty: #p::TypeZero),
        });
    }
    let (imp, ty, wc) = generics.split_for_impl();
    let zero = |adjoint: bool| -> Vec<TokenStream> {
        fs.iter()
            .map(|f| {
                let m = &f.member;
                match (f.skip, adjoint) {
                    (true, _) => quote!(#m: ::core::default::Default::default()),
                    (false, true) => quote!(#m: #p::TypeZero::adjoint_zero()),
                    (false, false) => quote!(#m: #p::TypeZero::type_zero()),
                }
            })
            .collect()
    };
    let (types, adjoints) = (zero(false), zero(true));
    Ok(quote! {
        #[automatically_derived]
        impl #imp #p::TypeZero for #name #ty #wc {
            #[inline]
            fn type_zero() -> Self { Self { #(#types),* } }
            #[inline]
            fn adjoint_zero() -> Self { Self { #(#adjoints),* } }
        }
    })
}

/// The types of the fields that carry a derivative (not `#[cotangent(skip)]`).
fn field_types(fields: &syn::Fields) -> syn::Result<Vec<syn::Type>> {
    let mut out = Vec::new();
    for f in fields {
        if !skipped(f)? {
            out.push(f.ty.clone());
        }
    }
    Ok(out)
}

/// `#[cotangent(skip)]`; any other `#[cotangent(..)]` is an error.
fn skipped(field: &syn::Field) -> syn::Result<bool> {
    let mut skip = false;
    for attr in field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("cotangent"))
    {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error("unknown `cotangent` field option: write `#[cotangent(skip)]` for a field that carries no derivative"))
            }
        })?;
    }
    Ok(skip)
}

/// Whether `ty` names one of the type parameters.
fn mentions(ty: &syn::Type, params: &[&syn::Ident]) -> bool {
    let text = quote!(#ty).to_string();
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| params.iter().any(|p| *p == word))
}

/// One field: how it is named in `self.#member` and in a constructor.
struct Field {
    member: syn::Member,
    ty: syn::Type,
    skip: bool,
    span: Span,
}

fn fields_of(fields: &syn::Fields) -> syn::Result<Vec<Field>> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let member = match &f.ident {
            Some(id) => syn::Member::Named(id.clone()),
            None => syn::Member::Unnamed(syn::Index {
                index: i as u32,
                span: f.ty.span(),
            }),
        };
        out.push(Field {
            member,
            ty: f.ty.clone(),
            skip: skipped(f)?,
            span: f.ty.span(),
        });
    }
    Ok(out)
}

// from: `struct P { x: f64, v: Vec<f64>, #[cotangent(skip)] k: Kind }`
// into: `fn zero_like(&self) -> Self { P { x: Adjoint::zero_like(&self.x), v: .., k:
//       Clone::clone(&self.k) } }`, `accumulate` / `zero_out` / `normalize_zero` of each
//       field that is not skipped, and `Shape` the tuple of the fields' shapes
fn struct_body(fields: &syn::Fields) -> syn::Result<TokenStream> {
    let p = crate::paths::private();
    let fs = fields_of(fields)?;
    let each = |f: &Field, op: &dyn Fn(&syn::Member) -> TokenStream| -> TokenStream {
        match f.skip {
            true => TokenStream::new(),
            false => op(&f.member),
        }
    };
    let accumulate = fs.iter().map(|f| {
        each(
            f,
            &|m| quote_spanned!(f.span=> #p::Adjoint::accumulate(&mut self.#m, other.#m);),
        )
    });
    let zero_out = fs
        .iter()
        .map(|f| each(f, &|m| quote!(#p::Adjoint::zero_out(&mut self.#m);)));
    let normalize = fs
        .iter()
        .map(|f| each(f, &|m| quote!(#p::Adjoint::normalize_zero(&mut self.#m);)));
    let zero = fs.iter().map(|f| {
        let m = &f.member;
        match f.skip {
            true => quote_spanned!(f.span=> #m: ::core::clone::Clone::clone(&self.#m)),
            false => quote_spanned!(f.span=> #m: #p::Adjoint::zero_like(&self.#m)),
        }
    });
    let shape_types = fs.iter().map(|f| {
        let ty = &f.ty;
        match f.skip {
            true => quote_spanned!(f.span=> #ty),
            false => quote_spanned!(f.span=> <#ty as #p::Adjoint>::Shape),
        }
    });
    let shapes = fs.iter().map(|f| {
        let m = &f.member;
        match f.skip {
            true => quote!(::core::clone::Clone::clone(&self.#m)),
            false => quote!(#p::Adjoint::shape(&self.#m)),
        }
    });
    let from_shape = fs.iter().enumerate().map(|(k, f)| {
        let (m, ty, k) = (&f.member, &f.ty, syn::Index::from(k));
        match f.skip {
            true => quote!(#m: ::core::clone::Clone::clone(&shape.#k)),
            false => quote!(#m: <#ty as #p::Adjoint>::zero_of_shape(&shape.#k)),
        }
    });
    Ok(quote! {
        #[inline]
        fn zero_like(&self) -> Self { Self { #(#zero),* } }
        #[inline]
        #[allow(unused_variables)]
        fn accumulate(&mut self, other: Self) { #(#accumulate)* }
        #[inline]
        fn zero_out(&mut self) { #(#zero_out)* }
        #[inline]
        fn normalize_zero(&mut self) { #(#normalize)* }
        type Shape = (#(#shape_types,)*);
        #[inline]
        fn shape(&self) -> Self::Shape { (#(#shapes,)*) }
        #[inline]
        fn zero_of_shape(shape: &Self::Shape) -> Self { Self { #(#from_shape),* } }
    })
}

// from: `enum Shape { Circle(f64), Rect { w: f64, h: f64 }, Empty }`
// into: `match self { Self::Circle(a0) => Self::Circle(Adjoint::zero_like(a0)), .. }` and
//       an `accumulate` that adds the payloads of the same variant (an adjoint of another
//       variant is a zero: the value took one branch); `Shape` is a zero of the enum
fn enum_body(e: &syn::DataEnum) -> syn::Result<TokenStream> {
    let p = crate::paths::private();
    let mut zero = Vec::new();
    let mut acc = Vec::new();
    let mut reset = Vec::new();
    let mut normalize = Vec::new();
    for v in &e.variants {
        let fs = fields_of(&v.fields)?;
        let var = &v.ident;
        let mine: Vec<_> = (0..fs.len()).map(|k| format_ident!("a{}", k)).collect();
        let theirs: Vec<_> = (0..fs.len()).map(|k| format_ident!("b{}", k)).collect();
        let members: Vec<_> = fs.iter().map(|f| &f.member).collect();
        let pat = |names: &[syn::Ident]| quote!(Self::#var { #(#members: #names),* });
        let (pm, pt) = (pat(&mine), pat(&theirs));
        let zeros = fs.iter().zip(&mine).map(|(f, a)| match f.skip {
            true => quote_spanned!(f.span=> ::core::clone::Clone::clone(#a)),
            false => quote_spanned!(f.span=> #p::Adjoint::zero_like(#a)),
        });
        zero.push(quote!(#pm => Self::#var { #(#members: #zeros),* },));
        let active: Vec<_> = fs
            .iter()
            .zip(&mine)
            .zip(&theirs)
            .filter(|((f, _), _)| !f.skip)
            .collect();
        let adds = active
            .iter()
            .map(|((_, a), b)| quote!(#p::Adjoint::accumulate(#a, #b);));
        let resets = active
            .iter()
            .map(|((_, a), _)| quote!(#p::Adjoint::zero_out(#a);));
        let norms = active
            .iter()
            .map(|((_, a), _)| quote!(#p::Adjoint::normalize_zero(#a);));
        acc.push(quote!((#pm, #pt) => { #(#adds)* }));
        reset.push(quote!(#pm => { #(#resets)* }));
        normalize.push(quote!(#pm => { #(#norms)* }));
    }
    let other_variant = (e.variants.len() > 1).then(|| quote!(_ => {}));
    Ok(quote! {
        #[inline]
        #[allow(unused_variables)]
        fn zero_like(&self) -> Self { match self { #(#zero)* } }
        #[inline]
        #[allow(unused_variables)]
        fn accumulate(&mut self, other: Self) { match (self, other) { #(#acc)* #other_variant } }
        #[inline]
        #[allow(unused_variables)]
        fn zero_out(&mut self) { match self { #(#reset)* } }
        #[inline]
        #[allow(unused_variables)]
        fn normalize_zero(&mut self) { match self { #(#normalize)* } }
        type Shape = Self;
        #[inline]
        fn shape(&self) -> Self { #p::Adjoint::zero_like(self) }
        #[inline]
        fn zero_of_shape(shape: &Self) -> Self { #p::Adjoint::zero_like(shape) }
    })
}
