//! Test-vector checks shared by the `kmip-testvectors` command and the tests.

use std::path::Path;

use kmip_codec::ttlv::{Document, Limits};
use kmip_codec::xml;

/// Where the OASIS test cases are unless `KMIP_TEST_CASES` says otherwise.
pub const DEFAULT_TEST_CASES: &str = "../shared/kmip-1.4/test-cases";

/// Round-trips every message of one OASIS XML test case: XML → TTLV bytes →
/// XML → TTLV bytes must be identical, and so must TTLV → typed → TTLV.
/// Returns the number of messages, or the first failure.
pub fn roundtrip_file(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    roundtrip_xml(&text)
}

/// [`roundtrip_file`] on XML text.
pub fn roundtrip_xml(text: &str) -> Result<usize, String> {
    let elements = xml::parse(text).map_err(|e| e.to_string())?;
    if elements.is_empty() {
        return Err("no messages".into());
    }
    for (n, element) in elements.iter().enumerate() {
        let at = |what: &str| format!("message {}: {what}", n + 1);
        let first = element.to_ttlv(&mut xml::stand_in).map_err(|e| at(&e.to_string()))?;
        let bytes = first.to_bytes();
        let written = xml::write(&first);
        let again = xml::read(&written).map_err(|e| at(&format!("re-reading written XML: {e}")))?;
        let [again] = again.as_slice() else {
            return Err(at("written XML holds more than one message"));
        };
        if again.to_bytes() != bytes {
            return Err(at("XML → TTLV → XML → TTLV changed the bytes"));
        }
        let doc = Document::decode(&bytes, &Limits::default()).map_err(|e| at(&e.to_string()))?;
        let typed = kmip_codec::messages::Message::decode(doc.root()).map_err(|e| at(&e.to_string()))?;
        if typed.encode() != bytes {
            return Err(at("TTLV → typed message → TTLV changed the bytes"));
        }
    }
    Ok(elements.len())
}
