//! Step 1a: the attribute's arguments, `NAME, ACTIVITY...`.

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
    let idents = match Punctuated::<Ident, Token![,]>::parse_terminated.parse2(attr.clone()) {
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
    if let Some(activity) = activity_of(&name) {
        let _ = activity;
        errors.push(
            name.span(),
            "the first argument is the name of the generated adjoint, e.g. `#[autodiff_reverse(d_f, Active, Active)]`",
        );
        return None;
    }
    let mut activities = Vec::new();
    for ident in idents {
        match activity_of(&ident) {
            Some(activity) => activities.push(SpannedActivity {
                activity,
                span: ident.span(),
            }),
            None => {
                errors.push(ident.span(), unknown_activity_message(&ident.to_string()));
                // Keep the count right so that no second error follows from this one.
                activities.push(SpannedActivity {
                    activity: Activity::Const,
                    span: ident.span(),
                });
            }
        }
    }
    Some(Args { name, activities })
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

fn unknown_activity_message(word: &str) -> String {
    let forward = ["Dual", "DualOnly", "DuplicatedOnly"];
    if forward.contains(&word) {
        return format!(
            "`{word}` is not supported by cotangent, which does reverse mode only: use `Duplicated` for a reference, `Active` for a by-value float, `Const` for no derivative"
        );
    }
    match closest(word, &ACTIVITY_NAMES) {
        Some(best) => format!(
            "unknown activity `{word}`: did you mean `{best}`? (one of `Const`, `Active`, `Duplicated`, `ActiveOnly`)"
        ),
        None => format!(
            "unknown activity `{word}`: expected one of `Const`, `Active`, `Duplicated`, `ActiveOnly`"
        ),
    }
}
