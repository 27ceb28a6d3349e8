//! Step 1a: the attributes' arguments: `NAME, ACTIVITY...` of `#[autodiff_reverse]`,
//! `NAME, [WIDTH,] ACTIVITY...` of `#[autodiff_forward]`, `ACTIVITY...` of
//! `#[differentiable]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

use crate::errors::{closest, Errors};

/// How one parameter or the return value takes part in differentiation (the names and
/// meaning of nightly `std::autodiff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// Not differentiated; passed through.
    Const,
    /// A by-value float: its gradient is returned. On the return: take a seed.
    Active,
    /// A reference followed by a shadow of the same referent type.
    Duplicated,
    /// On the return only: like `Active`, without returning the primal.
    ActiveOnly,
    /// Forward mode: followed by its tangent(s) of the same type. On the return: the
    /// primal and its tangent(s).
    Dual,
    /// Forward mode: as `Dual`; on the return, the tangent(s) without the primal.
    DualOnly,
}

pub const ACTIVITY_NAMES: [&str; 4] = ["Const", "Active", "Duplicated", "ActiveOnly"];

/// Forward mode's activities.
pub const FORWARD_NAMES: [&str; 3] = ["Const", "Dual", "DualOnly"];

#[derive(Clone, Debug)]
pub struct SpannedActivity {
    pub activity: Activity,
    pub span: Span,
}

/// The parsed attribute: the adjoint's name and one activity per parameter, maybe one
/// more for the return value.
pub struct Args {
    pub name: Ident,
    pub activities: Vec<SpannedActivity>,
    /// Forward mode's number of tangents per `Dual` value (`None`: reverse mode).
    pub width: Option<usize>,
}

// from: `#[autodiff_reverse(d_f, Active, Duplicated, Active)]`
// into: `Args { name: d_f, activities: [Active, Duplicated, Active] }`
pub fn parse(attr: TokenStream, errors: &mut Errors) -> Option<Args> {
    let idents = match Punctuated::<Ident, Token![,]>::parse_terminated.parse2(attr) {
        Ok(idents) => idents,
        Err(e) => {
            errors.push(
                e.span(),
                "expected `#[autodiff_reverse(NAME, ACTIVITY, ...)]`: the adjoint's name, then one of `Const`, `Active`, `Duplicated` per parameter and `Active`, `ActiveOnly` or `Const` for a returned value",
            );
            return None;
        }
    };
    let mut idents = idents.into_iter();
    let Some(name) = idents.next() else {
        errors.push(
            Span::call_site(),
            "missing the adjoint's name: write `#[autodiff_reverse(d_f, ...)]` with one activity per parameter",
        );
        return None;
    };
    if activity_of(&name).is_some() {
        errors.push(
            name.span(),
            "the first argument is the name of the generated adjoint, e.g. `#[autodiff_reverse(d_f, Active, Active)]`",
        );
        return None;
    }
    let activities = activities(idents, &ACTIVITY_NAMES, errors);
    Some(Args {
        name,
        activities,
        width: None,
    })
}

/// A word or the width of `#[autodiff_forward(..)]`.
enum ForwardArg {
    Word(Ident),
    Width(syn::LitInt),
}

impl syn::parse::Parse for ForwardArg {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        if input.peek(syn::LitInt) {
            Ok(ForwardArg::Width(input.parse()?))
        } else {
            Ok(ForwardArg::Word(input.parse()?))
        }
    }
}

// from: `#[autodiff_forward(df, 4, Dual, Const, Dual)]`
// into: `Args { name: df, width: Some(4), activities: [Dual, Const, Dual] }`
pub fn parse_forward(attr: TokenStream, errors: &mut Errors) -> Option<Args> {
    let expected = "expected `#[autodiff_forward(NAME, [WIDTH,] ACTIVITY, ...)]`: the generated function's name, optionally the number of tangents (an integer), then one of `Const`, `Dual`, `DualOnly` per parameter and for a returned value";
    let parsed = match Punctuated::<ForwardArg, Token![,]>::parse_terminated.parse2(attr) {
        Ok(parsed) => parsed,
        Err(e) => {
            errors.push(e.span(), expected);
            return None;
        }
    };
    let mut parsed = parsed.into_iter();
    let name = match parsed.next() {
        Some(ForwardArg::Word(name)) if activity_of(&name).is_none() => name,
        Some(ForwardArg::Word(name)) => {
            errors.push(name.span(), "the first argument is the name of the generated function, e.g. `#[autodiff_forward(df, Dual, Dual)]`");
            return None;
        }
        Some(ForwardArg::Width(w)) => {
            errors.push(w.span(), "the first argument is the name of the generated function, then the width: `#[autodiff_forward(df, 4, Dual, Dual)]`");
            return None;
        }
        None => {
            errors.push(Span::call_site(), expected);
            return None;
        }
    };
    let mut width = 1;
    let mut words = Vec::new();
    for (k, arg) in parsed.enumerate() {
        match arg {
            ForwardArg::Width(w) if k == 0 => match w.base10_parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => width = n,
                Ok(_) | Err(_) => errors.push(w.span(), "the width is the number of tangents per `Dual` value: an integer from 1 to 64"),
            },
            ForwardArg::Width(w) => errors.push(w.span(), "the width comes right after the name (`#[autodiff_forward(df, 4, Dual, Dual)]`); here an activity is expected: `Const`, `Dual` or `DualOnly`"),
            ForwardArg::Word(word) => words.push(word),
        }
    }
    let activities = activities(words, &FORWARD_NAMES, errors);
    Some(Args {
        name,
        activities,
        width: Some(width),
    })
}

// from: `#[differentiable(Duplicated, Const)]`
// into: `[Duplicated, Const]`, one activity per parameter
pub fn parse_differentiable(
    attr: TokenStream,
    errors: &mut Errors,
) -> Option<Vec<SpannedActivity>> {
    let idents = match Punctuated::<Ident, Token![,]>::parse_terminated.parse2(attr) {
        Ok(idents) => idents,
        Err(e) => {
            errors.push(
                e.span(),
                "expected `#[differentiable(ACTIVITY, ...)]`: one of `Const`, `Active` (a by-value float) or `Duplicated` (a reference) per parameter, separated by commas; or `#[differentiable(custom = my_pullback)]`, or no list to infer them",
            );
            return None;
        }
    };
    let activities = activities(idents, &ACTIVITY_NAMES[..3], errors);
    for a in &activities {
        if a.activity == Activity::ActiveOnly {
            errors.push(a.span, "`ActiveOnly` applies to the returned value of `#[autodiff_reverse]`: `#[differentiable(..)]` lists the parameters only, each `Const`, `Active` or `Duplicated`");
        }
    }
    Some(activities)
}

/// One activity per identifier; an unknown one, or one of the other mode (not in `names`),
/// is an error and stands as `Const`, so that the count stays right and no second error
/// follows from it.
fn activities(
    idents: impl IntoIterator<Item = Ident>,
    names: &[&str],
    errors: &mut Errors,
) -> Vec<SpannedActivity> {
    idents
        .into_iter()
        .map(|ident| {
            let word = ident.to_string();
            let activity = match activity_of(&ident) {
                // `ActiveOnly` in `#[differentiable(..)]` gets its own message there.
                Some(a)
                    if names.contains(&word.as_str())
                        || (a == Activity::ActiveOnly && !names.contains(&"Dual")) =>
                {
                    a
                }
                Some(_) | None => {
                    errors.push(ident.span(), unknown_activity_message(&word, names));
                    Activity::Const
                }
            };
            SpannedActivity {
                activity,
                span: ident.span(),
            }
        })
        .collect()
}

fn activity_of(ident: &Ident) -> Option<Activity> {
    Some(match ident.to_string().as_str() {
        "Const" => Activity::Const,
        "Active" => Activity::Active,
        "Duplicated" => Activity::Duplicated,
        "ActiveOnly" => Activity::ActiveOnly,
        "Dual" => Activity::Dual,
        "DualOnly" => Activity::DualOnly,
        _ => return None,
    })
}

fn unknown_activity_message(word: &str, names: &[&str]) -> String {
    let forward_mode = names.contains(&"Dual");
    match word {
        "Dual" | "DualOnly" if !forward_mode => return format!(
            "`{word}` is a forward-mode activity: use `#[autodiff_forward(..)]` for tangents, or here `Duplicated` for a reference, `Active` for a by-value float, `Const` for no derivative"
        ),
        "Active" | "Duplicated" | "ActiveOnly" if forward_mode => return format!(
            "`{word}` is a reverse-mode activity: `#[autodiff_forward(..)]` takes `Dual` (followed by its tangent), `DualOnly` (on the return: the tangent without the primal) or `Const`"
        ),
        "DuplicatedOnly" => return "`DuplicatedOnly` is not supported yet: use `Duplicated`, whose primal update is computed too".to_string(),
        _ => {}
    }
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(word, names) {
        Some(best) => {
            format!("unknown activity `{word}`: did you mean `{best}`? (one of {listed})")
        }
        None => format!("unknown activity `{word}`: expected one of {listed}"),
    }
}

// from: `#[differentiable(Duplicated, Const, crate = "ad")]`
// into: `(Duplicated, Const)` and the path `ad`, taken off before the positional grammar
/// The optional trailing `crate = "path"` (serde's `#[serde(crate = "..")]`): the path of
/// the `cotangent` crate generated code uses, for a re-export or a renamed dependency.
pub fn split_crate(attr: TokenStream) -> Result<(TokenStream, Option<syn::Path>), syn::Error> {
    use proc_macro2::TokenTree;
    let mut tokens: Vec<TokenTree> = attr.into_iter().collect();
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    let n = tokens.len();
    let key = |t: &TokenTree| matches!(t, TokenTree::Ident(i) if i == "crate");
    let eq = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == '=');
    let at = match n >= 3 && key(&tokens[n - 3]) && eq(&tokens[n - 2]) {
        true => n - 3,
        false => {
            if let Some(t) = tokens.iter().find(|t| key(t)) {
                return Err(syn::Error::new(
                    t.span(),
                    "expected `crate = \"path\"` as the last argument, e.g. `crate = \"ad\"` for a dependency renamed to `ad`",
                ));
            }
            return Ok((tokens.into_iter().collect(), None));
        }
    };
    let value = &tokens[n - 1];
    let path = syn::parse2::<syn::LitStr>(value.clone().into())
        .and_then(|lit| lit.parse::<syn::Path>())
        .map_err(|_| {
            syn::Error::new(
                value.span(),
                "expected the path of the `cotangent` crate as a string, e.g. `crate = \"ad\"` or `crate = \"::my_lib::cotangent\"`",
            )
        })?;
    tokens.truncate(at);
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    Ok((tokens.into_iter().collect(), Some(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// The name, the width and the activities.
    type Parsed = (String, Option<usize>, Vec<Activity>);

    fn forward(attr: TokenStream) -> (Option<Parsed>, usize) {
        let mut errors = Errors::default();
        let args = parse_forward(attr, &mut errors).map(|a| {
            let acts = a.activities.iter().map(|s| s.activity).collect();
            (a.name.to_string(), a.width, acts)
        });
        (args, errors.into_vec().len())
    }

    #[test]
    fn forward_width_and_activities() {
        use Activity::*;
        let (args, n) = forward(quote!(df, Dual, Const, DualOnly));
        assert_eq!(n, 0);
        assert_eq!(
            args,
            Some(("df".into(), Some(1), vec![Dual, Const, DualOnly]))
        );
        let (args, n) = forward(quote!(df, 4, Dual, Dual));
        assert_eq!(n, 0);
        assert_eq!(args, Some(("df".into(), Some(4), vec![Dual, Dual])));
    }

    #[test]
    fn forward_errors_keep_the_count() {
        use Activity::*;
        // A misplaced width, a zero width and a reverse-mode activity: one error each, and
        // a bad activity stands as `Const` so that the signature check raises no second.
        let (args, n) = forward(quote!(df, Dual, 2, Active));
        assert_eq!(n, 2);
        assert_eq!(args.map(|a| a.2), Some(vec![Dual, Const]));
        let (_, n) = forward(quote!(df, 0, Dual));
        assert_eq!(n, 1);
        let (args, n) = forward(quote!(4, Dual));
        assert_eq!((args.is_none(), n), (true, 1));
        // And the reverse attribute rejects forward mode's activities.
        let mut errors = Errors::default();
        let args = parse(quote!(d_f, Dual, Active), &mut errors);
        assert_eq!(errors.into_vec().len(), 1);
        assert_eq!(args.map(|a| a.activities[0].activity), Some(Const));
    }

    #[test]
    fn crate_key_is_split_off() {
        let (rest, root) = split_crate(quote::quote!(d_f, Active, crate = "ad::x",)).unwrap();
        assert_eq!(rest.to_string(), "d_f , Active");
        assert_eq!(
            root.map(|p| quote::quote!(#p).to_string()),
            Some("ad :: x".into())
        );
        let (rest, root) = split_crate(quote::quote!(Active, custom = pb)).unwrap();
        assert_eq!(
            (rest.to_string(), root.is_none()),
            ("Active , custom = pb".into(), true)
        );
        assert!(split_crate(quote::quote!(crate = "ad", Active)).is_err());
        assert!(split_crate(quote::quote!(Active, crate = ad)).is_err());
    }
}
