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
        let cluster = Cluster { dir, bin, owner };
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
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-w",
                "-l",
                &format!("{data}/../server.log"),
                "-o",
                &format!(
                    "-c listen_addresses='' -k {} -c max_connections=200",
                    cluster.socket_dir()
                ),
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
