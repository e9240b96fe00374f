//! A fast hash for the runtime's own keys: pids, monitor references, subject tags.
//!
//! The tables of the process layer (the process table, links, monitors, names and
//! the save queue's index) are keyed by serial numbers that the runtime hands out
//! itself. No peer chooses them, so SipHash's resistance to hash flooding buys
//! nothing there, and it costs about a hundred instructions per lookup, several
//! times per call (the call's monitor is inserted into and removed from two
//! tables). This is the multiply-and-rotate scheme of rustc's "FxHash" with the
//! golden-ratio multiplier: a few instructions per word, with the product's high
//! bits well mixed for the table's control bytes and its low bits as varied as
//! the serials' own.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` keyed by runtime-made numbers.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
/// A `HashSet` of runtime-made numbers.
pub(crate) type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

/// 2^64 divided by the golden ratio, rounded to odd (Fibonacci hashing): of all
/// multipliers it spreads consecutive serials most evenly over the high bits.
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// See the module documentation.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_spread_over_the_high_bits() {
        // hashbrown takes a key's control byte from the hash's top 7 bits: 128
        // consecutive serials must not all share a few of them.
        let mut tops = IdSet::default();
        for serial in 1..=128u64 {
            let mut h = IdHasher::default();
            h.write_u64(serial);
            tops.insert(h.finish() >> 57);
        }
        assert!(
            tops.len() > 64,
            "only {} distinct control bytes",
            tops.len()
        );
    }

    #[test]
    fn every_byte_of_a_slice_counts() {
        let hash = |bytes: &[u8]| {
            let mut h = IdHasher::default();
            h.write(bytes);
            h.finish()
        };
        assert_ne!(hash(&[1, 2, 3]), hash(&[1, 2, 4]));
        assert_ne!(hash(&[0; 9]), hash(&[0, 0, 0, 0, 0, 0, 0, 0, 1]));
    }
}
