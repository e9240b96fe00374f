//! Terms to bytes, in the encodings a current Erlang node writes.

use super::{Atom, Term};

/// Encodes `term` with the leading version byte 131, as `term_to_binary/1`.
pub fn encode(term: &Term) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    encode_into(term, &mut out);
    out
}

/// Appends the encoding of `term` (with the version byte) to `out`.
pub fn encode_into(term: &Term, out: &mut Vec<u8>) {
    out.push(131);
    put(term, out);
}

fn len32(out: &mut Vec<u8>, n: usize) {
    // Lengths come from values in memory; a term with more than 4G elements
    // cannot be sent, and such a size is impossible for a Vec of terms anyway.
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
}

pub(crate) fn put_atom(a: &Atom, out: &mut Vec<u8>) {
    let bytes = a.as_str().as_bytes();
    match u8::try_from(bytes.len()) {
        Ok(n) => {
            out.push(119);
            out.push(n);
        }
        Err(_) => {
            // At most 255 characters of at most 4 bytes each.
            out.push(118);
            out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
}

fn put(term: &Term, out: &mut Vec<u8>) {
    match term {
        Term::Atom(a) => put_atom(a, out),
        Term::Int(n) => {
            if let Ok(small) = u8::try_from(*n) {
                out.push(97);
                out.push(small);
            } else if let Ok(int) = i32::try_from(*n) {
                out.push(98);
                out.extend_from_slice(&int.to_be_bytes());
            } else {
                let mut mag = n.unsigned_abs().to_le_bytes().to_vec();
                while mag.last() == Some(&0) {
                    mag.pop();
                }
                put_big(*n < 0, &mag, out);
            }
        }
        Term::Big(b) => put_big(b.negative, &b.magnitude, out),
        Term::Float(x) => {
            out.push(70);
            out.extend_from_slice(&x.to_bits().to_be_bytes());
        }
        Term::Binary(b) => {
            out.push(109);
            len32(out, b.len());
            out.extend_from_slice(b);
        }
        Term::BitBinary { bytes, bits } => {
            out.push(77);
            len32(out, bytes.len());
            out.push(*bits);
            out.extend_from_slice(bytes);
        }
        Term::List(items) if items.is_empty() => out.push(106),
        Term::List(items) => {
            out.push(108);
            len32(out, items.len());
            for t in items {
                put(t, out);
            }
            out.push(106);
        }
        Term::ImproperList(items, tail) => {
            out.push(108);
            len32(out, items.len());
            for t in items {
                put(t, out);
            }
            put(tail, out);
        }
        Term::Tuple(items) => {
            match u8::try_from(items.len()) {
                Ok(n) => {
                    out.push(104);
                    out.push(n);
                }
                Err(_) => {
                    out.push(105);
                    len32(out, items.len());
                }
            }
            for t in items {
                put(t, out);
            }
        }
        Term::Map(pairs) => {
            out.push(116);
            len32(out, pairs.len());
            for (k, v) in pairs {
                put(k, out);
                put(v, out);
            }
        }
        Term::Pid(p) => {
            out.push(88);
            put_atom(&p.node, out);
            out.extend_from_slice(&p.id.to_be_bytes());
            out.extend_from_slice(&p.serial.to_be_bytes());
            out.extend_from_slice(&p.creation.to_be_bytes());
        }
        Term::Port(p) => {
            match u32::try_from(p.id) {
                Ok(id) => {
                    out.push(89);
                    put_atom(&p.node, out);
                    out.extend_from_slice(&id.to_be_bytes());
                }
                Err(_) => {
                    out.push(120);
                    put_atom(&p.node, out);
                    out.extend_from_slice(&p.id.to_be_bytes());
                }
            }
            out.extend_from_slice(&p.creation.to_be_bytes());
        }
        Term::Ref(r) => {
            out.push(90);
            out.extend_from_slice(&(r.ids.len().min(5) as u16).to_be_bytes());
            put_atom(&r.node, out);
            out.extend_from_slice(&r.creation.to_be_bytes());
            for id in r.ids.iter().take(5) {
                out.extend_from_slice(&id.to_be_bytes());
            }
        }
        Term::Export {
            module,
            function,
            arity,
        } => {
            out.push(113);
            put_atom(module, out);
            put_atom(function, out);
            out.push(97);
            out.push(*arity);
        }
        Term::Fun(bytes) => out.extend_from_slice(bytes),
    }
}

fn put_big(negative: bool, magnitude: &[u8], out: &mut Vec<u8>) {
    match u8::try_from(magnitude.len()) {
        Ok(n) => {
            out.push(110);
            out.push(n);
        }
        Err(_) => {
            out.push(111);
            len32(out, magnitude.len());
        }
    }
    out.push(u8::from(negative));
    out.extend_from_slice(magnitude);
}
