//! Step 1a: the attributes' arguments: `NAME, ACTIVITY...` of `#[autodiff_reverse]`,
//! `ACTIVITY...` of `#[differentiable]`.

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
}

pub const ACTIVITY_NAMES: [&str; 4] = ["Const", "Active", "Duplicated", "ActiveOnly"];

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
    Some(Args { name, activities })
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

/// One activity per identifier; an unknown one is an error and stands as `Const`, so that
/// the count stays right and no second error follows from it.
fn activities(
    idents: impl IntoIterator<Item = Ident>,
    names: &[&str],
    errors: &mut Errors,
) -> Vec<SpannedActivity> {
    idents
        .into_iter()
        .map(|ident| {
            let activity = activity_of(&ident).unwrap_or_else(|| {
                errors.push(
                    ident.span(),
                    unknown_activity_message(&ident.to_string(), names),
                );
                Activity::Const
            });
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
        _ => return None,
    })
}

fn unknown_activity_message(word: &str, names: &[&str]) -> String {
    let forward = ["Dual", "DualOnly", "DuplicatedOnly"];
    if forward.contains(&word) {
        return format!(
            "`{word}` is not supported by cotangent, which does reverse mode only: use `Duplicated` for a reference, `Active` for a by-value float, `Const` for no derivative"
        );
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
