//! Bytes to terms, defensively: every length is checked against what is left.

use std::io::Read;

use super::{Atom, BigInt, ExternalPid, ExternalPort, ExternalRef, Term};

/// How deeply terms may nest (tuples in lists in maps...). Deeper input is a
/// [`DecodeError::TooDeep`] instead of a stack overflow.
pub const MAX_DEPTH: usize = 128;

/// The largest size a compressed term (`term_to_binary(T, [compressed])`) may
/// declare; a larger one is [`DecodeError::TooLarge`], so a small input never
/// makes the decoder allocate gigabytes.
pub const MAX_UNCOMPRESSED: usize = 64 << 20;

/// Why bytes are not a term.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ends before the term does.
    #[error("the term ends early: {needed} more bytes needed at byte {at}")]
    UnexpectedEnd {
        /// Where the missing bytes were expected.
        at: usize,
        /// How many more bytes were needed.
        needed: usize,
    },
    /// The first byte is not the format version 131.
    #[error("not an external term: version byte {0}, expected 131")]
    BadVersion(u8),
    /// A tag byte this format does not define.
    #[error("unknown term tag {tag} at byte {at}")]
    UnknownTag {
        /// The tag.
        tag: u8,
        /// Its position.
        at: usize,
    },
    /// A tag the format defines but this decoder does not accept.
    #[error("unsupported term tag {tag} ({what}) at byte {at}")]
    Unsupported {
        /// The tag.
        tag: u8,
        /// What it encodes.
        what: &'static str,
        /// Its position.
        at: usize,
    },
    /// A well-formed tag with contents Erlang would reject.
    #[error("invalid {what} at byte {at}")]
    Invalid {
        /// What was wrong.
        what: &'static str,
        /// Where.
        at: usize,
    },
    /// Terms nested deeper than [`MAX_DEPTH`].
    #[error("term nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// A compressed term declaring more than [`MAX_UNCOMPRESSED`] bytes.
    #[error("compressed term of {0} bytes exceeds the limit of {MAX_UNCOMPRESSED}")]
    TooLarge(usize),
    /// Bytes after a complete term.
    #[error("{0} bytes left over after the term")]
    TrailingBytes(usize),
}

/// Decodes one term from `bytes` (starting with the version byte 131); the input
/// must hold exactly one term.
///
/// # Errors
/// A [`DecodeError`] for bytes that are not one External Term Format term.
pub fn decode(bytes: &[u8]) -> Result<Term, DecodeError> {
    let (term, used) = decode_prefix(bytes)?;
    match bytes.len() - used {
        0 => Ok(term),
        left => Err(DecodeError::TrailingBytes(left)),
    }
}

/// Decodes the term at the start of `bytes` (version byte 131 first) and returns
/// it with the number of bytes it took, for input where terms follow each other
/// (a distribution frame's control message and payload).
///
/// # Errors
/// A [`DecodeError`] for bytes that do not start with an External Term Format
/// term.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Term, usize), DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    match r.u8()? {
        131 => {}
        other => return Err(DecodeError::BadVersion(other)),
    }
    if r.peek() == Some(80) {
        r.pos += 1;
        let size = r.u32()? as usize;
        if size > MAX_UNCOMPRESSED {
            return Err(DecodeError::TooLarge(size));
        }
        let at = r.pos;
        let mut inflated = Vec::new();
        flate2::read::ZlibDecoder::new(&bytes[r.pos..])
            .take(size as u64 + 1)
            .read_to_end(&mut inflated)
            .map_err(|_| DecodeError::Invalid {
                what: "zlib data",
                at,
            })?;
        if inflated.len() != size {
            return Err(DecodeError::Invalid {
                what: "compressed size",
                at,
            });
        }
        let mut inner = Reader {
            bytes: &inflated,
            pos: 0,
        };
        let term = inner.term(0)?;
        if inner.pos != inflated.len() {
            return Err(DecodeError::TrailingBytes(inflated.len() - inner.pos));
        }
        // The zlib stream's own length is not recorded: it runs to the end.
        return Ok((term, bytes.len()));
    }
    let term = r.term(0)?;
    Ok((term, r.pos))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(DecodeError::UnexpectedEnd {
                at: self.pos,
                needed: n - left,
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A capacity for `n` items of at least one byte each: never more than the
    /// bytes left, whatever the length field says.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.bytes.len() - self.pos)
    }

    fn invalid(&self, what: &'static str, at: usize) -> DecodeError {
        let _ = self;
        DecodeError::Invalid { what, at }
    }

    fn term(&mut self, depth: usize) -> Result<Term, DecodeError> {
        if depth > super::MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let at = self.pos;
        let tag = self.u8()?;
        Ok(match tag {
            97 => Term::Int(self.u8()?.into()),
            98 => Term::Int(i32::from_be_bytes(self.array()?).into()),
            70 => {
                let x = f64::from_bits(self.u64()?);
                if !x.is_finite() {
                    return Err(self.invalid("float (not finite)", at));
                }
                Term::Float(x)
            }
            99 => {
                let text = self.take(31)?;
                let text = std::str::from_utf8(text)
                    .map_err(|_| self.invalid("float text", at))?
                    .trim_end_matches('\0');
                let x: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| self.invalid("float text", at))?;
                if !x.is_finite() {
                    return Err(self.invalid("float (not finite)", at));
                }
                Term::Float(x)
            }
            100 | 115 | 118 | 119 | 82 => {
                self.pos = at;
                Term::Atom(self.atom()?)
            }
            104 => {
                let n = self.u8()? as usize;
                Term::Tuple(self.terms(n, depth)?)
            }
            105 => {
                let n = self.u32()? as usize;
                Term::Tuple(self.terms(n, depth)?)
            }
            106 => Term::nil(),
            107 => {
                let n = self.u16()? as usize;
                Term::List(self.take(n)?.iter().map(|&b| Term::Int(b.into())).collect())
            }
            108 => {
                let n = self.u32()? as usize;
                let items = self.terms(n, depth)?;
                let tail = self.term(depth + 1)?;
                Term::improper(items, tail)
            }
            109 => {
                let n = self.u32()? as usize;
                Term::Binary(self.take(n)?.to_vec())
            }
            77 => {
                let n = self.u32()? as usize;
                let bits = self.u8()?;
                let mut bytes = self.take(n)?.to_vec();
                match (n, bits) {
                    (0, 0) => Term::Binary(bytes),
                    (0, _) | (_, 0) | (_, 9..) => return Err(self.invalid("bitstring", at)),
                    (_, 8) => Term::Binary(bytes),
                    (_, bits) => {
                        if let Some(last) = bytes.last_mut() {
                            *last &= 0xFFu8 << (8 - bits);
                        }
                        Term::BitBinary { bytes, bits }
                    }
                }
            }
            110 | 111 => {
                let n = if tag == 110 {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                let negative = match self.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(self.invalid("bignum sign", at)),
                };
                let big = BigInt::from_parts(negative, self.take(n)?.to_vec());
                match big.to_i128().and_then(|v| i64::try_from(v).ok()) {
                    Some(small) => Term::Int(small),
                    None => Term::Big(big),
                }
            }
            116 => {
                let n = self.u32()? as usize;
                let mut pairs = Vec::with_capacity(self.capacity(n));
                for _ in 0..n {
                    let k = self.term(depth + 1)?;
                    let v = self.term(depth + 1)?;
                    pairs.push((k, v));
                }
                let pairs = super::order::sort_pairs(pairs);
                if pairs.len() != n {
                    return Err(self.invalid("map (duplicate keys)", at));
                }
                Term::Map(pairs)
            }
            88 | 103 => {
                let node = self.atom()?;
                let id = self.u32()?;
                let serial = self.u32()?;
                let creation = if tag == 88 {
                    self.u32()?
                } else {
                    self.u8()?.into()
                };
                Term::Pid(ExternalPid {
                    node,
                    id,
                    serial,
                    creation,
                })
            }
            89 | 102 | 120 => {
                let node = self.atom()?;
                let id = if tag == 120 {
                    self.u64()?
                } else {
                    self.u32()?.into()
                };
                let creation = if tag == 102 {
                    self.u8()?.into()
                } else {
                    self.u32()?
                };
                Term::Port(ExternalPort { node, id, creation })
            }
            90 | 114 => {
                let n = self.u16()? as usize;
                if n == 0 || n > 5 {
                    return Err(self.invalid("reference length", at));
                }
                let node = self.atom()?;
                let creation = if tag == 90 {
                    self.u32()?
                } else {
                    self.u8()?.into()
                };
                let ids = (0..n).map(|_| self.u32()).collect::<Result<_, _>>()?;
                Term::Ref(ExternalRef {
                    node,
                    creation,
                    ids,
                })
            }
            101 => {
                let node = self.atom()?;
                let id = self.u32()?;
                let creation = self.u8()?.into();
                Term::Ref(ExternalRef {
                    node,
                    creation,
                    ids: vec![id],
                })
            }
            113 => {
                let module = self.atom()?;
                let function = self.atom()?;
                let arity_at = self.pos;
                let arity = match self.term(depth + 1)? {
                    Term::Int(a) => u8::try_from(a).map_err(|_| self.invalid("arity", arity_at))?,
                    _ => return Err(self.invalid("arity", arity_at)),
                };
                Term::Export {
                    module,
                    function,
                    arity,
                }
            }
            112 => {
                let size = self.u32()? as usize;
                if size < 4 {
                    return Err(self.invalid("fun size", at));
                }
                self.take(size - 4)?;
                Term::Fun(self.bytes[at..self.pos].to_vec())
            }
            117 => {
                return Err(DecodeError::Unsupported {
                    tag,
                    what: "FUN_EXT (pre-R13 fun)",
                    at,
                });
            }
            121 => {
                return Err(DecodeError::Unsupported {
                    tag,
                    what: "LOCAL_EXT (never sent between nodes)",
                    at,
                });
            }
            80 => {
                return Err(DecodeError::Unsupported {
                    tag,
                    what: "compressed term inside a term",
                    at,
                });
            }
            _ => return Err(DecodeError::UnknownTag { tag, at }),
        })
    }

    fn terms(&mut self, n: usize, depth: usize) -> Result<Vec<Term>, DecodeError> {
        let mut out = Vec::with_capacity(self.capacity(n));
        for _ in 0..n {
            out.push(self.term(depth + 1)?);
        }
        Ok(out)
    }

    fn atom(&mut self) -> Result<Atom, DecodeError> {
        let at = self.pos;
        let tag = self.u8()?;
        let (len, utf8) = match tag {
            118 => (self.u16()? as usize, true),
            119 => (self.u8()? as usize, true),
            100 => (self.u16()? as usize, false),
            115 => (self.u8()? as usize, false),
            82 => {
                return Err(DecodeError::Unsupported {
                    tag,
                    what: "ATOM_CACHE_REF (atom cache not negotiated)",
                    at,
                });
            }
            _ => return Err(self.invalid("atom", at)),
        };
        let raw = self.take(len)?;
        let name = if utf8 {
            std::str::from_utf8(raw)
                .map_err(|_| self.invalid("atom (not UTF-8)", at))?
                .to_owned()
        } else {
            raw.iter().map(|&b| char::from(b)).collect()
        };
        if name.chars().count() > super::atom::MAX_ATOM_CHARS {
            return Err(self.invalid("atom (longer than 255 characters)", at));
        }
        Ok(Atom::new(&name))
    }
}
