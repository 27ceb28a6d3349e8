//! Storage for the values the reverse sweep needs but the forward sweep overwrote.
//!
//! Each recorded variable gets its own tape, so the element type is inferred by the
//! compiler and no value is boxed or type-erased. A value recorded at most once per call
//! (outside every loop) uses a [`Slot`], which never allocates.

/// A stack of recorded values, popped in reverse order by the reverse sweep. Its buffer
/// comes from and goes back to the thread's [`pool`](crate::pool).
#[derive(Debug)]
pub struct Tape<T: 'static> {
    values: Vec<T>,
    site: Option<crate::pool::Site>,
}

impl<T> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Tape<T> {
    fn drop(&mut self) {
        if let Some(site) = self.site {
            crate::pool::give(site, core::mem::take(&mut self.values));
        }
    }
}

impl<T> Tape<T> {
    /// An empty tape that allocates its own buffer.
    #[inline(always)]
    pub fn new() -> Self {
        Tape {
            values: Vec::new(),
            site: None,
        }
    }
    /// An empty tape whose buffer is reused across calls (see [`crate::pool`]); taken on
    /// the first push only.
    #[inline(always)]
    pub fn at(site: crate::pool::Site) -> Self {
        Tape {
            values: Vec::new(),
            site: Some(site),
        }
    }
    #[cold]
    fn first_buffer(&mut self) {
        if let Some(site) = self.site {
            self.values = crate::pool::take(site);
        }
    }
    /// Reserves room for `additional` more values (trip counts known before a loop).
    #[inline(always)]
    pub fn reserve(&mut self, additional: usize) {
        if self.values.capacity() == 0 {
            self.first_buffer();
        }
        self.values.reserve(additional);
    }
    /// Records a value.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        if self.values.capacity() == 0 {
            self.first_buffer();
        }
        self.values.push(value);
    }
    /// The most recently recorded value. The generated reverse sweep pops exactly what the
    /// forward sweep pushed, so an empty tape here is a bug in cotangent.
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.values.pop() {
            Some(value) => value,
            None => tape_underflow(),
        }
    }
    /// Bytes of recorded values the tape can hold without reallocating.
    pub fn capacity_bytes(&self) -> usize {
        self.values.capacity() * core::mem::size_of::<T>()
    }
}

/// A tape for a value recorded at most once per call.
#[derive(Debug)]
pub struct Slot<T> {
    value: Option<T>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slot<T> {
    /// An empty slot.
    #[inline(always)]
    pub fn new() -> Self {
        Slot { value: None }
    }
    /// Records the value.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        debug_assert!(self.value.is_none(), "cotangent: a slot was recorded twice");
        self.value = Some(value);
    }
    /// Takes the recorded value back.
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.value.take() {
            Some(value) => value,
            None => tape_underflow(),
        }
    }
}

#[cold]
#[inline(never)]
fn tape_underflow() -> ! {
    panic!("cotangent: the reverse sweep read a value that was not recorded; this is a bug in cotangent, please report it")
}

/// The first `taken` items of a double-ended iterator, in reverse order: the indices a
/// loop that was left early by `break` or `return` went through, backwards.
#[inline]
pub fn rev_take<I>(iter: I, taken: usize) -> core::iter::Skip<core::iter::Rev<I>>
where
    I: DoubleEndedIterator + Clone,
{
    let total = iter.clone().count();
    iter.rev().skip(total - taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tape_is_lifo() {
        let mut t = Tape::new();
        t.push(1);
        t.push(2);
        assert_eq!(t.pop(), 2);
        assert_eq!(t.pop(), 1);
    }

    #[test]
    fn rev_take_walks_the_prefix_backwards() {
        let v: Vec<usize> = rev_take((0..10).step_by(3), 2).collect();
        assert_eq!(v, vec![3, 0]);
        let v: Vec<usize> = rev_take((0..5).rev(), 3).collect();
        assert_eq!(v, vec![2, 3, 4]);
        assert_eq!(rev_take(0..4, 0).count(), 0);
    }

    #[test]
    #[should_panic(expected = "not recorded")]
    fn empty_slot_panics_with_a_bug_report() {
        Slot::<f64>::new().pop();
    }
}

/// What a call argument's referent is recorded as: its elements, flattened, so that a
/// buffer recorded once per loop trip costs no allocation once the tape has grown.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is passed by `&mut` to a helper and must be recorded for its pullback",
    note = "derive `Clone` for `{Self}` (and `cotangent::Differentiable` if it carries a derivative)"
)]
pub trait Snapshot {
    /// The recorded element type.
    type Elem: Clone;
    /// What the callee gets back in the reverse sweep (`[T]` for a slice or `Vec`).
    type View: ?Sized;
    /// Appends the elements.
    fn save(&self, into: &mut Vec<Self::Elem>);
    /// The recorded value, viewed.
    fn view(from: &[Self::Elem]) -> &Self::View;
    /// Writes the recorded value back in place.
    fn restore(&mut self, from: &[Self::Elem]);
}

impl<T: Clone> Snapshot for [T] {
    type Elem = T;
    type View = [T];
    fn save(&self, into: &mut Vec<T>) {
        into.extend_from_slice(self);
    }
    fn view(from: &[T]) -> &[T] {
        from
    }
    fn restore(&mut self, from: &[T]) {
        self.clone_from_slice(from);
    }
}

impl<T: Clone> Snapshot for Vec<T> {
    type Elem = T;
    type View = [T];
    fn save(&self, into: &mut Vec<T>) {
        into.extend_from_slice(self);
    }
    fn view(from: &[T]) -> &[T] {
        from
    }
    fn restore(&mut self, from: &[T]) {
        self.clone_from_slice(from);
    }
}

impl<T: Clone, const N: usize> Snapshot for [T; N] {
    type Elem = T;
    type View = [T; N];
    fn save(&self, into: &mut Vec<T>) {
        into.extend_from_slice(self);
    }
    fn view(from: &[T]) -> &[T; N] {
        match from.try_into() {
            Ok(array) => array,
            Err(_) => tape_underflow(),
        }
    }
    fn restore(&mut self, from: &[T]) {
        self.clone_from_slice(from);
    }
}

macro_rules! scalar_snapshot {
    ($($t:ty),*) => {$(
        impl Snapshot for $t {
            type Elem = $t;
            type View = $t;
            fn save(&self, into: &mut Vec<$t>) { into.push(*self); }
            fn view(from: &[$t]) -> &$t { &from[0] }
            fn restore(&mut self, from: &[$t]) { *self = from[0]; }
        }
    )*};
}
scalar_snapshot!(f32, f64);

/// A stack of recorded call arguments (see [`Snapshot`]), all in one buffer.
#[derive(Debug)]
pub struct SnapshotTape<E: 'static> {
    values: Vec<E>,
    ends: Vec<usize>,
    site: Option<crate::pool::Site>,
}

impl<E: Clone> Default for SnapshotTape<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Drop for SnapshotTape<E> {
    fn drop(&mut self) {
        if let Some(site) = self.site {
            crate::pool::give(site, core::mem::take(&mut self.values));
            crate::pool::give(site, core::mem::take(&mut self.ends));
        }
    }
}

impl<E: Clone> SnapshotTape<E> {
    /// An empty tape that allocates its own buffers.
    pub fn new() -> Self {
        SnapshotTape {
            values: Vec::new(),
            ends: Vec::new(),
            site: None,
        }
    }
    /// An empty tape whose buffers are reused across calls (see [`crate::pool`]).
    pub fn at(site: crate::pool::Site) -> Self {
        SnapshotTape {
            values: Vec::new(),
            ends: Vec::new(),
            site: Some(site),
        }
    }
    /// Records `value`.
    #[inline]
    pub fn push<S: ?Sized + Snapshot<Elem = E>>(&mut self, value: &S) {
        if self.ends.capacity() == 0 {
            if let Some(site) = self.site {
                self.values = crate::pool::take(site);
                self.ends = crate::pool::take(site);
            }
        }
        value.save(&mut self.values);
        self.ends.push(self.values.len());
    }
    fn last_range(&self) -> core::ops::Range<usize> {
        let end = match self.ends.last() {
            Some(end) => *end,
            None => tape_underflow(),
        };
        let start = if self.ends.len() >= 2 {
            self.ends[self.ends.len() - 2]
        } else {
            0
        };
        start..end
    }
    /// The most recent record, viewed as `like`'s type.
    #[inline]
    pub fn view<S: ?Sized + Snapshot<Elem = E>>(&self, _like: &S) -> &S::View {
        S::view(&self.values[self.last_range()])
    }
    /// Writes the most recent record back into `target`.
    #[inline]
    pub fn restore<S: ?Sized + Snapshot<Elem = E>>(&self, target: &mut S) {
        target.restore(&self.values[self.last_range()]);
    }
    /// Forgets the most recent record.
    #[inline]
    pub fn drop_last(&mut self) {
        let range = self.last_range();
        self.values.truncate(range.start);
        self.ends.pop();
    }
}
