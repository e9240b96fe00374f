//! Erlang terms and the External Term Format (ETF).
//!
//! A [`Term`] is any value an Erlang node can send: atoms, integers (with bignums),
//! floats, binaries, lists, tuples, maps, pids, references, ports and funs. It is
//! what travels on the wire; [`encode`] and [`decode`] convert it to and from the
//! bytes of `term_to_binary/1` (see Erlang's `erl_ext_dist` documentation).
//!
//! Decoding never panics and never allocates more than the input can justify: a
//! length field larger than the bytes that follow is a [`DecodeError`], nesting is
//! limited to [`MAX_DEPTH`], and a compressed term may not expand past
//! [`MAX_UNCOMPRESSED`].
//!
//! ```
//! use otp_dist::term::{self, Term};
//!
//! let t = Term::tuple([Term::atom("ok"), Term::from(42), Term::binary(b"hi")]);
//! let bytes = term::encode(&t);
//! assert_eq!(bytes[0], 131);
//! assert_eq!(term::decode(&bytes).unwrap(), t);
//! assert!(term::decode(&[131, 255]).is_err());
//! ```

mod atom;
mod big;
mod decode;
mod encode;
mod order;
pub mod typed;

pub use atom::Atom;
pub use big::BigInt;
pub use decode::{DecodeError, MAX_DEPTH, MAX_UNCOMPRESSED, decode, decode_prefix};
pub use encode::{encode, encode_into};
pub use typed::{FromTermError, Problem, ToTermError, from_term, to_term};

use std::fmt;

/// An Erlang term.
///
/// Integers that fit in an `i64` are always [`Term::Int`]; [`Term::Big`] holds only
/// larger ones, so equal numbers compare equal. Maps keep their pairs sorted by
/// Erlang's term order with unique keys (build them with [`Term::map`]). A proper
/// list is [`Term::List`] (`[]` is the empty one); a list whose tail is not `[]` is
/// [`Term::ImproperList`].
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// An atom: `ok`, `'$gen_call'`.
    Atom(Atom),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer that does not fit in 64 bits.
    Big(BigInt),
    /// A float (finite: Erlang has no NaN or infinity).
    Float(f64),
    /// A binary: `<<"hello">>`.
    Binary(Vec<u8>),
    /// A bitstring whose last byte holds only `bits` bits (1..=7, high bits first).
    BitBinary {
        /// The bytes, the last one partly used.
        bytes: Vec<u8>,
        /// How many bits of the last byte are used.
        bits: u8,
    },
    /// A proper list; the empty list is `[]`.
    List(Vec<Term>),
    /// A list whose tail is not `[]`: `[a | b]`. `head` is never empty.
    ImproperList(Vec<Term>, Box<Term>),
    /// A tuple.
    Tuple(Vec<Term>),
    /// A map, pairs sorted by key in term order, keys unique.
    Map(Vec<(Term, Term)>),
    /// A process identifier.
    Pid(ExternalPid),
    /// A reference.
    Ref(ExternalRef),
    /// A port identifier.
    Port(ExternalPort),
    /// `fun M:F/A`.
    Export {
        /// The module.
        module: Atom,
        /// The function.
        function: Atom,
        /// The arity.
        arity: u8,
    },
    /// A closure from an Erlang node: carried as its encoded bytes (without the
    /// leading 131), since a Rust node cannot run it.
    Fun(Vec<u8>),
}

/// A pid of any node, as Erlang writes it on the wire (`NEW_PID_EXT`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalPid {
    /// The node that spawned the process.
    pub node: Atom,
    /// The process number.
    pub id: u32,
    /// The serial, incremented when numbers wrap.
    pub serial: u32,
    /// The incarnation of the node.
    pub creation: u32,
}

/// A reference of any node (`NEWER_REFERENCE_EXT`): up to five 32-bit words.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalRef {
    /// The node that made the reference.
    pub node: Atom,
    /// The incarnation of the node.
    pub creation: u32,
    /// The reference's words (1 to 5).
    pub ids: Vec<u32>,
}

/// A port of any node (`NEW_PORT_EXT` / `V4_PORT_EXT`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalPort {
    /// The node of the port.
    pub node: Atom,
    /// The port number.
    pub id: u64,
    /// The incarnation of the node.
    pub creation: u32,
}

impl Term {
    /// An atom.
    pub fn atom(name: &str) -> Term {
        Term::Atom(Atom::new(name))
    }

    /// A binary.
    pub fn binary(bytes: impl AsRef<[u8]>) -> Term {
        Term::Binary(bytes.as_ref().to_vec())
    }

    /// A tuple.
    pub fn tuple(elements: impl IntoIterator<Item = Term>) -> Term {
        Term::Tuple(elements.into_iter().collect())
    }

    /// A proper list.
    pub fn list(elements: impl IntoIterator<Item = Term>) -> Term {
        Term::List(elements.into_iter().collect())
    }

    /// `[]`.
    pub fn nil() -> Term {
        Term::List(Vec::new())
    }

    /// `[head... | tail]`, normalised: a proper tail makes a proper list.
    pub fn improper(head: Vec<Term>, tail: Term) -> Term {
        match tail {
            Term::List(rest) => {
                let mut all = head;
                all.extend(rest);
                Term::List(all)
            }
            Term::ImproperList(rest, tail) => {
                let mut all = head;
                all.extend(rest);
                Term::ImproperList(all, tail)
            }
            tail if head.is_empty() => tail,
            tail => Term::ImproperList(head, Box::new(tail)),
        }
    }

    /// A map from pairs; a later pair with an equal key replaces an earlier one,
    /// as in `maps:from_list/1`.
    pub fn map(pairs: impl IntoIterator<Item = (Term, Term)>) -> Term {
        Term::Map(order::sort_pairs(pairs.into_iter().collect()))
    }

    /// The atom's name, if this is an atom.
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(a) => Some(a.as_str()),
            _ => None,
        }
    }

    /// Whether this is the atom `name`.
    pub fn is_atom(&self, name: &str) -> bool {
        self.as_atom() == Some(name)
    }

    /// The elements, if this is a tuple.
    pub fn as_tuple(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The value under `key`, if this is a map that has it.
    pub fn map_get(&self, key: &Term) -> Option<&Term> {
        match self {
            Term::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the term's type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Term::Atom(_) => "atom",
            Term::Int(_) | Term::Big(_) => "integer",
            Term::Float(_) => "float",
            Term::Binary(_) => "binary",
            Term::BitBinary { .. } => "bitstring",
            Term::List(_) | Term::ImproperList(..) => "list",
            Term::Tuple(_) => "tuple",
            Term::Map(_) => "map",
            Term::Pid(_) => "pid",
            Term::Ref(_) => "reference",
            Term::Port(_) => "port",
            Term::Export { .. } | Term::Fun(_) => "fun",
        }
    }
}

impl From<i64> for Term {
    fn from(n: i64) -> Term {
        Term::Int(n)
    }
}

impl From<i32> for Term {
    fn from(n: i32) -> Term {
        Term::Int(n.into())
    }
}

impl From<&str> for Term {
    /// A string becomes a UTF-8 binary, as in Elixir and Gleam.
    fn from(s: &str) -> Term {
        Term::Binary(s.as_bytes().to_vec())
    }
}

impl From<Atom> for Term {
    fn from(a: Atom) -> Term {
        Term::Atom(a)
    }
}

impl From<ExternalPid> for Term {
    fn from(p: ExternalPid) -> Term {
        Term::Pid(p)
    }
}

impl From<ExternalRef> for Term {
    fn from(r: ExternalRef) -> Term {
        Term::Ref(r)
    }
}

impl fmt::Display for ExternalPid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}.{}.{}>", self.node, self.id, self.serial)
    }
}

impl fmt::Display for Term {
    /// Erlang syntax, roughly as `io:format("~p")` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[Term]) -> fmt::Result {
            for (i, t) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        }
        match self {
            Term::Atom(a) => write!(f, "{a}"),
            Term::Int(n) => write!(f, "{n}"),
            Term::Big(b) => write!(f, "{b}"),
            Term::Float(x) => write!(f, "{x:?}"),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => write!(f, "<<{s:?}>>"),
                Err(_) => write!(f, "<<{} bytes>>", b.len()),
            },
            Term::BitBinary { bytes, bits } => {
                write!(
                    f,
                    "<<{} bits>>",
                    (bytes.len() * 8).saturating_sub(8 - *bits as usize)
                )
            }
            Term::List(items) => {
                f.write_str("[")?;
                seq(f, items)?;
                f.write_str("]")
            }
            Term::ImproperList(items, tail) => {
                f.write_str("[")?;
                seq(f, items)?;
                write!(f, "|{tail}]")
            }
            Term::Tuple(items) => {
                f.write_str("{")?;
                seq(f, items)?;
                f.write_str("}")
            }
            Term::Map(pairs) => {
                f.write_str("#{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k} => {v}")?;
                }
                f.write_str("}")
            }
            Term::Pid(p) => write!(f, "{p}"),
            Term::Ref(r) => write!(f, "#Ref<{}.{:?}>", r.node, r.ids),
            Term::Port(p) => write!(f, "#Port<{}.{}>", p.node, p.id),
            Term::Export {
                module,
                function,
                arity,
            } => write!(f, "fun {module}:{function}/{arity}"),
            Term::Fun(_) => f.write_str("#Fun<>"),
        }
    }
}
