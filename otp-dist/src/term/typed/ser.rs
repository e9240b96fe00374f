//! Rust values to terms: a `serde::Serializer` whose output is a [`Term`].

use serde::Serialize;
use serde::ser;

use super::{ToTermError, atom_name, raw};
use crate::term::{BigInt, Term, decode};

/// Converts `value` to the term described in [the module docs](super).
///
/// ```
/// use otp_dist::term::{self, Term};
/// assert_eq!(term::to_term(&vec![1u8, 2]).unwrap(), Term::list([Term::from(1), Term::from(2)]));
/// assert_eq!(term::to_term(&Some("hi")).unwrap(), Term::from("hi"));
/// assert_eq!(term::to_term(&None::<i64>).unwrap(), Term::atom("undefined"));
/// ```
///
/// # Errors
/// A [`ToTermError`] for a value serde cannot map to a term.
pub fn to_term<T: Serialize + ?Sized>(value: &T) -> Result<Term, ToTermError> {
    value.serialize(Ser)
}

struct Ser;

fn tag(name: &str) -> Term {
    Term::atom(&atom_name(name))
}

fn float(x: f64) -> Result<Term, ToTermError> {
    if x.is_finite() {
        Ok(Term::Float(x))
    } else {
        Err(ToTermError::NonFiniteFloat(x.to_string()))
    }
}

impl ser::Serializer for Ser {
    type Ok = Term;
    type Error = ToTermError;
    type SerializeSeq = Elements;
    type SerializeTuple = Elements;
    type SerializeTupleStruct = Elements;
    type SerializeTupleVariant = Elements;
    type SerializeMap = Pairs;
    type SerializeStruct = Pairs;
    type SerializeStructVariant = Elements;

    fn serialize_bool(self, v: bool) -> Result<Term, ToTermError> {
        Ok(Term::atom(if v { "true" } else { "false" }))
    }
    fn serialize_i8(self, v: i8) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Term, ToTermError> {
        Ok(Term::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Term, ToTermError> {
        Ok(BigInt::term_from_i128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Term, ToTermError> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Term, ToTermError> {
        Ok(BigInt::term_from_u128(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Term, ToTermError> {
        Ok(BigInt::term_from_u128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Term, ToTermError> {
        float(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Term, ToTermError> {
        float(v)
    }
    fn serialize_char(self, v: char) -> Result<Term, ToTermError> {
        Ok(Term::Int(u32::from(v).into()))
    }
    fn serialize_str(self, v: &str) -> Result<Term, ToTermError> {
        Ok(Term::Binary(v.as_bytes().to_vec()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Term, ToTermError> {
        Ok(Term::Binary(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Term, ToTermError> {
        Ok(Term::atom("undefined"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Term, ToTermError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Term, ToTermError> {
        Ok(Term::atom("ok"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Term, ToTermError> {
        Ok(tag(name))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Term, ToTermError> {
        Ok(tag(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Term, ToTermError> {
        if name == raw::TOKEN {
            // A `Term` (or pid, reference) field: it travels as its ETF bytes.
            return match value.serialize(self)? {
                Term::Binary(bytes) => {
                    decode(&bytes).map_err(|e| ToTermError::Custom(e.to_string()))
                }
                other => Ok(other),
            };
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Term, ToTermError> {
        Ok(Term::Tuple(vec![tag(variant), value.serialize(self)?]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Elements, ToTermError> {
        Ok(Elements::new(Shape::List, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements, ToTermError> {
        Ok(Elements::new(Shape::Tuple, len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Elements, ToTermError> {
        Ok(Elements::new(Shape::Tuple, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Elements, ToTermError> {
        Ok(Elements::tagged(variant, len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Pairs, ToTermError> {
        Ok(Pairs::new(len.unwrap_or(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Pairs, ToTermError> {
        Ok(Pairs::new(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Elements, ToTermError> {
        Ok(Elements::tagged(variant, len))
    }
}

enum Shape {
    List,
    Tuple,
}

/// The elements of a list or tuple being built.
struct Elements {
    shape: Shape,
    items: Vec<Term>,
}

impl Elements {
    fn new(shape: Shape, len: usize) -> Elements {
        // Capacity from the hint, bounded: a hint is not a promise.
        let items = Vec::with_capacity(len.min(4096));
        Elements { shape, items }
    }

    fn tagged(variant: &str, len: usize) -> Elements {
        let mut e = Elements::new(Shape::Tuple, len + 1);
        e.items.push(tag(variant));
        e
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        self.items.push(value.serialize(Ser)?);
        Ok(())
    }

    fn finish(self) -> Result<Term, ToTermError> {
        Ok(match self.shape {
            Shape::List => Term::List(self.items),
            Shape::Tuple => Term::Tuple(self.items),
        })
    }
}

impl ser::SerializeSeq for Elements {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        self.push(value)
    }
    fn end(self) -> Result<Term, ToTermError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Elements {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        self.push(value)
    }
    fn end(self) -> Result<Term, ToTermError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Elements {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        self.push(value)
    }
    fn end(self) -> Result<Term, ToTermError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Elements {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        self.push(value)
    }
    fn end(self) -> Result<Term, ToTermError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Elements {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), ToTermError> {
        self.push(value)
    }
    fn end(self) -> Result<Term, ToTermError> {
        self.finish()
    }
}

/// The pairs of a map being built.
struct Pairs {
    pairs: Vec<(Term, Term)>,
    key: Option<Term>,
}

impl Pairs {
    fn new(len: usize) -> Pairs {
        Pairs {
            pairs: Vec::with_capacity(len.min(4096)),
            key: None,
        }
    }
}

impl ser::SerializeMap for Pairs {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ToTermError> {
        self.key = Some(key.serialize(Ser)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToTermError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ToTermError::Custom("a map value without its key".into()))?;
        self.pairs.push((key, value.serialize(Ser)?));
        Ok(())
    }
    fn end(self) -> Result<Term, ToTermError> {
        Ok(Term::map(self.pairs))
    }
}

impl ser::SerializeStruct for Pairs {
    type Ok = Term;
    type Error = ToTermError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ToTermError> {
        self.pairs.push((Term::atom(key), value.serialize(Ser)?));
        Ok(())
    }
    fn end(self) -> Result<Term, ToTermError> {
        Ok(Term::map(self.pairs))
    }
}
