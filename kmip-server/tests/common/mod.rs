//! A real server on 127.0.0.1:0 in a temporary data directory, with helpers
//! to mint credentials, for the integration tests.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use kmip_client::{Client, ClientError, Credentials};
use kmip_codec::enums::ResultReason;
use kmip_server::auth::{self, ca::Ca, registry::Registry, registry::RoleSettings};
use kmip_server::config::{Config, KeyType};
use kmip_server::policy::{OperationSet, RoleName, Scope};
use kmip_server::setup::Paths;

pub mod keys;
pub mod objects;
pub mod postgres;
use std::path::PathBuf;

/// A running test server.
pub struct TestServer {
    pub addr: String,
    pub config: Config,
    pub admin: Credentials,
    running: kmip_server::Running,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        // The server's log goes to the test's captured output: shown when
        // the test fails, quiet when it passes.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config {
            data_dir: dir.path().join("data"),
            listen: "127.0.0.1:0".parse().unwrap(),
            metrics_listen: "127.0.0.1:0".into(),
            ..Config::default()
        };
        adjust(&mut config);
        Self::restart(config, dir).await
    }

    /// `GET path` on the metrics listener: the status code and body.
    pub async fn http_get(&self, path: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.running.metrics_addr.expect("metrics listener");
        let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connects");
        tcp.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .await
            .expect("sends");
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.expect("reads");
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    pub async fn connect(&self, creds: &Credentials) -> Result<Client, kmip_client::ClientError> {
        Client::connect(&self.addr, "localhost", creds).await
    }

    pub async fn admin_client(&self) -> Client {
        self.connect(&self.admin).await.expect("admin connects")
    }

    /// A second registry connection, as the admin CLI would open.
    pub fn registry(&self) -> Registry {
        Registry::open(&self.config.data_dir).expect("registry")
    }

    /// How many objects scope `scope` holds in the store, read directly.
    pub fn objects_in(&self, scope: &str) -> u64 {
        let scope = Scope::new(scope).unwrap();
        self.registry()
            .with_conn(|conn| {
                kmip_server::store::objects::ScopedObjects::new(conn, &scope)
                    .count()
                    .unwrap()
            })
            .unwrap()
    }

    pub fn ca(&self) -> Ca {
        Ca::load(&Paths::new(&self.config.data_dir).ca_dir()).expect("ca")
    }

    /// Creates (if needed) a scope and a role with `operations`, and a
    /// credential for it. Returns the credential and its serial.
    pub fn credential(&self, scope: &str, role: &str, operations: &str) -> (Credentials, String) {
        let registry = self.registry();
        let (scope, role) = (Scope::new(scope).unwrap(), RoleName::new(role).unwrap());
        registry.ensure_scope(&scope).unwrap();
        let settings = RoleSettings {
            operations: OperationSet::parse(operations).unwrap(),
            key_type: KeyType::Ec,
            ttl_secs: 3600,
        };
        registry.write_role(&scope, &role, settings).unwrap();
        let out = self.path(&format!("clients/{scope}/{role}"));
        let made = auth::generate_credential(&registry, &self.ca(), &scope, &role, &out, None, None).unwrap();
        (Credentials::from_dir(&out).unwrap(), made.serial)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.config.data_dir.join(rel)
    }

    /// The audit log's complete lines, parsed (a line the flusher is
    /// writing at that moment is left out).
    #[allow(dead_code)] // not every test file reads the audit log
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        let log = std::fs::read_to_string(self.path("audit.log")).unwrap_or_default();
        log.split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// Stops the server and hands back its directory, for [`TestServer::restart`].
    pub async fn stop_keeping_data(self) -> tempfile::TempDir {
        self.running.stop().await;
        self._dir
    }

    /// Starts a server on `config` in `dir` (again, on a stopped one's data).
    pub async fn restart(config: Config, dir: tempfile::TempDir) -> TestServer {
        let running = kmip_server::start(&config).await.expect("server starts");
        let admin = Credentials::from_dir(&running.admin_dir).expect("admin credential");
        TestServer {
            addr: running.addr.to_string(),
            config,
            admin,
            running,
            _dir: dir,
        }
    }

    /// A TLS client config that trusts the server but shows no certificate.
    pub fn anonymous_tls(&self) -> std::sync::Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        let ca_pem = std::fs::read(self.path("ca/ca.pem")).unwrap();
        for c in rustls_pemfile::certs(&mut ca_pem.as_slice()) {
            roots.add(c.unwrap()).unwrap();
        }
        std::sync::Arc::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    pub fn metrics_port(&self) -> u16 {
        self.running.metrics_addr.expect("metrics listener").port()
    }

    pub fn admin_dir(&self) -> PathBuf {
        self.running.admin_dir.clone()
    }
}

/// The Result Reason of a request the server refused; panics on success
/// or on any other kind of failure.
pub fn refusal<T: std::fmt::Debug>(result: Result<T, ClientError>) -> Option<ResultReason> {
    match result {
        Err(ClientError::Failed { reason, .. }) => reason,
        other => panic!("expected the server to refuse, got {other:?}"),
    }
}

/// An attribute with no index.
pub fn attr(v: kmip_codec::messages::AttributeValue) -> kmip_codec::messages::Attribute {
    kmip_codec::messages::Attribute::new(v)
}

/// A Name attribute of type Uninterpreted Text String.
pub fn name(n: &str) -> kmip_codec::messages::Attribute {
    attr(kmip_codec::messages::AttributeValue::Name(kmip_codec::messages::Name {
        value: n.into(),
        name_type: kmip_codec::enums::NameType::UninterpretedTextString,
    }))
}

/// A plain Get: the object as stored, no format or wrapping asked.
pub fn get(uid: &str) -> kmip_codec::messages::ops::get::GetRequest {
    kmip_codec::messages::ops::get::GetRequest {
        unique_identifier: Some(uid.into()),
        ..Default::default()
    }
}

/// Activates an object, which must succeed.
pub async fn activate(c: &mut Client, uid: &str) {
    c.activate(kmip_codec::messages::ops::activate::ActivateRequest {
        unique_identifier: Some(uid.into()),
    })
    .await
    .expect("Activate");
}

/// A key block holding `bytes` as plain key material.
pub fn raw_key(
    format: kmip_codec::enums::KeyFormatType,
    bytes: &[u8],
    algorithm: Option<(kmip_codec::enums::CryptographicAlgorithm, i32)>,
) -> kmip_codec::messages::KeyBlock {
    use kmip_codec::messages::{Bytes, KeyBlock, KeyMaterial, KeyValue};
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(bytes.to_vec())),
            attributes: vec![],
        }),
        cryptographic_algorithm: algorithm.map(|a| a.0),
        cryptographic_length: algorithm.map(|a| a.1),
        key_wrapping_data: None,
    }
}
