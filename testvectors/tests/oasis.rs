//! Every OASIS KMIP 1.4 test case round-trips: XML → TTLV → XML → TTLV,
//! TTLV → JSON → TTLV and TTLV → typed → TTLV, all byte-identical.
//!
//! The cases are read from `KMIP_TEST_CASES` (default
//! `../shared/kmip-1.4/test-cases`). Where they are absent the test says so
//! and passes, relying on the project's own vectors; under `CI=true` their
//! absence is a failure.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kmip_testvectors::{roundtrip_file, test_cases_dir, xml_files};

#[test]
fn every_oasis_test_case_round_trips() {
    let dir = test_cases_dir();
    if !dir.is_dir() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but the OASIS test cases are not at {}",
            dir.display()
        );
        eprintln!(
            "{} is absent: OASIS round trip skipped (the project's own vectors still run)",
            dir.display()
        );
        return;
    }
    let files = xml_files(&dir).expect("list test cases");
    assert!(
        files.len() >= 75,
        "expected the 1.4 test cases, found {} files",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| roundtrip_file(f).err().map(|e| format!("{}: {e}", f.display())))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
