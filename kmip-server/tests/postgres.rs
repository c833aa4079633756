//! The PostgreSQL object store, as two nodes see it: two `Store`s on one
//! real PostgreSQL cluster that the test starts itself (tests/common/postgres.rs),
//! each with its own writer, readers, cache and listener.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::postgres::Cluster;
use kmip_codec::enums::{ObjectType, OpaqueDataType, State, StorageStatusMask};
use kmip_codec::messages::{AttributeValue, Bytes, DateTime, Object, OpaqueObject};
use kmip_server::keys::Sealer;
use kmip_server::object::ManagedObject;
use kmip_server::observe::metrics::StoreMetrics;
use kmip_server::policy::Scope;
use kmip_server::store::postgres::{connector, Session, Store};
use kmip_server::store::sql::{Sql, Value};
use kmip_server::store::{value_bytes, LocateFilter, ObjectStore, Quota};

const QUOTA: Quota = Quota {
    max_objects: 1_000_000,
    max_bytes: 1 << 40,
};

/// Node `node` of the cluster's database `url`, sealing with the cluster's key.
fn node(url: &str, node: &str) -> Store {
    Store::open(
        &connector(url, None).unwrap(),
        node,
        Sealer::new(&[7u8; 32]).unwrap(),
        QUOTA,
        StoreMetrics::default(),
    )
    .unwrap()
}

/// A database with scope "s" (the registry's job once it lives there too).
fn database(cluster: &Cluster, name: &str) -> String {
    let url = cluster.database(name);
    drop(node(&url, "setup"));
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.execute("INSERT INTO scopes (name, created) VALUES ('s', 0), ('t', 0)", &[])
        .unwrap();
    url
}

fn scope() -> Scope {
    Scope::new("s").unwrap()
}

/// An opaque object named `name`, holding `secret`.
fn opaque(name: &str, secret: &[u8]) -> ManagedObject {
    let uid = kmip_server::object::attributes::new_uid().unwrap();
    let mut stored = ManagedObject::new(uid, ObjectType::OpaqueObject, State::Active);
    stored.object = Some(Object::OpaqueObject(OpaqueObject {
        opaque_data_type: OpaqueDataType(0x8000_0001),
        opaque_data_value: Bytes::new(secret.to_vec()),
    }));
    stored.attributes.push(common::name(name));
    stored
}

fn secret_of(stored: &ManagedObject) -> Vec<u8> {
    match &stored.object {
        Some(Object::OpaqueObject(o)) => o.opaque_data_value.to_vec(),
        other => panic!("not opaque: {other:?}"),
    }
}

fn by_name(name: &str) -> LocateFilter {
    LocateFilter {
        attributes: vec![("Name".into(), value_bytes(&common::name(name).value))],
        storage: StorageStatusMask::OnLineStorage,
        ..LocateFilter::default()
    }
}

/// Changes the state of `uid` on `store`, in a change of its own.
fn set_state(store: &dyn ObjectStore, uid: &str, state: State) {
    let uid = uid.to_owned();
    store
        .write(&scope(), move |objects| {
            let mut stored = objects.load(&uid, None)?.unwrap();
            stored.set_state(state);
            Ok(objects.update(&stored)?)
        })
        .unwrap();
}

/// Waits (up to 5 s) until `store` reads `uid` in `state`; how long it took.
fn until_state(store: &dyn ObjectStore, uid: &str, state: State) -> Duration {
    let started = Instant::now();
    loop {
        let seen = store.load(&scope(), uid, true).unwrap().unwrap().state();
        if seen == state {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {seen:?}, not {state:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Reads `uid` on `store` until its cache serves it (its listener is up).
fn until_cached(store: &dyn ObjectStore, uid: &str) {
    let started = Instant::now();
    while store.cached(&scope(), uid, true).is_none() {
        store.load(&scope(), uid, true).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "the cache is still off");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn an_object_created_on_one_node_is_read_located_and_kept_coherent_on_the_other() {
    let Some(cluster) = Cluster::start() else { return };
    let url = database(&cluster, "coherent");
    let (a, b) = (node(&url, "a"), node(&url, "b"));
    let (a, b): (&dyn ObjectStore, &dyn ObjectStore) = (&a, &b);
    let created = opaque("shared", b"the secret");
    let uid = created.uid.clone();
    a.create(&scope(), created).unwrap();

    let read = b.load(&scope(), &uid, true).unwrap().expect("B reads what A created");
    assert_eq!(secret_of(&read), b"the secret");
    assert_eq!(b.locate(&scope(), &by_name("shared")).unwrap(), vec![uid.clone()]);
    assert!(
        b.load(&Scope::new("t").unwrap(), &uid, true).unwrap().is_none(),
        "another scope does not see it"
    );
    // B now serves it from its cache; a change on A reaches it anyway.
    until_cached(b, &uid);
    let mut waited = Vec::new();
    for state in [State::Deactivated, State::Compromised, State::Destroyed] {
        set_state(a, &uid, state);
        assert_eq!(
            a.load(&scope(), &uid, false).unwrap().unwrap().state(),
            state,
            "A at once"
        );
        waited.push(until_state(b, &uid, state));
        assert!(b.cached(&scope(), &uid, true).is_some(), "B caches it again at once");
    }
    eprintln!("B saw A's changes after {waited:?}");
    assert!(
        b.locate(&scope(), &by_name("shared")).unwrap().is_empty(),
        "destroyed: not on-line"
    );
}

/// Two nodes on a new database `name`, and an object created on A that
/// B's cache serves (its listener is up).
fn cached_on_b(cluster: &Cluster, name: &str) -> (String, Store, Store, String) {
    let url = database(cluster, name);
    let (a, b) = (node(&url, "a"), node(&url, "b"));
    let created = opaque("k", b"v");
    let uid = created.uid.clone();
    (&a as &dyn ObjectStore).create(&scope(), created).unwrap();
    until_cached(&b, &uid);
    (url, a, b, uid)
}

/// The database processes serving the nodes' listeners, one per node.
fn listeners(url: &str) -> Vec<i32> {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let pids: Vec<i32> = admin
        .query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(pids.len(), 2, "one listener per node");
    pids
}

#[test]
fn a_node_that_lost_its_listener_serves_nothing_stale_and_listens_again() {
    let Some(cluster) = Cluster::start() else { return };
    let (url, a, b, uid) = cached_on_b(&cluster, "listener");
    let (a, b): (&dyn ObjectStore, &dyn ObjectStore) = (&a, &b);
    // Cut every listening connection: B misses the next notification.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for pid in listeners(&url) {
        admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).unwrap();
    }
    set_state(a, &uid, State::Deactivated);
    until_state(b, &uid, State::Deactivated);
    // And B listens again: its cache is used and kept coherent once more.
    until_cached(b, &uid);
    set_state(a, &uid, State::Compromised);
    until_state(b, &uid, State::Compromised);
}

#[test]
fn two_nodes_creating_at_once_never_collide_and_every_object_is_counted() {
    let Some(cluster) = Cluster::start() else { return };
    let url = cluster.database("concurrent");
    // Both nodes start on the empty database at once: the schema is made once.
    let nodes: Vec<Arc<Store>> = std::thread::scope(|s| {
        let starting: Vec<_> = ["a", "b"].iter().map(|n| s.spawn(|| Arc::new(node(&url, n)))).collect();
        starting.into_iter().map(|h| h.join().unwrap()).collect()
    });
    postgres::Client::connect(&url, postgres::NoTls)
        .unwrap()
        .execute("INSERT INTO scopes (name, created) VALUES ('s', 0)", &[])
        .unwrap();
    let per_thread = 50;
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&nodes[t % 2]);
            std::thread::spawn(move || {
                let store: &dyn ObjectStore = &*store;
                (0..per_thread)
                    .map(|i| {
                        let created = opaque(&format!("n{t}-{i}"), &[t as u8; 48]);
                        let uid = created.uid.clone();
                        store.create(&scope(), created).unwrap();
                        uid
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let mut uids: Vec<String> = threads.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let all = uids.len();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), all, "no two creates shared a UID");
    let (a, b): (&dyn ObjectStore, &dyn ObjectStore) = (&*nodes[0], &*nodes[1]);
    for uid in &uids {
        assert!(b.load(&scope(), uid, true).unwrap().is_some(), "{uid} is on B");
    }
    let usage = a.write(&scope(), |objects| Ok(objects.usage()?)).unwrap();
    assert_eq!(usage.objects, all as u64, "each node's count adds up to all");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let recount: i64 = admin
        .query_one(
            "SELECT (SELECT coalesce(sum(octet_length(sealed)), 0) FROM objects)
                  + (SELECT coalesce(sum(octet_length(value)), 0) FROM attributes)",
            &[],
        )
        .map(|r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(usage.bytes as i64, recount, "bytes too");
    let census: i64 = b.census().unwrap().iter().map(|c| c.count).sum();
    assert_eq!(census, all as i64);
    // Everything is still there when both nodes start again.
    drop(nodes);
    let again = node(&url, "a");
    assert_eq!(
        (&again as &dyn ObjectStore)
            .locate(
                &scope(),
                &LocateFilter {
                    storage: StorageStatusMask::OnLineStorage,
                    ..LocateFilter::default()
                }
            )
            .unwrap()
            .len(),
        all
    );
}

#[test]
fn the_time_sweep_moves_each_object_once_however_many_nodes_run_it() {
    let Some(cluster) = Cluster::start() else { return };
    let url = database(&cluster, "sweep");
    let (a, b) = (node(&url, "a"), node(&url, "b"));
    let now = kmip_server::store::unix_now();
    let mut uids = Vec::new();
    for i in 0..300 {
        let mut stored = opaque(&format!("due-{i}"), b"x");
        stored.set_state(State::PreActive);
        stored
            .attributes
            .push(common::attr(AttributeValue::ActivationDate(DateTime(now - 10))));
        uids.push(stored.uid.clone());
        (&a as &dyn ObjectStore).create(&scope(), stored).unwrap();
    }
    let moved: usize = std::thread::scope(|s| {
        let sweeps: Vec<_> = [&a, &b]
            .into_iter()
            .map(|store| {
                s.spawn(move || {
                    let mut moved = 0;
                    for _ in 0..5 {
                        moved += store.advance_states(now).unwrap();
                    }
                    moved
                })
            })
            .collect();
        sweeps.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(moved, uids.len(), "each object moved once, by one node");
    for uid in &uids {
        until_state(&b, uid, State::Active);
    }
}

#[test]
fn with_store_ca_every_connection_is_tls_verified_against_it() {
    let Some(cluster) = Cluster::start_tls() else { return };
    let url = cluster.tls_url("postgres");
    let ca = cluster.tls_ca();
    let verified = connector(&url, Some(&ca)).unwrap();
    let store = Store::open(
        &verified,
        "a",
        Sealer::new(&[7u8; 32]).unwrap(),
        QUOTA,
        StoreMetrics::default(),
    )
    .expect("the store opens over TLS");
    let mut session = Session::connect(&verified, "probe").unwrap();
    let ssl = Sql::query(
        &mut session,
        "SELECT ssl::INTEGER FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .unwrap();
    assert_eq!(ssl, vec![vec![Value::Int(1)]], "the connection is TLS");
    drop(store);
    // A certificate from any other CA is refused, and so is a server
    // reached over TCP without a CA configured (the cluster takes TLS only).
    let elsewhere = tempfile::tempdir().unwrap();
    kmip_server::auth::ca::Ca::create(elsewhere.path(), kmip_server::config::KeyType::Ec).unwrap();
    let refused = Session::connect(&connector(&url, Some(&elsewhere.path().join("ca.pem"))).unwrap(), "x");
    let why = refused.err().expect("another CA's server is refused").to_string();
    assert!(why.contains("certificate") || why.contains("TLS"), "{why}");
    let plain = Session::connect(&connector(&url, None).unwrap(), "y");
    assert!(plain.is_err(), "no TLS, no connection");
}

#[test]
fn a_node_whose_listener_stalls_stops_serving_from_its_cache_within_three_seconds() {
    let Some(cluster) = Cluster::start() else { return };
    let (url, a, b, uid) = cached_on_b(&cluster, "stalled");
    let (a, b): (&dyn ObjectStore, &dyn ObjectStore) = (&a, &b);
    // The listeners' database processes stop answering (as over a broken
    // network): no error reaches the nodes, no notification either.
    let listeners = listeners(&url);
    /// Stops the processes; continues them when dropped, even if the test fails.
    struct Stopped(Vec<i32>);
    fn signal(pids: &[i32], sig: &str) {
        for pid in pids {
            let status = std::process::Command::new("kill")
                .args([sig, &pid.to_string()])
                .status();
            assert!(status.unwrap().success());
        }
    }
    impl Drop for Stopped {
        fn drop(&mut self) {
            signal(&self.0, "-CONT");
        }
    }
    signal(&listeners, "-STOP");
    let stopped = Stopped(listeners);
    set_state(a, &uid, State::Deactivated);
    let waited = until_state(b, &uid, State::Deactivated);
    drop(stopped);
    assert!(
        waited < Duration::from_secs(5),
        "B served its stale copy for {waited:?}"
    );
    eprintln!("with its listener stalled, B read the change after {waited:?}");
    // Heard from again, B forgets what it held and caches once more.
    until_cached(b, &uid);
    set_state(a, &uid, State::Compromised);
    until_state(b, &uid, State::Compromised);
}
