//! Typed messages on an untyped wire: Rust values to and from [`Term`](super::Term)s with
//! serde.
//!
//! Derive `serde::Serialize` and `serde::Deserialize` for your message types,
//! then [`to_term`] turns a value into the term an Erlang, Elixir or Gleam node
//! expects, and [`from_term`] turns a term that arrived back into the value, or
//! into a [`FromTermError`] saying where and why the term does not fit.
//!
//! # The mapping
//!
//! | Rust | Erlang term |
//! |---|---|
//! | `bool` | `true` / `false` |
//! | integers (`i8`..`i128`, `u8`..`u128`) | integer (a bignum past 64 bits) |
//! | `f32`, `f64` | float (NaN and infinities are an error: Erlang has none) |
//! | `char` | integer (its code point, as `$a` in Erlang) |
//! | `String`, `&str` | UTF-8 binary (`<<"hi">>`, Elixir's `"hi"`) |
//! | bytes (`serde_bytes`) | binary |
//! | `Vec<T>`, sets, slices | list |
//! | tuples `(A, B)`, arrays `[T; N]` | tuple `{A, B}` |
//! | `HashMap`, `BTreeMap` | map |
//! | `Option<T>` | `undefined` for `None`, the value itself for `Some` |
//! | `()` | `ok` |
//! | unit struct `struct Ping;` | atom `ping` |
//! | newtype struct `struct Id(u64);` | the inner value |
//! | tuple struct `struct Pair(A, B);` | tuple `{A, B}` |
//! | struct `struct P { x: i64 }` | map with atom keys `#{x => 1}` |
//! | unit variant `Msg::GetCount` | atom `get_count` |
//! | newtype variant `Msg::Add(5)` | `{add, 5}` |
//! | tuple variant `Msg::Move(1, 2)` | `{move, 1, 2}` |
//! | struct variant `Msg::Move { x: 1, y: 2 }` | record-style `{move, 1, 2}` |
//! | [`Term`](super::Term), [`ExternalPid`](super::ExternalPid), [`ExternalRef`](super::ExternalRef) fields | themselves |
//!
//! Names: a Rust name in CamelCase (ASCII letters and digits, first letter
//! upper case) becomes a snake_case atom, as Gleam does (`GetCount` ->
//! `get_count`, `HTTPRequest` -> `http_request`); any other name, for example
//! one set with `#[serde(rename = "Elixir.Point")]`, is used as written.
//!
//! Decoding is a little more forgiving than encoding, where Erlang has more than
//! one usual form: a string also decodes from a charlist (`"hi"` in Erlang), a
//! byte vector from a binary, a float from an integer, `None` also from `nil`
//! (Elixir), a tuple or array also from a list of the right length, a struct
//! also from an Erlang record `{point, X, Y}` (fields in declaration order) or
//! from a map with binary keys, and a struct variant also from `{move, #{x =>
//! 1, y => 2}}`. Nothing else is guessed: a term that does not fit is a
//! [`FromTermError`], never a panic.
//!
//! ```
//! use otp_dist::term::{self, Term};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! enum Request {
//!     GetCount,
//!     Add(i64),
//!     Rename { name: String },
//! }
//!
//! let add = term::to_term(&Request::Add(5)).unwrap();
//! assert_eq!(add, Term::tuple([Term::atom("add"), Term::from(5)]));
//! assert_eq!(term::from_term::<Request>(&Term::atom("get_count")).unwrap(), Request::GetCount);
//! let rename = Term::tuple([Term::atom("rename"), Term::from("bob")]);
//! assert_eq!(
//!     term::from_term::<Request>(&rename).unwrap(),
//!     Request::Rename { name: "bob".into() }
//! );
//!
//! let bad = Term::tuple([Term::atom("add"), Term::from("five")]);
//! let err = term::from_term::<Request>(&bad).unwrap_err();
//! assert_eq!(err.to_string(), "at {add}: expected i64, found <<\"five\">>");
//! ```

mod de;
mod raw;
mod ser;

pub use de::from_term;
pub use ser::to_term;

use std::fmt;

/// Why a Rust value could not become a term.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ToTermError {
    /// A float that is NaN or infinite: Erlang floats are finite.
    #[error("{0} has no Erlang term: Erlang floats are finite")]
    NonFiniteFloat(String),
    /// The value's `Serialize` implementation failed.
    #[error("{0}")]
    Custom(String),
}

impl serde::ser::Error for ToTermError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ToTermError::Custom(msg.to_string())
    }
}

/// Why a term does not decode into a Rust type: what did not fit, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromTermError {
    path: Vec<String>,
    problem: Problem,
}

/// What did not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The term has another shape than the type needs.
    Mismatch {
        /// What the type needs.
        expected: String,
        /// The term found (shortened when long).
        found: String,
    },
    /// The type's `Deserialize` implementation refused it (an unknown variant,
    /// a missing field...).
    Custom(String),
}

impl FromTermError {
    pub(crate) fn mismatch(expected: impl fmt::Display, found: &super::Term) -> Self {
        FromTermError {
            path: Vec::new(),
            problem: Problem::Mismatch {
                expected: expected.to_string(),
                found: shorten(found),
            },
        }
    }

    /// Adds an outer step (`.field`, `[3]`, `{tag}`) to where it happened.
    pub(crate) fn within(mut self, step: impl fmt::Display) -> Self {
        self.path.push(step.to_string());
        self
    }

    /// What did not fit.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Where, from the outermost term: `{add}` (inside variant `add`), `.name`
    /// (a field), `[2]` (an element); empty for the term itself.
    pub fn path(&self) -> String {
        self.path.iter().rev().map(String::as_str).collect()
    }
}

impl fmt::Display for FromTermError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "at {}: ", self.path())?;
        }
        match &self.problem {
            Problem::Mismatch { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::Custom(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for FromTermError {}

impl serde::de::Error for FromTermError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        FromTermError {
            path: Vec::new(),
            problem: Problem::Custom(msg.to_string()),
        }
    }
}

/// A term as Erlang prints it, cut after about 80 characters.
fn shorten(term: &super::Term) -> String {
    let mut text = term.to_string();
    if text.len() > 80 {
        let mut cut = 77;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

/// Whether `rust` is a CamelCase name that becomes a snake_case atom.
fn is_camel(rust: &str) -> bool {
    rust.starts_with(|c: char| c.is_ascii_uppercase())
        && rust.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The characters of the atom for Rust name `rust` (see the module docs).
fn atom_chars(rust: &str) -> impl Iterator<Item = char> + '_ {
    let camel = is_camel(rust);
    let bytes = rust.as_bytes();
    rust.char_indices()
        .flat_map(move |(i, c)| {
            if !camel || !c.is_ascii_uppercase() {
                return [Some(c), None];
            }
            let prev = i.checked_sub(1).map(|j| bytes[j]);
            let next = bytes.get(i + 1);
            let boundary = match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(_) => next.is_some_and(|n| n.is_ascii_lowercase()),
            };
            let lower = c.to_ascii_lowercase();
            if boundary {
                [Some('_'), Some(lower)]
            } else {
                [Some(lower), None]
            }
        })
        .flatten()
}

/// The atom name for Rust name `rust`: `GetCount` -> `get_count`.
pub(crate) fn atom_name(rust: &str) -> std::borrow::Cow<'_, str> {
    if is_camel(rust) {
        atom_chars(rust).collect::<String>().into()
    } else {
        rust.into()
    }
}

/// Whether atom `atom` names Rust name `rust`, without allocating.
fn names(atom: &str, rust: &str) -> bool {
    atom == rust || (is_camel(rust) && atom_chars(rust).eq(atom.chars()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_names_become_snake_case_atoms() {
        for (rust, atom) in [
            ("GetCount", "get_count"),
            ("Add", "add"),
            ("HTTPRequest", "http_request"),
            ("V2Ping", "v2_ping"),
            ("getCount", "getCount"),
            ("Elixir.Point", "Elixir.Point"),
            ("already_snake", "already_snake"),
            ("A", "a"),
        ] {
            assert_eq!(atom_name(rust), atom, "{rust}");
            assert!(names(atom, rust), "{rust}");
        }
        assert!(!names("getcount", "GetCount"));
    }
}
