//! The External Term Format codec: arbitrary bytes never panic or over-allocate,
//! arbitrary terms round-trip, and known encodings from Erlang decode.

use otp_dist::term::{self, Atom, BigInt, DecodeError, ExternalPid, ExternalRef, Term};
use proptest::prelude::*;

fn atom() -> impl Strategy<Value = Atom> {
    "[a-z_@.]{0,12}|[\\PC]{0,5}".prop_map(|s| Atom::new(&s))
}

fn leaf() -> impl Strategy<Value = Term> {
    prop_oneof![
        atom().prop_map(Term::Atom),
        any::<i64>().prop_map(Term::Int),
        any::<i128>().prop_map(BigInt::term_from_i128),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Term::Float),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Term::Binary),
        (proptest::collection::vec(any::<u8>(), 1..8), 1u8..8).prop_map(|(mut bytes, bits)| {
            if let Some(last) = bytes.last_mut() {
                *last &= 0xFFu8 << (8 - bits);
            }
            Term::BitBinary { bytes, bits }
        }),
        (atom(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(node, id, serial, creation)| {
                Term::Pid(ExternalPid {
                    node,
                    id,
                    serial,
                    creation,
                })
            }
        ),
        (
            atom(),
            any::<u32>(),
            proptest::collection::vec(any::<u32>(), 1..=5)
        )
            .prop_map(|(node, creation, ids)| Term::Ref(ExternalRef {
                node,
                creation,
                ids
            })),
        (atom(), atom(), any::<u8>()).prop_map(|(module, function, arity)| Term::Export {
            module,
            function,
            arity
        }),
    ]
}

fn any_term() -> impl Strategy<Value = Term> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Term::List),
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Term::Tuple),
            (
                proptest::collection::vec(inner.clone(), 1..4),
                inner.clone()
            )
                .prop_map(|(head, tail)| Term::improper(head, tail)),
            proptest::collection::vec((inner.clone(), inner), 0..6).prop_map(Term::map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_terms_round_trip(t in any_term()) {
        let bytes = term::encode(&t);
        prop_assert_eq!(term::decode(&bytes), Ok(t));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut input = vec![131];
        input.extend_from_slice(&bytes);
        let _ = term::decode(&input);
        let _ = term::decode(&bytes);
    }

    #[test]
    fn mutated_encodings_never_panic(t in any_term(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = term::encode(&t);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = term::decode(&bytes);
        bytes.truncate(i);
        prop_assert!(term::decode(&bytes).is_err());
    }
}

#[test]
fn huge_length_fields_are_errors_without_allocating() {
    // A list, tuple, map and binary each claiming 4G elements, with nothing after.
    for tag in [108u8, 105, 116, 109, 111] {
        let input = [131, tag, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(
            matches!(term::decode(&input), Err(DecodeError::UnexpectedEnd { .. })),
            "tag {tag}"
        );
    }
    // A compressed term declaring 4 GiB.
    let input = [131, 80, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x9c];
    assert!(matches!(
        term::decode(&input),
        Err(DecodeError::TooLarge(_))
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input = vec![131];
    input.extend(std::iter::repeat_n([104u8, 1], 100_000).flatten());
    input.push(106);
    assert_eq!(term::decode(&input), Err(DecodeError::TooDeep));
}

#[test]
fn known_erlang_encodings_decode() {
    // term_to_binary({ok, [1,2], <<"hi">>, -1, 1.5, #{a => 1}}) on OTP 25.
    let bytes = [
        131, 104, 6, 119, 2, 111, 107, 107, 0, 2, 1, 2, 109, 0, 0, 0, 2, 104, 105, 98, 255, 255,
        255, 255, 70, 63, 248, 0, 0, 0, 0, 0, 0, 116, 0, 0, 0, 1, 119, 1, 97, 97, 1,
    ];
    let expected = Term::tuple([
        Term::atom("ok"),
        Term::list([Term::Int(1), Term::Int(2)]),
        Term::binary(b"hi"),
        Term::Int(-1),
        Term::Float(1.5),
        Term::map([(Term::atom("a"), Term::Int(1))]),
    ]);
    assert_eq!(term::decode(&bytes), Ok(expected));
    // 2^64 as a small big.
    let big = [131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    assert_eq!(
        term::decode(&big).unwrap().to_string(),
        "18446744073709551616"
    );
}

#[test]
fn map_keys_are_in_term_order_and_maps_compare_equal() {
    let a = Term::map([
        (Term::atom("b"), Term::Int(1)),
        (Term::Int(1), Term::Int(2)),
    ]);
    let b = Term::map([
        (Term::Int(1), Term::Int(2)),
        (Term::atom("b"), Term::Int(1)),
    ]);
    assert_eq!(a, b);
    assert_eq!(a.map_get(&Term::atom("b")), Some(&Term::Int(1)));
}
