//! The `kmip-server` binary as an operator uses it: init, serve, and the
//! scope/role/credential admin commands, against a running server.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use kmip_client::{Client, ClientError, Credentials};
use kmip_codec::enums::{QueryFunction, ResultReason};
use kmip_codec::messages::ops::get::GetRequest;
use kmip_codec::messages::ops::query::QueryRequest;
use kmip_codec::messages::RequestPayload;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kmip-server"));
    c.env("RUST_LOG", "warn");
    c
}

fn run(data: &Path, args: &[&str]) -> Output {
    bin().arg("--data-dir").arg(data).args(args).output().expect("runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `kmip-server serve` on a free port; killed (SIGTERM) on drop.
struct Served {
    child: Child,
    addr: String,
    /// The server's stderr (its log), shown when the test fails.
    log: tempfile::NamedTempFile,
}

impl Served {
    fn start(data: &Path) -> Served {
        Self::start_with_env(data, &[])
    }

    fn start_with_env(data: &Path, env: &[(&str, &str)]) -> Served {
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = bin()
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let Some(Ok(first)) = lines.next() else {
            let _ = child.wait();
            let log = std::fs::read_to_string(log.path()).unwrap_or_default();
            panic!("the server did not start:\n{log}");
        };
        let addr = first
            .strip_prefix("KMIP server listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        let rest: Vec<String> = lines.take(4).map(|l| l.unwrap()).collect();
        assert!(
            rest[0].contains("clients/default/admin"),
            "says where the credential is: {rest:?}"
        );
        Served { child, addr, log }
    }

    fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // Waited for, so that its data-directory lock is free for the next.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            eprintln!("--- log of the server at {} ---\n{log}--- end of log ---", self.addr);
        }
    }
}

#[test]
fn init_creates_everything_once_and_a_second_start_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(ok(&data, &["init"]).contains("initialised"));
    let admin = data.join("clients/default/admin");
    for f in [
        "ca.pem",
        "client.pem",
        "client.key",
        "client.p12",
        "client.p12.password",
    ] {
        assert!(admin.join(f).exists(), "{f}");
    }
    for secret in [
        "ca/ca.key",
        "server/server.key",
        "kek.key",
        "clients/default/admin/client.key",
    ] {
        let mode = std::fs::metadata(data.join(secret)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{secret} must be private");
    }
    let ca = std::fs::read(data.join("ca/ca.pem")).unwrap();
    assert!(ok(&data, &["init"]).contains("already initialised"));
    assert_eq!(std::fs::read(data.join("ca/ca.pem")).unwrap(), ca, "the CA is reused");

    // The PKCS#12 bundle opens with its password and holds key and chain.
    let password = std::fs::read_to_string(admin.join("client.p12.password")).unwrap();
    let p12 = std::fs::read(admin.join("client.p12")).unwrap();
    let store = p12_keystore::KeyStore::from_pkcs12(&p12, &password, p12_keystore::Pkcs12ImportPolicy::default())
        .expect("valid PKCS#12");
    let (_, chain) = store.private_key_chain().expect("a key with its chain");
    assert_eq!(chain.certs().len(), 2);
}

#[tokio::test]
async fn a_newcomer_creates_a_scope_a_get_locate_role_and_sees_a_denied_operation_denied() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = Served::start(&data);

    assert_eq!(ok(&data, &["scope", "create", "finance"]), "scope finance created\n");
    ok(
        &data,
        &[
            "role",
            "write",
            "finance",
            "readers",
            "--operations",
            "operation_get,operation_locate",
        ],
    );
    let out_dir = dir.path().join("readers");
    let generated = ok(
        &data,
        &[
            "credential",
            "generate",
            "finance",
            "readers",
            "--out",
            out_dir.to_str().unwrap(),
            "--ttl",
            "90d",
        ],
    );
    let serial = generated
        .lines()
        .next()
        .unwrap()
        .strip_prefix("serial ")
        .unwrap()
        .to_owned();

    let creds = Credentials::from_dir(&out_dir).unwrap();
    let mut client = Client::connect(&served.addr, "localhost", &creds)
        .await
        .expect("connects");
    let denied = client
        .call(RequestPayload::Query(QueryRequest {
            query_functions: vec![QueryFunction::QueryOperations],
        }))
        .await;
    match denied {
        Err(ClientError::Failed { reason, message }) => {
            assert_eq!(reason, Some(ResultReason::PermissionDenied));
            assert!(message.unwrap().contains("operation_query"));
        }
        other => panic!("expected Permission Denied, got {other:?}"),
    }
    let get = client
        .call(RequestPayload::Get(GetRequest {
            unique_identifier: Some("x".into()),
            ..Default::default()
        }))
        .await;
    assert!(
        matches!(
            get,
            Err(ClientError::Failed {
                reason: Some(ResultReason::ItemNotFound),
                ..
            })
        ),
        "Get is permitted, and there is no such object: {get:?}"
    );

    // Machine-readable views.
    let role: serde_json::Value =
        serde_json::from_str(&ok(&data, &["role", "read", "finance", "readers", "--json"])).unwrap();
    assert_eq!(
        role["operations"],
        serde_json::json!(["operation_get", "operation_locate"])
    );
    assert_eq!(role["tls_client_key_type"], "ec");
    let scopes: serde_json::Value = serde_json::from_str(&ok(&data, &["scope", "list", "--json"])).unwrap();
    let names: Vec<&str> = scopes
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "finance"]);
    let list: serde_json::Value =
        serde_json::from_str(&ok(&data, &["credential", "list", "finance", "readers", "--json"])).unwrap();
    assert_eq!(list[0]["serial"], serial.as_str());
    let found: serde_json::Value =
        serde_json::from_str(&ok(&data, &["credential", "lookup", &serial, "--json"])).unwrap();
    assert_eq!(found["role"], "readers");
    assert_eq!(found["revoked"], serde_json::Value::Null);
    let days = (found["not_after"].as_i64().unwrap() - kmip_server::store::unix_now()) / 86_400;
    assert!((89..=90).contains(&days), "--ttl 90d: {days} days");

    // Revoked while connected: the next request finds the connection closed.
    ok(&data, &["credential", "revoke", &serial]);
    assert!(client
        .call(RequestPayload::Query(QueryRequest {
            query_functions: vec![]
        }))
        .await
        .is_err());
    let found: serde_json::Value =
        serde_json::from_str(&ok(&data, &["credential", "lookup", &serial, "--json"])).unwrap();
    assert!(found["revoked"].is_i64());

    assert!(served.stop().success(), "SIGTERM shuts the server down cleanly");
}

#[test]
fn mistakes_get_messages_a_person_can_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["scope", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not initialised: run `kmip-server init"));

    ok(&data, &["init"]);
    let out = run(
        &data,
        &[
            "role",
            "write",
            "default",
            "r",
            "--operations",
            "operation_get,operation_fly",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown operation \"operation_fly\"; valid names are: operation_activate"),
        "{err}"
    );
    assert!(
        err.contains("operation_validate, operation_all, operation_none"),
        "{err}"
    );

    let out = run(
        &data,
        &["role", "write", "nowhere", "r", "--operations", "operation_get"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("scope \"nowhere\" does not exist"));
    let out = run(&data, &["scope", "create", "default"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = run(&data, &["credential", "revoke", "00"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no unrevoked credential has serial 00"));
    let out = run(&data, &["scope", "quota", "default", "--objects", "lots"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("lots: give a whole number or `default`"));
}

#[test]
fn scope_quotas_are_shown_and_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    assert_eq!(
        ok(&data, &["scope", "quota", "default"]),
        "scope default: 0 of 10000000 (default) objects\t0 of 10737418240 (default) bytes\n"
    );
    assert_eq!(
        ok(&data, &["scope", "quota", "default", "--objects", "5"]),
        "scope default: 0 of 5 objects\t0 of 10737418240 (default) bytes\n"
    );
    // A flag left out keeps its value; `default` goes back to the server's.
    ok(&data, &["scope", "quota", "default", "--bytes", "1000"]);
    let scopes: serde_json::Value = serde_json::from_str(&ok(&data, &["scope", "list", "--json"])).unwrap();
    assert_eq!(
        (scopes[0]["max_objects"].as_u64(), scopes[0]["max_bytes"].as_u64()),
        (Some(5), Some(1000))
    );
    ok(&data, &["scope", "quota", "default", "--objects", "default"]);
    assert!(ok(&data, &["scope", "list"]).contains("0 of 10000000 (default) objects\t0 of 1000 bytes"));
}

#[test]
fn roles_scopes_and_csr_signing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    ok(&data, &["scope", "create", "storage"]);
    ok(
        &data,
        &[
            "role",
            "write",
            "storage",
            "vcenter",
            "--operations",
            "operation_all",
            "--tls-client-key-type",
            "rsa",
            "--tls-client-key-bits",
            "2048",
            "--tls-client-ttl",
            "8760h",
        ],
    );
    assert_eq!(ok(&data, &["role", "list", "storage"]), "vcenter\n");

    // vCenter keeps its own key and sends a CSR that asks for serverAuth only:
    // the issued certificate still gets clientAuth.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["vcenter.example".into()]).unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let csr = params.serialize_request(&key).unwrap().pem().unwrap();
    let csr_path = dir.path().join("vcenter.csr");
    std::fs::write(&csr_path, csr).unwrap();
    let cert_path: PathBuf = dir.path().join("vcenter.pem");
    let out = ok(
        &data,
        &[
            "credential",
            "sign",
            "storage",
            "vcenter",
            "--csr",
            csr_path.to_str().unwrap(),
            "--out",
            cert_path.to_str().unwrap(),
        ],
    );
    assert!(out.starts_with("serial "));
    let pem = std::fs::read(&cert_path).unwrap();
    let der = rustls_pemfile::certs(&mut pem.as_slice()).next().unwrap().unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let eku = cert.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.client_auth, "clientAuth whatever the CSR asked");
    assert_eq!(
        cert.public_key().raw,
        x509_parser::parse_x509_certificate(&der).unwrap().1.public_key().raw
    );

    // A generated credential follows the role's key type.
    let out_dir = dir.path().join("rsa");
    ok(
        &data,
        &[
            "credential",
            "generate",
            "storage",
            "vcenter",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let key_pem = std::fs::read_to_string(out_dir.join("client.key")).unwrap();
    let key = rcgen::KeyPair::from_pem(&key_pem).unwrap();
    assert!(key.is_compatible(&rcgen::PKCS_RSA_SHA256), "an RSA key for an rsa role");

    ok(&data, &["role", "delete", "storage", "vcenter"]);
    assert_eq!(ok(&data, &["role", "list", "storage"]), "");
    assert!(ok(&data, &["scope", "delete", "storage"]).contains("scope storage deleted"));
}

/// Concurrent Creates, SIGKILL mid-load, restart: every Create the server
/// acknowledged is there, intact and usable. Three rounds on one data
/// directory.
/// A Create of an AES-256 encryption key.
fn request() -> kmip_codec::messages::ops::create::CreateRequest {
    use kmip_codec::enums::{CryptographicAlgorithm, CryptographicUsageMask, ObjectType};
    use kmip_codec::messages::{Attribute, AttributeValue, TemplateAttribute};
    kmip_codec::messages::ops::create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![
                Attribute::new(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                Attribute::new(AttributeValue::CryptographicLength(256)),
                Attribute::new(AttributeValue::CryptographicUsageMask(CryptographicUsageMask::Encrypt)),
            ],
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_creates_survive_sigkill() {
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    for round in 0..3 {
        let before = acknowledged.lock().unwrap().len();
        let served = Served::start(&data);
        let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (addr, creds, acknowledged) = (served.addr.clone(), creds.clone(), Arc::clone(&acknowledged));
            workers.push(tokio::spawn(async move {
                let Ok(mut c) = Client::connect(&addr, "localhost", &creds).await else {
                    return;
                };
                // Until the server dies under us.
                while let Ok(r) = c.create(request()).await {
                    acknowledged.lock().unwrap().push(r.unique_identifier);
                }
            }));
        }
        // Kill it mid-load: once this round's creates are being acknowledged.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while acknowledged.lock().unwrap().len() < before + 20 {
            assert!(std::time::Instant::now() < deadline, "round {round}: no load ran");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let mut served = served;
        served.child.kill().unwrap(); // SIGKILL
        served.child.wait().unwrap();
        for w in workers {
            w.await.unwrap();
        }
        let expected = acknowledged.lock().unwrap().clone();
        assert!(
            expected.len() > round * 10,
            "round {round}: the load ran ({} creates)",
            expected.len()
        );

        let served = Served::start(&data);
        let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
        for uid in &expected {
            let got = c
                .get(GetRequest {
                    unique_identifier: Some(uid.clone()),
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("round {round}: acknowledged {uid} lost: {e}"));
            assert_eq!(got.unique_identifier, *uid);
        }
        drop(served);
    }
}

/// The SoftHSM2 module from Debian's softhsm2 package.
const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A fresh SoftHSM2 token directory with a token "kmip", user PIN 1234.
/// `None` (the test is skipped) when SoftHSM2 is not installed, unless
/// KMIP_REQUIRE_HSM=1 (set by .ci/run), which makes that a failure.
fn softhsm_token(dir: &Path) -> Option<PathBuf> {
    if !Path::new(SOFTHSM).exists() {
        assert_ne!(
            std::env::var("KMIP_REQUIRE_HSM").as_deref(),
            Ok("1"),
            "KMIP_REQUIRE_HSM=1 but {SOFTHSM} is missing: apt-get install softhsm2"
        );
        eprintln!("{SOFTHSM} is absent: HSM test skipped (install softhsm2 to run it)");
        return None;
    }
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            tokens.display()
        ),
    )
    .unwrap();
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            "kmip",
            "--pin",
            "1234",
            "--so-pin",
            "5678",
        ])
        .output()
        .expect("softhsm2-util runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(conf)
}

#[tokio::test]
async fn the_lifecycle_runs_with_the_kek_in_softhsm2_and_a_wrong_pin_is_refused() {
    use kmip_codec::enums::{CryptographicAlgorithm, CryptographicUsageMask, KeyFormatType, ObjectType};
    use kmip_codec::messages::ops::register::RegisterRequest;
    use kmip_codec::messages::*;

    let dir = tempfile::tempdir().unwrap();
    let Some(conf) = softhsm_token(dir.path()) else { return };
    let data = dir.path().join("data");
    let conf = conf.to_str().unwrap().to_owned();
    let env = [
        ("SOFTHSM2_CONF", conf.as_str()),
        ("KMIP_KEY_PROTECTOR", "pkcs11"),
        ("KMIP_PKCS11_PIN", "1234"),
    ];
    let key = b"HSM-PROTECTED-KEY-0123456789abcd".to_vec();
    let get_key = |uid: &str| GetRequest {
        unique_identifier: Some(uid.to_owned()),
        ..Default::default()
    };
    let material = |o: &Object| match o {
        Object::SymmetricKey(k) => match &k.key_block.key_value {
            Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(b),
                ..
            }) => b.to_vec(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };

    let served = Served::start_with_env(&data, &env);
    assert!(
        !data.join("kek.key").exists(),
        "no key-encryption key on disk with an HSM"
    );
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    let uid = c
        .register(RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![Attribute::new(AttributeValue::CryptographicUsageMask(
                    CryptographicUsageMask::Encrypt,
                ))],
            },
            object: Object::SymmetricKey(SymmetricKey {
                key_block: KeyBlock {
                    key_format_type: KeyFormatType::Raw,
                    key_compression_type: None,
                    key_value: Some(KeyValue::Plain {
                        key_material: KeyMaterial::Bytes(Bytes::new(key.clone())),
                        attributes: vec![],
                    }),
                    cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
                    cryptographic_length: Some(256),
                    key_wrapping_data: None,
                },
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(material(&c.get(get_key(&uid)).await.unwrap().object), key);
    drop(c);
    drop(served);

    // A restart unwraps the sealing key in the HSM again.
    let served = Served::start_with_env(&data, &env);
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    assert_eq!(material(&c.get(get_key(&uid)).await.unwrap().object), key);
    drop(c);
    drop(served);

    // A wrong PIN stops the server at start, saying why.
    let out = bin()
        .envs([
            ("SOFTHSM2_CONF", conf.as_str()),
            ("KMIP_KEY_PROTECTOR", "pkcs11"),
            ("KMIP_PKCS11_PIN", "0000"),
        ])
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("logging into HSM token \"kmip\" failed (wrong PIN?)"),
        "{err}"
    );

    // A backup restores with the same HSM key, and under another token's
    // key is refused.
    let with = |env: &[(&str, &str)], data: &Path, args: &[&str]| {
        bin()
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data)
            .args(args)
            .output()
            .unwrap()
    };
    let file = dir.path().join("hsm.backup");
    let out = with(&env, &data, &["backup", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = dir.path().join("restored");
    let out = with(&env, &restored, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!restored.join("kek.key").exists());
    let served = Served::start_with_env(&restored, &env);
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    assert_eq!(material(&c.get(get_key(&uid)).await.unwrap().object), key);
    drop(c);
    drop(served);
    let other = dir.path().join("other");
    let other_conf = softhsm_token(&other).unwrap();
    let other_env = [
        ("SOFTHSM2_CONF", other_conf.to_str().unwrap()),
        ("KMIP_KEY_PROTECTOR", "pkcs11"),
        ("KMIP_PKCS11_PIN", "1234"),
    ];
    assert!(with(&other_env, &other.join("scratch"), &["init"]).status.success());
    let out = with(
        &other_env,
        &other.join("restored"),
        &["restore", file.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("does not unwrap with the pkcs11 key protector"),
        "{err}"
    );
}

#[tokio::test]
async fn audit_verify_accepts_a_servers_log_and_names_the_first_line_after_a_removed_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = Served::start(&data);
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    for _ in 0..6 {
        c.call(RequestPayload::Query(QueryRequest {
            query_functions: vec![QueryFunction::QueryOperations],
        }))
        .await
        .unwrap();
    }
    drop(c);
    // The flusher writes within 10 ms; then the server is killed.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(served);
    let log = data.join("audit.log");
    let log_arg = log.to_str().unwrap();
    let out = ok(&data, &["audit", "verify", log_arg]);
    assert!(out.contains("chain intact"), "{out}");
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 6, "{text}");
    lines.remove(1);
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let out = run(&data, &["audit", "verify", log_arg]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("line 2 does not follow"), "{said}");
}

#[tokio::test]
async fn a_rotated_audit_log_verifies_as_one_chain_is_copied_to_syslog_and_a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let socket = dir.path().join("syslog.sock");
    let collector = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    // A collector that reads as it goes, as rsyslog does.
    collector
        .set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let received = std::thread::spawn(move || {
        let mut copied = Vec::new();
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = collector.recv(&mut buf) {
            let message = String::from_utf8(buf[..n].to_vec()).unwrap();
            copied.push(message.splitn(8, ' ').nth(7).unwrap().to_owned());
        }
        copied
    });
    let served = Served::start_with_env(
        &data,
        &[
            ("KMIP_AUDIT_MAX_BYTES", "1500"),
            ("KMIP_AUDIT_KEEP", "0"),
            ("KMIP_AUDIT_SYSLOG", socket.to_str().unwrap()),
        ],
    );
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    for _ in 0..40 {
        c.call(RequestPayload::Query(QueryRequest {
            query_functions: vec![QueryFunction::QueryOperations],
        }))
        .await
        .unwrap();
    }
    drop(c);
    assert!(served.stop().success());
    // Given as a shell glob orders them: audit.log, .1, .10, .11, .2, ...
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("audit.log"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "rotated at 1500 bytes: {files:?}");
    let args = |files: &[PathBuf]| -> Vec<String> {
        ["audit", "verify"]
            .into_iter()
            .map(String::from)
            .chain(files.iter().map(|f| f.to_str().unwrap().to_owned()))
            .collect()
    };
    let all = args(&files);
    let out = ok(&data, &all.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.matches("chain intact").count(), files.len(), "{out}");
    let first_rotated = out.lines().find(|l| l.contains("/audit.log.1: ")).unwrap();
    let follows = format!("follows {}", data.join("audit.log.2").display());
    assert!(first_rotated.ends_with(&follows), "{out}");
    assert!(
        out.lines().last().unwrap().contains("audit.log: "),
        "the live file last: {out}"
    );
    // Every line reached syslog too, the same line as in the files.
    let copied = received.join().unwrap();
    let mut written: Vec<String> = Vec::new();
    for n in (1..files.len()).rev() {
        let text = std::fs::read_to_string(data.join(format!("audit.log.{n}"))).unwrap();
        written.extend(text.lines().map(String::from));
    }
    written.extend(
        std::fs::read_to_string(data.join("audit.log"))
            .unwrap()
            .lines()
            .map(String::from),
    );
    assert_eq!(copied, written);
    // A rotated file taken out of the middle is found at the one after it.
    std::fs::remove_file(data.join("audit.log.2")).unwrap();
    files.retain(|f| !f.ends_with("audit.log.2"));
    let out = run(&data, &args(&files).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("audit.log.1: line 1 does not follow the last line of the file before it"),
        "{said}"
    );
}

#[tokio::test]
async fn policies_are_written_listed_read_and_deleted_and_keys_due_shows_what_comes_next() {
    use kmip_codec::enums::{CryptographicAlgorithm, CryptographicUsageMask, ObjectType};
    use kmip_codec::messages::ops::activate::ActivateRequest;
    use kmip_codec::messages::ops::create::CreateRequest;
    use kmip_codec::messages::{Attribute, AttributeValue, TemplateAttribute};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A long interval: the server leaves the schedule as it is.
    let served = Served::start_with_env(&data, &[("KMIP_LIFECYCLE_INTERVAL_SECS", "3600")]);
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    let uid = c
        .create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![
                    Attribute::new(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                    Attribute::new(AttributeValue::CryptographicLength(256)),
                    Attribute::new(AttributeValue::CryptographicUsageMask(CryptographicUsageMask::Encrypt)),
                    Attribute::new(AttributeValue::ObjectGroup("billing".into())),
                ],
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    c.activate(ActivateRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();

    let out = ok(
        &data,
        &[
            "policy",
            "write",
            "default",
            "quarterly",
            "--match-group",
            "billing",
            "--rotate-every",
            "90d",
            "--notify-before",
            "7d",
            "--destroy-after",
            "365d",
        ],
    );
    assert!(
        out.contains("default/quarterly\tgroup billing\trotate every 90d"),
        "{out}"
    );
    let listed: serde_json::Value = serde_json::from_str(&ok(&data, &["policy", "list", "--json"])).unwrap();
    assert_eq!(listed[0]["name"], "quarterly");
    assert_eq!(listed[0]["match"]["group"], "billing");
    assert_eq!(listed[0]["rotate_every"], 90 * 86_400);
    let read = ok(&data, &["policy", "read", "default", "quarterly"]);
    assert!(read.contains("notify before 7d"), "{read}");

    // Within 90 days: the notice at day 83, the rotation at day 90.
    let due: serde_json::Value =
        serde_json::from_str(&ok(&data, &["keys", "due", "--within", "91d", "--json"])).unwrap();
    let steps: Vec<(&str, &str)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["step"].as_str().unwrap(), d["uid"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("notify_rotation", uid.as_str()), ("rotate", uid.as_str())]);
    assert_eq!(ok(&data, &["keys", "due", "--within", "30d"]), "");

    // Mistakes are named.
    let bad = run(&data, &["policy", "write", "nowhere", "p", "--rotate-every", "1d"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("scope \"nowhere\" does not exist"));
    let bad = run(&data, &["policy", "write", "default", "p", "--rotate-every", "3w"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use a number with s, m, h or d"));

    // Notification sinks.
    let secret = dir.path().join("hook.secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let secret_arg = secret.to_str().unwrap();
    let out = ok(
        &data,
        &[
            "notify",
            "add",
            "https://hooks.example.com/kms",
            "--secret-file",
            secret_arg,
            "--events",
            "rotation.done,destroyed",
        ],
    );
    assert!(out.starts_with("notification sink 1: "), "{out}");
    let sinks: serde_json::Value = serde_json::from_str(&ok(&data, &["notify", "list", "--json"])).unwrap();
    assert_eq!(sinks[0]["events"], serde_json::json!(["rotation.done", "destroyed"]));
    assert!(!sinks.to_string().contains("s3cret"), "the secret stays in its file");
    let bad = run(
        &data,
        &[
            "notify",
            "add",
            "http://hooks.example.com/",
            "--secret-file",
            secret_arg,
        ],
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use https://"));
    let bad = run(
        &data,
        &[
            "notify",
            "add",
            "https://h/",
            "--secret-file",
            secret_arg,
            "--events",
            "exploded",
        ],
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown event \"exploded\""));
    ok(&data, &["notify", "delete", "1"]);
    assert_eq!(ok(&data, &["notify", "list"]), "");

    ok(&data, &["policy", "delete", "default", "quarterly"]);
    assert_eq!(ok(&data, &["policy", "list"]), "");
    let gone = run(&data, &["policy", "read", "default", "quarterly"]);
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no policy \"quarterly\" in scope \"default\""));
    drop(served);
}

#[tokio::test]
async fn rotations_cut_short_by_sigkill_neither_lose_nor_double_a_version() {
    use kmip_codec::enums::{CryptographicAlgorithm, CryptographicUsageMask, LinkType, ObjectType};
    use kmip_codec::messages::ops::activate::ActivateRequest;
    use kmip_codec::messages::ops::create::CreateRequest;
    use kmip_codec::messages::ops::get_attributes::GetAttributesRequest;
    use kmip_codec::messages::ops::locate::LocateRequest;
    use kmip_codec::messages::{Attribute, AttributeValue, TemplateAttribute};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fast = [("KMIP_LIFECYCLE_INTERVAL_SECS", "1")];
    let served = Served::start_with_env(&data, &fast);
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    for _ in 0..20 {
        let uid = c
            .create(CreateRequest {
                object_type: ObjectType::SymmetricKey,
                template_attribute: TemplateAttribute {
                    names: vec![],
                    attributes: vec![
                        Attribute::new(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                        Attribute::new(AttributeValue::CryptographicLength(256)),
                        Attribute::new(AttributeValue::CryptographicUsageMask(CryptographicUsageMask::Encrypt)),
                        Attribute::new(AttributeValue::ObjectGroup("churn".into())),
                    ],
                },
            })
            .await
            .unwrap()
            .unique_identifier;
        c.activate(ActivateRequest {
            unique_identifier: Some(uid),
        })
        .await
        .unwrap();
    }
    drop(c);
    ok(
        &data,
        &[
            "policy",
            "write",
            "default",
            "churn",
            "--match-group",
            "churn",
            "--rotate-every",
            "1s",
        ],
    );
    // Killed twice while rotating every second.
    let mut served = served;
    for _ in 0..2 {
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        drop(served);
        served = Served::start_with_env(&data, &fast);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    ok(&data, &["policy", "delete", "default", "churn"]);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    let all = c
        .locate(LocateRequest {
            attributes: vec![Attribute::new(AttributeValue::ObjectGroup("churn".into()))],
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifiers;
    let mut replacement = std::collections::HashMap::new();
    let mut replaced = std::collections::HashMap::new();
    for uid in &all {
        let attributes = c
            .get_attributes(GetAttributesRequest {
                unique_identifier: Some(uid.clone()),
                attribute_names: vec![],
            })
            .await
            .unwrap()
            .attributes;
        for a in attributes {
            if let AttributeValue::Link(l) = a.value {
                let links = match l.link_type {
                    LinkType::ReplacementObjectLink => &mut replacement,
                    LinkType::ReplacedObjectLink => &mut replaced,
                    _ => continue,
                };
                assert!(
                    links.insert(uid.clone(), l.linked_object_identifier).is_none(),
                    "two links of a kind on {uid}"
                );
            }
        }
    }
    assert!(replacement.len() >= 20, "rotations happened: {}", replacement.len());
    // Every rotation is linked both ways; every chain starts at one of the 20.
    for (old, new) in &replacement {
        assert_eq!(replaced.get(new), Some(old), "{old} -> {new} is linked one way only");
    }
    assert_eq!(
        all.len() - replaced.len(),
        20,
        "one chain per original key, no stray version"
    );
    // And each rotation has its rotation.done, once.
    drop(c);
    drop(served);
    let db = rusqlite::Connection::open(data.join("kmip.db")).unwrap();
    let done: usize = db
        .query_row(
            "SELECT count(*) FROM lifecycle_events WHERE event = 'rotation.done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(done, replacement.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_every_key_and_only_under_its_own_kek() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = Served::start(&data);
    let creds = Credentials::from_dir(&data.join("clients/default/admin")).unwrap();
    let mut c = Client::connect(&served.addr, "localhost", &creds).await.unwrap();
    let mut keys = Vec::new();
    for _ in 0..30 {
        let uid = c.create(request()).await.unwrap().unique_identifier;
        let got = c
            .get(GetRequest {
                unique_identifier: Some(uid.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        keys.push((uid, got.object));
    }
    // Creates go on while the backup is taken: it is online.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (addr, creds, stop) = (served.addr.clone(), creds.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut c = Client::connect(&addr, "localhost", &creds).await.unwrap();
            let mut made = 0u32;
            while !stop.load(Ordering::Relaxed) {
                c.create(request()).await.unwrap();
                made += 1;
            }
            made
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let file = dir.path().join("kmip.backup");
    let out = tokio::task::spawn_blocking({
        let (data, file) = (data.clone(), file.clone());
        move || ok(&data, &["backup", "--out", file.to_str().unwrap(), "--json"])
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    assert!(writer.await.unwrap() > 0, "creates ran during the backup");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let backed_up = summary["objects"].as_u64().unwrap();
    assert!(backed_up >= 30, "{summary}");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !bytes.windows(27).any(|w| w == b"-----BEGIN PRIVATE KEY-----"),
        "no CA key in the clear"
    );
    assert!(
        !run(&data, &["backup", "--out", file.to_str().unwrap()])
            .status
            .success(),
        "an existing backup is not overwritten"
    );

    // Under another key-encryption key: refused, and nothing left behind.
    let wrong_kek = dir.path().join("wrong.kek");
    std::fs::write(&wrong_kek, [7u8; 32]).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    let refused = run(
        &elsewhere,
        &["restore", file.to_str().unwrap(), "--kek", wrong_kek.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        said.contains("does not unwrap") && said.contains("nothing was restored"),
        "{said}"
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing left behind");
    let no_kek = run(&elsewhere, &["restore", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&no_kek.stderr).contains("--kek"));

    // A damaged copy is refused before anything is put in place.
    let damaged = dir.path().join("damaged.backup");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 1;
    std::fs::write(&damaged, flipped).unwrap();
    let kek = data.join("kek.key");
    let refused = run(
        &elsewhere,
        &["restore", damaged.to_str().unwrap(), "--kek", kek.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("damaged"));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);

    // Under its own: every key back, and the old credentials still work.
    let restored_out = ok(
        &elsewhere,
        &[
            "restore",
            file.to_str().unwrap(),
            "--kek",
            kek.to_str().unwrap(),
            "--json",
        ],
    );
    let restored: serde_json::Value = serde_json::from_str(restored_out.trim()).unwrap();
    assert_eq!(restored["objects"], summary["objects"], "{restored}");
    assert_eq!(restored["sealed"], summary["sealed"]);
    drop(served);
    let again = Served::start(&elsewhere);
    let mut c = Client::connect(&again.addr, "localhost", &creds).await.unwrap();
    for (uid, object) in &keys {
        let got = c
            .get(GetRequest {
                unique_identifier: Some(uid.clone()),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{uid} not restored: {e}"));
        assert_eq!(&got.object, object, "{uid}: the same material");
    }
    assert!(
        !run(&elsewhere, &["restore", file.to_str().unwrap()]).status.success(),
        "never over a database"
    );
}
