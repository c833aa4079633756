//! Server configuration: a TOML file (`--config`), then `KMIP_*` environment
//! variables, then command-line flags, each overriding the one before.
//! Unknown keys are rejected so that a misspelt setting is not silently
//! ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Every server setting, with its default.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the CA, database, key-encryption key, credentials and audit
    /// log live. Default `./kmip-data`.
    pub data_dir: PathBuf,
    /// Address to listen on. Default `0.0.0.0:5696`, the KMIP port.
    pub listen: SocketAddr,
    /// Address of the metrics and health listener (`/metrics`, `/healthz`,
    /// `/readyz`): HTTP on loopback, HTTPS with the server certificate
    /// elsewhere; empty to turn it off. Default `127.0.0.1:9696`.
    pub metrics_listen: String,
    /// Extra DNS names or IP addresses for the server certificate, beside
    /// `localhost` and `127.0.0.1`. Used when the certificate is first made.
    pub server_names: Vec<String>,
    /// The CA's key type at initialisation: `ec` (P-256), `rsa2048`,
    /// `rsa3072` or `rsa4096`.
    pub ca_key_type: KeyType,
    /// Largest request accepted, in bytes; a longer frame closes the
    /// connection before its body is read. Default 1 MiB.
    pub max_message_size: usize,
    /// Deepest Structure nesting accepted. Default 32.
    pub max_depth: usize,
    /// Most established (handshaken) connections; more are refused.
    pub max_connections: usize,
    /// Most connections still in their TLS handshake; more wait in the
    /// accept queue. Default 256.
    pub max_handshakes: usize,
    /// Most connections, handshaking or established, from one peer
    /// address. Default 64.
    pub max_connections_per_peer: usize,
    /// Most established connections of one credential. Default 64.
    pub max_connections_per_credential: usize,
    /// Seconds a connection may sit idle between requests. Default 300.
    pub idle_timeout_secs: u64,
    /// Seconds a started request may take to arrive in full. Default 30.
    pub read_timeout_secs: u64,
    /// Seconds the TLS handshake may take. Default 10.
    pub handshake_timeout_secs: u64,
    /// Most batch items in one request. Default 1000.
    pub max_batch_items: usize,
    /// Largest response built, in bytes: the items that would take a
    /// response past it answer Response Too Large, and the batch stops
    /// there. Default 16 MiB.
    pub max_response_size: usize,
    /// Seconds a response may take to be written (a client that does not
    /// read loses its connection). Default 30.
    pub write_timeout_secs: u64,
    /// Most PBKDF2 iterations one Derive Key may ask for (CPU per request).
    /// Default 1,000,000.
    pub max_pbkdf2_iterations: u32,
    /// Most key-pair generations and key derivations in one request (CPU
    /// per request). Default 16.
    pub max_heavy_items: usize,
    /// Requests holding heavy work (key-pair generation, derivation, large
    /// RNG Retrieve) that run at once; more wait their turn, so the other
    /// cores stay free for everyone else. 0: half the cores, at least one.
    /// Default 0.
    pub max_heavy_requests: usize,
    /// Most objects a scope may hold, unless the scope has its own quota
    /// (`kmip-server scope quota`). Default 10,000,000.
    pub max_objects_per_scope: u64,
    /// Most bytes (sealed material and attribute values) a scope may hold,
    /// unless it has its own quota. Default 10 GiB.
    pub max_bytes_per_scope: u64,
    /// Refuse a request whose audit record cannot be written, before it
    /// changes anything (an intent line per request). Default true.
    pub audit_fail_closed: bool,
    /// When audit records reach the file: `batch` (written at least every
    /// 10 ms; a change's intent line before it runs) or `always` (written
    /// and fdatasync'd before each answer). Default batch.
    pub audit_sync: AuditSync,
    /// Audit file size past which it is rotated (renamed `audit.log.1`,
    /// older ones shifted up); 0 never rotates. Default 100 MiB.
    pub audit_max_bytes: u64,
    /// Rotated audit files kept, the oldest deleted past it; 0 keeps all.
    /// Default 10.
    pub audit_keep: u32,
    /// A copy of each audit line as RFC 5424 syslog: a Unix datagram socket
    /// path (`/dev/log`) or `udp://host:port`; empty: none. Default empty.
    pub audit_syslog: String,
    /// Connection lines (refused, dropped) one peer address may add to the
    /// audit log per minute; the rest are counted in one
    /// `connection.suppressed` line. 0: no bound. Default 20.
    pub audit_connection_lines: u32,
    /// Seconds between passes of the lifecycle policies (rotation,
    /// retention, notice); 0 turns them off. Default 10.
    pub lifecycle_interval_secs: u64,
    /// Length of the anomaly detectors' counting window, seconds. Default 60.
    pub alert_window_secs: u64,
    /// Permission Denied answers to one credential in a window that raise
    /// an alert; 0 turns the detector off. Default 20.
    pub alert_permission_denied: u64,
    /// Item Not Found answers to one credential in a window that raise an
    /// alert; 0 off. Default 50.
    pub alert_not_found: u64,
    /// Failed handshakes or credential checks from one peer address in a
    /// window that raise an alert; 0 off. Default 20.
    pub alert_handshake_failures: u64,
    /// How many times its own average a key's use in a window must exceed
    /// to raise an alert; 0 off. Default 10.
    pub alert_key_rate_factor: u64,
    /// Uses of one key in a window below which its rate never alerts.
    /// Default 600.
    pub alert_key_rate_min: u64,
    /// Alert when a credential first fetches an object's key material that
    /// it did not create or register. Default true.
    pub alert_new_material_reader: bool,
    /// The audit log (one JSON line per batch item). Default
    /// `<data_dir>/audit.log`; empty to log audit records only to tracing.
    pub audit_log: Option<PathBuf>,
    /// Who holds the key-encryption key: `soft` (a 0600 file in the data
    /// directory) or `pkcs11` (an AES key inside an HSM token).
    pub key_protector: Protector,
    /// The PKCS#11 module (`pkcs11` protector).
    pub pkcs11_module: PathBuf,
    /// The label of the HSM token (`pkcs11` protector).
    pub pkcs11_token_label: String,
    /// The environment variable holding the token's user PIN.
    pub pkcs11_pin_env: String,
    /// A file holding the PIN instead (first line), if set.
    pub pkcs11_pin_file: Option<PathBuf>,
    /// Where objects and the registry live: empty for SQLite in the data
    /// directory (one server), or a `postgres://` URL (or key=value
    /// connection string) for several nodes sharing one PostgreSQL
    /// database (crate::cluster). Default empty.
    pub store: String,
    /// A PEM bundle of the CA that issued the PostgreSQL server's
    /// certificate: when set, every connection to the database uses TLS
    /// and verifies it (and the host name); a database without TLS is
    /// refused. Default none: no TLS (a Unix socket or a private network).
    pub store_ca: Option<PathBuf>,
    /// This node's name in a PostgreSQL cluster (its usage counters and
    /// health row). Default: the host name and a digest of the data
    /// directory's path, so that two nodes on one host differ.
    pub node_name: String,
}

/// When audit records reach the file (`audit_sync`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuditSync {
    /// Buffered and written by a flusher every 10 ms (at once when 64 KiB
    /// are waiting); an intent line is written before its change runs. A
    /// crash can lose the last 10 ms of read records, never a change's
    /// intent; reads are refused once a write failed.
    #[default]
    Batch,
    /// Every request's lines written and synced to disk before it runs
    /// (intent) and before it is answered (outcome).
    Always,
}

/// Key-encryption key holders.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Protector {
    /// A file in the data directory.
    #[default]
    Soft,
    /// An HSM token through PKCS#11.
    Pkcs11,
}

/// Every setting, for `kmip-server --help`: TOML key, environment
/// variable, default, meaning. A test keeps it in step with [`Config`].
pub const SETTINGS_HELP: &str = "\
Settings (TOML key in --config FILE / environment variable, default):
  data_dir                KMIP_DATA_DIR                ./kmip-data   CA, database, key-encryption key, credentials, audit log
  listen                  KMIP_LISTEN                  0.0.0.0:5696  address to listen on
  metrics_listen          KMIP_METRICS_LISTEN          127.0.0.1:9696  /metrics, /healthz, /readyz (HTTPS off loopback); empty: off
  server_names            KMIP_SERVER_NAMES (a,b)      []            extra names for the server certificate (at first start)
  ca_key_type             KMIP_CA_KEY_TYPE             ec            CA key at init: ec (P-256), rsa2048, rsa3072, rsa4096
  max_message_size        KMIP_MAX_MESSAGE_SIZE        1048576       largest request in bytes; larger closes the connection
  max_depth               KMIP_MAX_DEPTH               32            deepest Structure nesting accepted
  max_connections         KMIP_MAX_CONNECTIONS         1024          established connections; more are refused after the handshake
  max_handshakes          KMIP_MAX_HANDSHAKES          256           connections in their TLS handshake; more wait to be accepted
  max_connections_per_peer  KMIP_MAX_CONNECTIONS_PER_PEER  64        connections from one peer address
  max_connections_per_credential  KMIP_MAX_CONNECTIONS_PER_CREDENTIAL  64  established connections of one credential
  idle_timeout_secs       KMIP_IDLE_TIMEOUT_SECS       300           idle time allowed between requests
  read_timeout_secs       KMIP_READ_TIMEOUT_SECS       30            time allowed for a started request to arrive
  handshake_timeout_secs  KMIP_HANDSHAKE_TIMEOUT_SECS  10            time allowed for the TLS handshake
  max_batch_items         KMIP_MAX_BATCH_ITEMS         1000          most batch items in one request
  max_response_size       KMIP_MAX_RESPONSE_SIZE       16777216      largest response in bytes; items past it answer Response Too Large
  write_timeout_secs      KMIP_WRITE_TIMEOUT_SECS      30            time allowed to write a response to a client that is slow to read
  max_pbkdf2_iterations   KMIP_MAX_PBKDF2_ITERATIONS   1000000       most PBKDF2 iterations one Derive Key may ask for
  max_heavy_items         KMIP_MAX_HEAVY_ITEMS         16            most key-pair generations and derivations in one request
  max_heavy_requests      KMIP_MAX_HEAVY_REQUESTS      0             requests with heavy work running at once; 0: half the cores (at least 1)
  max_objects_per_scope   KMIP_MAX_OBJECTS_PER_SCOPE   10000000      objects a scope may hold, unless it has its own quota
  max_bytes_per_scope     KMIP_MAX_BYTES_PER_SCOPE     10737418240   bytes a scope may hold (sealed material, attributes), unless its own quota
  audit_fail_closed       KMIP_AUDIT_FAIL_CLOSED       true          refuse a request whose audit record cannot be written first
  audit_sync              KMIP_AUDIT_SYNC              batch         audit lines written every 10 ms (batch) or synced before each answer (always)
  audit_max_bytes         KMIP_AUDIT_MAX_BYTES         104857600     audit file size past which it is rotated to audit.log.1 (0: never)
  audit_keep              KMIP_AUDIT_KEEP              10            rotated audit files kept, the oldest deleted (0: all)
  audit_syslog            KMIP_AUDIT_SYSLOG            (none)        copy of each audit line as RFC 5424 syslog: /dev/log or udp://host:port
  audit_connection_lines  KMIP_AUDIT_CONNECTION_LINES  20            connection lines per peer address and minute; the rest counted (0: no bound)
  lifecycle_interval_secs  KMIP_LIFECYCLE_INTERVAL_SECS  10          seconds between passes of the lifecycle policies (0: off)
  alert_window_secs       KMIP_ALERT_WINDOW_SECS       60            anomaly detectors' counting window
  alert_permission_denied  KMIP_ALERT_PERMISSION_DENIED  20          Permission Denied per credential and window that alert (0: off)
  alert_not_found         KMIP_ALERT_NOT_FOUND         50            Item Not Found per credential and window that alert (0: off)
  alert_handshake_failures  KMIP_ALERT_HANDSHAKE_FAILURES  20        failed handshakes per peer and window that alert (0: off)
  alert_key_rate_factor   KMIP_ALERT_KEY_RATE_FACTOR   10            a key used this many times its own average rate alerts (0: off)
  alert_key_rate_min      KMIP_ALERT_KEY_RATE_MIN      600           uses of a key per window below which its rate never alerts
  alert_new_material_reader  KMIP_ALERT_NEW_MATERIAL_READER  true    alert when a credential first fetches a key it did not create
  audit_log               KMIP_AUDIT_LOG               <data_dir>/audit.log  JSON lines, one per batch item; empty: tracing only
  key_protector           KMIP_KEY_PROTECTOR           soft          key-encryption key holder: soft (file) or pkcs11 (HSM)
  pkcs11_module           KMIP_PKCS11_MODULE           /usr/lib/softhsm/libsofthsm2.so  PKCS#11 module
  pkcs11_token_label      KMIP_PKCS11_TOKEN_LABEL      kmip          HSM token label
  pkcs11_pin_env          KMIP_PKCS11_PIN_ENV          KMIP_PKCS11_PIN  environment variable holding the user PIN
  pkcs11_pin_file         KMIP_PKCS11_PIN_FILE         (none)        file holding the PIN instead (never on the command line)
  store                   KMIP_STORE                   (SQLite)      objects and registry: empty for <data_dir>/kmip.db, or postgres://... for several nodes
  store_ca                KMIP_STORE_CA                (none)        CA bundle for TLS to PostgreSQL; set, TLS is required and verified
  node_name               KMIP_NODE_NAME               <host>-<digest of data_dir>  this node's name in a PostgreSQL cluster
Logging: RUST_LOG (default info).";

/// Key types for the CA and client certificates.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// ECDSA P-256.
    #[default]
    Ec,
    /// RSA 2048.
    Rsa2048,
    /// RSA 3072.
    Rsa3072,
    /// RSA 4096.
    Rsa4096,
}

impl KeyType {
    /// Parses `ec`, `rsa` (2048), `rsa2048`, `rsa3072`, `rsa4096`, or a
    /// type and a bit count.
    pub fn parse(kind: &str, bits: Option<u32>) -> Result<KeyType, String> {
        match (kind, bits) {
            ("ec", None | Some(256)) => Ok(KeyType::Ec),
            ("rsa" | "rsa2048", None) | ("rsa", Some(2048)) => Ok(KeyType::Rsa2048),
            ("rsa3072", None) | ("rsa", Some(3072)) => Ok(KeyType::Rsa3072),
            ("rsa4096", None) | ("rsa", Some(4096)) => Ok(KeyType::Rsa4096),
            _ => Err(format!(
                "unsupported key type {kind}{}: use ec (P-256) or rsa with 2048, 3072 or 4096 bits",
                bits.map(|b| format!(" with {b} bits")).unwrap_or_default()
            )),
        }
    }

    /// The name used in the registry and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ec => "ec",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./kmip-data"),
            listen: SocketAddr::from(([0, 0, 0, 0], 5696)),
            metrics_listen: "127.0.0.1:9696".into(),
            server_names: Vec::new(),
            ca_key_type: KeyType::Ec,
            max_message_size: 1 << 20,
            max_depth: 32,
            max_connections: 1024,
            max_handshakes: 256,
            max_connections_per_peer: 64,
            max_connections_per_credential: 64,
            idle_timeout_secs: 300,
            read_timeout_secs: 30,
            handshake_timeout_secs: 10,
            max_batch_items: 1000,
            max_response_size: 16 << 20,
            write_timeout_secs: 30,
            max_pbkdf2_iterations: 1_000_000,
            max_heavy_items: 16,
            max_heavy_requests: 0,
            max_objects_per_scope: 10_000_000,
            max_bytes_per_scope: 10 << 30,
            audit_fail_closed: true,
            audit_sync: AuditSync::Batch,
            audit_max_bytes: 100 << 20,
            audit_keep: 10,
            audit_syslog: String::new(),
            audit_connection_lines: 20,
            lifecycle_interval_secs: 10,
            alert_window_secs: 60,
            alert_permission_denied: 20,
            alert_not_found: 50,
            alert_handshake_failures: 20,
            alert_key_rate_factor: 10,
            alert_key_rate_min: 600,
            alert_new_material_reader: true,
            audit_log: None,
            key_protector: Protector::Soft,
            pkcs11_module: PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"),
            pkcs11_token_label: "kmip".into(),
            pkcs11_pin_env: "KMIP_PKCS11_PIN".into(),
            pkcs11_pin_file: None,
            store: String::new(),
            store_ca: None,
            node_name: String::new(),
        }
    }
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses TOML over the defaults.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Applies `KMIP_*` environment variables (`KMIP_DATA_DIR`,
    /// `KMIP_LISTEN`, `KMIP_MAX_MESSAGE_SIZE`, ... — the key in capitals).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        fn parsed<T: std::str::FromStr>(get: &impl Fn(&str) -> Option<String>, key: &str) -> Result<Option<T>, String> {
            get(key)
                .map(|v| v.parse().map_err(|_| format!("{key}={v}: not a valid value")))
                .transpose()
        }
        if let Some(v) = get("KMIP_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = parsed(&get, "KMIP_LISTEN")? {
            self.listen = v;
        }
        if let Some(v) = get("KMIP_METRICS_LISTEN") {
            self.metrics_listen = v;
        }
        if let Some(v) = get("KMIP_SERVER_NAMES") {
            self.server_names = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = get("KMIP_CA_KEY_TYPE") {
            self.ca_key_type = KeyType::parse(&v, None)?;
        }
        let numbers: [(&str, &mut usize); 10] = [
            ("KMIP_MAX_HEAVY_ITEMS", &mut self.max_heavy_items),
            ("KMIP_MAX_HEAVY_REQUESTS", &mut self.max_heavy_requests),
            ("KMIP_MAX_MESSAGE_SIZE", &mut self.max_message_size),
            ("KMIP_MAX_DEPTH", &mut self.max_depth),
            ("KMIP_MAX_CONNECTIONS", &mut self.max_connections),
            ("KMIP_MAX_HANDSHAKES", &mut self.max_handshakes),
            ("KMIP_MAX_CONNECTIONS_PER_PEER", &mut self.max_connections_per_peer),
            (
                "KMIP_MAX_CONNECTIONS_PER_CREDENTIAL",
                &mut self.max_connections_per_credential,
            ),
            ("KMIP_MAX_BATCH_ITEMS", &mut self.max_batch_items),
            ("KMIP_MAX_RESPONSE_SIZE", &mut self.max_response_size),
        ];
        for (key, field) in numbers {
            if let Some(v) = parsed(&get, key)? {
                *field = v;
            }
        }
        let wide: [(&str, &mut u64); 14] = [
            ("KMIP_ALERT_WINDOW_SECS", &mut self.alert_window_secs),
            ("KMIP_ALERT_PERMISSION_DENIED", &mut self.alert_permission_denied),
            ("KMIP_ALERT_NOT_FOUND", &mut self.alert_not_found),
            ("KMIP_ALERT_HANDSHAKE_FAILURES", &mut self.alert_handshake_failures),
            ("KMIP_ALERT_KEY_RATE_FACTOR", &mut self.alert_key_rate_factor),
            ("KMIP_ALERT_KEY_RATE_MIN", &mut self.alert_key_rate_min),
            ("KMIP_MAX_OBJECTS_PER_SCOPE", &mut self.max_objects_per_scope),
            ("KMIP_MAX_BYTES_PER_SCOPE", &mut self.max_bytes_per_scope),
            ("KMIP_AUDIT_MAX_BYTES", &mut self.audit_max_bytes),
            ("KMIP_LIFECYCLE_INTERVAL_SECS", &mut self.lifecycle_interval_secs),
            ("KMIP_IDLE_TIMEOUT_SECS", &mut self.idle_timeout_secs),
            ("KMIP_READ_TIMEOUT_SECS", &mut self.read_timeout_secs),
            ("KMIP_HANDSHAKE_TIMEOUT_SECS", &mut self.handshake_timeout_secs),
            ("KMIP_WRITE_TIMEOUT_SECS", &mut self.write_timeout_secs),
        ];
        for (key, field) in wide {
            if let Some(v) = parsed(&get, key)? {
                *field = v;
            }
        }
        if let Some(v) = parsed(&get, "KMIP_MAX_PBKDF2_ITERATIONS")? {
            self.max_pbkdf2_iterations = v;
        }
        if let Some(v) = parsed(&get, "KMIP_AUDIT_KEEP")? {
            self.audit_keep = v;
        }
        if let Some(v) = parsed(&get, "KMIP_AUDIT_CONNECTION_LINES")? {
            self.audit_connection_lines = v;
        }
        if let Some(v) = get("KMIP_AUDIT_SYSLOG") {
            self.audit_syslog = v;
        }
        if let Some(v) = parsed(&get, "KMIP_AUDIT_FAIL_CLOSED")? {
            self.audit_fail_closed = v;
        }
        if let Some(v) = parsed(&get, "KMIP_ALERT_NEW_MATERIAL_READER")? {
            self.alert_new_material_reader = v;
        }
        if let Some(v) = get("KMIP_AUDIT_SYNC") {
            self.audit_sync = match v.as_str() {
                "batch" => AuditSync::Batch,
                "always" => AuditSync::Always,
                other => return Err(format!("KMIP_AUDIT_SYNC={other}: use batch or always")),
            };
        }
        if let Some(v) = get("KMIP_AUDIT_LOG") {
            self.audit_log = Some(v.into());
        }
        if let Some(v) = get("KMIP_KEY_PROTECTOR") {
            self.key_protector = match v.as_str() {
                "soft" => Protector::Soft,
                "pkcs11" => Protector::Pkcs11,
                other => return Err(format!("KMIP_KEY_PROTECTOR={other}: use soft or pkcs11")),
            };
        }
        if let Some(v) = get("KMIP_PKCS11_MODULE") {
            self.pkcs11_module = v.into();
        }
        if let Some(v) = get("KMIP_PKCS11_TOKEN_LABEL") {
            self.pkcs11_token_label = v;
        }
        if let Some(v) = get("KMIP_PKCS11_PIN_ENV") {
            self.pkcs11_pin_env = v;
        }
        if let Some(v) = get("KMIP_PKCS11_PIN_FILE") {
            self.pkcs11_pin_file = Some(v.into());
        }
        if let Some(v) = get("KMIP_STORE") {
            self.store = v;
        }
        if let Some(v) = get("KMIP_STORE_CA") {
            self.store_ca = Some(v.into());
        }
        if let Some(v) = get("KMIP_NODE_NAME") {
            self.node_name = v;
        }
        Ok(())
    }

    /// The PostgreSQL URL of a shared store, `None` for SQLite.
    pub fn postgres(&self) -> Option<&str> {
        Some(self.store.trim()).filter(|s| !s.is_empty())
    }

    /// This node's name in a PostgreSQL cluster ([`Config::node_name`]).
    pub fn node(&self) -> String {
        if !self.node_name.is_empty() {
            return self.node_name.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let path = std::fs::canonicalize(&self.data_dir).unwrap_or_else(|_| self.data_dir.clone());
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, path.as_os_str().as_encoded_bytes());
        let short = digest
            .as_ref()
            .get(..4)
            .map(kmip_codec::hex::encode)
            .unwrap_or_default();
        format!("{}-{short}", host.trim())
    }

    /// The quota of every scope without its own.
    pub fn quota(&self) -> crate::store::Quota {
        crate::store::Quota {
            max_objects: self.max_objects_per_scope,
            max_bytes: self.max_bytes_per_scope,
        }
    }

    /// The audit log path: configured, or `<data_dir>/audit.log`; `None`
    /// when configured empty (tracing only).
    pub fn audit_path(&self) -> Option<PathBuf> {
        match &self.audit_log {
            Some(p) if p.as_os_str().is_empty() => None,
            Some(p) => Some(p.clone()),
            None => Some(self.data_dir.join("audit.log")),
        }
    }

    /// How the audit file is written, rotated and copied.
    pub fn audit_options(&self) -> Result<crate::audit::AuditOptions, String> {
        Ok(crate::audit::AuditOptions {
            sync: self.audit_sync,
            max_bytes: self.audit_max_bytes,
            keep: self.audit_keep,
            syslog: crate::audit::SyslogTarget::parse(&self.audit_syslog)?,
            connection_lines: self.audit_connection_lines,
        })
    }

    /// The metrics listener's address, `None` when turned off.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, String> {
        match self.metrics_listen.trim() {
            "" => Ok(None),
            addr => addr
                .parse()
                .map(Some)
                .map_err(|_| format!("metrics_listen = \"{addr}\": not an address and port (e.g. 127.0.0.1:9696)")),
        }
    }

    /// The anomaly detectors' thresholds.
    pub fn alert_thresholds(&self) -> crate::observe::alerts::Thresholds {
        crate::observe::alerts::Thresholds {
            window_secs: self.alert_window_secs.max(1),
            permission_denied: self.alert_permission_denied,
            not_found: self.alert_not_found,
            handshake_failures: self.alert_handshake_failures,
            key_rate_factor: self.alert_key_rate_factor,
            key_rate_min: self.alert_key_rate_min,
            new_material_reader: self.alert_new_material_reader,
        }
    }

    /// Idle timeout.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    /// Read timeout.
    pub fn read_timeout(&self) -> Duration {
        Duration::from_secs(self.read_timeout_secs)
    }

    /// Write timeout.
    pub fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.write_timeout_secs)
    }

    /// Heavy requests that may run at once (`max_heavy_requests`, 0 read
    /// as half the cores, at least one).
    pub fn heavy_requests(&self) -> usize {
        match self.max_heavy_requests {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        }
    }

    /// Handshake timeout.
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs)
    }

    /// The decoder limits this configuration sets.
    pub fn limits(&self) -> kmip_codec::ttlv::Limits {
        kmip_codec::ttlv::Limits {
            max_message_size: self.max_message_size,
            max_depth: self.max_depth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in README.md, every key set.
    const EXAMPLE: &str = r#"
data_dir = "/var/lib/kmip"
listen = "127.0.0.1:15696"
metrics_listen = "127.0.0.1:19696"
server_names = ["kms.example.com", "10.0.0.5"]
ca_key_type = "rsa3072"
max_message_size = 65536
max_depth = 16
max_connections = 64
idle_timeout_secs = 60
read_timeout_secs = 5
handshake_timeout_secs = 5
max_batch_items = 100
audit_log = "/var/log/kmip/audit.log"
audit_max_bytes = 104857600
audit_keep = 10
audit_syslog = "/dev/log"
audit_connection_lines = 20
key_protector = "pkcs11"
pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so"
pkcs11_token_label = "kmip"
pkcs11_pin_env = "KMIP_PKCS11_PIN"
pkcs11_pin_file = "/etc/kmip/pin"
"#;

    #[test]
    fn the_example_parses_and_every_key_is_known() {
        let c = Config::from_toml(EXAMPLE).expect("parses");
        assert_eq!(c.listen.port(), 15696);
        assert_eq!(c.ca_key_type, KeyType::Rsa3072);
        assert_eq!(c.max_batch_items, 100);
        // Each line, misspelt, is rejected: nothing is silently ignored.
        for line in EXAMPLE.lines().filter(|l| l.contains('=')) {
            let bogus = EXAMPLE.replace(line, &line.replacen(' ', "x ", 1));
            assert!(Config::from_toml(&bogus).is_err(), "misspelt key accepted: {line}");
        }
    }

    #[test]
    fn the_help_names_every_setting() {
        let defaults = toml::to_string(&Config::default()).expect("serialises");
        for line in defaults.lines().filter(|l| l.contains(" = ")) {
            let key = line.split(" = ").next().unwrap_or_default();
            assert!(
                SETTINGS_HELP.contains(&format!("\n  {key} ")),
                "{key} missing from SETTINGS_HELP"
            );
            let env = format!("KMIP_{}", key.to_uppercase());
            assert!(SETTINGS_HELP.contains(&env), "{env} missing from SETTINGS_HELP");
        }
        assert!(SETTINGS_HELP.contains("audit_log"), "optional keys too");
    }

    #[test]
    fn environment_overrides() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "KMIP_LISTEN" => Some("127.0.0.1:1".into()),
            "KMIP_SERVER_NAMES" => Some("a.example, b.example".into()),
            "KMIP_AUDIT_LOG" => Some(String::new()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(c.listen.port(), 1);
        assert_eq!(c.server_names, ["a.example", "b.example"]);
        assert_eq!(c.audit_path(), None);
        assert!(c.apply_env(|k| (k == "KMIP_MAX_DEPTH").then(|| "deep".into())).is_err());
    }
}
