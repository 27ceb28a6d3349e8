//! The one place generated paths start: the `cotangent` crate as the user's crate names
//! it. A leaf, like `prim`: every module may use it, it uses nothing of the crate.

use proc_macro2::TokenStream;
use quote::quote;

thread_local! {
    /// The path of the `cotangent` crate for the expansion under way (`with_root`).
    static ROOT: std::cell::RefCell<Option<TokenStream>> = const { std::cell::RefCell::new(None) };
}

/// Runs one expansion with `root` as the path of the `cotangent` crate: the attribute's
/// `crate = ".."`, else the name the user's Cargo.toml gives the dependency
/// (`ad = { package = "cotangent" }` gives `::ad`), else `::cotangent`.
pub fn with_root<R>(root: Option<syn::Path>, expand: impl FnOnce() -> R) -> R {
    let root = root.map_or_else(dependency_name, |p| quote!(#p));
    let previous = ROOT.with(|r| r.replace(Some(root)));
    let out = expand();
    ROOT.with(|r| *r.borrow_mut() = previous);
    out
}

/// `::cotangent`, or the renamed dependency's name. Cotangent's own tests and examples are
/// crates of their own that depend on it by its name (`FoundCrate::Itself`).
fn dependency_name() -> TokenStream {
    use proc_macro_crate::{crate_name, FoundCrate};
    match crate_name("cotangent") {
        Ok(FoundCrate::Name(name)) => {
            let name = syn::Ident::new(&name, proc_macro2::Span::call_site());
            quote!(::#name)
        }
        Ok(FoundCrate::Itself) | Err(_) => quote!(::cotangent),
    }
}

/// The path of the `cotangent` crate every generated path starts with (`with_root`).
pub fn root() -> TokenStream {
    ROOT.with(|r| r.borrow().clone())
        .unwrap_or_else(|| quote!(::cotangent))
}

/// The runtime's hidden module: `::cotangent::__private`.
pub fn private() -> TokenStream {
    let root = root();
    quote!(#root::__private)
}

/// The runtime's derivative rules: `::cotangent::__private::rules`.
pub fn rules() -> TokenStream {
    let p = private();
    quote!(#p::rules)
}
