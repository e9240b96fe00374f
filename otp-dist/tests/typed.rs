//! Typed messages: Rust values round-trip through terms (and their ETF bytes),
//! the documented mapping holds, and a term that does not fit is a typed error,
//! never a panic.

use std::collections::BTreeMap;

use otp_dist::term::{self, Atom, ExternalPid, FromTermError, Problem, Term};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle(f64),
    Rect(i32, i32),
    Polygon { sides: u8, label: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Id(u64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pair(i16, bool);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Unit;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    id: Id,
    big: i128,
    huge: u128,
    small: i8,
    ch: char,
    name: String,
    shapes: Vec<Shape>,
    pair: Pair,
    triple: (u32, String, Unit),
    table: BTreeMap<String, Vec<i64>>,
    maybe: Option<Box<Everything>>,
    owner: ExternalPid,
    raw: Term,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Dot),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Shape::Circle),
        (any::<i32>(), any::<i32>()).prop_map(|(a, b)| Shape::Rect(a, b)),
        (any::<u8>(), proptest::option::of("\\PC{0,8}"))
            .prop_map(|(sides, label)| Shape::Polygon { sides, label }),
    ]
}

fn pid() -> impl Strategy<Value = ExternalPid> {
    (
        "[a-z]{1,8}@[a-z]{1,8}",
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(node, id, serial, creation)| ExternalPid {
            node: Atom::new(&node),
            id,
            serial,
            creation,
        })
}

fn raw() -> impl Strategy<Value = Term> {
    prop_oneof![
        "[a-z_]{1,8}".prop_map(|a| Term::atom(&a)),
        any::<i64>().prop_map(Term::Int),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Term::Binary),
    ]
    .prop_map(|t| Term::tuple([t, Term::nil()]))
}

fn everything() -> impl Strategy<Value = Everything> {
    (leaf(), proptest::option::of(leaf())).prop_map(|(mut outer, inner)| {
        outer.maybe = inner.map(Box::new);
        outer
    })
}

fn leaf() -> impl Strategy<Value = Everything> {
    (
        any::<u64>().prop_map(Id),
        any::<i128>(),
        any::<u128>(),
        any::<i8>(),
        any::<char>(),
        "\\PC{0,12}",
        proptest::collection::vec(shape(), 0..4),
        (any::<i16>(), any::<bool>()).prop_map(|(a, b)| Pair(a, b)),
        (any::<u32>(), "[a-z]{0,4}").prop_map(|(n, s)| (n, s, Unit)),
        proptest::collection::btree_map(
            "\\PC{0,4}",
            proptest::collection::vec(any::<i64>(), 0..3),
            0..3,
        ),
        pid(),
        raw(),
    )
        .prop_map(
            |(id, big, huge, small, ch, name, shapes, pair, triple, table, owner, raw)| {
                Everything {
                    id,
                    big,
                    huge,
                    small,
                    ch,
                    name,
                    shapes,
                    pair,
                    triple,
                    table,
                    maybe: None,
                    owner,
                    raw,
                }
            },
        )
}

proptest! {
    #[test]
    fn values_round_trip_through_terms_and_their_bytes(v in everything()) {
        let t = term::to_term(&v).unwrap();
        prop_assert_eq!(&term::from_term::<Everything>(&t).unwrap(), &v);
        let back = term::decode(&term::encode(&t)).unwrap();
        prop_assert_eq!(term::from_term::<Everything>(&back).unwrap(), v);
    }

    #[test]
    fn shapes_round_trip(s in shape()) {
        let t = term::to_term(&s).unwrap();
        prop_assert_eq!(term::from_term::<Shape>(&t).unwrap(), s);
    }

    #[test]
    fn any_bytes_as_a_typed_message_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(t) = term::decode(&bytes) {
            let _ = term::from_term::<Everything>(&t);
            let _ = term::from_term::<Shape>(&t);
            let _ = term::from_term::<Vec<String>>(&t);
        }
    }
}

#[test]
fn the_documented_mapping() {
    let t = |v: &dyn erased::Ser| v.term();
    assert_eq!(t(&Shape::Dot), Term::atom("dot"));
    assert_eq!(
        t(&Shape::Circle(1.5)),
        Term::tuple([Term::atom("circle"), Term::Float(1.5)])
    );
    assert_eq!(
        t(&Shape::Rect(1, 2)),
        Term::tuple([Term::atom("rect"), Term::from(1), Term::from(2)])
    );
    assert_eq!(
        t(&Shape::Polygon {
            sides: 3,
            label: None
        }),
        Term::tuple([
            Term::atom("polygon"),
            Term::from(3),
            Term::atom("undefined")
        ])
    );
    assert_eq!(t(&Id(7)), Term::from(7));
    assert_eq!(
        t(&Pair(1, true)),
        Term::tuple([Term::from(1), Term::atom("true")])
    );
    assert_eq!(t(&Unit), Term::atom("unit"));
    assert_eq!(t(&()), Term::atom("ok"));
    assert_eq!(t(&'a'), Term::from(97));
    assert_eq!(t(&"hé"), Term::binary("hé".as_bytes()));
    assert_eq!(t(&vec![1u8]), Term::list([Term::from(1)]));
    assert_eq!(
        t(&u64::MAX),
        Term::Big(otp_dist::term::BigInt::from_parts(false, vec![0xFF; 8]))
    );
    #[derive(Serialize)]
    struct P {
        x: i64,
        y: f64,
    }
    assert_eq!(
        t(&P { x: 1, y: 2.0 }),
        Term::map([
            (Term::atom("x"), Term::from(1)),
            (Term::atom("y"), Term::Float(2.0))
        ])
    );
    assert!(matches!(
        term::to_term(&f64::NAN),
        Err(term::ToTermError::NonFiniteFloat(_))
    ));
}

#[test]
fn decoding_accepts_erlangs_other_usual_forms() {
    // A charlist as a string, nil as None, a record as a struct.
    let s: String = term::from_term(&Term::list([Term::from(104), Term::from(105)])).unwrap();
    assert_eq!(s, "hi");
    let none: Option<i64> = term::from_term(&Term::atom("nil")).unwrap();
    assert_eq!(none, None);
    #[derive(Debug, PartialEq, Deserialize)]
    struct Point {
        x: i64,
        y: i64,
    }
    let record = Term::tuple([Term::atom("point"), Term::from(1), Term::from(2)]);
    assert_eq!(
        term::from_term::<Point>(&record).unwrap(),
        Point { x: 1, y: 2 }
    );
    let by_binary_keys = Term::map([
        (Term::from("x"), Term::from(3)),
        (Term::from("y"), Term::from(4)),
    ]);
    assert_eq!(
        term::from_term::<Point>(&by_binary_keys).unwrap(),
        Point { x: 3, y: 4 }
    );
    let struct_variant_as_map = Term::tuple([
        Term::atom("polygon"),
        Term::map([(Term::atom("sides"), Term::from(5))]),
    ]);
    assert_eq!(
        term::from_term::<Shape>(&struct_variant_as_map).unwrap(),
        Shape::Polygon {
            sides: 5,
            label: None
        }
    );
}

#[test]
fn a_term_that_does_not_fit_is_a_typed_error_saying_where() {
    let bad = Term::list([
        Term::atom("dot"),
        Term::tuple([Term::atom("rect"), Term::from(1), Term::from("two")]),
    ]);
    let err: FromTermError = term::from_term::<Vec<Shape>>(&bad).unwrap_err();
    assert_eq!(err.path(), "[1]{rect}[1]");
    assert!(
        matches!(err.problem(), Problem::Mismatch { expected, found } if expected == "i32" && found == "<<\"two\">>"),
        "{err}"
    );
    // Out of range, unknown variant, wrong arity, missing field.
    assert!(term::from_term::<u8>(&Term::from(300)).is_err());
    let unknown = term::from_term::<Shape>(&Term::atom("triangle")).unwrap_err();
    assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
    assert!(term::from_term::<Shape>(&Term::tuple([Term::atom("rect"), Term::from(1)])).is_err());
    assert!(term::from_term::<Shape>(&Term::tuple([Term::atom("dot"), Term::from(1)])).is_err());
    let missing = term::from_term::<Pair>(&Term::tuple([Term::from(1)])).unwrap_err();
    assert!(missing.to_string().contains("tuple of 2"), "{missing}");
}

/// Object-safe serialization, so the mapping test reads as a table.
mod erased {
    pub trait Ser {
        fn term(&self) -> otp_dist::term::Term;
    }
    impl<T: serde::Serialize> Ser for T {
        fn term(&self) -> otp_dist::term::Term {
            otp_dist::term::to_term(self).unwrap()
        }
    }
}
