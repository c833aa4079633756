//! Property tests: arbitrary TTLV trees round-trip through every encoding,
//! and arbitrary or mutated input never panics a decoder.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kmip_codec::messages::Message;
use kmip_codec::ttlv::{Bytes, Document, Limits, Ttlv, Value};
use kmip_codec::{json, xml, Tag};
use proptest::prelude::*;

fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![
        4 => (0x42_0001u32..=0x42_0124).prop_map(Tag),
        1 => (0x54_0000u32..=0x54_FFFF).prop_map(Tag),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Integer),
        any::<i64>().prop_map(Value::LongInteger),
        (1usize..4)
            .prop_flat_map(|words| proptest::collection::vec(any::<u8>(), words * 8))
            .prop_map(|b| Value::BigInteger(Bytes::new(b))),
        any::<u32>().prop_map(Value::Enumeration),
        any::<bool>().prop_map(Value::Boolean),
        "[ -~éß€]{0,24}".prop_map(Value::TextString),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|b| Value::ByteString(Bytes::new(b))),
        any::<i64>().prop_map(Value::DateTime),
        any::<u32>().prop_map(Value::Interval),
    ]
}

fn tree() -> impl Strategy<Value = Ttlv> {
    let leaf = (tag(), leaf()).prop_map(|(t, v)| Ttlv::new(t, v));
    leaf.prop_recursive(5, 64, 8, |inner| {
        (tag(), proptest::collection::vec(inner, 0..8)).prop_map(|(t, items)| Ttlv::structure(t, items))
    })
}

fn limits() -> Limits {
    Limits {
        max_message_size: 1 << 20,
        max_depth: 16,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn binary_round_trip(t in tree()) {
        let bytes = t.to_bytes();
        prop_assert_eq!(bytes.len() % 8, 0);
        prop_assert_eq!(Ttlv::from_bytes(&bytes, &limits()).expect("decodes"), t);
    }

    #[test]
    fn xml_round_trip(t in tree()) {
        let text = xml::write(&t);
        let back = xml::read(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, vec![t]);
    }

    #[test]
    fn json_round_trip(t in tree()) {
        let text = json::write(&t);
        let back = json::read(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, t);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_small(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(doc) = Document::decode(&bytes, &limits()) {
            // At most one node per 8 input bytes, whatever the input claims.
            prop_assert!(doc.len() <= bytes.len() / 8);
            let _ = Message::decode(doc.root());
        }
    }

    #[test]
    fn mutated_messages_never_panic(t in tree(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = t.to_bytes();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= b;
        }
        if let Ok(doc) = Document::decode(&bytes, &limits()) {
            let _ = Message::decode(doc.root());
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_xml_or_json_readers(text in "\\PC{0,200}") {
        if let Ok(elements) = xml::parse(&text) {
            for e in elements {
                let _ = e.to_ttlv(&mut xml::stand_in);
            }
        }
        let _ = json::read(&text);
    }
}
