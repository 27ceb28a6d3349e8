//! Buffers of finished tapes, kept per thread for the next call.
//!
//! A helper's pullback runs once per call of the helper, and each run would allocate its
//! tapes afresh; a gradient whose snapshots grow to megabytes would also fault fresh pages
//! in on every call. Tapes take their buffer from here and give it back when dropped, so a
//! gradient called repeatedly stops allocating once its tapes have grown. Buffers larger
//! than [`KEEP_BYTES`] are freed instead, and at most [`KEEP_BUFFERS`] are kept.

use core::any::Any;
use core::cell::RefCell;
use std::vec::Vec;

/// The largest buffer kept for reuse, in bytes.
pub const KEEP_BYTES: usize = 64 << 20;
/// The most buffers kept per thread.
pub const KEEP_BUFFERS: usize = 64;

std::thread_local! {
    static POOL: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer, with the capacity of one given back earlier if there is one.
pub fn take<T: 'static>() -> Vec<T> {
    POOL.try_with(|pool| {
        let mut pool = pool.try_borrow_mut().ok()?;
        pool.iter_mut()
            .filter_map(|b| b.downcast_mut::<Vec<T>>())
            .find(|v| v.capacity() > 0)
            .map(core::mem::take)
    })
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// Keeps `buffer`'s allocation for a later [`take`].
pub fn give<T: 'static>(mut buffer: Vec<T>) {
    let bytes = buffer.capacity() * core::mem::size_of::<T>();
    if bytes == 0 || bytes > KEEP_BYTES {
        return;
    }
    buffer.clear();
    let _ = POOL.try_with(|pool| {
        let Ok(mut pool) = pool.try_borrow_mut() else {
            return;
        };
        let kept = pool.len();
        let empty = pool
            .iter_mut()
            .filter_map(|b| b.downcast_mut::<Vec<T>>())
            .find(|v| v.capacity() == 0);
        match empty {
            Some(slot) => *slot = buffer,
            None if kept < KEEP_BUFFERS => pool.push(Box::new(buffer)),
            None => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_comes_back_empty_with_its_capacity() {
        let mut v: Vec<u16> = Vec::with_capacity(1000);
        v.push(7);
        give(v);
        let back: Vec<u16> = take();
        assert!(back.is_empty());
        assert!(back.capacity() >= 1000);
        // only once
        assert_eq!(take::<u16>().capacity(), 0);
    }

    #[test]
    fn buffers_of_other_types_are_not_mixed_up() {
        give(Vec::<i8>::with_capacity(10));
        assert_eq!(take::<i16>().capacity(), 0);
        assert!(take::<i8>().capacity() >= 10);
    }
}
