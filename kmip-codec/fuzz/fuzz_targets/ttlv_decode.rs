//! Decodes arbitrary bytes as TTLV, then as a typed message. Whatever
//! decodes must re-encode to the same bytes (TTLV is canonical: lengths,
//! padding and Boolean values are all checked), and the typed message too.
#![no_main]

use kmip_codec::messages::Message;
use kmip_codec::ttlv::{Document, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_message_size: 1 << 16, max_depth: 32 };
    let Ok(doc) = Document::decode(data, &limits) else { return };
    assert!(doc.len() <= data.len() / 8);
    let tree = doc.root().to_owned();
    assert_eq!(tree.to_bytes(), data, "TTLV re-encodes to the same bytes");
    if let Ok(message) = Message::decode(doc.root()) {
        assert_eq!(message.encode(), data, "typed message re-encodes to the same bytes");
    }
});
