//! Terms to Rust values: a `serde::Deserializer` over a borrowed [`Term`].

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::{FromTermError, atom_name, names, raw};
use crate::term::{Term, encode};

/// Converts `term` into a `T` as described in [the module docs](super), or says
/// where and why it does not fit. Strings may borrow from the term.
///
/// ```
/// use otp_dist::term::{self, Term};
/// let t = Term::tuple([Term::from(1), Term::from("one")]);
/// let (n, s): (u8, &str) = term::from_term(&t).unwrap();
/// assert_eq!((n, s), (1, "one"));
/// assert!(term::from_term::<(u8, String)>(&Term::atom("nope")).is_err());
/// ```
///
/// # Errors
/// A [`FromTermError`] naming where the term does not fit `T`.
pub fn from_term<'de, T: Deserialize<'de>>(term: &'de Term) -> Result<T> {
    T::deserialize(De(term))
}

type Result<T> = std::result::Result<T, FromTermError>;

#[derive(Clone, Copy)]
struct De<'de>(&'de Term);

impl<'de> De<'de> {
    fn mismatch<T>(self, expected: &str) -> Result<T> {
        Err(FromTermError::mismatch(expected, self.0))
    }

    fn int<T: TryFrom<i128>>(self, what: &str) -> Result<T> {
        let n = match self.0 {
            Term::Int(n) => i128::from(*n),
            Term::Big(b) => match b.to_i128() {
                Some(n) => n,
                None => return self.mismatch(what),
            },
            _ => return self.mismatch(what),
        };
        T::try_from(n).or_else(|_| self.mismatch(what))
    }

    fn atom(self) -> Option<&'de str> {
        self.0.as_atom()
    }

    /// The elements of a tuple, or of a proper list.
    fn elements(self) -> Option<&'de [Term]> {
        match self.0 {
            Term::Tuple(items) | Term::List(items) => Some(items),
            _ => None,
        }
    }
}

macro_rules! ints {
    ($($method:ident => $visit:ident, $ty:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
            v.$visit(self.int::<$ty>(stringify!($ty))?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'de> {
    type Error = FromTermError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Atom(a) => match a.as_str() {
                "true" => v.visit_bool(true),
                "false" => v.visit_bool(false),
                "undefined" | "nil" => v.visit_none(),
                _ => v.visit_borrowed_str(a.as_str()),
            },
            Term::Int(n) => v.visit_i64(*n),
            Term::Big(b) => match (b.to_i128(), b.to_u128_checked()) {
                (Some(n), _) => v.visit_i128(n),
                (None, Some(n)) => v.visit_u128(n),
                _ => self.mismatch("an integer of at most 128 bits"),
            },
            Term::Float(x) => v.visit_f64(*x),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => v.visit_borrowed_str(s),
                Err(_) => v.visit_borrowed_bytes(b),
            },
            Term::List(items) => v.visit_seq(Seq::new(items)),
            Term::Tuple(items) => v.visit_seq(Seq::new(items)),
            Term::Map(pairs) => v.visit_map(Pairs::new(pairs)),
            _ => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.atom() {
            Some("true") => v.visit_bool(true),
            Some("false") => v.visit_bool(false),
            _ => self.mismatch("true or false"),
        }
    }

    ints! {
        deserialize_i8 => visit_i8, i8;
        deserialize_i16 => visit_i16, i16;
        deserialize_i32 => visit_i32, i32;
        deserialize_i64 => visit_i64, i64;
        deserialize_i128 => visit_i128, i128;
        deserialize_u8 => visit_u8, u8;
        deserialize_u16 => visit_u16, u16;
        deserialize_u32 => visit_u32, u32;
        deserialize_u64 => visit_u64, u64;
    }

    fn deserialize_u128<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Int(n) if *n >= 0 => v.visit_u128(*n as u128),
            Term::Big(b) => match b.to_u128_checked() {
                Some(n) => v.visit_u128(n),
                None => self.mismatch("u128"),
            },
            _ => self.mismatch("u128"),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Float(x) => v.visit_f64(*x),
            Term::Int(n) => v.visit_f64(*n as f64),
            _ => self.mismatch("a float"),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        let c = match self.0 {
            Term::Int(n) => u32::try_from(*n).ok().and_then(char::from_u32),
            Term::Binary(b) => {
                let mut chars = std::str::from_utf8(b).ok().map(str::chars);
                match chars.as_mut().map(|c| (c.next(), c.next())) {
                    Some((Some(c), None)) => Some(c),
                    _ => None,
                }
            }
            _ => None,
        };
        match c {
            Some(c) => v.visit_char(c),
            None => self.mismatch("a character"),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => v.visit_borrowed_str(s),
                Err(_) => self.mismatch("a UTF-8 string"),
            },
            Term::List(items) => match charlist(items) {
                Some(s) => v.visit_string(s),
                None => self.mismatch("a string"),
            },
            _ => self.mismatch("a string"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Binary(b) => v.visit_borrowed_bytes(b),
            Term::List(items) => match items
                .iter()
                .map(|t| match t {
                    Term::Int(n) => u8::try_from(*n).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
            {
                Some(bytes) => v.visit_byte_buf(bytes),
                None => self.mismatch("a binary"),
            },
            _ => self.mismatch("a binary"),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.atom() {
            Some("undefined" | "nil") => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.atom() {
            Some("ok") => v.visit_unit(),
            _ => self.mismatch("ok"),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value> {
        match self.atom() {
            Some(a) if names(a, name) => v.visit_unit(),
            _ => self.mismatch(
                format_args!("the atom {}", atom_name(name))
                    .to_string()
                    .as_str(),
            ),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value> {
        if name == raw::TOKEN {
            return v.visit_bytes(&encode(self.0));
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::List(items) => v.visit_seq(Seq::new(items)),
            Term::Binary(bytes) => {
                v.visit_seq(de::value::SeqDeserializer::new(bytes.iter().copied()))
            }
            _ => self.mismatch("a list"),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value> {
        match self.elements() {
            Some(items) if items.len() == len => v.visit_seq(Seq::new(items)),
            _ => self.mismatch(&format!("a tuple of {len}")),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value> {
        self.deserialize_tuple(len, v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Map(pairs) => v.visit_map(Pairs::new(pairs)),
            _ => self.mismatch("a map"),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        match self.0 {
            Term::Map(pairs) => v.visit_map(Pairs::new(pairs)),
            // An Erlang record: `{name, Field1, Field2...}`.
            Term::Tuple(items)
                if items.len() == fields.len() + 1
                    && items[0].as_atom().is_some_and(|a| names(a, name)) =>
            {
                v.visit_map(Record::new(fields, &items[1..]))
            }
            _ => self.mismatch(&format!("a map or a {} record", atom_name(name))),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        let (tag, rest): (&str, &[Term]) = match self.0 {
            Term::Atom(a) => (a.as_str(), &[]),
            Term::Tuple(items) => match items.split_first() {
                Some((Term::Atom(a), rest)) => (a.as_str(), rest),
                _ => {
                    return self.mismatch(&format!(
                        "a {} (an atom or a tagged tuple)",
                        atom_name(name)
                    ));
                }
            },
            _ => {
                return self.mismatch(&format!(
                    "a {} (an atom or a tagged tuple)",
                    atom_name(name)
                ));
            }
        };
        // The variant's Rust name, so that serde's derive recognises it.
        let variant = variants
            .iter()
            .copied()
            .find(|r| names(tag, r))
            .unwrap_or(tag);
        v.visit_enum(Enum {
            term: self.0,
            tag,
            variant,
            rest,
        })
        .map_err(|e| e.within(format_args!("{{{tag}}}")))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.0 {
            Term::Atom(a) => v.visit_borrowed_str(a.as_str()),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => v.visit_borrowed_str(s),
                Err(_) => self.mismatch("a name"),
            },
            _ => self.mismatch("a name (an atom)"),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_unit()
    }
}

/// A charlist as a string: `"hi"` in Erlang is `[104, 105]`.
fn charlist(items: &[Term]) -> Option<String> {
    items
        .iter()
        .map(|t| match t {
            Term::Int(n) => u32::try_from(*n).ok().and_then(char::from_u32),
            _ => None,
        })
        .collect()
}

/// The elements of a list or tuple, one by one.
struct Seq<'de> {
    items: std::slice::Iter<'de, Term>,
    index: usize,
}

impl<'de> Seq<'de> {
    fn new(items: &'de [Term]) -> Seq<'de> {
        Seq {
            items: items.iter(),
            index: 0,
        }
    }
}

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = FromTermError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(De(item))
            .map(Some)
            .map_err(|e| e.within(format_args!("[{index}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The pairs of a map, one by one.
struct Pairs<'de> {
    pairs: std::slice::Iter<'de, (Term, Term)>,
    value: Option<&'de (Term, Term)>,
}

impl<'de> Pairs<'de> {
    fn new(pairs: &'de [(Term, Term)]) -> Pairs<'de> {
        Pairs {
            pairs: pairs.iter(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Pairs<'de> {
    type Error = FromTermError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(pair) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some(pair);
        seed.deserialize(De(&pair.0)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a map value without its key"))?;
        seed.deserialize(De(value)).map_err(|e| match key {
            Term::Atom(a) => e.within(format_args!(".{a}")),
            other => e.within(format_args!("[{other}]")),
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

/// A record's fields paired with the struct's field names, in order.
struct Record<'de> {
    fields: std::slice::Iter<'static, &'static str>,
    values: std::slice::Iter<'de, Term>,
    field: &'static str,
}

impl<'de> Record<'de> {
    fn new(fields: &'static [&'static str], values: &'de [Term]) -> Record<'de> {
        Record {
            fields: fields.iter(),
            values: values.iter(),
            field: "",
        }
    }
}

impl<'de> de::MapAccess<'de> for Record<'de> {
    type Error = FromTermError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(field) = self.fields.next() else {
            return Ok(None);
        };
        self.field = field;
        seed.deserialize(field.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let value = self
            .values
            .next()
            .ok_or_else(|| de::Error::custom("a record shorter than its struct"))?;
        seed.deserialize(De(value))
            .map_err(|e| e.within(format_args!(".{}", self.field)))
    }
}

/// An enum value: its tag and what follows it in the tuple.
struct Enum<'de> {
    term: &'de Term,
    tag: &'de str,
    variant: &'de str,
    rest: &'de [Term],
}

impl<'de> de::EnumAccess<'de> for Enum<'de> {
    type Error = FromTermError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        let variant = seed.deserialize(de::value::BorrowedStrDeserializer::new(self.variant))?;
        Ok((variant, self))
    }
}

impl<'de> Enum<'de> {
    fn mismatch<T>(&self, expected: &str) -> Result<T> {
        Err(FromTermError::mismatch(expected, self.term))
    }
}

impl<'de> de::VariantAccess<'de> for Enum<'de> {
    type Error = FromTermError;

    fn unit_variant(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            self.mismatch(&format!("the atom {}", self.tag))
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        match self.rest {
            [value] => seed.deserialize(De(value)),
            _ => self.mismatch(&format!("{{{}, Value}}", self.tag)),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value> {
        if self.rest.len() == len {
            v.visit_seq(Seq::new(self.rest))
        } else {
            self.mismatch(&format!("{{{}, ...}} with {len} values", self.tag))
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        match self.rest {
            [Term::Map(pairs)] => v.visit_map(Pairs::new(pairs)),
            rest if rest.len() == fields.len() => v.visit_map(Record::new(fields, rest)),
            _ => self.mismatch(&format!(
                "{{{}, ...}} with {} fields",
                self.tag,
                fields.len()
            )),
        }
    }
}
