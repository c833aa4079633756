//! A throwaway PostgreSQL cluster for the tests: Debian's postgresql
//! binaries, `initdb` into a temporary directory and `pg_ctl` to start it,
//! listening on a Unix socket in that directory only (no TCP port to
//! collide on). PostgreSQL refuses to run as root, so under root (CI) the
//! cluster belongs to the `postgres` user the Debian package creates.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL cluster, stopped (immediately) and removed on drop.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    owner: Option<&'static str>,
    /// The TCP port of a cluster that also takes TLS connections.
    tls_port: Option<u16>,
}

/// Where Debian installs the server binaries (they are not on PATH).
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

impl Cluster {
    /// A fresh cluster, or `None` (the test is skipped) when PostgreSQL is
    /// not installed, unless KMIP_REQUIRE_POSTGRES=1 (set by .ci/run),
    /// which makes that a failure.
    pub fn start() -> Option<Cluster> {
        Self::start_with(false)
    }

    /// [`Cluster::start`], also listening on 127.0.0.1 with TLS only there
    /// (a certificate for localhost and 127.0.0.1 from a CA of its own,
    /// [`Cluster::tls_ca`]).
    pub fn start_tls() -> Option<Cluster> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Option<Cluster> {
        let Some(bin) = server_bin() else {
            assert_ne!(
                std::env::var("KMIP_REQUIRE_POSTGRES").as_deref(),
                Ok("1"),
                "KMIP_REQUIRE_POSTGRES=1 but no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql"
            );
            eprintln!("PostgreSQL is not installed: test skipped (apt-get install postgresql to run it)");
            return None;
        };
        let dir = tempfile::Builder::new().prefix("kmip-pg").tempdir().unwrap();
        let owner = is_root().then_some("postgres");
        if let Some(user) = owner {
            let status = Command::new("chown").arg(user).arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown {user} {}", dir.path().display());
        }
        let tls_port = tls.then(|| {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        });
        let cluster = Cluster {
            dir,
            bin,
            owner,
            tls_port,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "kmip",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        let mut options = format!(
            "-c listen_addresses='' -k {} -c max_connections=200",
            cluster.socket_dir()
        );
        if let Some(port) = tls_port {
            let ca_dir = cluster.dir.path().join("tlsca");
            std::fs::create_dir(&ca_dir).unwrap();
            let ca = kmip_server::auth::ca::Ca::create(&ca_dir, kmip_server::config::KeyType::Ec).unwrap();
            let server = ca.issue_server(&[]).unwrap();
            std::fs::write(format!("{data}/server.crt"), server.issued.cert_pem.as_bytes()).unwrap();
            std::fs::write(format!("{data}/server.key"), server.key_pem.as_bytes()).unwrap();
            std::fs::set_permissions(
                format!("{data}/server.key"),
                std::os::unix::fs::PermissionsExt::from_mode(0o600),
            )
            .unwrap();
            if let Some(user) = owner {
                for file in ["server.crt", "server.key"] {
                    let status = Command::new("chown").arg(user).arg(format!("{data}/{file}")).status();
                    assert!(status.unwrap().success());
                }
            }
            // TCP on loopback takes TLS only (hostssl); the socket stays plain.
            std::fs::write(
                format!("{data}/pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
            )
            .unwrap();
            options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=200 -c ssl=on",
                cluster.socket_dir()
            );
        }
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-w",
                "-l",
                &format!("{data}/../server.log"),
                "-o",
                &options,
                "start",
            ],
        );
        Some(cluster)
    }

    fn data(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn socket_dir(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// One of the server's programs, to run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.owner {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        }
    }

    /// Runs one of the server's programs; it must succeed.
    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The URL of database `name` over TCP and TLS ([`Cluster::start_tls`]).
    pub fn tls_url(&self, name: &str) -> String {
        let port = self.tls_port.expect("a cluster started with TLS");
        format!("postgres://kmip@127.0.0.1:{port}/{name}")
    }

    /// The CA certificate of a TLS cluster's server certificate.
    pub fn tls_ca(&self) -> PathBuf {
        self.dir.path().join("tlsca/ca.pem")
    }

    /// A connection string for a new, empty database of this cluster.
    pub fn database(&self, name: &str) -> String {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        self.url(name)
    }

    /// The URL of database `name` (user kmip, over the Unix socket).
    pub fn url(&self, name: &str) -> String {
        let host: String = self
            .socket_dir()
            .bytes()
            .map(|b| match b {
                b'/' => "%2F".to_owned(),
                b => (b as char).to_string(),
            })
            .collect();
        format!("postgres://kmip@{host}/{name}")
    }

    /// The cluster's directory (its server log is `server.log` there).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}
