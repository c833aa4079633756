//! The conformance runner against a real server over TLS: a conversation
//! the server answers correctly passes, and the same conversation with a
//! wrong expectation fails at the right place.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use kmip_client::Credentials;
use kmip_server::config::Config;
use kmip_testvectors::runner::{run_case, Target};

fn vector(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors/conversations")
        .join(name)
}

async fn server(dir: &std::path::Path) -> (Target, kmip_server::Running) {
    let config = Config {
        data_dir: dir.join("data"),
        listen: "127.0.0.1:0".parse().unwrap(),
        metrics_listen: "127.0.0.1:0".into(),
        ..Config::default()
    };
    let running = kmip_server::start(&config).await.unwrap();
    let target = Target {
        addr: running.addr.to_string(),
        server_name: "localhost".into(),
        credentials: Credentials::from_dir(&running.admin_dir).unwrap(),
    };
    (target, running)
}

#[tokio::test]
async fn a_correct_conversation_passes_and_a_wrong_expectation_fails_where_it_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (target, running) = server(dir.path()).await;
    assert_eq!(
        run_case(&vector("discover-query.xml"), &target, &mut vec![]).await,
        Ok(2)
    );

    let good = std::fs::read_to_string(vector("discover-query.xml")).unwrap();
    let cases = [
        // The server lists 1.0 after 1.4; expecting 1.3 instead must fail there.
        (
            good.replacen(
                "<ProtocolVersionMinor type=\"Integer\" value=\"0\"/>\n      </ProtocolVersion>\n    </ResponsePayload>",
                "<ProtocolVersionMinor type=\"Integer\" value=\"3\"/>\n      </ProtocolVersion>\n    </ResponsePayload>",
                1,
            ),
            "exchange 1: at ResponseMessage/BatchItem[0]/ResponsePayload/ProtocolVersion/ProtocolVersionMinor: expected \"3\"",
        ),
        // An operation the server does not list (a code KMIP 1.4 does not define).
        (
            good.replacen(
                "<Operation type=\"Enumeration\" value=\"Query\"/>\n      <VendorIdentification",
                "<Operation type=\"Enumeration\" value=\"0x000000FF\"/>\n      <VendorIdentification",
                1,
            ),
            "expected 0x000000FF among those listed",
        ),
        // A failure expected where the server succeeds, or the reverse.
        (
            good.replacen("value=\"ItemNotFound\"", "value=\"PermissionDenied\"", 1),
            "BatchItem[1]/ResultReason: expected \"PermissionDenied\"",
        ),
    ];
    for (n, (text, want)) in cases.iter().enumerate() {
        assert_ne!(text, &good, "case {n} must change the vector");
        let path = dir.path().join(format!("case-{n}.xml"));
        std::fs::write(&path, text).unwrap();
        let err = run_case(&path, &target, &mut vec![]).await.expect_err("must fail");
        assert!(err.contains(want), "case {n}: {err}");
    }
    running.stop().await;
}

/// The 1.0–1.2 profile documents' form: a `<KmipTestCase>` root and the
/// reference server's clock as literal dates (Rule::LiteralClock), which
/// bind like placeholders but never stand in for a date the client sent.
#[tokio::test]
async fn a_legacy_case_with_literal_clock_values_passes_and_a_wrong_client_date_still_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (target, running) = server(dir.path()).await;
    let path = vector("legacy-1.0-lifecycle.xml");
    assert_eq!(run_case(&path, &target, &mut vec![]).await, Ok(3));
    let good = std::fs::read_to_string(&path).unwrap();
    let wrong = [
        // The client's own Activation Date is compared exactly.
        (
            good.replacen(
                "<AttributeValue type=\"DateTime\" value=\"2012-04-27T08:12:21+00:00\"/>\n      </Attribute>\n      <Attribute>\n        <AttributeName type=\"TextString\" value=\"Initial Date\"/>",
                "<AttributeValue type=\"DateTime\" value=\"2012-04-27T09:00:00+00:00\"/>\n      </Attribute>\n      <Attribute>\n        <AttributeName type=\"TextString\" value=\"Initial Date\"/>",
                1,
            ),
            "exchange 2: at ResponseMessage/BatchItem[0]/ResponsePayload",
        ),
        // A literal the client sent is the client's date wherever it
        // appears: the server's Initial Date is not that Activation Date.
        (
            good.replacen(
                "value=\"Initial Date\"/>\n        <AttributeValue type=\"DateTime\" value=\"2012-04-27T08:12:22+00:00\"/>\n      </Attribute>\n    </ResponsePayload>\n  </BatchItem>\n</ResponseMessage>\n</KmipTestCase>",
                "value=\"Initial Date\"/>\n        <AttributeValue type=\"DateTime\" value=\"2012-04-27T08:12:21+00:00\"/>\n      </Attribute>\n    </ResponsePayload>\n  </BatchItem>\n</ResponseMessage>\n</KmipTestCase>",
                1,
            ),
            "exchange 3: at ResponseMessage/BatchItem[0]/ResponsePayload",
        ),
    ];
    for (n, (text, at)) in wrong.iter().enumerate() {
        assert_ne!(*text, good, "variant {n} changed nothing");
        let file = dir.path().join(format!("legacy-{n}.xml"));
        std::fs::write(&file, text).unwrap();
        let err = run_case(&file, &target, &mut vec![]).await.unwrap_err();
        assert!(err.contains(at), "variant {n}: {err}");
    }
    running.stop().await;
}
