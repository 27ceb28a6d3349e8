//! Collects every error of an expansion, so one build reports all independent mistakes
//! (serde_derive's `Ctxt`), each spanned at the user's code.
//!
//! A collector must be consumed: [`Errors::check`],
//! [`Errors::into_compile_errors`], [`Errors::append`] (into another collector) or, for
//! errors that are deliberately not reported, [`Errors::discard`]. Dropping one unconsumed
//! is a bug of the macro (an error the user would never see) and panics in debug builds.

use proc_macro2::{Span, TokenStream};
use std::fmt::Display;

#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
    consumed: bool,
}

impl Errors {
    pub fn push(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub fn push_spanned(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Moves `other`'s errors into this collector, consuming `other`.
    pub fn append(&mut self, mut other: Errors) {
        self.errors.append(&mut other.take());
    }

    /// `Ok` when no error was collected, else the collector back, still to be consumed
    /// (`errors.check().map(|()| tokens)`).
    pub fn check(mut self) -> Result<(), Errors> {
        if self.errors.is_empty() {
            self.consumed = true;
            Ok(())
        } else {
            Err(self)
        }
    }

    /// One `compile_error!` per collected error.
    pub fn into_compile_errors(mut self) -> TokenStream {
        self.take()
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }

    /// The collected errors one by one (to report them with more context).
    pub fn into_vec(mut self) -> Vec<syn::Error> {
        self.take()
    }

    /// Drops the errors on purpose: `why` says why the user need not see them (kept at
    /// the call so that every silenced error is a documented decision).
    pub fn discard(mut self, why: &str) {
        let _ = why;
        self.take();
    }

    fn take(&mut self) -> Vec<syn::Error> {
        self.consumed = true;
        std::mem::take(&mut self.errors)
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && !self.consumed && !std::thread::panicking() {
            panic!(
                "cotangent: an `Errors` collector was dropped without being consumed ({} error(s) would be lost): call `check`, `into_compile_errors`, `append` or `discard`",
                self.errors.len()
            );
        }
    }
}
/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca.eq_ignore_ascii_case(cb) {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_activity() {
        let names = ["Const", "Active", "Duplicated", "ActiveOnly"];
        assert_eq!(closest("Duplicate", &names), Some("Duplicated"));
        assert_eq!(closest("active", &names), Some("Active"));
        assert_eq!(closest("Banana", &names), None);
    }

    fn two_errors() -> Errors {
        let mut errors = Errors::default();
        errors.push(Span::call_site(), "first");
        errors.push(Span::call_site(), "second");
        errors
    }

    #[test]
    fn check_gives_back_every_error() {
        assert!(Errors::default().check().is_ok());
        let back = two_errors().check().expect_err("errors were collected");
        let messages: Vec<String> = back.into_vec().iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn consuming_in_any_way_is_enough() {
        let text = two_errors().into_compile_errors().to_string();
        assert_eq!(text.matches("compile_error").count(), 2);
        let mut all = Errors::default();
        all.append(two_errors());
        assert_eq!(all.into_vec().len(), 2);
        two_errors().discard("a test");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "dropped without being consumed (2 error(s) would be lost)")]
    fn dropping_unconsumed_errors_panics_in_debug() {
        drop(two_errors());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "dropped without being consumed (0 error(s)")]
    fn dropping_an_unchecked_collector_panics_in_debug() {
        // Like serde's `Ctxt`: a path that forgot to check is a bug even when it happened
        // to collect nothing this time.
        drop(Errors::default());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "the real failure")]
    fn no_second_panic_while_unwinding() {
        let _errors = two_errors();
        panic!("the real failure");
    }
}
