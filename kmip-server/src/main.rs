//! `kmip-server`: the KMIP 1.4 key management server and its admin CLI.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use kmip_server::auth::{self, ca::Ca, registry::Registry, registry::RoleSettings, registry::ScopeInfo};
use kmip_server::config::{Config, KeyType};
use kmip_server::policy::{OperationSet, RoleName, Scope};
use kmip_server::setup::{self, Paths};

/// KMIP 1.4 key management server: mutually authenticated TLS on port 5696,
/// an internal CA, and scopes and roles in the model of the Vault KMIP
/// secrets engine.
///
/// Settings come from defaults, then the --config file, then KMIP_*
/// environment variables (KMIP_DATA_DIR, KMIP_LISTEN, ...), then flags.
/// Logging follows RUST_LOG (default "info").
#[derive(Parser)]
#[command(name = "kmip-server", version, about, long_about, after_help = kmip_server::config::SETTINGS_HELP)]
struct Cli {
    /// A TOML configuration file (see README.md for every key).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The data directory [default: ./kmip-data; env KMIP_DATA_DIR].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Initialise the data directory if needed, then serve.
    Serve(ServeArgs),
    /// Initialise the data directory (CA, server certificate, database,
    /// key-encryption key, scope "default", role "admin", a credential).
    Init(InitArgs),
    /// Manage scopes (partitions of the object store).
    #[command(subcommand)]
    Scope(ScopeCommand),
    /// Manage roles (the operations a credential may call).
    #[command(subcommand)]
    Role(RoleCommand),
    /// Issue, list, look up and revoke client credentials.
    #[command(subcommand)]
    Credential(CredentialCommand),
    /// Check audit files.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage lifecycle policies: keys rotated, retired and destroyed on
    /// schedule.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// What the lifecycle policies will do next.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage notification sinks: webhooks receiving lifecycle events.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Write a backup of the data directory (database, sealing key, CAs;
    /// not the key-encryption key) while the server runs.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into a new data directory, opening every key with
    /// the key-encryption key (or HSM key) it was made under.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The kek.key the backup was made under (soft key protector),
        /// copied into the data directory.
        #[arg(long)]
        kek: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// POST lifecycle events to URL, signed with the secret in a file
    /// (X-Signature: sha256=HMAC of the body).
    Add {
        url: String,
        /// The HMAC secret (read at each delivery, never stored).
        #[arg(long)]
        secret_file: PathBuf,
        /// Only these events (comma-separated); all by default.
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        /// CA certificates (PEM) to verify the receiver's HTTPS with,
        /// instead of the system's.
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
    /// List sinks.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a sink and what it had yet to receive.
    Delete { id: i64 },
}

fn notify_cmd(config: &Config, cmd: NotifyCommand) -> Result<(), String> {
    use kmip_server::lifecycle::notify;
    let registry = open_registry(config)?;
    registry.with_sql(|conn| match cmd {
        NotifyCommand::Add {
            url,
            secret_file,
            events,
            ca_file,
        } => {
            let id = notify::add(conn, &url, &secret_file, &events, ca_file.as_deref()).map_err(|e| e.to_string())?;
            println!("notification sink {id}: {url}");
            Ok(())
        }
        NotifyCommand::List { json } => {
            let sinks = notify::list(conn).map_err(|e| e.to_string())?;
            if json {
                return print_json(&sinks);
            }
            for s in sinks {
                let events = if s.events.is_empty() {
                    "all events".to_owned()
                } else {
                    s.events.join(",")
                };
                println!("{}\t{}\t{events}", s.id, s.url);
            }
            Ok(())
        }
        NotifyCommand::Delete { id } => {
            notify::delete(conn, id).map_err(|e| e.to_string())?;
            println!("notification sink {id} deleted");
            Ok(())
        }
    })?
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Create or replace a policy for the keys of a scope (durations like
    /// 90d, 12h, 30s).
    Write {
        scope: String,
        name: String,
        /// Only keys in this Object Group.
        #[arg(long, conflicts_with = "match_name_prefix")]
        match_group: Option<String>,
        /// Only keys with a Name starting with this.
        #[arg(long)]
        match_name_prefix: Option<String>,
        /// Replace an Active key this long after its activation.
        #[arg(long, value_parser = kmip_server::lifecycle::parse_duration)]
        rotate_every: u64,
        /// Deactivate a replaced key this long after its replacement.
        #[arg(long, value_parser = kmip_server::lifecycle::parse_duration)]
        deactivate_after: Option<u64>,
        /// Archive a key this long after its deactivation.
        #[arg(long, value_parser = kmip_server::lifecycle::parse_duration)]
        archive_after: Option<u64>,
        /// Destroy a key (material erased) this long after its deactivation.
        #[arg(long, value_parser = kmip_server::lifecycle::parse_duration)]
        destroy_after: Option<u64>,
        /// Raise rotation.due and expiry.due this long ahead.
        #[arg(long, value_parser = kmip_server::lifecycle::parse_duration)]
        notify_before: Option<u64>,
    },
    /// List policies.
    List {
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a policy.
    Read {
        scope: String,
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a policy (the keys it rotated stay as they are).
    Delete { scope: String, name: String },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Keys the policies will rotate, deactivate, archive or destroy, and when.
    Due {
        /// How far ahead to look.
        #[arg(long, default_value = "30d", value_parser = kmip_server::lifecycle::parse_duration)]
        within: u64,
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn describe(p: &kmip_server::lifecycle::Policy) -> String {
    use kmip_server::lifecycle::{format_duration, Match};
    let matches = match &p.matches {
        Match::Group(g) => format!("group {g}"),
        Match::NamePrefix(n) => format!("names {n}*"),
        Match::All => "every key".into(),
    };
    let mut out = format!(
        "{}/{}\t{matches}\trotate every {}",
        p.scope,
        p.name,
        format_duration(p.rotate_every)
    );
    for (what, d) in [
        ("deactivate after", p.deactivate_after),
        ("archive after", p.archive_after),
        ("destroy after", p.destroy_after),
        ("notify before", p.notify_before),
    ] {
        if let Some(d) = d {
            out.push_str(&format!(", {what} {}", format_duration(d)));
        }
    }
    out
}

fn policy_cmd(config: &Config, cmd: PolicyCommand) -> Result<(), String> {
    use kmip_server::lifecycle::{self, Match, Policy};
    let registry = open_registry(config)?;
    registry.with_sql(|conn| match cmd {
        PolicyCommand::Write {
            scope,
            name,
            match_group,
            match_name_prefix,
            rotate_every,
            deactivate_after,
            archive_after,
            destroy_after,
            notify_before,
        } => {
            let policy = Policy {
                scope,
                name,
                matches: match (match_group, match_name_prefix) {
                    (Some(g), _) => Match::Group(g),
                    (None, Some(p)) => Match::NamePrefix(p),
                    (None, None) => Match::All,
                },
                rotate_every,
                deactivate_after,
                archive_after,
                destroy_after,
                notify_before,
            };
            lifecycle::write(conn, &policy).map_err(|e| e.to_string())?;
            println!("policy written: {}", describe(&policy));
            Ok(())
        }
        PolicyCommand::List { scope, json } => {
            let all = lifecycle::list(conn, scope.as_deref()).map_err(|e| e.to_string())?;
            match json {
                true => print_json(&all),
                false => {
                    all.iter().for_each(|p| println!("{}", describe(p)));
                    Ok(())
                }
            }
        }
        PolicyCommand::Read { scope, name, json } => {
            let policy = lifecycle::read(conn, &scope, &name).map_err(|e| e.to_string())?;
            match json {
                true => print_json(&policy),
                false => {
                    println!("{}", describe(&policy));
                    Ok(())
                }
            }
        }
        PolicyCommand::Delete { scope, name } => {
            lifecycle::delete(conn, &scope, &name).map_err(|e| e.to_string())?;
            println!("policy {scope}/{name} deleted");
            Ok(())
        }
    })?
}

fn keys_cmd(config: &Config, cmd: KeysCommand) -> Result<(), String> {
    use kmip_server::lifecycle::{self, worker};
    let KeysCommand::Due { within, scope, json } = cmd;
    let registry = open_registry(config)?;
    let now = kmip_server::store::unix_now();
    let until = now.saturating_add(i64::try_from(within).unwrap_or(i64::MAX));
    #[derive(serde::Serialize)]
    struct Due {
        scope: String,
        policy: String,
        uid: String,
        step: kmip_server::lifecycle::schedule::What,
        at: String,
    }
    let mut due = Vec::new();
    registry.with_sql(|conn| -> Result<(), String> {
        for policy in lifecycle::list(conn, scope.as_deref()).map_err(|e| e.to_string())? {
            for (object, steps) in worker::planned(conn, &policy, now).map_err(|e| e.to_string())? {
                for step in steps.into_iter().filter(|s| s.at <= until) {
                    due.push((
                        step.at,
                        Due {
                            scope: policy.scope.clone(),
                            policy: policy.name.clone(),
                            uid: object.uid.clone(),
                            step: step.what,
                            at: worker::rfc3339(step.at),
                        },
                    ));
                }
            }
        }
        Ok(())
    })??;
    due.sort_by_key(|(at, _)| *at);
    let due: Vec<Due> = due.into_iter().map(|(_, d)| d).collect();
    if json {
        return print_json(&due);
    }
    for d in &due {
        println!("{}\t{}\t{}/{}\t{}", d.at, d.step.event(), d.scope, d.policy, d.uid);
    }
    Ok(())
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of audit files; name the first line that does
    /// not follow the one before it (edited, removed or reordered). A
    /// rotated set (`audit.log*`) is checked as one chain, oldest first,
    /// whatever order the files are given in.
    Verify {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

fn audit_cmd(cmd: AuditCommand) -> Result<(), String> {
    use kmip_server::audit::Start;
    let AuditCommand::Verify { mut files } = cmd;
    // audit.log.3, .2, .1, then audit.log: oldest first (stable for the rest).
    files.sort_by_key(|f| std::cmp::Reverse(kmip_server::audit::rotation_index(f)));
    let mut broken = 0usize;
    let mut before: Option<(&std::path::Path, [u8; 32])> = None;
    for file in &files {
        let opened = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let checked = kmip_server::audit::verify(std::io::BufReader::new(opened), before.as_ref().map(|(_, h)| h));
        match checked {
            Ok(v) => {
                let link = match (v.start, &before) {
                    (Start::Follows, Some((prev, _))) => format!(", follows {}", prev.display()),
                    (Start::Unanchored, _) => ", continues an earlier rotated file not given".into(),
                    _ => String::new(),
                };
                println!("{}: {} lines, chain intact{link}", file.display(), v.lines);
                before = Some((file, v.last));
            }
            Err((line, why)) => {
                println!("{}: line {line} {why}", file.display());
                broken = broken.saturating_add(1);
                before = None;
            }
        }
    }
    match broken {
        0 => Ok(()),
        n => Err(format!("{n} of {} audit files failed verification", files.len())),
    }
}

#[derive(Args)]
struct InitArgs {
    /// An extra DNS name or IP address for the server certificate (repeatable).
    #[arg(long = "server-name")]
    server_names: Vec<String>,
    /// The CA key type at initialisation: ec, rsa2048, rsa3072 or rsa4096.
    #[arg(long)]
    ca_key_type: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 0.0.0.0:5696; env KMIP_LISTEN].
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Address of /metrics, /healthz and /readyz, empty for none
    /// [default: 127.0.0.1:9696; env KMIP_METRICS_LISTEN].
    #[arg(long)]
    metrics_listen: Option<String>,
    #[command(flatten)]
    init: InitArgs,
}

#[derive(Subcommand)]
enum ScopeCommand {
    /// Create a scope.
    Create { name: String },
    /// List scopes.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a scope, its roles and credentials. Refused while it holds
    /// objects, unless --force, which destroys them.
    Delete {
        name: String,
        #[arg(long)]
        force: bool,
    },
    /// Show or set a scope's quota: the most objects and bytes it may hold.
    /// A flag left out keeps its value; `default` means the server's
    /// max_objects_per_scope / max_bytes_per_scope.
    Quota {
        name: String,
        /// Most objects, or `default`.
        #[arg(long, value_name = "N|default")]
        objects: Option<String>,
        /// Most bytes (sealed material and attribute values), or `default`.
        #[arg(long, value_name = "N|default")]
        bytes: Option<String>,
    },
}

#[derive(Subcommand)]
enum RoleCommand {
    /// Create or replace a role.
    Write {
        scope: String,
        role: String,
        /// Comma-separated permissions: operation_create, operation_get, ...,
        /// operation_all or operation_none.
        #[arg(long)]
        operations: String,
        /// Key type of credentials generated for this role: ec or rsa.
        #[arg(long, default_value = "ec")]
        tls_client_key_type: String,
        /// Key size for rsa (2048, 3072, 4096); 256 for ec.
        #[arg(long)]
        tls_client_key_bits: Option<u32>,
        /// Lifetime of credentials generated for this role, e.g. 8760h, 365d.
        #[arg(long, default_value = "365d")]
        tls_client_ttl: String,
    },
    /// Show a role.
    Read {
        scope: String,
        role: String,
        #[arg(long)]
        json: bool,
    },
    /// List the roles of a scope.
    List {
        scope: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a role and revoke its credentials.
    Delete { scope: String, role: String },
}

#[derive(Subcommand)]
enum CredentialCommand {
    /// Issue a key and certificate: writes ca.pem, client.pem, client.key,
    /// client.p12 and client.p12.password to --out, and prints the serial.
    Generate {
        scope: String,
        role: String,
        #[arg(long)]
        out: PathBuf,
        /// ec or rsa (default: the role's).
        #[arg(long)]
        key_type: Option<String>,
        /// Key size for rsa.
        #[arg(long)]
        key_bits: Option<u32>,
        /// Lifetime, e.g. 90d (default: the role's).
        #[arg(long)]
        ttl: Option<String>,
    },
    /// Sign a client's CSR (the client keeps its key); writes the certificate.
    Sign {
        scope: String,
        role: String,
        #[arg(long)]
        csr: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        ttl: Option<String>,
    },
    /// List the credentials of a role.
    List {
        scope: String,
        role: String,
        #[arg(long)]
        json: bool,
    },
    /// Show a credential by serial.
    Lookup {
        serial: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a credential; open connections using it end at their next request.
    Revoke { serial: String },
}

/// Parses `90d`, `12h`, `30m`, `45s` or plain seconds.
fn parse_ttl(text: &str) -> Result<Duration, String> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid duration \"{text}\": use e.g. 90d, 12h, 30m, 3600"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("invalid duration unit in \"{text}\": use s, m, h or d")),
    };
    if secs == 0 {
        return Err("a credential lifetime must be positive".into());
    }
    Ok(Duration::from_secs(secs))
}

fn load_config(cli: &Cli) -> Result<Config, String> {
    let mut config = match &cli.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    config.apply_env(|k| std::env::var(k).ok())?;
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    Ok(config)
}

fn apply_init_args(config: &mut Config, args: &InitArgs) -> Result<(), String> {
    config.server_names.extend(args.server_names.iter().cloned());
    if let Some(kind) = &args.ca_key_type {
        config.ca_key_type = KeyType::parse(kind, None)?;
    }
    Ok(())
}

fn print_json(value: &impl serde::Serialize) -> Result<(), String> {
    println!("{}", serde_json::to_string_pretty(value).map_err(|e| e.to_string())?);
    Ok(())
}

fn open_registry(config: &Config) -> Result<Registry, String> {
    if config.postgres().is_some() {
        return setup::registry(config);
    }
    if !config.data_dir.join(kmip_server::store::DB_FILE).exists() {
        return Err(format!(
            "{} is not initialised: run `kmip-server init --data-dir {}` first",
            config.data_dir.display(),
            config.data_dir.display()
        ));
    }
    Registry::open(&config.data_dir).map_err(|e| e.to_string())
}

fn scope_cmd(config: &Config, cmd: ScopeCommand) -> Result<(), String> {
    let registry = open_registry(config)?;
    match cmd {
        ScopeCommand::Create { name } => {
            registry.create_scope(&Scope::new(&name)?).map_err(|e| e.to_string())?;
            println!("scope {name} created");
        }
        ScopeCommand::List { json } => {
            let scopes = registry.list_scopes().map_err(|e| e.to_string())?;
            if json {
                print_json(&scopes)?;
            } else {
                for s in scopes {
                    println!("{}\t{} roles\t{}", s.name, s.roles, usage_line(config, &s));
                }
            }
        }
        ScopeCommand::Quota { name, objects, bytes } => {
            let scope = Scope::new(&name)?;
            let info = registry
                .list_scopes()
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|s| s.name == name)
                .ok_or_else(|| format!("no scope \"{name}\""))?;
            let info = if objects.is_none() && bytes.is_none() {
                info
            } else {
                let limit = |given: Option<String>, current: Option<u64>| match given.as_deref() {
                    None => Ok(current),
                    Some("default") => Ok(None),
                    Some(n) => n
                        .parse()
                        .map(Some)
                        .map_err(|_| format!("{n}: give a whole number or `default`")),
                };
                let (objects, bytes) = (limit(objects, info.max_objects)?, limit(bytes, info.max_bytes)?);
                registry.set_quota(&scope, objects, bytes).map_err(|e| e.to_string())?;
                ScopeInfo {
                    max_objects: objects,
                    max_bytes: bytes,
                    ..info
                }
            };
            println!("scope {name}: {}", usage_line(config, &info));
        }
        ScopeCommand::Delete { name, force } => {
            let destroyed = registry
                .delete_scope(&Scope::new(&name)?, force)
                .map_err(|e| e.to_string())?;
            println!("scope {name} deleted ({destroyed} objects destroyed)");
        }
    }
    Ok(())
}

/// "N of M objects, B of L bytes", the limits marked when they are the
/// server's defaults.
fn usage_line(config: &Config, s: &ScopeInfo) -> String {
    let limit = |own: Option<u64>, default: u64| match own {
        Some(n) => n.to_string(),
        None => format!("{default} (default)"),
    };
    format!(
        "{} of {} objects\t{} of {} bytes",
        s.objects,
        limit(s.max_objects, config.max_objects_per_scope),
        s.bytes,
        limit(s.max_bytes, config.max_bytes_per_scope)
    )
}

fn role_cmd(config: &Config, cmd: RoleCommand) -> Result<(), String> {
    let registry = open_registry(config)?;
    match cmd {
        RoleCommand::Write {
            scope,
            role,
            operations,
            tls_client_key_type,
            tls_client_key_bits,
            tls_client_ttl,
        } => {
            let settings = RoleSettings {
                operations: OperationSet::parse(&operations)?,
                key_type: KeyType::parse(&tls_client_key_type, tls_client_key_bits)?,
                ttl_secs: parse_ttl(&tls_client_ttl)?.as_secs(),
            };
            registry
                .write_role(&Scope::new(&scope)?, &RoleName::new(&role)?, settings)
                .map_err(|e| e.to_string())?;
            println!("role {scope}/{role} written: {}", settings.operations.names().join(","));
        }
        RoleCommand::Read { scope, role, json } => {
            let info = registry
                .read_role(&Scope::new(&scope)?, &RoleName::new(&role)?)
                .map_err(|e| e.to_string())?;
            if json {
                print_json(&info)?;
            } else {
                println!("scope:                {}", info.scope);
                println!("role:                 {}", info.name);
                println!("operations:           {}", info.operations.join(","));
                println!("tls_client_key_type:  {}", info.tls_client_key_type);
                println!("tls_client_ttl:       {}s", info.tls_client_ttl_secs);
            }
        }
        RoleCommand::List { scope, json } => {
            let roles = registry.list_roles(&Scope::new(&scope)?).map_err(|e| e.to_string())?;
            if json {
                print_json(&roles)?;
            } else {
                roles.iter().for_each(|r| println!("{r}"));
            }
        }
        RoleCommand::Delete { scope, role } => {
            registry
                .delete_role(&Scope::new(&scope)?, &RoleName::new(&role)?)
                .map_err(|e| e.to_string())?;
            println!("role {scope}/{role} deleted and its credentials revoked");
        }
    }
    Ok(())
}

fn credential_cmd(config: &Config, cmd: CredentialCommand) -> Result<(), String> {
    let registry = open_registry(config)?;
    let load_ca = || Ca::load(&Paths::new(&config.data_dir).ca_dir()).map_err(|e| e.to_string());
    match cmd {
        CredentialCommand::Generate {
            scope,
            role,
            out,
            key_type,
            key_bits,
            ttl,
        } => {
            let key_type = key_type.map(|k| KeyType::parse(&k, key_bits)).transpose()?;
            let ttl = ttl.map(|t| parse_ttl(&t)).transpose()?;
            let (scope, role) = (Scope::new(&scope)?, RoleName::new(&role)?);
            let made = auth::generate_credential(&registry, &load_ca()?, &scope, &role, &out, key_type, ttl)?;
            println!("serial {}", made.serial);
            println!(
                "wrote {0}/ca.pem, {0}/client.pem, {0}/client.key, {0}/client.p12 (password in client.p12.password)",
                made.dir
            );
        }
        CredentialCommand::Sign {
            scope,
            role,
            csr,
            out,
            ttl,
        } => {
            let csr_pem = std::fs::read_to_string(&csr).map_err(|e| format!("{}: {e}", csr.display()))?;
            let ttl = ttl.map(|t| parse_ttl(&t)).transpose()?;
            let (scope, role) = (Scope::new(&scope)?, RoleName::new(&role)?);
            let made = auth::sign_credential(&registry, &load_ca()?, &scope, &role, &csr_pem, &out, ttl)?;
            println!("serial {}", made.serial);
            println!("wrote {}", made.dir);
        }
        CredentialCommand::List { scope, role, json } => {
            let list = registry
                .list_credentials(&Scope::new(&scope)?, &RoleName::new(&role)?)
                .map_err(|e| e.to_string())?;
            if json {
                print_json(&list)?;
            } else {
                for c in list {
                    let state = if c.revoked.is_some() { "revoked" } else { "valid" };
                    println!("{}\t{state}\tnot after {}", c.serial, c.not_after);
                }
            }
        }
        CredentialCommand::Lookup { serial, json } => {
            let c = registry.lookup(&serial).map_err(|e| e.to_string())?;
            if json {
                print_json(&c)?;
            } else {
                println!("serial:    {}", c.serial);
                println!("scope:     {}", c.scope);
                println!("role:      {}", c.role);
                println!("subject:   {}", c.subject);
                println!("not after: {}", c.not_after);
                println!(
                    "revoked:   {}",
                    c.revoked.map_or_else(|| "no".to_owned(), |t| format!("at {t}"))
                );
            }
        }
        CredentialCommand::Revoke { serial } => {
            registry.revoke(&serial).map_err(|e| e.to_string())?;
            println!("credential {serial} revoked");
        }
    }
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let running = kmip_server::start(&config).await?;
    let (local, dir) = (running.addr, running.admin_dir.display().to_string());
    // Written with errors ignored: a closed stdout must not stop the server.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "KMIP server listening on {local} (data in {})",
        config.data_dir.display()
    );
    if running.admin_dir.join("client.pem").exists() {
        let _ = writeln!(out, "Admin credential (scope default, role admin): {dir}/");
        let _ = writeln!(
            out,
            "  trust {dir}/ca.pem, present {dir}/client.pem with {dir}/client.key"
        );
        let _ = writeln!(
            out,
            "  (Java clients: {dir}/client.p12, password in client.p12.password)"
        );
        let _ = writeln!(
            out,
            "  e.g. openssl s_client -connect localhost:{} -CAfile {dir}/ca.pem -cert {dir}/client.pem -key {dir}/client.key",
            local.port()
        );
    } else {
        // A node that joined a cluster: the admin credential is the cluster's.
        let _ = writeln!(
            out,
            "Joined the cluster in PostgreSQL: use the admin credential of the node that ran `kmip-server init`, \
             or issue one here with `kmip-server credential generate default admin --out DIR`"
        );
    }
    if let Some(at) = running.metrics_addr {
        let scheme = if at.ip().is_loopback() { "http" } else { "https" };
        let _ = writeln!(out, "Metrics and health: {scheme}://{at}/metrics, /healthz, /readyz");
    }
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    tracing::info!("signal received: shutting down");
    running.stop().await;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn run(cli: Cli) -> Result<(), String> {
    let mut config = load_config(&cli)?;
    match cli.command {
        Command::Serve(args) => {
            apply_init_args(&mut config, &args.init)?;
            if let Some(metrics) = args.metrics_listen {
                config.metrics_listen = metrics;
            }
            if let Some(listen) = args.listen {
                config.listen = listen;
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            runtime.block_on(serve(config))
        }
        Command::Init(args) => {
            apply_init_args(&mut config, &args)?;
            let done = setup::init_cluster(&config)?;
            if done.created {
                println!("initialised {}", config.data_dir.display());
            } else {
                println!("{} was already initialised", config.data_dir.display());
            }
            println!("admin credential: {}/", done.admin_dir.display());
            Ok(())
        }
        Command::Scope(cmd) => scope_cmd(&config, cmd),
        Command::Role(cmd) => role_cmd(&config, cmd),
        Command::Credential(cmd) => credential_cmd(&config, cmd),
        Command::Audit(cmd) => audit_cmd(cmd),
        Command::Policy(cmd) => policy_cmd(&config, cmd),
        Command::Keys(cmd) => keys_cmd(&config, cmd),
        Command::Notify(cmd) => notify_cmd(&config, cmd),
        Command::Backup { out, json } => {
            let summary = kmip_server::backup::backup(&config, &out)?;
            report_backup(&summary, json, &format!("backed up to {}", out.display()));
            if !json {
                println!("keep the key-encryption key (kek.key or the HSM key) apart: the backup opens only with it");
            }
            Ok(())
        }
        Command::Restore { file, kek, json } => {
            let summary = kmip_server::backup::restore(&config, &file, kek.as_deref())?;
            report_backup(&summary, json, &format!("restored into {}", config.data_dir.display()));
            Ok(())
        }
    }
}

/// Prints what a backup holds, as a line or as JSON.
fn report_backup(summary: &kmip_server::backup::Summary, json: bool, done: &str) {
    if json {
        println!("{}", serde_json::to_string(summary).unwrap_or_default());
        return;
    }
    println!(
        "{done}: {} objects ({} with sealed key material), {} scopes, {} credentials, \
         database {} bytes (schema {})",
        summary.objects, summary.sealed, summary.scopes, summary.credentials, summary.database_bytes, summary.schema
    );
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kmip-server: {message}");
            ExitCode::FAILURE
        }
    }
}
