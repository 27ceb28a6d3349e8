//! The float types cotangent differentiates (`f32`, `f64`) and the few derivative rules
//! that need a branch or a constant of the right type. The other rules are one-line
//! expressions in the macro's rule table.

use core::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

use crate::adjoint::{Adjoint, TypeZero};

/// A float type: implemented for `f32` and `f64`. Functions generic over `T: Real` can be
/// differentiated when they use arithmetic (`+ - * /`, comparisons), the constants below
/// and the methods below; for float methods such as `x.exp()`, bound the type by
/// `num_traits::Float` instead (see the README). The functions the macro generates for a
/// generic function need the float type to implement `Real`: a float type of your own
/// needs an `impl Real`.
pub trait Real:
    'static
    + Copy
    + Default
    + Adjoint
    + TypeZero
    + AddAssign
    + SubAssign
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// ln 2.
    const LN_2: Self;
    /// ln 10.
    const LN_10: Self;
    /// `n as Self`.
    fn from_i32(n: i32) -> Self;
    /// `self as f64`.
    fn to_f64(self) -> f64;
    /// `value as Self`.
    fn from_f64(value: f64) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
    /// Float power.
    fn powf(self, p: Self) -> Self;
    /// Whether this is NaN.
    fn is_nan(self) -> bool;
}

macro_rules! real {
    ($($t:ident),*) => {$(
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const LN_2: Self = core::$t::consts::LN_2;
            const LN_10: Self = core::$t::consts::LN_10;
            #[inline(always)] fn from_i32(n: i32) -> Self { n as $t }
            #[inline(always)] fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)] fn from_f64(value: f64) -> Self { value as $t }
            #[inline(always)] fn ln(self) -> Self { $t::ln(self) }
            #[inline(always)] fn powi(self, n: i32) -> Self { $t::powi(self, n) }
            #[inline(always)] fn powf(self, p: Self) -> Self { $t::powf(self, p) }
            #[inline(always)] fn is_nan(self) -> bool { $t::is_nan(self) }
        }
    )*};
}
real!(f32, f64);

/// What generated code needs of a float type parameter: the macro adds `T: Scalar` to the
/// where-clause of the functions it generates for a function generic over `T` (unless `T`
/// is bounded by [`Real`] already), and the rules helpers are bounded by it. Every [`Real`]
/// implements it. Its items have names that no float trait uses, so that `x.ln()`,
/// `x.powi(2)` or `T::zero()` in a function bounded by `num_traits::Float` or `FloatCore`
/// stays unambiguous with the added bound.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type that cotangent differentiates",
    note = "the functions cotangent generates need `{Self}: cotangent::Real`, implemented for `f32` and `f64`"
)]
pub trait Scalar:
    'static
    + Copy
    + Default
    + Adjoint
    + TypeZero
    + AddAssign
    + SubAssign
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// [`Real::ZERO`].
    fn ad_zero() -> Self;
    /// [`Real::ONE`].
    fn ad_one() -> Self;
    /// [`Real::LN_2`].
    fn ad_ln_2() -> Self;
    /// [`Real::LN_10`].
    fn ad_ln_10() -> Self;
    /// [`Real::from_i32`].
    fn ad_from_i32(n: i32) -> Self;
    /// [`Real::to_f64`].
    fn ad_to_f64(self) -> f64;
    /// [`Real::from_f64`].
    fn ad_from_f64(value: f64) -> Self;
    /// [`Real::ln`].
    fn ad_ln(self) -> Self;
    /// [`Real::powi`].
    fn ad_powi(self, n: i32) -> Self;
    /// [`Real::powf`].
    fn ad_powf(self, p: Self) -> Self;
    /// [`Real::is_nan`].
    fn ad_is_nan(self) -> bool;
}

impl<T: Real> Scalar for T {
    #[inline(always)]
    fn ad_zero() -> Self {
        T::ZERO
    }
    #[inline(always)]
    fn ad_one() -> Self {
        T::ONE
    }
    #[inline(always)]
    fn ad_ln_2() -> Self {
        T::LN_2
    }
    #[inline(always)]
    fn ad_ln_10() -> Self {
        T::LN_10
    }
    #[inline(always)]
    fn ad_from_i32(n: i32) -> Self {
        T::from_i32(n)
    }
    #[inline(always)]
    fn ad_to_f64(self) -> f64 {
        Real::to_f64(self)
    }
    #[inline(always)]
    fn ad_from_f64(value: f64) -> Self {
        T::from_f64(value)
    }
    #[inline(always)]
    fn ad_ln(self) -> Self {
        Real::ln(self)
    }
    #[inline(always)]
    fn ad_powi(self, n: i32) -> Self {
        Real::powi(self, n)
    }
    #[inline(always)]
    fn ad_powf(self, p: Self) -> Self {
        Real::powf(self, p)
    }
    #[inline(always)]
    fn ad_is_nan(self) -> bool {
        Real::is_nan(self)
    }
}

/// Derivative rules that need a branch or a typed constant. Each takes the primal
/// operands (and result where useful) and the output adjoint `g`, and returns the
/// contribution to one operand's adjoint.
pub mod rules {
    /// The length check of `dst.copy_from_slice(src)`, with std's message.
    #[inline(always)]
    pub fn same_len(dst: usize, src: usize) {
        if dst != src {
            panic!("source slice length ({src}) does not match destination slice length ({dst})");
        }
    }

    use super::Scalar;

    /// Whether an adjoint contribution is needed at all. Rules whose derivative is
    /// infinite somewhere (`sqrt` and `ln` at 0, `asin` at 1) skip a zero `g`: a value
    /// used only in a branch the primal did not take then gets no `0 * inf = NaN`.
    #[inline(always)]
    pub fn nonzero<T: Scalar>(g: T) -> bool {
        g != T::ad_zero()
    }

    /// `y = 2^x`: `g * y * ln 2`.
    #[inline(always)]
    pub fn exp2<T: Scalar>(y: T, g: T) -> T {
        g * y * T::ad_ln_2()
    }
    /// `y = log2(x)`: `g / (x ln 2)`.
    #[inline(always)]
    pub fn log2<T: Scalar>(x: T, g: T) -> T {
        g / (x * T::ad_ln_2())
    }
    /// `y = log10(x)`: `g / (x ln 10)`.
    #[inline(always)]
    pub fn log10<T: Scalar>(x: T, g: T) -> T {
        g / (x * T::ad_ln_10())
    }
    /// `y = x.log(b)` with respect to `x`: `g / (x ln b)`.
    #[inline(always)]
    pub fn log_x<T: Scalar>(x: T, b: T, g: T) -> T {
        g / (x * b.ad_ln())
    }
    /// `y = x.log(b)` with respect to `b`: `-g y / (b ln b)`.
    #[inline(always)]
    pub fn log_base<T: Scalar>(b: T, y: T, g: T) -> T {
        -(g * y) / (b * b.ad_ln())
    }
    /// `y = x.powi(n)`: `g n x^(n-1)`, and exactly 0 when `n == 0` (also at `x == 0`).
    #[inline(always)]
    pub fn powi<T: Scalar>(x: T, n: i32, g: T) -> T {
        if n == 0 {
            T::ad_zero()
        } else {
            g * T::ad_from_i32(n) * x.ad_powi(n - 1)
        }
    }
    /// `y = x.powf(p)` with respect to `x`: `g p x^(p-1)`, exactly 0 when `p == 0`.
    #[inline(always)]
    pub fn powf_base<T: Scalar>(x: T, p: T, g: T) -> T {
        if p == T::ad_zero() {
            T::ad_zero()
        } else {
            g * p * x.ad_powf(p - T::ad_one())
        }
    }
    /// `y = x.powf(p)` with respect to `p`: `g y ln x`, taken as 0 at `x == 0` (where
    /// `y` is 0 or 1 and the limit along positive `x` is 0 for `p > 0`).
    #[inline(always)]
    pub fn powf_exponent<T: Scalar>(x: T, y: T, g: T) -> T {
        if x == T::ad_zero() {
            T::ad_zero()
        } else {
            g * y * x.ad_ln()
        }
    }
    /// `y = |x|`: `g sign(x)`, with 0 at `x == 0` (the subgradient PyTorch uses).
    #[inline(always)]
    pub fn abs<T: Scalar>(x: T, g: T) -> T {
        if x > T::ad_zero() {
            g
        } else if x < T::ad_zero() {
            -g
        } else {
            T::ad_zero()
        }
    }
    /// `a.max(b)` / `a.min(b)`: whether the receiver `a` gets the adjoint. Ties and a NaN
    /// `b` go to `a`, as `f64::max` returns `a` there; a NaN `a` sends it to `b`.
    #[inline(always)]
    pub fn max_takes_receiver<T: Scalar>(a: T, b: T) -> bool {
        a >= b || b.ad_is_nan()
    }
    /// See [`max_takes_receiver`]; ties go to the receiver.
    #[inline(always)]
    pub fn min_takes_receiver<T: Scalar>(a: T, b: T) -> bool {
        a <= b || b.ad_is_nan()
    }
    /// `x.clamp(lo, hi)`: 0 when `x` passes through (`lo <= x <= hi`, bounds included, as
    /// PyTorch), 1 when clamped to `lo`, 2 when clamped to `hi`.
    #[inline(always)]
    pub fn clamp_branch<T: Scalar>(x: T, lo: T, hi: T) -> u8 {
        if x < lo {
            1
        } else if x > hi {
            2
        } else {
            0
        }
    }
    /// `y = x.copysign(s)` with respect to `x`: `g` where `y` kept the sign of `x`, `-g`
    /// where it flipped it, and 0 at `x == 0` (a kink: `|x|` for a positive `s`, as
    /// [`abs`]). With respect to `s` the derivative is 0.
    #[inline(always)]
    pub fn copysign<T: Scalar>(x: T, y: T, g: T) -> T {
        if x == T::ad_zero() {
            T::ad_zero()
        } else if y == x {
            g
        } else {
            -g
        }
    }
    /// `r = hypot(a, b)` with respect to `a`: `g a / r`, 0 at the origin.
    #[inline(always)]
    pub fn hypot<T: Scalar>(a: T, r: T, g: T) -> T {
        if r == T::ad_zero() {
            T::ad_zero()
        } else {
            g * a / r
        }
    }
    /// `atan2(y, x)` with respect to `y`: `g x / (x² + y²)`, 0 at the origin.
    #[inline(always)]
    pub fn atan2_y<T: Scalar>(y: T, x: T, g: T) -> T {
        let r2 = x * x + y * y;
        if r2 == T::ad_zero() {
            T::ad_zero()
        } else {
            g * x / r2
        }
    }
    /// `atan2(y, x)` with respect to `x`: `-g y / (x² + y²)`, 0 at the origin.
    #[inline(always)]
    pub fn atan2_x<T: Scalar>(y: T, x: T, g: T) -> T {
        let r2 = x * x + y * y;
        if r2 == T::ad_zero() {
            T::ad_zero()
        } else {
            -(g * y) / r2
        }
    }
    /// The tangent of `x as D` for the tangent `t` of `x`: `t` converted to the type of
    /// the result `_like` (forward mode's counterpart of `accumulate_cast`).
    #[inline(always)]
    pub fn cast_like<S, D>(t: S, _like: D) -> D
    where
        D: crate::adjoint::CastAdjoint<S> + crate::adjoint::TypeZero,
    {
        // -0 + t is t exactly, signed zeros included.
        let mut out = D::adjoint_zero();
        out.accumulate_cast(t);
        out
    }
    /// A float constant `value` of the type of `_like` (the seed): the literals of the
    /// rule table (`2.0 * y`) in a function generic over the float type, where an untyped
    /// literal does not have the type `T`.
    #[inline(always)]
    pub fn lit<T: Scalar>(_like: T, value: f64) -> T {
        T::ad_from_f64(value)
    }
    /// `x % m` with respect to `m`: `-g trunc(x / m)`.
    #[inline(always)]
    pub fn rem_divisor<T: Scalar>(x: T, m: T, g: T) -> T {
        let q = (x / m).ad_to_f64().trunc();
        -(g * T::ad_from_f64(q))
    }
}

#[cfg(test)]
mod tests {
    use super::rules;

    #[test]
    fn conventions_at_kinks() {
        assert_eq!(rules::abs(0.0, 1.0), 0.0);
        assert_eq!(rules::abs(-2.0f32, 1.0), -1.0);
        assert!(rules::max_takes_receiver(1.0, 1.0));
        assert!(rules::max_takes_receiver(1.0, f64::NAN));
        assert!(!rules::max_takes_receiver(f64::NAN, 1.0));
        assert_eq!(rules::powi(0.0, 0, 1.0), 0.0);
        assert_eq!(rules::powf_exponent(0.0, 0.0, 1.0), 0.0);
        assert_eq!(rules::clamp_branch(1.0, 1.0, 2.0), 0);
        assert_eq!(rules::hypot(0.0, 0.0, 1.0), 0.0);
        assert_eq!(rules::copysign(-0.0, 0.0, 1.0), 0.0);
        assert_eq!(rules::copysign(-2.0f32, 2.0, 1.0), -1.0);
        assert_eq!(rules::cast_like(1.5f64, 0.0f32), 1.5f32);
        assert_eq!(
            rules::cast_like(-0.0f32, 0.0f64).to_bits(),
            (-0.0f64).to_bits()
        );
    }
}
