//! Integers beyond 64 bits, as Erlang's bignums travel on the wire.

use std::fmt;

/// An integer that does not fit in an `i64`: a sign and a little-endian magnitude
/// without trailing zero bytes (the layout of `SMALL_BIG_EXT`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigInt {
    pub(crate) negative: bool,
    pub(crate) magnitude: Vec<u8>,
}

impl BigInt {
    /// From a sign and little-endian magnitude bytes; trailing zeros are dropped.
    pub fn from_parts(negative: bool, mut magnitude: Vec<u8>) -> BigInt {
        while magnitude.last() == Some(&0) {
            magnitude.pop();
        }
        let negative = negative && !magnitude.is_empty();
        BigInt {
            negative,
            magnitude,
        }
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The little-endian magnitude.
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// The value as an `i128`, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let m = self.to_u128()?;
        if self.negative {
            if m <= i128::MAX as u128 + 1 {
                Some((m as i128).wrapping_neg())
            } else {
                None
            }
        } else {
            i128::try_from(m).ok()
        }
    }

    fn to_u128(&self) -> Option<u128> {
        if self.magnitude.len() > 16 {
            return None;
        }
        let mut bytes = [0u8; 16];
        bytes[..self.magnitude.len()].copy_from_slice(&self.magnitude);
        Some(u128::from_le_bytes(bytes))
    }

    /// The value as a `u128`, if it is non-negative and fits.
    pub fn to_u128_checked(&self) -> Option<u128> {
        if self.negative { None } else { self.to_u128() }
    }

    /// `i128` as a term number: `Int` when it fits in 64 bits, else `Big`.
    pub fn term_from_i128(n: i128) -> super::Term {
        match i64::try_from(n) {
            Ok(small) => super::Term::Int(small),
            Err(_) => super::Term::Big(BigInt::from_parts(
                n < 0,
                n.unsigned_abs().to_le_bytes().to_vec(),
            )),
        }
    }

    /// `u128` as a term number.
    pub fn term_from_u128(n: u128) -> super::Term {
        match i64::try_from(n) {
            Ok(small) => super::Term::Int(small),
            Err(_) => super::Term::Big(BigInt::from_parts(false, n.to_le_bytes().to_vec())),
        }
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Schoolbook base conversion: repeated division of the magnitude by 10.
        let mut digits = Vec::new();
        let mut m: Vec<u8> = self.magnitude.clone();
        while !m.is_empty() {
            let mut rem = 0u32;
            for byte in m.iter_mut().rev() {
                let cur = (rem << 8) | u32::from(*byte);
                *byte = (cur / 10) as u8;
                rem = cur % 10;
            }
            digits.push(b'0' + rem as u8);
            while m.last() == Some(&0) {
                m.pop();
            }
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        if self.negative {
            f.write_str("-")?;
        }
        digits.reverse();
        f.write_str(std::str::from_utf8(&digits).unwrap_or("?"))
    }
}
