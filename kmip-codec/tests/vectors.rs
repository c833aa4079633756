//! The project's own hand-written vectors (testvectors/vectors/), checked
//! in both directions, so the codec is tested without ../shared.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use kmip_codec::messages::Message;
use kmip_codec::ttlv::{Document, Limits, Ttlv};
use kmip_codec::{hex, xml};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testvectors/vectors")
}

/// Hex with whitespace and `#` comment lines removed.
fn parse_hex(text: &str) -> Vec<u8> {
    let digits: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    hex::decode(&digits).unwrap_or_else(|| panic!("bad hex in vector: {digits}"))
}

fn check(name: &str, xml_text: &str, bytes: &[u8]) -> Ttlv {
    let from_xml = xml::read(xml_text).unwrap_or_else(|e| panic!("{name}: XML: {e}"));
    assert_eq!(from_xml.len(), 1, "{name}: one item per vector");
    let item = &from_xml[0];
    assert_eq!(
        hex::encode(&item.to_bytes()),
        hex::encode(bytes),
        "{name}: XML encodes to the vector's bytes"
    );
    let decoded = Ttlv::from_bytes(bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: decode: {e}"));
    assert_eq!(&decoded, item, "{name}: bytes decode to the XML's tree");
    decoded
}

#[test]
fn items_from_the_specification() {
    let text = std::fs::read_to_string(dir().join("items.txt")).expect("items.txt");
    let mut count = 0;
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let name = block.lines().next().unwrap_or_default();
        let xml_lines: Vec<&str> = block.lines().filter(|l| l.trim_start().starts_with('<')).collect();
        let hex_lines: Vec<&str> = block
            .lines()
            .filter(|l| !l.trim_start().starts_with('<') && !l.starts_with('#'))
            .collect();
        check(name, &xml_lines.join("\n"), &parse_hex(&hex_lines.join("\n")));
        count += 1;
    }
    assert_eq!(count, 15, "every vector in items.txt was checked");
}

#[test]
fn whole_messages() {
    for name in ["get-request", "create-response"] {
        let xml_text = std::fs::read_to_string(dir().join(format!("{name}.xml"))).expect("xml");
        let hex_text = std::fs::read_to_string(dir().join(format!("{name}.hex"))).expect("hex");
        let bytes = parse_hex(&hex_text);
        check(name, &xml_text, &bytes);
        let doc = Document::decode(&bytes, &Limits::default()).expect("decode");
        let typed = Message::decode(doc.root()).unwrap_or_else(|e| panic!("{name}: typed: {e}"));
        assert_eq!(typed.encode(), bytes, "{name}: typed round trip");
    }
}

#[test]
fn typed_fields_of_the_get_request() {
    use kmip_codec::messages::{RequestMessage, RequestPayload};
    let bytes = parse_hex(&std::fs::read_to_string(dir().join("get-request.hex")).expect("hex"));
    let msg = RequestMessage::from_bytes(&bytes, &Limits::default()).expect("decode");
    assert_eq!(msg.header.protocol_version.major, 1);
    assert_eq!(msg.header.protocol_version.minor, 4);
    let [item] = msg.batch_items.as_slice() else {
        panic!("one batch item")
    };
    match &item.payload {
        RequestPayload::Get(get) => assert_eq!(get.unique_identifier.as_deref(), Some("1")),
        other => panic!("expected a Get payload, got {other:?}"),
    }
}
