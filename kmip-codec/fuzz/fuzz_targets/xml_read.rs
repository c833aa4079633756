//! Reads arbitrary text as OASIS XML. Whatever converts to TTLV must write
//! back to XML that reads to the same tree.
#![no_main]

use kmip_codec::xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(elements) = xml::parse(text) else { return };
    for element in elements {
        if let Ok(tree) = element.to_ttlv(&mut xml::stand_in) {
            let written = xml::write(&tree);
            let back = xml::read(&written).expect("written XML reads back");
            assert_eq!(back, vec![tree]);
        }
    }
});
