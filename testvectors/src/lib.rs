//! Test-vector checks shared by the `kmip-testvectors` command and the tests:
//! the OASIS round trip here, the conformance runner in [`runner`] with its
//! comparison rules in [`compare`].

pub mod compare;
pub mod runner;
pub mod signatures;

use std::path::{Path, PathBuf};

use kmip_codec::ttlv::{Document, Limits};
use kmip_codec::{json, xml};

/// Where the OASIS test cases are, relative to the workspace root, unless
/// `KMIP_TEST_CASES` says otherwise.
pub const DEFAULT_TEST_CASES: &str = "../shared/kmip-1.4/test-cases";

/// The OASIS test-case directory: `KMIP_TEST_CASES`, else
/// [`DEFAULT_TEST_CASES`] beside the workspace root.
pub fn test_cases_dir() -> PathBuf {
    std::env::var_os("KMIP_TEST_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(DEFAULT_TEST_CASES)
        })
}

/// Every `.xml` file under `path` (or `path` itself), sorted.
pub fn xml_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    collect(path, &mut out)?;
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            collect(&entry, out)?;
        }
    } else if path.extension().is_some_and(|e| e == "xml") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Round-trips every message of one OASIS XML test case: XML → TTLV bytes →
/// XML → TTLV bytes must be identical, and so must TTLV → JSON → TTLV and
/// TTLV → typed message → TTLV.
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
        let from_json = json::read(&json::write(&first)).map_err(|e| at(&format!("re-reading written JSON: {e}")))?;
        if from_json.to_bytes() != bytes {
            return Err(at("TTLV → JSON → TTLV changed the bytes"));
        }
        let doc = Document::decode(&bytes, &Limits::default()).map_err(|e| at(&e.to_string()))?;
        let typed = kmip_codec::messages::Message::decode(doc.root()).map_err(|e| at(&e.to_string()))?;
        if typed.encode() != bytes {
            return Err(at("TTLV → typed message → TTLV changed the bytes"));
        }
    }
    Ok(elements.len())
}
