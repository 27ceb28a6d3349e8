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

/// Where a tape is declared: the address of a `static` in the generated code, so that
/// each declaration gets back the buffer it grew (a pullback's small tapes never take the
/// megabyte snapshot buffer of their caller).
pub type Site = &'static u8;

std::thread_local! {
    static POOL: RefCell<Vec<(usize, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

fn key(site: Site) -> usize {
    site as *const u8 as usize
}

/// An empty buffer, with the capacity of the one `site` gave back last if there is one.
pub fn take<T: 'static>(site: Site) -> Vec<T> {
    let site = key(site);
    POOL.try_with(|pool| {
        let mut pool = pool.try_borrow_mut().ok()?;
        pool.iter_mut()
            .filter(|(s, _)| *s == site)
            .filter_map(|(_, b)| b.downcast_mut::<Vec<T>>())
            .find(|v| v.capacity() > 0)
            .map(core::mem::take)
    })
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// Keeps `buffer`'s allocation for `site`'s next [`take`].
pub fn give<T: 'static>(site: Site, mut buffer: Vec<T>) {
    let bytes = buffer.capacity() * core::mem::size_of::<T>();
    if bytes == 0 || bytes > KEEP_BYTES {
        return;
    }
    buffer.clear();
    let site = key(site);
    let _ = POOL.try_with(|pool| {
        let Ok(mut pool) = pool.try_borrow_mut() else {
            return;
        };
        let kept = pool.len();
        let empty = pool
            .iter_mut()
            .filter(|(s, _)| *s == site)
            .filter_map(|(_, b)| b.downcast_mut::<Vec<T>>())
            .find(|v| v.capacity() == 0);
        match empty {
            Some(slot) => *slot = buffer,
            None if kept < KEEP_BUFFERS => pool.push((site, Box::new(buffer))),
            None => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    static HERE: u8 = 0;
    static THERE: u8 = 0;

    #[test]
    fn a_given_buffer_comes_back_empty_with_its_capacity() {
        let mut v: Vec<u16> = Vec::with_capacity(1000);
        v.push(7);
        give(&HERE, v);
        let back: Vec<u16> = take(&HERE);
        assert!(back.is_empty());
        assert!(back.capacity() >= 1000);
        // only once
        assert_eq!(take::<u16>(&HERE).capacity(), 0);
    }

    #[test]
    fn buffers_go_back_to_their_site_and_type_only() {
        give(&HERE, Vec::<i8>::with_capacity(10));
        assert_eq!(take::<i16>(&HERE).capacity(), 0);
        assert_eq!(take::<i8>(&THERE).capacity(), 0);
        assert!(take::<i8>(&HERE).capacity() >= 10);
    }
}
