//! The `kmip` CLI and `kmip-bench` against a real server: output formats,
//! exit status and one-line reasons, and that failures are never counted
//! as operations.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::process::{Command, Output};

use kmip_server::config::Config;

struct Server {
    running: kmip_server::Running,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().join("data"),
        listen: "127.0.0.1:0".parse().unwrap(),
        metrics_listen: "127.0.0.1:0".into(),
        ..Config::default()
    };
    Server {
        running: kmip_server::start(&config).await.unwrap(),
        _dir: dir,
    }
}

async fn tool(exe: &str, s: &Server, args: &[&str]) -> Output {
    let mut c = tokio::process::Command::from(Command::new(exe));
    c.arg("--bundle")
        .arg(&s.running.admin_dir)
        .arg("--server")
        .arg(s.running.addr.to_string());
    c.args(args).output().await.expect("runs")
}

/// `kmip create` of an AES-256 key named `name`; its Unique Identifier.
async fn create_aes(kmip: &str, s: &Server, name: &str) -> String {
    let args = [
        "--json",
        "create",
        "--algorithm",
        "AES",
        "--length",
        "256",
        "--name",
        name,
    ];
    let out = tool(kmip, s, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    j["unique_identifier"].as_str().unwrap().to_owned()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn kmip_cli_output_exit_status_and_reasons() {
    let s = server().await;
    let kmip = env!("CARGO_BIN_EXE_kmip");

    let out = tool(kmip, &s, &["discover"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "1.4 1.3 1.2 1.1 1.0\n");

    let out = tool(kmip, &s, &["--json", "query"]).await;
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let implemented: Vec<&str> = kmip_server::ops::IMPLEMENTED.iter().filter_map(|o| o.name()).collect();
    assert_eq!(j["operations"], serde_json::json!(implemented));

    let uid = create_aes(kmip, &s, "k").await;

    let out = tool(kmip, &s, &["get", &uid]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim().len(), 64, "a 256-bit key in hex");

    let out = tool(kmip, &s, &["locate", "--name", "k"]).await;
    assert_eq!(text(&out.stdout).trim(), uid);

    // A Pre-Active key encrypts nothing: exit 1 and the server's reason.
    let out = tool(kmip, &s, &["encrypt", &uid, "--in", "/dev/null"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!("kmip: PermissionDenied: key {uid} is PreActive and cannot be used for encryption\n")
    );

    // Once Active: a file encrypts with the server's defaults (AES-CBC,
    // PKCS5, an IV it chooses and prints) and decrypts back with that IV.
    assert!(tool(kmip, &s, &["activate", &uid]).await.status.success());
    let dir = tempfile::tempdir().unwrap();
    let (plain, sealed, opened) = (dir.path().join("p"), dir.path().join("c"), dir.path().join("o"));
    std::fs::write(&plain, b"attack at dawn").unwrap();
    let (p, c, o) = (
        plain.to_str().unwrap(),
        sealed.to_str().unwrap(),
        opened.to_str().unwrap(),
    );
    let out = tool(kmip, &s, &["encrypt", &uid, "--in", p, "--out", c]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let iv = stdout
        .lines()
        .find_map(|l| l.strip_prefix("iv "))
        .expect("the IV is printed")
        .to_owned();
    assert_eq!(std::fs::read(&sealed).unwrap().len(), 16);
    let out = tool(kmip, &s, &["decrypt", &uid, "--in", c, "--out", o, "--iv", &iv]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&opened).unwrap(), b"attack at dawn");

    // A key pair signs with its private half and verifies with its public one.
    let out = tool(
        kmip,
        &s,
        &["--json", "create-keypair", "--algorithm", "EC", "--length", "256"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (private, public) = (j["private_key"].as_str().unwrap(), j["public_key"].as_str().unwrap());
    for uid in [private, public] {
        assert!(tool(kmip, &s, &["activate", uid]).await.status.success());
    }
    let out = tool(kmip, &s, &["sign", private, "--in", p]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let signature = text(&out.stdout).trim().to_owned();
    let out = tool(kmip, &s, &["verify", public, "--in", p, "--signature", &signature]).await;
    assert_eq!(text(&out.stdout), "signature is Valid\n");
    let out = tool(kmip, &s, &["verify", public, "--in", c, "--signature", &signature]).await;
    assert_eq!(out.status.code(), Some(1), "another file's signature");
    // The public half got only the public part of the mask: it cannot sign.
    let out = tool(kmip, &s, &["sign", public, "--in", p]).await;
    assert!(
        text(&out.stderr).starts_with("kmip: PermissionDenied"),
        "{}",
        text(&out.stderr)
    );

    let out = tool(kmip, &s, &["--json", "get", "some-id"]).await;
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["error"].as_str().unwrap().starts_with("ItemNotFound"), "{j}");

    let out = tool(kmip, &s, &["create", "--algorithm", "Rot13"]).await;
    assert!(text(&out.stderr).contains("\"Rot13\" is not a Cryptographic Algorithm value"));
    s.running.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kmip_bench_counts_only_successes() {
    let s = server().await;
    let bench = env!("CARGO_BIN_EXE_kmip-bench");
    let args = ["--duration", "1", "--warmup", "0", "--connections", "2", "--json"];
    let out = tool(bench, &s, &[&args[..], &["--scenario", "discover"]].concat()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["ops"].as_u64().unwrap() > 10, "{j}");
    assert_eq!(j["errors"], 0);
    assert!(j["latency_us"]["p50"].as_u64().unwrap() > 0);

    let out = tool(bench, &s, &[&args[..], &["--scenario", "encrypt"]].concat()).await;
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["ops"].as_u64().unwrap() > 10, "{j}");
    assert_eq!(j["errors"], 0);

    // A refused operation (a Pre-Active key given with --key) is counted as
    // an error with its reason, never as an operation.
    let out = tool(env!("CARGO_BIN_EXE_kmip"), &s, &["--json", "create"]).await;
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uid = j["unique_identifier"].as_str().unwrap();
    let out = tool(
        bench,
        &s,
        &[&args[..], &["--scenario", "encrypt", "--key", uid]].concat(),
    )
    .await;
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ops"], 0, "a failed response is never an operation");
    assert!(j["errors"].as_u64().unwrap() > 0);
    let reasons = j["error_reasons"].as_object().unwrap();
    let expected = format!("PermissionDenied: key {uid} is PreActive and cannot be used for encryption");
    assert_eq!(reasons.keys().collect::<Vec<_>>(), [&expected]);

    // Sign prepares an ECDSA P-256 key pair and signs with it.
    let out = tool(bench, &s, &[&args[..], &["--scenario", "sign"]].concat()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["ops"].as_u64().unwrap() > 10, "{j}");
    assert_eq!(j["errors"], 0);
    s.running.stop().await;
}

/// README's readers example: a role with only Get and Locate cannot
/// Discover Versions, and the CLI still works (at its own newest version).
#[tokio::test(flavor = "multi_thread")]
async fn kmip_cli_works_for_a_role_that_may_not_discover_versions() {
    use kmip_server::auth::{self, ca::Ca, registry::Registry, registry::RoleSettings};
    use kmip_server::policy::{OperationSet, RoleName, Scope};
    let s = server().await;
    let kmip = env!("CARGO_BIN_EXE_kmip");
    let uid = create_aes(kmip, &s, "r").await;

    let data = s.running.admin_dir.ancestors().nth(3).unwrap().to_path_buf();
    let registry = Registry::open(&data).unwrap();
    let (scope, role) = (Scope::new("default").unwrap(), RoleName::new("readers").unwrap());
    let settings = RoleSettings {
        operations: OperationSet::parse("operation_get,operation_locate").unwrap(),
        key_type: kmip_server::config::KeyType::Ec,
        ttl_secs: 3600,
    };
    registry.write_role(&scope, &role, settings).unwrap();
    let ca = Ca::load(&kmip_server::setup::Paths::new(&data).ca_dir()).unwrap();
    let readers = s._dir.path().join("readers");
    auth::generate_credential(&registry, &ca, &scope, &role, &readers, None, None).unwrap();

    let as_reader = |args: &[&str]| {
        let mut c = tokio::process::Command::from(Command::new(kmip));
        c.arg("--bundle")
            .arg(&readers)
            .arg("--server")
            .arg(s.running.addr.to_string());
        c.args(args).output()
    };
    let out = as_reader(&["locate", "--name", "r"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), uid);
    let out = as_reader(&["discover"]).await.unwrap();
    assert!(!out.status.success(), "Discover Versions itself stays refused");
    assert!(
        text(&out.stderr).contains("Permission Denied") || text(&out.stderr).contains("PermissionDenied"),
        "{}",
        text(&out.stderr)
    );
}
