//! How much memory a picture takes to decode, worked out from the size its file declares before
//! anything is allocated, and one budget for all the pictures a batch decodes at once.
//!
//! A few bytes of a file can declare a picture of hundreds of megapixels (a 35-byte GIF can
//! declare a 20,000 × 20,000 canvas), and the decoders allocate what the header says. So every
//! picture is measured from its header first, refused when it alone would take more than
//! [`MAX_DECODED_BYTES`], and otherwise waits until the pictures other threads hold leave room
//! for it: however many threads a batch runs, the decoded pictures in memory together stay
//! within that budget.

use std::sync::{Condvar, Mutex, PoisonError};

/// Memory that decoded pictures may take: one picture alone, and all those being analysed at
/// once together.
pub const MAX_DECODED_BYTES: u64 = 640_000_000;

/// Memory held, within [`MAX_DECODED_BYTES`], for one picture while it is decoded and analysed;
/// given back when dropped.
#[must_use = "the memory is given back as soon as the reservation is dropped"]
pub(crate) struct Reservation(u64);

/// What is left of the budget, and a signal for threads waiting for some of it.
struct Budget {
    left: Mutex<u64>,
    given_back: Condvar,
}

static BUDGET: Budget = Budget { left: Mutex::new(MAX_DECODED_BYTES), given_back: Condvar::new() };

/// Holds `bytes` (at most [`MAX_DECODED_BYTES`]) of the budget, waiting while other pictures
/// hold too much of it. Callers never hold one reservation while waiting for another, and a
/// photo's analysis runs no other photo's work on its thread, so every wait ends when some
/// photo in progress is done.
pub(crate) fn reserve(bytes: u64) -> Reservation {
    let bytes = bytes.min(MAX_DECODED_BYTES);
    let mut left = BUDGET.left.lock().unwrap_or_else(PoisonError::into_inner);
    while *left < bytes {
        left = BUDGET.given_back.wait(left).unwrap_or_else(PoisonError::into_inner);
    }
    *left -= bytes;
    Reservation(bytes)
}

impl Drop for Reservation {
    fn drop(&mut self) {
        *BUDGET.left.lock().unwrap_or_else(PoisonError::into_inner) += self.0;
        BUDGET.given_back.notify_all();
    }
}

/// Bytes of `value` as people read them: "1.6 GB", "640 MB".
pub(crate) fn in_words(bytes: u64) -> String {
    const MB: f64 = 1_000_000.0;
    match bytes as f64 / MB {
        mb if mb >= 1000.0 => format!("{:.1} GB", mb / 1000.0),
        mb => format!("{mb:.0} MB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn pictures_held_at_once_never_take_more_than_the_budget() {
        let held = Arc::new(AtomicU64::new(0));
        let most = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (held, most) = (held.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let size = MAX_DECODED_BYTES / 4;
                        let _reserved = reserve(size);
                        let now = held.fetch_add(size, Ordering::SeqCst) + size;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        held.fetch_sub(size, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let most = most.load(Ordering::SeqCst);
        assert!(most <= MAX_DECODED_BYTES, "{most} held at once");
        assert!(most > MAX_DECODED_BYTES / 4, "several pictures fit at once: {most}");
    }

    #[test]
    fn sizes_are_said_in_megabytes_or_gigabytes() {
        assert_eq!(in_words(MAX_DECODED_BYTES), "640 MB");
        assert_eq!(in_words(1_600_000_000), "1.6 GB");
    }
}
