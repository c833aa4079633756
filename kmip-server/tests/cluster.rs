//! Several `kmip-server` processes sharing one PostgreSQL database (a real
//! cluster the test starts, tests/common/postgres.rs): init on one node,
//! join on the others, serve the same keys and credentials over TLS, and
//! lose nothing acknowledged when a node is killed.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::keys::{active_aes, both, decrypt, encrypt};
use common::postgres::Cluster;
use common::refusal;
use kmip_client::{Client, Credentials};
use kmip_codec::enums::ResultReason;
use kmip_codec::messages::ops::locate::LocateRequest;

/// `kmip-server` for a node of the cluster at `url`.
fn bin(data: &Path, url: &str, node: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kmip-server"));
    c.env("RUST_LOG", "warn")
        .env("KMIP_LIFECYCLE_INTERVAL_SECS", "1")
        .env("KMIP_STORE", url)
        .env("KMIP_NODE_NAME", node)
        .arg("--data-dir")
        .arg(data);
    c
}

fn run(data: &Path, url: &str, node: &str, args: &[&str]) -> Output {
    bin(data, url, node).args(args).output().unwrap()
}

fn ok(data: &Path, url: &str, node: &str, args: &[&str]) -> String {
    let out = run(data, url, node, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A serving node; SIGKILLed on drop.
struct Node {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Node {
    fn start(data: &Path, url: &str, node: &str) -> Node {
        let log = data.with_extension("log");
        let mut child = bin(data, url, node)
            .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", ""])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let first = BufReader::new(child.stdout.take().unwrap()).lines().next();
        let Some(Ok(first)) = first else {
            let _ = child.wait();
            panic!(
                "node {node} did not start:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        let addr = first
            .strip_prefix("KMIP server listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        Node { child, addr, log }
    }

    async fn client(&self, creds: &Credentials) -> Client {
        Client::connect(&self.addr, "localhost", creds).await.unwrap()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "{}:\n{}",
                self.log.display(),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// Three data directories: `a` initialised the cluster, `b` and `c` are
/// empty but for a copy of `a`'s key-encryption key.
struct Nodes {
    dir: tempfile::TempDir,
    url: String,
    admin: Credentials,
}

impl Nodes {
    fn init(cluster: &Cluster, name: &str) -> Nodes {
        let dir = tempfile::tempdir().unwrap();
        let url = cluster.database(name);
        let a = dir.path().join("a");
        assert!(ok(&a, &url, "a", &["init"]).contains("initialised"));
        assert!(
            ok(&a, &url, "a", &["init"]).contains("already initialised"),
            "a second init changes nothing"
        );
        for other in ["b", "c"] {
            std::fs::create_dir(dir.path().join(other)).unwrap();
            std::fs::copy(a.join("kek.key"), dir.path().join(other).join("kek.key")).unwrap();
        }
        let admin = Credentials::from_dir(&a.join("clients/default/admin")).unwrap();
        Nodes { dir, url, admin }
    }

    fn data(&self, node: &str) -> PathBuf {
        self.dir.path().join(node)
    }

    fn start(&self, node: &str) -> Node {
        Node::start(&self.data(node), &self.url, node)
    }
}

/// The tests' runtime: PostgreSQL's blocking client (the cluster's setup)
/// stays outside it.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn nodes_join_one_cluster_and_serve_the_same_keys_and_credentials() {
    let Some(cluster) = Cluster::start() else { return };
    let nodes = Nodes::init(&cluster, "serving");
    let empty = cluster.database("empty");
    runtime().block_on(serving(&nodes, &empty));
}

async fn serving(nodes: &Nodes, empty: &str) {
    // What a node cannot join with, it says.
    let refused = run(&nodes.data("b"), empty, "b", &["serve", "--listen", "127.0.0.1:0"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("kmip-server init"), "{said}");
    let no_kek = nodes.dir.path().join("nokek");
    let refused = run(&no_kek, &nodes.url, "x", &["serve", "--listen", "127.0.0.1:0"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("kek.key"), "{said}");
    let other_kek = nodes.dir.path().join("otherkek");
    std::fs::create_dir(&other_kek).unwrap();
    std::fs::write(other_kek.join("kek.key"), [9u8; 32]).unwrap();
    let refused = run(&other_kek, &nodes.url, "y", &["serve", "--listen", "127.0.0.1:0"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && said.contains("same key-encryption key"),
        "{said}"
    );

    let (a, b) = (nodes.start("a"), nodes.start("b"));
    assert!(
        nodes.data("b").join("server/server.pem").exists(),
        "b issued itself a server certificate"
    );
    let mut on_a = a.client(&nodes.admin).await;
    let mut on_b = b.client(&nodes.admin).await;
    let uid = active_aes(&mut on_a, both()).await;
    let mut named = LocateRequest::default();
    named.attributes.push(common::name("shared key"));
    on_a.add_attribute(kmip_codec::messages::ops::add_attribute::AddAttributeRequest {
        unique_identifier: Some(uid.clone()),
        attribute: common::name("shared key"),
    })
    .await
    .unwrap();
    assert_eq!(on_b.locate(named).await.unwrap().unique_identifiers, vec![uid.clone()]);
    let sealed = on_b.encrypt(encrypt(&uid, b"across nodes")).await.unwrap();
    let opened = on_a
        .decrypt(decrypt(&uid, &sealed.data.unwrap(), sealed.iv_counter_nonce.as_deref()))
        .await
        .unwrap();
    assert_eq!(opened.data.unwrap().to_vec(), b"across nodes");

    // A credential issued on A works on B; revoked on A, B refuses it.
    let issued = nodes.data("a").join("issued");
    let serial = ok(
        &nodes.data("a"),
        &nodes.url,
        "a",
        &[
            "credential",
            "generate",
            "default",
            "admin",
            "--out",
            issued.to_str().unwrap(),
        ],
    );
    let serial = serial
        .lines()
        .find_map(|l| l.strip_prefix("serial "))
        .unwrap()
        .to_owned();
    let creds = Credentials::from_dir(&issued).unwrap();
    let mut holder = b.client(&creds).await;
    assert!(holder.get(common::get(&uid)).await.is_ok());
    ok(&nodes.data("a"), &nodes.url, "a", &["credential", "revoke", &serial]);
    let revoked = Instant::now();
    // The connection B already has fails at its next request.
    while holder.get(common::get(&uid)).await.is_ok() {
        // Well inside the once-a-second reload that would catch it without
        // the notification.
        assert!(
            revoked.elapsed() < Duration::from_millis(300),
            "B still serves a revoked credential"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    eprintln!("B refused the revoked credential after {:?}", revoked.elapsed());
    // A change to the key on A reaches B's cache: Revoke, then Get of a
    // compromised key is still allowed, Encrypt is not.
    on_b.encrypt(encrypt(&uid, b"cached on B")).await.unwrap();
    on_a.revoke(kmip_codec::messages::ops::revoke::RevokeRequest {
        unique_identifier: Some(uid.clone()),
        revocation_reason: kmip_codec::messages::RevocationReason {
            code: kmip_codec::enums::RevocationReasonCode::KeyCompromise,
            message: None,
        },
        compromise_occurrence_date: Some(kmip_codec::messages::DateTime(0)),
    })
    .await
    .unwrap();
    let changed = Instant::now();
    while refusal(on_b.encrypt(encrypt(&uid, b"after revoke")).await).is_none() {
        assert!(
            changed.elapsed() < Duration::from_millis(300),
            "B encrypts with a compromised key"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn a_node_killed_under_concurrent_creates_loses_no_acknowledged_object() {
    let Some(cluster) = Cluster::start() else { return };
    let nodes = Nodes::init(&cluster, "killed");
    runtime().block_on(killed(&nodes));
}

async fn killed(nodes: &Nodes) {
    let (mut a, b) = (nodes.start("a"), nodes.start("b"));
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for (i, addr) in [&a.addr, &a.addr, &a.addr, &b.addr].into_iter().enumerate() {
        let (addr, admin, acknowledged) = (addr.clone(), nodes.admin.clone(), Arc::clone(&acknowledged));
        writers.push(tokio::spawn(async move {
            let Ok(mut c) = Client::connect(&addr, "localhost", &admin).await else {
                return;
            };
            let started = Instant::now();
            // Node b's writer goes on after a dies; a's stop at the kill.
            while started.elapsed() < Duration::from_secs(if i == 3 { 4 } else { 10 }) {
                match c.create(common::objects::aes(vec![])).await {
                    Ok(created) => acknowledged.lock().unwrap().push(created.unique_identifier),
                    Err(_) => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 50, "only {} creates", acknowledged.len());
    let mut on_b = b.client(&nodes.admin).await;
    for uid in &acknowledged {
        assert!(
            on_b.get(common::get(uid)).await.is_ok(),
            "{uid} was acknowledged and is lost"
        );
    }
    // Every node starts again on what the cluster holds.
    drop(b);
    let (a, c) = (nodes.start("a"), nodes.start("c"));
    let mut on_c = c.client(&nodes.admin).await;
    let all = on_c
        .locate(LocateRequest {
            maximum_items: Some(1_000_000),
            ..LocateRequest::default()
        })
        .await
        .unwrap()
        .unique_identifiers;
    assert!(all.len() >= acknowledged.len());
    let mut on_a = a.client(&nodes.admin).await;
    assert!(on_a.get(common::get(&acknowledged[0])).await.is_ok());
    assert_eq!(
        refusal(on_a.get(common::get("no-such-key")).await),
        Some(ResultReason::ItemNotFound)
    );
}

#[test]
fn a_cluster_backup_restores_into_a_new_database_and_onto_one_server() {
    let Some(cluster) = Cluster::start() else { return };
    let nodes = Nodes::init(&cluster, "backedup");
    let rt = runtime();
    let mut a = nodes.start("a");
    let keys = rt.block_on(async {
        let mut c = a.client(&nodes.admin).await;
        let mut keys = Vec::new();
        for _ in 0..20 {
            let uid = active_aes(&mut c, both()).await;
            let material = common::keys::key_bytes(&c.get(common::get(&uid)).await.unwrap().object);
            keys.push((uid, material));
        }
        keys
    });
    ok(
        &nodes.data("a"),
        &nodes.url,
        "a",
        &["policy", "write", "default", "yearly", "--rotate-every", "365d"],
    );
    let file = nodes.dir.path().join("cluster.backup");
    let said = ok(
        &nodes.data("a"),
        &nodes.url,
        "a",
        &["backup", "--out", file.to_str().unwrap()],
    );
    assert!(said.contains("20 objects"), "{said}");
    a.kill();
    // Every key back, with its material, from a new database...
    let restored = cluster.database("restored");
    let said = ok(&nodes.data("b"), &restored, "b", &["restore", file.to_str().unwrap()]);
    assert!(said.contains("20 objects"), "{said}");
    assert!(
        !nodes.data("b").join("kmip.db").exists(),
        "the node keeps no copy of the objects"
    );
    let refused = run(&nodes.data("c"), &restored, "c", &["restore", file.to_str().unwrap()]);
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && why.contains("not empty"), "{why}");
    assert!(ok(&nodes.data("b"), &restored, "b", &["policy", "list"]).contains("yearly"));
    let b = Node::start(&nodes.data("b"), &restored, "b");
    // ... and onto one server on SQLite, from the same backup.
    let single = nodes.dir.path().join("single");
    std::fs::create_dir(&single).unwrap();
    std::fs::copy(nodes.data("a").join("kek.key"), single.join("kek.key")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kmip-server"))
        .args([
            "--data-dir",
            single.to_str().unwrap(),
            "restore",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(ok(&single, "", "s", &["policy", "list"]).contains("yearly"));
    let s = Node::start(&single, "", "s");
    rt.block_on(async {
        for node in [&b, &s] {
            let mut c = node.client(&nodes.admin).await;
            for (uid, material) in &keys {
                let got = c.get(common::get(uid)).await.unwrap();
                assert_eq!(&common::keys::key_bytes(&got.object), material, "{uid}");
            }
        }
    });
}

#[test]
fn a_policy_rotates_each_key_once_however_many_nodes_run_the_lifecycle() {
    use kmip_codec::enums::LinkType;
    use kmip_codec::messages::ops::get_attributes::GetAttributesRequest;
    use kmip_codec::messages::AttributeValue;
    let Some(cluster) = Cluster::start() else { return };
    let nodes = Nodes::init(&cluster, "rotating");
    let (a, b) = (nodes.start("a"), nodes.start("b"));
    let rt = runtime();
    let keys = 20;
    rt.block_on(async {
        let mut c = a.client(&nodes.admin).await;
        for i in 0..keys {
            let uid = active_aes(&mut c, both()).await;
            c.add_attribute(kmip_codec::messages::ops::add_attribute::AddAttributeRequest {
                unique_identifier: Some(uid),
                attribute: common::name(&format!("app-{i}")),
            })
            .await
            .unwrap();
        }
    });
    // Written through node b: the policy is the cluster's, and both nodes
    // run their lifecycle passes every second against it.
    ok(
        &nodes.data("b"),
        &nodes.url,
        "b",
        &[
            "policy",
            "write",
            "default",
            "rot",
            "--match-name-prefix",
            "app-",
            "--rotate-every",
            "1s",
        ],
    );
    assert!(ok(&nodes.data("a"), &nodes.url, "a", &["policy", "list"]).contains("rot"));
    std::thread::sleep(Duration::from_secs(6));
    // Each key replaced at most once: no two keys name one predecessor.
    let predecessors = rt.block_on(async {
        let mut c = b.client(&nodes.admin).await;
        let all = c
            .locate(LocateRequest {
                maximum_items: Some(100_000),
                ..LocateRequest::default()
            })
            .await
            .unwrap()
            .unique_identifiers;
        let mut predecessors = Vec::new();
        for uid in all {
            let attributes = c
                .get_attributes(GetAttributesRequest {
                    unique_identifier: Some(uid),
                    attribute_names: vec![],
                })
                .await
                .unwrap()
                .attributes;
            predecessors.extend(attributes.iter().filter_map(|a| match &a.value {
                AttributeValue::Link(l) if l.link_type == LinkType::ReplacedObjectLink => {
                    Some(l.linked_object_identifier.clone())
                }
                _ => None,
            }));
        }
        predecessors
    });
    assert!(
        predecessors.len() >= 2 * keys,
        "rotated every second for 6 s: {}",
        predecessors.len()
    );
    let mut unique = predecessors.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), predecessors.len(), "a key was rotated twice");
    let due = ok(
        &nodes.data("a"),
        &nodes.url,
        "a",
        &["keys", "due", "--within", "1d", "--json"],
    );
    assert!(due.contains("rot"), "{due}");
}
