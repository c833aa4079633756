//! Malformed input gets a typed error that says what and where, and each
//! error maps to the Result Reason the specification names.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kmip_codec::enums::ResultReason;
use kmip_codec::messages::{Message, MessageError, RequestMessage};
use kmip_codec::ttlv::{DecodeErrorKind, Document, Limits, Writer};
use kmip_codec::{hex, ItemType, Tag};

fn decode_err(hex_text: &str) -> (usize, DecodeErrorKind) {
    let bytes = hex::decode(&hex_text.replace(' ', "")).expect("hex");
    let e = Document::decode(&bytes, &Limits::default()).expect_err("must fail");
    (e.offset, e.kind)
}

#[test]
fn truncated_header_and_value() {
    assert!(matches!(
        decode_err("420020 02 0000"),
        (
            0,
            DecodeErrorKind::Truncated {
                needed: 8,
                available: 6
            }
        )
    ));
    assert!(matches!(
        decode_err("420020 02 00000004 00000008"),
        (
            0,
            DecodeErrorKind::Truncated {
                needed: 16,
                available: 12
            }
        )
    ));
    assert!(matches!(decode_err(""), (0, DecodeErrorKind::Empty)));
}

#[test]
fn a_length_of_2_pow_31_is_refused_before_allocating() {
    let (offset, kind) = decode_err("420020 08 80000000 00000000 00000000");
    assert_eq!(offset, 0);
    assert!(matches!(kind, DecodeErrorKind::Truncated { needed, .. } if needed > 1 << 31));
}

#[test]
fn a_structure_length_that_lies() {
    // The Structure claims 0x18 bytes but holds one 16-byte Integer.
    let (_, kind) = decode_err("420020 01 00000018 420021 02 00000004 00000001 00000000");
    assert!(matches!(kind, DecodeErrorKind::Truncated { .. }), "{kind:?}");
    // A child that runs past its parent's end is caught at the child.
    let (offset, _) = decode_err("420020 01 00000008 420021 02 00000004 00000001 00000000");
    assert_eq!(offset, 8);
    // A Structure length that is not a multiple of 8.
    assert!(matches!(
        decode_err("420020 01 00000004 00000000 00000000").1,
        DecodeErrorKind::BadLength { .. }
    ));
}

#[test]
fn wrong_lengths_for_fixed_types() {
    for (ty, len) in [
        ("02", "00000008"),
        ("03", "00000004"),
        ("05", "00000008"),
        ("06", "00000004"),
        ("09", "00000004"),
        ("0A", "00000008"),
    ] {
        let text = format!("420020 {ty} {len} 0000000000000000");
        assert!(
            matches!(decode_err(&text).1, DecodeErrorKind::BadLength { .. }),
            "type {ty} length {len}"
        );
    }
    assert!(matches!(
        decode_err("420020 04 00000004 00000001 00000000").1,
        DecodeErrorKind::BadLength { .. }
    ));
}

#[test]
fn padding_booleans_utf8_types_and_trailing_bytes() {
    assert!(matches!(
        decode_err("420020 02 00000004 00000008 00000001").1,
        DecodeErrorKind::NonZeroPadding { .. }
    ));
    assert!(matches!(
        decode_err("420020 08 00000001 01FF000000000000").1,
        DecodeErrorKind::NonZeroPadding { .. }
    ));
    assert!(matches!(
        decode_err("420020 06 00000008 0000000000000002").1,
        DecodeErrorKind::BadBoolean { value: 2, .. }
    ));
    assert!(matches!(
        decode_err("420020 07 00000002 C328000000000000").1,
        DecodeErrorKind::InvalidUtf8 { .. }
    ));
    assert!(matches!(
        decode_err("420020 0B 00000000").1,
        DecodeErrorKind::UnknownItemType(0x0B)
    ));
    assert!(matches!(
        decode_err("420020 01 00000000 00").1,
        DecodeErrorKind::TrailingBytes(1)
    ));
}

#[test]
fn depth_and_size_limits() {
    let mut w = Writer::new();
    let opened: Vec<_> = (0..40).map(|_| w.begin(Tag::TemplateAttribute)).collect();
    for s in opened.into_iter().rev() {
        w.end(s);
    }
    let bytes = w.into_bytes();
    let limits = Limits {
        max_message_size: 1 << 20,
        max_depth: 32,
    };
    let e = Document::decode(&bytes, &limits).expect_err("too deep");
    assert!(matches!(e.kind, DecodeErrorKind::TooDeep { max: 32 }));
    assert_eq!(e.offset, 32 * 8, "the 33rd Structure is where the limit is crossed");
    assert!(Document::decode(
        &bytes,
        &Limits {
            max_depth: 40,
            ..limits
        }
    )
    .is_ok());
    let small = Limits {
        max_message_size: 64,
        max_depth: 64,
    };
    assert!(matches!(
        Document::decode(&bytes, &small).expect_err("too large").kind,
        DecodeErrorKind::TooLarge { size: 320, max: 64 }
    ));
}

#[test]
fn errors_name_the_place_in_their_message() {
    let bytes = hex::decode("420020060000000800000000000000FF").expect("hex");
    let e = Document::decode(&bytes, &Limits::default()).expect_err("bad boolean");
    assert_eq!(
        e.to_string(),
        "Compromise Date: Boolean value 255 is not 0 or 1 (at byte 0)"
    );
}

fn request(build: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new();
    let m = w.begin(Tag::RequestMessage);
    build(&mut w);
    w.end(m);
    w.into_bytes()
}

fn header(w: &mut Writer, count: i32) {
    let h = w.begin(Tag::RequestHeader);
    let v = w.begin(Tag::ProtocolVersion);
    w.integer(Tag::ProtocolVersionMajor, 1);
    w.integer(Tag::ProtocolVersionMinor, 4);
    w.end(v);
    w.integer(Tag::BatchCount, count);
    w.end(h);
}

fn typed_err(bytes: &[u8]) -> MessageError {
    RequestMessage::from_bytes(bytes, &Limits::default()).expect_err("must fail")
}

#[test]
fn typed_errors_name_the_field_and_map_to_result_reasons() {
    // Missing Request Payload.
    let e = typed_err(&request(|w| {
        header(w, 1);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x0A);
        w.end(b);
    }));
    assert_eq!(
        e,
        MessageError::Missing {
            field: Tag::RequestPayload,
            within: Tag::BatchItem
        }
    );
    assert_eq!(e.result_reason(), ResultReason::InvalidMessage);

    // An unknown tag inside a payload.
    let e = typed_err(&request(|w| {
        header(w, 1);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x0A);
        let p = w.begin(Tag::RequestPayload);
        w.text(Tag(0x54_0001), "vendor");
        w.end(p);
        w.end(b);
    }));
    assert!(
        matches!(
            e,
            MessageError::Unexpected {
                field: Tag(0x54_0001),
                within: Tag::RequestPayload,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("0x540001"), "{e}");
    assert_eq!(
        e.result_reason(),
        ResultReason::InvalidField,
        "an unknown field is an Invalid Field"
    );

    // A wrong item type.
    let e = typed_err(&request(|w| {
        header(w, 1);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x0A);
        let p = w.begin(Tag::RequestPayload);
        w.integer(Tag::UniqueIdentifier, 7);
        w.end(p);
        w.end(b);
    }));
    assert_eq!(
        e.to_string(),
        format!(
            "Unique Identifier must be a TextString, not a Integer (at byte {})",
            8 + 64 + 8 + 16 + 8
        )
    );
    assert!(matches!(
        e,
        MessageError::WrongType {
            expected: ItemType::TextString,
            ..
        }
    ));

    // Batch Count disagreeing with the batch.
    let e = typed_err(&request(|w| {
        header(w, 2);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x18); // Query
        let p = w.begin(Tag::RequestPayload);
        w.end(p);
        w.end(b);
    }));
    assert!(matches!(
        e,
        MessageError::InvalidValue {
            field: Tag::BatchCount,
            ..
        }
    ));
    assert_eq!(e.result_reason(), ResultReason::InvalidField);

    // An attribute name that is neither standard nor custom.
    let e = typed_err(&request(|w| {
        header(w, 1);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x0E); // Add Attribute
        let p = w.begin(Tag::RequestPayload);
        let a = w.begin(Tag::Attribute);
        w.text(Tag::AttributeName, "Colour");
        w.text(Tag::AttributeValue, "blue");
        w.end(a);
        w.end(p);
        w.end(b);
    }));
    assert_eq!(e, MessageError::UnknownAttribute("Colour".into()));
    assert_eq!(e.result_reason(), ResultReason::InvalidField);

    // Not TTLV at all.
    let e = RequestMessage::from_bytes(b"GET / HTTP/1.1\r\n", &Limits::default()).expect_err("garbage");
    assert!(matches!(e, MessageError::Decode(_)));
    assert_eq!(e.result_reason(), ResultReason::InvalidMessage);
}

#[test]
fn unknown_operations_are_kept_for_operation_not_supported() {
    let bytes = request(|w| {
        header(w, 1);
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, 0x8000_0001);
        let p = w.begin(Tag::RequestPayload);
        w.text(Tag::UniqueIdentifier, "1");
        w.end(p);
        w.end(b);
    });
    let msg = RequestMessage::from_bytes(&bytes, &Limits::default()).expect("decodes");
    assert_eq!(msg.batch_items[0].operation().0, 0x8000_0001);
    assert_eq!(Message::Request(msg).encode(), bytes);
}
