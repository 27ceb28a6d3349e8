//! # cotangent
//!
//! Compile-time reverse-mode automatic differentiation for stable Rust, and forward mode
//! with `#[autodiff_forward(df, [WIDTH,] ...activities)]` (Jacobian-vector products).
//!
//! `#[autodiff_reverse(d_f, ...activities)]` keeps `f` exactly as written and generates
//! `d_f`, its adjoint, next to it, with the calling convention of nightly Rust's
//! `std::autodiff`. See the README for the contract and the supported language.
//!
//! ```
//! use cotangent::autodiff_reverse;
//!
//! #[autodiff_reverse(d_f, Active, Duplicated, Active)]
//! fn f(a: f64, x: &[f64]) -> f64 {
//!     a * x[0] * x[0] + x[1].sin()
//! }
//!
//! let x = [3.0, 0.0];
//! let mut dx = [0.0; 2];
//! let (value, da) = d_f(2.0, &x, &mut dx, 1.0);
//! assert_eq!(value, f(2.0, &x));
//! assert_eq!(da, 9.0);
//! assert_eq!(dx, [12.0, 1.0]);
//! ```
//!
//! ```
//! use cotangent::autodiff_forward;
//!
//! #[autodiff_forward(df, Dual, Const, Dual)]
//! fn f(x: &[f64], a: f64) -> f64 {
//!     a * x[0] * x[0] + x[1].sin()
//! }
//!
//! let (value, tangent) = df(&[3.0, 0.0], &[1.0, 1.0], 2.0);
//! assert_eq!(value, f(&[3.0, 0.0], 2.0));
//! assert_eq!(tangent, 12.0 + 1.0);
//! ```
#![forbid(unsafe_code)]

pub use autodiff_macro::{autodiff_forward, autodiff_reverse, differentiable, Differentiable};

pub use autodiff_runtime::{
    adjoint, gradcheck, gradcheck_vjp, gradcheck_vjp_with, gradcheck_with, real, tape, zero_shadow,
    Adjoint, GradcheckError, GradcheckOptions, GradcheckReport, Real,
};

#[doc(hidden)]
pub use autodiff_runtime::__private;

/// The `num-traits` crate (feature `num-traits`, on by default), so that generic code can
/// be written against `num_traits::Float` without a dependency of its own:
/// `use cotangent::num_traits::Float;`.
#[cfg(feature = "num-traits")]
pub use autodiff_runtime::num_traits;
