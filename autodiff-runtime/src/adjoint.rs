//! How adjoints of values of unknown type are created, added up and reset.
//!
//! A proc macro does not know types, so generated code never writes `0.0` or `+=` for a
//! value that may be an array: it calls these generic helpers and lets monomorphisation
//! pick the scalar, array or `Vec` implementation.

use core::marker::PhantomData;

/// A value that can carry a derivative: a float, an array / `Vec` of them, or a type with
/// `#[derive(cotangent::Differentiable)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a derivative",
    label = "not a float, array, `Vec` or `Differentiable` type",
    note = "add `#[derive(cotangent::Differentiable)]` to `{Self}`, or mark a struct field of this type `#[cotangent(skip)]` when it carries no derivative"
)]
pub trait Adjoint {
    /// A zero of the same shape (same length for `Vec`).
    fn zero_like(&self) -> Self
    where
        Self: Sized;
    /// `self += other`, element by element.
    fn accumulate(&mut self, other: Self)
    where
        Self: Sized;
    /// Sets every element to zero, keeping the shape.
    fn zero_out(&mut self);
    /// Turns `-0.0` elements into `0.0` (see [`zero_like`]); other values are unchanged.
    fn normalize_zero(&mut self) {}
    /// What the type alone does not say of a zero adjoint's shape: `()` for floats and
    /// arrays of them (zero-sized, so recording it costs nothing), the lengths of `Vec`s.
    type Shape: 'static;
    /// This value's shape.
    fn shape(&self) -> Self::Shape;
    /// A zero adjoint of the given shape.
    fn zero_of_shape(shape: &Self::Shape) -> Self
    where
        Self: Sized;
}

/// A zero that the type alone determines (floats and fixed-size arrays of them).
pub trait TypeZero {
    /// The zero of this type.
    fn type_zero() -> Self;
    /// The zero a fresh adjoint starts from (see [`zero_like`]).
    fn adjoint_zero() -> Self
    where
        Self: Sized,
    {
        Self::type_zero()
    }
}

macro_rules! float_adjoint {
    ($($t:ty),*) => {$(
        impl Adjoint for $t {
            #[inline(always)]
            fn zero_like(&self) -> Self { -0.0 }
            #[inline(always)]
            fn accumulate(&mut self, other: Self) { *self += other; }
            #[inline(always)]
            fn zero_out(&mut self) { *self = 0.0; }
            #[inline(always)]
            fn normalize_zero(&mut self) { *self += 0.0; }
            type Shape = ();
            #[inline(always)]
            fn shape(&self) {}
            #[inline(always)]
            fn zero_of_shape(_: &()) -> Self { -0.0 }
        }
        impl TypeZero for $t {
            #[inline(always)]
            fn type_zero() -> Self { 0.0 }
            #[inline(always)]
            fn adjoint_zero() -> Self { -0.0 }
        }
    )*};
}
float_adjoint!(f32, f64);

/// Integers and `bool`s carry no derivative. They get an adjoint that stays zero, so that
/// an integer field of a struct that carries derivatives (`p.id as f64`, `self.steps`)
/// can be read like its float fields.
macro_rules! inert_adjoint {
    ($($t:ty),*) => {$(
        impl Adjoint for $t {
            #[inline(always)]
            fn zero_like(&self) -> Self { <$t>::default() }
            #[inline(always)]
            fn accumulate(&mut self, _: Self) {}
            #[inline(always)]
            fn zero_out(&mut self) {}
            type Shape = ();
            #[inline(always)]
            fn shape(&self) {}
            #[inline(always)]
            fn zero_of_shape(_: &()) -> Self { <$t>::default() }
        }
        impl TypeZero for $t {
            #[inline(always)]
            fn type_zero() -> Self { <$t>::default() }
        }
        impl CastAdjoint<f32> for $t {
            #[inline(always)]
            fn accumulate_cast(&mut self, _: f32) {}
        }
        impl CastAdjoint<f64> for $t {
            #[inline(always)]
            fn accumulate_cast(&mut self, _: f64) {}
        }
    )*};
}
inert_adjoint!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);

impl<T: Adjoint, const N: usize> Adjoint for [T; N] {
    #[inline]
    fn zero_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zero_like())
    }
    #[inline]
    fn accumulate(&mut self, other: Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }
    #[inline]
    fn zero_out(&mut self) {
        self.iter_mut().for_each(Adjoint::zero_out);
    }
    #[inline]
    fn normalize_zero(&mut self) {
        self.iter_mut().for_each(Adjoint::normalize_zero);
    }
    type Shape = [T::Shape; N];
    #[inline]
    fn shape(&self) -> Self::Shape {
        core::array::from_fn(|i| self[i].shape())
    }
    #[inline]
    fn zero_of_shape(shape: &Self::Shape) -> Self {
        core::array::from_fn(|i| T::zero_of_shape(&shape[i]))
    }
}

impl<T: TypeZero, const N: usize> TypeZero for [T; N] {
    #[inline]
    fn type_zero() -> Self {
        core::array::from_fn(|_| T::type_zero())
    }
    #[inline]
    fn adjoint_zero() -> Self {
        core::array::from_fn(|_| T::adjoint_zero())
    }
}

impl<T: Adjoint> Adjoint for Vec<T> {
    fn zero_like(&self) -> Self {
        self.iter().map(Adjoint::zero_like).collect()
    }
    fn accumulate(&mut self, other: Self) {
        debug_assert_eq!(self.len(), other.len(), "adjoints of different lengths");
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }
    fn zero_out(&mut self) {
        self.iter_mut().for_each(Adjoint::zero_out);
    }
    fn normalize_zero(&mut self) {
        self.iter_mut().for_each(Adjoint::normalize_zero);
    }
    /// `Vec<()>` for a `Vec` of floats: a length, with no heap buffer.
    type Shape = Vec<T::Shape>;
    fn shape(&self) -> Self::Shape {
        self.iter().map(Adjoint::shape).collect()
    }
    fn zero_of_shape(shape: &Self::Shape) -> Self {
        shape.iter().map(T::zero_of_shape).collect()
    }
}

/// The shape of `value`, recorded for the adjoint of a `Vec` that lives in a loop body.
#[inline(always)]
pub fn shape_of<T: Adjoint>(value: &T) -> T::Shape {
    value.shape()
}

/// A zero adjoint of the witnessed type with a recorded shape.
#[inline(always)]
pub fn zero_shaped<T: Adjoint>(_witness: Witness<T>, shape: &T::Shape) -> T {
    T::zero_of_shape(shape)
}

/// A zero adjoint of the same shape as `value`.
///
/// Fresh adjoints start at `-0.0`, the identity of float addition (`-0.0 + g` is `g` for
/// every `g`, `+0.0 + -0.0` is not), so that the compiler can drop the addition of a
/// first contribution to a fresh adjoint. What users see never has such a zero: buffers
/// are theirs, and returned adjoints go through [`finish`].
#[inline(always)]
pub fn zero_like<T: Adjoint>(value: &T) -> T {
    value.zero_like()
}

/// A zero tangent of the same shape as `value`, with `+0.0` elements: forward mode's
/// tangent of a value that does not depend on a `Dual` input, which users may see.
#[inline(always)]
pub fn zero_tangent<T: Adjoint>(value: &T) -> T {
    let mut zero = value.zero_like();
    zero.normalize_zero();
    zero
}

/// A zero shadow of the same shape as `value` (a `Vec` field gets a zeroed `Vec` of the
/// same length; a `#[cotangent(skip)]` field a copy of the value): what a caller passes
/// for a `Duplicated` argument, `d_p = zero_shadow(&p)`.
#[inline]
pub fn zero_shadow<T: Adjoint>(value: &T) -> T {
    zero_tangent(value)
}

/// A returned adjoint: `-0.0` left by [`zero_like`] becomes `0.0`.
#[inline(always)]
pub fn finish<T: Adjoint>(mut value: T) -> T {
    value.normalize_zero();
    value
}

/// Like [`take`], for an element of a caller's buffer: leaves `0.0` behind.
#[inline(always)]
pub fn take_zeroed<T: Adjoint>(target: &mut T) -> T {
    let taken = take(target);
    target.zero_out();
    taken
}

/// `*target += value` for any adjoint type.
#[inline(always)]
pub fn accumulate<T: Adjoint>(target: &mut T, value: T) {
    target.accumulate(value);
}

/// Resets an adjoint to zero in place.
#[inline(always)]
pub fn zero_out<T: Adjoint + ?Sized>(target: &mut T) {
    target.zero_out();
}

/// Returns the adjoint and leaves a zero of the same shape behind: the reverse of an
/// overwrite, whose old value no longer reaches the output.
#[inline(always)]
pub fn take<T: Adjoint>(target: &mut T) -> T {
    let zero = target.zero_like();
    core::mem::replace(target, zero)
}

/// Adds the adjoint of an `as` cast between float types back into the source's adjoint.
#[inline(always)]
pub fn accumulate_cast<S: CastAdjoint<D>, D>(source_adjoint: &mut S, value: D) {
    source_adjoint.accumulate_cast(value);
}

/// Float-to-float conversion of an adjoint (the reverse of `x as f32` / `x as f64`).
pub trait CastAdjoint<D> {
    /// `self += value as Self`.
    fn accumulate_cast(&mut self, value: D);
}

macro_rules! cast_adjoint {
    ($($s:ty => $d:ty),*) => {$(
        impl CastAdjoint<$d> for $s {
            #[inline(always)]
            fn accumulate_cast(&mut self, value: $d) { *self += value as $s; }
        }
    )*};
}
cast_adjoint!(f32 => f32, f32 => f64, f64 => f32, f64 => f64);

// Forward mode's `x as f64` of an integer `x` read from a value that carries a tangent
// (`p.id as f64` of a `Dual` `&[Particle]`): the integer part of the tangent carries no
// derivative, so the cast's tangent is zero.
macro_rules! integer_cast_tangent {
    ($($d:ty),*) => {$(
        impl CastAdjoint<$d> for f32 {
            #[inline(always)]
            fn accumulate_cast(&mut self, _value: $d) {}
        }
        impl CastAdjoint<$d> for f64 {
            #[inline(always)]
            fn accumulate_cast(&mut self, _value: $d) {}
        }
    )*};
}
integer_cast_tangent!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

/// A zero-sized stand-in for "the type of this value", so that the adjoint of a value
/// that lives in a loop body can be created in the reverse sweep without recording it.
pub struct Witness<T>(PhantomData<fn() -> T>);

impl<T> Clone for Witness<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Witness<T> {}

impl<T> Witness<T> {
    /// A witness whose type is fixed later by an assignment.
    #[inline(always)]
    pub fn unknown() -> Self {
        Witness(PhantomData)
    }
    /// The witness of `value`'s type.
    #[inline(always)]
    pub fn of(_value: &T) -> Self {
        Witness(PhantomData)
    }
    /// The witness of the type `compute` would return; `compute` is never called. Stands
    /// in for a value a pullback does not compute because nothing reads it.
    #[inline(always)]
    pub fn of_fn<F: FnOnce() -> T>(_compute: F) -> Self {
        Witness(PhantomData)
    }
}

/// A value of the witnessed type, for type inference only: called solely inside the
/// closures given to [`Witness::of_fn`], which are never called.
#[inline(always)]
pub fn value_of<T>(_witness: Witness<T>) -> T {
    unreachable!("cotangent: value_of is only used inside Witness::of_fn closures")
}

/// `x`, typed like `like`: in a witness closure, `acc + item` then has the item's type
/// even when `acc` starts as an untyped `sum()` identity (`as _`).
#[inline(always)]
pub fn same_type<T>(x: T, _like: &T) -> T {
    x
}

/// Where `f` panics (`panic!`, `unreachable!`, ..), its adjoint panics too.
#[cold]
#[track_caller]
pub fn primal_panicked(what: &str) -> ! {
    panic!("{what}")
}

/// The seed a caller passes to a helper's pullback for a result nobody reads: a zero of
/// the result's shape when the pullback takes one (`Vec`s of the result's length), `()`
/// when the pullback takes no seed (the helper returns `()`, an `Option`, ..). Which one
/// follows from the pullback's parameter type: both impls cannot apply to one type, as
/// `()` carries no derivative.
pub trait DeadSeed<S> {
    /// The seed for `self` as a result nobody reads.
    fn dead_seed(&self) -> S;
}

impl<T: Adjoint> DeadSeed<T> for T {
    #[inline(always)]
    fn dead_seed(&self) -> T {
        self.zero_like()
    }
}

impl<T> DeadSeed<()> for T {
    #[inline(always)]
    fn dead_seed(&self) {}
}

/// An `Option` result (a pullback takes one as its seed, and ignores it: an `Option`
/// carries no derivative).
impl<T> DeadSeed<Option<T>> for Option<T> {
    #[inline(always)]
    fn dead_seed(&self) -> Option<T> {
        None
    }
}

/// See [`DeadSeed`].
#[inline(always)]
pub fn dead_seed<T: DeadSeed<S>, S>(result: &T) -> S {
    result.dead_seed()
}

/// The zero adjoint of the witnessed type.
#[inline(always)]
pub fn zero_of<T: TypeZero>(_witness: Witness<T>) -> T {
    T::adjoint_zero()
}

/// Puts back the value a `&mut` argument had when a call started (recorded with
/// `ToOwned::to_owned`), so that a callee's pullback runs on the same inputs.
pub trait Restore<S: ?Sized> {
    /// `self = snapshot`, in place.
    fn restore_from(&mut self, snapshot: &S);
}

impl<T: Clone> Restore<Vec<T>> for [T] {
    fn restore_from(&mut self, snapshot: &Vec<T>) {
        self.clone_from_slice(snapshot);
    }
}
/// Any owned value (a `Vec`, an array, a float, a `Differentiable` struct) is restored by
/// `clone_from`.
impl<T: Clone> Restore<T> for T {
    #[inline]
    fn restore_from(&mut self, snapshot: &T) {
        self.clone_from(snapshot);
    }
}

/// See [`Restore`].
#[inline]
pub fn restore<T: ?Sized + Restore<S>, S>(target: &mut T, snapshot: &S) {
    target.restore_from(snapshot);
}

/// A zero shadow for an argument a custom derivative wants a shadow for but the caller
/// does not differentiate: an owned zero of the referent's shape.
pub trait ScratchShadow {
    /// The owned zero.
    type Owned;
    /// A zero of the same shape.
    fn scratch(&self) -> Self::Owned;
}
impl<T: Adjoint + Clone> ScratchShadow for [T] {
    type Owned = Vec<T>;
    fn scratch(&self) -> Vec<T> {
        self.iter().map(Adjoint::zero_like).collect()
    }
}
impl<T: Adjoint> ScratchShadow for T {
    type Owned = T;
    fn scratch(&self) -> T {
        self.zero_like()
    }
}

/// See [`ScratchShadow`].
pub fn scratch_like<T: ?Sized + ScratchShadow>(value: &T) -> T::Owned {
    value.scratch()
}

/// Adds a scratch shadow into the real one: used when one call receives two shadows of the
/// same buffer (`dot(x, x)`), which cannot both be `&mut`.
pub trait AccumulateFrom<S: ?Sized> {
    /// `self += source`, element by element.
    fn accumulate_from(&mut self, source: S);
}
impl<T: Adjoint> AccumulateFrom<Vec<T>> for [T] {
    fn accumulate_from(&mut self, source: Vec<T>) {
        for (a, b) in self.iter_mut().zip(source) {
            a.accumulate(b);
        }
    }
}
impl<T: Adjoint, const N: usize> AccumulateFrom<Vec<T>> for [T; N] {
    fn accumulate_from(&mut self, source: Vec<T>) {
        self.as_mut_slice().accumulate_from(source);
    }
}
impl<T: Adjoint> AccumulateFrom<T> for T {
    fn accumulate_from(&mut self, source: T) {
        self.accumulate(source);
    }
}

/// See [`AccumulateFrom`].
pub fn accumulate_from<T: ?Sized + AccumulateFrom<S>, S>(target: &mut T, source: S) {
    target.accumulate_from(source);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_vecs_accumulate_elementwise() {
        let mut a = [[1.0, 2.0], [3.0, 4.0]];
        accumulate(&mut a, [[1.0, 1.0], [1.0, 1.0]]);
        assert_eq!(a, [[2.0, 3.0], [4.0, 5.0]]);
        let mut v = vec![1.0f32, 2.0];
        accumulate(&mut v, vec![0.5, 0.5]);
        assert_eq!(v, vec![1.5, 2.5]);
        assert_eq!(zero_like(&v), vec![0.0, 0.0]);
    }

    #[test]
    fn dead_seeds_follow_the_seed_type() {
        let v: Vec<Vec<f64>> = dead_seed(&vec![vec![1.0, 2.0], vec![3.0]]);
        assert_eq!(v, vec![vec![0.0, 0.0], vec![0.0]]);
        let unit: () = dead_seed(&vec![1.0]);
        let none: Option<usize> = dead_seed(&Some(3));
        assert_eq!((unit, none), ((), None));
    }

    #[test]
    fn take_returns_the_adjoint_and_zeroes_it() {
        let mut a = [1.0, 2.0];
        assert_eq!(take(&mut a), [1.0, 2.0]);
        assert_eq!(a, [0.0, 0.0]);
    }

    #[test]
    fn witness_gives_a_typed_zero() {
        let w = Witness::of(&[1.0f32; 3]);
        assert_eq!(zero_of(w), [0.0f32; 3]);
        let mut d = 0.0f64;
        accumulate_cast(&mut d, 2.0f32);
        assert_eq!(d, 2.0);
    }
}
