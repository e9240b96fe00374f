//! [`Term`], pids and references inside typed messages: they pass through
//! [`to_term`](super::to_term) and [`from_term`](super::from_term) unchanged.
//!
//! serde has no notion of "a term", so they travel as a newtype struct with a
//! reserved name wrapping their ETF bytes; the term serializer and deserializer
//! recognise the name. Other serde formats see the ETF bytes.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::term::{ExternalPid, ExternalRef, Term, decode, encode};

/// The reserved newtype name.
pub(crate) const TOKEN: &str = "$otp_dist::Term";

struct Etf<'a>(&'a [u8]);

impl Serialize for Etf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl Serialize for Term {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(TOKEN, &Etf(&encode(self)))
    }
}

struct TermVisitor;

impl<'de> Visitor<'de> for TermVisitor {
    type Value = Term;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an Erlang term")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Term, E> {
        decode(bytes).map_err(E::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Term, D::Error> {
        d.deserialize_newtype_struct(TOKEN, TermVisitor)
    }
}

macro_rules! term_variant {
    ($ty:ty, $variant:ident, $what:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                Term::$variant(self.clone()).serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                match Term::deserialize(d)? {
                    Term::$variant(inner) => Ok(inner),
                    other => Err(de::Error::custom(format_args!(
                        concat!("expected ", $what, ", found {}"),
                        other
                    ))),
                }
            }
        }
    };
}

term_variant!(ExternalPid, Pid, "a pid");
term_variant!(ExternalRef, Ref, "a reference");
