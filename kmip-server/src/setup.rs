//! Zero-setup initialisation of a data directory, and loading it.
//!
//! On an empty directory `init` creates everything a working server needs:
//! the internal CA, a server certificate for `localhost`, `127.0.0.1` and
//! the configured names, the database, a key-encryption key, the scope
//! `default` with the role `admin` (`operation_all`), and a ready client
//! credential in `clients/default/admin/`. Whatever already exists is
//! reused, so a second start changes nothing.
//!
//! ```text
//! <data_dir>/
//!   ca/ca.pem, ca/ca.key          the internal CA (key 0600)
//!   ca/certify/                   the object CA of Certify and Re-certify
//!   server/server.pem, .key       the server certificate
//!   kek.key                       the key-encryption key (0600)
//!   sealing.key                   the sealing key, wrapped by kek.key (0600)
//!   kmip.db                       SQLite: registry and objects
//!   clients/default/admin/        the first client credential
//!   audit.log                     one JSON line per batch item
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::auth::{self, ca::Ca, registry::Registry, registry::RoleSettings, registry::DEFAULT_CLIENT_TTL_SECS};
use crate::config::{Config, KeyType};
use crate::fsutil::{create_private_dir, write_private, write_public};
use crate::policy::{OperationSet, RoleName, Scope};

/// The scope created at initialisation.
pub const DEFAULT_SCOPE: &str = "default";
/// The role created at initialisation, with `operation_all`.
pub const ADMIN_ROLE: &str = "admin";

/// Paths of a data directory.
pub struct Paths {
    /// The data directory.
    pub data_dir: PathBuf,
}

impl Paths {
    /// Paths inside `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Paths {
            data_dir: data_dir.to_path_buf(),
        }
    }
    /// The CA directory.
    pub fn ca_dir(&self) -> PathBuf {
        auth::ca::ca_dir(&self.data_dir)
    }
    /// The CA certificate.
    pub fn ca_pem(&self) -> PathBuf {
        self.ca_dir().join("ca.pem")
    }
    /// The server certificate.
    pub fn server_pem(&self) -> PathBuf {
        self.data_dir.join("server").join("server.pem")
    }
    /// The server key.
    pub fn server_key(&self) -> PathBuf {
        self.data_dir.join("server").join("server.key")
    }
    /// The CA that Certify and Re-certify issue object certificates with.
    pub fn certify_ca_dir(&self) -> PathBuf {
        self.ca_dir().join("certify")
    }
    /// The key-encryption key.
    pub fn kek(&self) -> PathBuf {
        self.data_dir.join("kek.key")
    }
    /// The credential directory of a scope and role.
    pub fn client_dir(&self, scope: &str, role: &str) -> PathBuf {
        self.data_dir.join("clients").join(scope).join(role)
    }
}

/// What `init` did.
pub struct Initialised {
    /// The loaded CA.
    pub ca: Ca,
    /// The registry.
    pub registry: Registry,
    /// Whether anything was created (false on a second start).
    pub created: bool,
    /// The admin credential directory.
    pub admin_dir: PathBuf,
    /// The sealer for object material, its key unwrapped.
    pub sealer: crate::keys::Sealer,
    /// The key protector that unwrapped it (kept for readiness checks).
    pub protector: Box<dyn crate::keys::KeyProtector>,
    /// The CA of Certify and Re-certify.
    pub certify_ca: Ca,
}

/// Initialises `config.data_dir`, creating what is missing; with a
/// PostgreSQL store, joins the cluster its database holds (and refuses an
/// empty one: [`init_cluster`] initialises it).
pub fn init(config: &Config) -> Result<Initialised, String> {
    init_node(config, false)
}

/// `kmip-server init`: [`init`], and with a PostgreSQL store whose
/// database is empty, initialises the cluster from this node.
pub fn init_cluster(config: &Config) -> Result<Initialised, String> {
    init_node(config, true)
}

fn init_node(config: &Config, may_initialise: bool) -> Result<Initialised, String> {
    let paths = Paths::new(&config.data_dir);
    create_private_dir(&paths.data_dir).map_err(|e| format!("{}: {e}", paths.data_dir.display()))?;
    let Some(url) = config.postgres() else {
        return init_with(config, false);
    };
    let mut session = crate::cluster::connect(config, url)?;
    crate::cluster::locked(&mut session, |session| {
        if crate::cluster::initialised(session)? {
            join(config, session)?;
            return init_with(config, true);
        }
        if !may_initialise {
            return Err(format!(
                "the PostgreSQL database of store = \"{url}\" holds no cluster yet: \
                 run `kmip-server init` (once, on one node) first"
            ));
        }
        let initialised = init_with(config, false)?;
        crate::cluster::publish(session, &paths.data_dir, &initialised.sealer)?;
        tracing::info!(
            "initialised the cluster in PostgreSQL from {}",
            paths.data_dir.display()
        );
        Ok(initialised)
    })
}

/// Writes what a joining node needs from the cluster into its data
/// directory: the CAs and the sealing key, opened with this node's key
/// protector.
fn join(config: &Config, session: &mut crate::store::postgres::Session) -> Result<(), String> {
    let paths = Paths::new(&config.data_dir);
    if config.key_protector == crate::config::Protector::Soft && !paths.kek().exists() {
        return Err(format!(
            "{} is missing: a node joining a cluster needs the key-encryption key of the node \
             that initialised it (copy its kek.key, mode 0600)",
            paths.kek().display()
        ));
    }
    crate::cluster::fetch(session, &paths.data_dir, None)?;
    let (sealer, _) = sealer(config, false)
        .map_err(|e| format!("{e}: every node of a cluster needs the same key-encryption key (kek.key) or HSM key"))?;
    crate::cluster::fetch(session, &paths.data_dir, Some(&sealer))
}

/// A connection of this server's own to its store's database: the data
/// directory's SQLite file, or the cluster's PostgreSQL database.
pub fn database(config: &Config) -> Result<crate::store::sql::Database, String> {
    use crate::store::{postgres, sql::Database};
    Ok(match config.postgres() {
        None => Database::Sqlite(crate::store::open(&config.data_dir)?),
        Some(url) => Database::Postgres(Box::new(postgres::Session::connect(
            &crate::cluster::connector(config, url)?,
            &config.node(),
        )?)),
    })
}

/// The registry, on a connection of its own ([`database`]).
pub fn registry(config: &Config) -> Result<Registry, String> {
    Ok(Registry::on(database(config)?, &config.data_dir))
}

/// What `init` does for one data directory. A node `joining` a cluster
/// creates no key protector key and no admin credential: the cluster has
/// them.
fn init_with(config: &Config, joining: bool) -> Result<Initialised, String> {
    let paths = Paths::new(&config.data_dir);
    let mut created = false;
    let ca = if paths.ca_pem().exists() {
        Ca::load(&paths.ca_dir()).map_err(|e| e.to_string())?
    } else {
        created = true;
        Ca::create(&paths.ca_dir(), config.ca_key_type).map_err(|e| e.to_string())?
    };
    if !paths.server_pem().exists() {
        created = true;
        let server = ca.issue_server(&config.server_names).map_err(|e| e.to_string())?;
        let io = |e: std::io::Error| format!("writing the server certificate: {e}");
        write_private(&paths.server_key(), server.key_pem.as_bytes()).map_err(io)?;
        write_public(&paths.server_pem(), server.issued.cert_pem.as_bytes()).map_err(io)?;
    }
    if config.key_protector == crate::config::Protector::Soft && !paths.kek().exists() {
        // The key-encryption key that seals object key material at rest
        // (the `soft` key protector; see DESIGN.md).
        created = true;
        let mut kek = zeroize::Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(kek.as_mut()).map_err(|_| "the system random generator failed".to_owned())?;
        write_private(&paths.kek(), kek.as_ref()).map_err(|e| format!("writing the key-encryption key: {e}"))?;
    }
    let (sealer, protector) = sealer(config, !joining)?;
    let registry = registry(config)?;
    let scope = Scope::new(DEFAULT_SCOPE)?;
    let role = RoleName::new(ADMIN_ROLE)?;
    if registry.read_role(&scope, &role).is_err() {
        created = true;
        registry.ensure_scope(&scope).map_err(|e| e.to_string())?;
        let settings = RoleSettings {
            operations: OperationSet::all(),
            key_type: KeyType::Ec,
            ttl_secs: DEFAULT_CLIENT_TTL_SECS,
        };
        registry
            .write_role(&scope, &role, settings)
            .map_err(|e| e.to_string())?;
    }
    let admin_dir = paths.client_dir(DEFAULT_SCOPE, ADMIN_ROLE);
    if !joining && !admin_dir.join("client.pem").exists() {
        created = true;
        auth::generate_credential(&registry, &ca, &scope, &role, &admin_dir, None, None)?;
    }
    // Object certificates (Certify) come from a CA of their own, so that no
    // certificate a client asks for can chain to the CA that
    // authenticates clients.
    let certify_ca = if paths.certify_ca_dir().join("ca.pem").exists() {
        Ca::load(&paths.certify_ca_dir()).map_err(|e| e.to_string())?
    } else {
        created = true;
        create_private_dir(&paths.certify_ca_dir())
            .map_err(|e| format!("{}: {e}", paths.certify_ca_dir().display()))?;
        Ca::create_named(&paths.certify_ca_dir(), config.ca_key_type, "KMIP object CA").map_err(|e| e.to_string())?
    };
    Ok(Initialised {
        ca,
        registry,
        created,
        admin_dir,
        sealer,
        protector,
        certify_ca,
    })
}

/// The configured key protector; at initialisation (`init`) the HSM key
/// is generated if the token has none.
pub fn protector(config: &Config, create: bool) -> Result<Box<dyn crate::keys::KeyProtector>, String> {
    use crate::keys::{pkcs11, soft};
    Ok(match config.key_protector {
        crate::config::Protector::Soft => {
            Box::new(soft::SoftProtector::open(&config.data_dir).map_err(|e| e.to_string())?)
        }
        crate::config::Protector::Pkcs11 => {
            let pin = match &config.pkcs11_pin_file {
                Some(file) => pkcs11::PinSource::File(file.clone()),
                None => pkcs11::PinSource::Env(config.pkcs11_pin_env.clone()),
            };
            Box::new(
                pkcs11::Pkcs11Protector::open(&config.pkcs11_module, &config.pkcs11_token_label, &pin, create)
                    .map_err(|e| e.to_string())?,
            )
        }
    })
}

/// The sealer for object material, its key unwrapped by the configured
/// protector (returned too).
pub fn sealer(
    config: &Config,
    create: bool,
) -> Result<(crate::keys::Sealer, Box<dyn crate::keys::KeyProtector>), String> {
    let protector = protector(config, create)?;
    let sealer = crate::keys::load_sealer(&config.data_dir, protector.as_ref()).map_err(|e| e.to_string())?;
    Ok((sealer, protector))
}

/// The anomaly detectors' connection: who fetched which key is a hint,
/// not a record, so on SQLite it skips the fsync per new pair (an alert
/// raised twice after a crash is better).
fn alerts_database(config: &Config) -> Result<crate::store::sql::Database, String> {
    let db = database(config)?;
    if let crate::store::sql::Database::Sqlite(conn) = &db {
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| e.to_string())?;
    }
    Ok(db)
}

/// Builds the shared server state from an initialised data directory.
pub fn server(config: &Config, initialised: Initialised) -> Result<Arc<crate::server::Server>, String> {
    let Initialised {
        registry,
        sealer,
        protector,
        certify_ca,
        ..
    } = initialised;
    // Loaded now, so that identifying a client never waits on a database
    // read (nor, with PostgreSQL, reaches it from an async worker).
    registry
        .refresh()
        .map_err(|e| format!("credential registry unavailable: {e}"))?;
    let paths = Paths::new(&config.data_dir);
    let tls = crate::net::tls::server_config(&paths.ca_pem(), &paths.server_pem(), &paths.server_key())?;
    let audit_path = config.audit_path();
    let metrics = Arc::new(crate::observe::metrics::Metrics::new());
    let audit = crate::audit::Audit::open(
        audit_path.as_deref(),
        &config.audit_options()?,
        metrics.syslog_dropped.clone(),
    )
    .map_err(|e| format!("audit log {}: {e}", audit_path.unwrap_or_default().display()))?;
    let alerts = crate::observe::alerts::Alerts::start(
        config.alert_thresholds(),
        alerts_database(config)?,
        audit.clone(),
        Arc::clone(&metrics),
    )?;
    let (quota, store_metrics) = (config.quota(), metrics.store.clone());
    let store: Box<dyn crate::store::ObjectStore> = match config.postgres() {
        None => Box::new(crate::store::Store::open(
            &config.data_dir,
            sealer,
            quota,
            store_metrics,
        )?),
        Some(url) => Box::new(crate::store::postgres::Store::open(
            &crate::cluster::connector(config, url)?,
            &config.node(),
            sealer,
            quota,
            store_metrics,
        )?),
    };
    let server = Arc::new(crate::server::Server {
        config: config.clone(),
        tls: tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
        registry,
        audit,
        store,
        memory: Default::default(),
        certify_ca,
        protector,
        metrics,
        alerts,
    });
    // A registry change made through another node reloads it here too.
    let weak = Arc::downgrade(&server);
    server.store.on_registry_change(Box::new(move || {
        if let Some(Err(e)) = weak.upgrade().map(|s| s.reload_registry()) {
            tracing::warn!("{e}");
        }
    }));
    Ok(server)
}
