//! Erlang's term order, used to keep map keys sorted so that equal maps compare
//! equal: number < atom < reference < fun < port < pid < tuple < map < nil < list
//! < bitstring. Numbers compare by value; an integer sorts before an equal float
//! (the exact order `maps` uses for keys).

use std::cmp::Ordering;

use super::{BigInt, Term};

fn class(t: &Term) -> u8 {
    match t {
        Term::Int(_) | Term::Big(_) | Term::Float(_) => 0,
        Term::Atom(_) => 1,
        Term::Ref(_) => 2,
        Term::Export { .. } | Term::Fun(_) => 3,
        Term::Port(_) => 4,
        Term::Pid(_) => 5,
        Term::Tuple(_) => 6,
        Term::Map(_) => 7,
        Term::List(l) if l.is_empty() => 8,
        Term::List(_) | Term::ImproperList(..) => 9,
        Term::Binary(_) | Term::BitBinary { .. } => 10,
    }
}

fn big_vs_int(b: &BigInt) -> Ordering {
    // A `Big` never fits in an i64, so its sign decides.
    if b.negative {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

fn big_cmp(a: &BigInt, b: &BigInt) -> Ordering {
    let mag = a
        .magnitude
        .len()
        .cmp(&b.magnitude.len())
        .then_with(|| a.magnitude.iter().rev().cmp(b.magnitude.iter().rev()));
    match (a.negative, b.negative) {
        (false, false) => mag,
        (true, true) => mag.reverse(),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

fn big_as_f64(b: &BigInt) -> f64 {
    let m = b
        .magnitude
        .iter()
        .rev()
        .fold(0.0f64, |acc, &byte| acc * 256.0 + f64::from(byte));
    if b.negative { -m } else { m }
}

fn number_cmp(a: &Term, b: &Term) -> Ordering {
    match (a, b) {
        (Term::Int(x), Term::Int(y)) => x.cmp(y),
        (Term::Big(x), Term::Big(y)) => big_cmp(x, y),
        (Term::Big(x), Term::Int(_)) => big_vs_int(x),
        (Term::Int(_), Term::Big(y)) => big_vs_int(y).reverse(),
        (Term::Float(x), Term::Float(y)) => x.total_cmp(y),
        (Term::Int(x), Term::Float(y)) => (*x as f64).total_cmp(y).then(Ordering::Less),
        (Term::Float(x), Term::Int(y)) => x.total_cmp(&(*y as f64)).then(Ordering::Greater),
        (Term::Big(x), Term::Float(y)) => big_as_f64(x).total_cmp(y).then(Ordering::Less),
        (Term::Float(x), Term::Big(y)) => x.total_cmp(&big_as_f64(y)).then(Ordering::Greater),
        _ => Ordering::Equal,
    }
}

fn list_cmp(a: &[Term], b: &[Term]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match compare(x, y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// Erlang's total order on terms.
pub fn compare(a: &Term, b: &Term) -> Ordering {
    let by_class = class(a).cmp(&class(b));
    if by_class != Ordering::Equal {
        return by_class;
    }
    match (a, b) {
        (Term::Atom(x), Term::Atom(y)) => x.as_str().cmp(y.as_str()),
        (Term::Ref(x), Term::Ref(y)) => x.cmp(y),
        (Term::Port(x), Term::Port(y)) => x.cmp(y),
        (Term::Pid(x), Term::Pid(y)) => x.cmp(y),
        (Term::Tuple(x), Term::Tuple(y)) => x.len().cmp(&y.len()).then_with(|| list_cmp(x, y)),
        (Term::Map(x), Term::Map(y)) => x.len().cmp(&y.len()).then_with(|| {
            for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                match compare(kx, ky).then_with(|| compare(vx, vy)) {
                    Ordering::Equal => {}
                    other => return other,
                }
            }
            Ordering::Equal
        }),
        (Term::List(x), Term::List(y)) => list_cmp(x, y),
        (Term::ImproperList(x, tx), Term::ImproperList(y, ty)) => {
            list_cmp(x, y).then_with(|| compare(tx, ty))
        }
        (Term::List(x), Term::ImproperList(y, _)) => list_cmp(x, y).then(Ordering::Less),
        (Term::ImproperList(x, _), Term::List(y)) => list_cmp(x, y).then(Ordering::Greater),
        (Term::Binary(x), Term::Binary(y)) => x.cmp(y),
        (Term::Binary(x), Term::BitBinary { bytes, .. }) => x.as_slice().cmp(bytes.as_slice()),
        (Term::BitBinary { bytes, .. }, Term::Binary(y)) => bytes.as_slice().cmp(y.as_slice()),
        (Term::BitBinary { bytes: x, bits: bx }, Term::BitBinary { bytes: y, bits: by }) => {
            x.cmp(y).then(bx.cmp(by))
        }
        (Term::Fun(x), Term::Fun(y)) => x.cmp(y),
        (
            Term::Export {
                module: m1,
                function: f1,
                arity: a1,
            },
            Term::Export {
                module: m2,
                function: f2,
                arity: a2,
            },
        ) => (m1.as_str(), f1.as_str(), a1).cmp(&(m2.as_str(), f2.as_str(), a2)),
        (Term::Export { .. }, Term::Fun(_)) => Ordering::Less,
        (Term::Fun(_), Term::Export { .. }) => Ordering::Greater,
        _ => number_cmp(a, b),
    }
}

/// Sorts map pairs by key and keeps the last of equal keys.
pub fn sort_pairs(mut pairs: Vec<(Term, Term)>) -> Vec<(Term, Term)> {
    // Stable sort keeps insertion order among equal keys; keep the last one.
    pairs.sort_by(|(a, _), (b, _)| compare(a, b));
    let mut out: Vec<(Term, Term)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match out.last_mut() {
            Some(last) if compare(&last.0, &pair.0) == Ordering::Equal => *last = pair,
            _ => out.push(pair),
        }
    }
    out
}
