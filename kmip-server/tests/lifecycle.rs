//! Lifecycle policies in real time, over TLS: rotation with notice, the
//! old key's grace, retention (archive, destroy), scopes kept apart, and
//! each event once across a restart.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::keys::{both, decrypt, encrypt};
use common::{activate, attr, name, TestServer};
use kmip_client::Client;
use kmip_codec::enums::{LinkType, State};
use kmip_codec::messages::ops::get_attributes::GetAttributesRequest;
use kmip_codec::messages::ops::locate::LocateRequest;
use kmip_codec::messages::{AttributeValue, DateTime};
use kmip_server::lifecycle::{Match, Policy};

fn policy(scope: &str, name: &str, matches: Match) -> Policy {
    Policy {
        scope: scope.into(),
        name: name.into(),
        matches,
        rotate_every: 86_400,
        deactivate_after: None,
        archive_after: None,
        destroy_after: None,
        notify_before: None,
    }
}

/// A Name attribute value.
fn named(n: &str) -> AttributeValue {
    name(n).value
}

fn write(server: &TestServer, policy: &Policy) {
    server
        .registry()
        .with_sql(|c| kmip_server::lifecycle::write(c, policy))
        .unwrap()
        .unwrap();
}

/// An Active AES key with these attributes, as a client makes one.
async fn key(c: &mut Client, extra: Vec<AttributeValue>) -> String {
    let mut request = common::objects::aes(extra.into_iter().map(attr).collect());
    request
        .template_attribute
        .attributes
        .retain(|a| !matches!(a.value, AttributeValue::CryptographicUsageMask(_)));
    request
        .template_attribute
        .attributes
        .push(attr(AttributeValue::CryptographicUsageMask(both())));
    let uid = c.create(request).await.unwrap().unique_identifier;
    activate(c, &uid).await;
    uid
}

/// The lifecycle audit lines, once `done` says they are all there.
async fn events(server: &TestServer, done: impl Fn(&[serde_json::Value]) -> bool) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found: Vec<serde_json::Value> = server
            .audit_lines()
            .into_iter()
            .filter(|l| l["event"] == "lifecycle")
            .collect();
        if done(&found) {
            return found;
        }
        assert!(Instant::now() < deadline, "lifecycle events so far: {found:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn has(events: &[serde_json::Value], what: &str, uid: &str) -> bool {
    events.iter().any(|e| e["lifecycle"] == what && e["uid"] == uid)
}

async fn attributes(c: &mut Client, uid: &str) -> Vec<AttributeValue> {
    c.get_attributes(GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: vec![],
    })
    .await
    .unwrap()
    .attributes
    .into_iter()
    .map(|a| a.value)
    .collect()
}

fn replacement(attributes: &[AttributeValue]) -> Option<String> {
    attributes.iter().find_map(|a| match a {
        AttributeValue::Link(l) if l.link_type == LinkType::ReplacementObjectLink => {
            Some(l.linked_object_identifier.clone())
        }
        _ => None,
    })
}

fn state(attributes: &[AttributeValue]) -> Option<State> {
    attributes.iter().find_map(|a| match a {
        AttributeValue::State(s) => Some(*s),
        _ => None,
    })
}

#[tokio::test]
async fn a_key_is_noticed_rotated_and_its_predecessor_retired_while_it_still_decrypts() {
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    let mut admin = server.admin_client().await;
    let old = key(&mut admin, vec![named("app-payments")]).await;
    let sealed = admin.encrypt(encrypt(&old, b"card 4111")).await.unwrap();
    // The same name in another scope, which the policy must not touch.
    let (creds, _) = server.credential("other", "admin", "operation_all");
    let mut tenant = server.connect(&creds).await.unwrap();
    let theirs = key(&mut tenant, vec![named("app-payments")]).await;

    let mut p = policy("default", "payments", Match::NamePrefix("app-".into()));
    p.rotate_every = 3;
    p.notify_before = Some(2);
    p.deactivate_after = Some(2);
    write(&server, &p);

    let seen = events(&server, |e| has(e, "deactivated", &old)).await;
    let order: Vec<&str> = seen
        .iter()
        .filter(|e| e["uid"] == old.as_str())
        .map(|e| e["lifecycle"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["rotation.due", "rotation.done", "expiry.due", "deactivated"],
        "{seen:#?}"
    );
    let done = seen.iter().find(|e| e["lifecycle"] == "rotation.done").unwrap();
    assert_eq!(done["policy"], "payments");
    let new = done["detail"]["replacement"].as_str().unwrap().to_owned();

    // Locate by Name finds the newest key, at the end of the chain of
    // Replacement links that starts with this rotation (the policy goes
    // on rotating every 3 s).
    let located = admin
        .locate(LocateRequest {
            attributes: vec![name("app-payments")],
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifiers;
    assert_eq!(located.len(), 1, "{located:?}");
    let old_attributes = attributes(&mut admin, &old).await;
    assert_eq!(state(&old_attributes), Some(State::Deactivated));
    let mut chain = Vec::new();
    let mut at = old_attributes;
    while let Some(next) = replacement(&at) {
        chain.push(next.clone());
        at = attributes(&mut admin, &next).await;
    }
    assert_eq!(chain.first(), Some(&new));
    assert_eq!(chain.last(), located.first());
    assert_eq!(state(&at), Some(State::Active), "the newest key is in use");
    // The old key still decrypts what it encrypted.
    let opened = admin
        .decrypt(decrypt(&old, &sealed.data.unwrap(), sealed.iv_counter_nonce.as_deref()))
        .await
        .unwrap();
    assert_eq!(opened.data.unwrap().to_vec(), b"card 4111");
    // The audit trail names the policy as the one that re-keyed.
    let rekeyed = server
        .audit_lines()
        .into_iter()
        .find(|l| l["operation"] == "ReKey")
        .unwrap();
    assert_eq!(rekeyed["role"], "lifecycle");
    assert_eq!(rekeyed["subject"], "lifecycle policy default/payments");

    // The other scope's key of the same name is untouched.
    assert!(!seen.iter().any(|e| e["uid"] == theirs.as_str()));
    let theirs_now = attributes(&mut tenant, &theirs).await;
    assert_eq!(state(&theirs_now), Some(State::Active));
    assert!(!theirs_now.iter().any(|a| matches!(a, AttributeValue::Link(_))));
    server.stop().await;
}

#[tokio::test]
async fn retention_archives_then_destroys_and_each_event_is_raised_once_across_a_restart() {
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    let mut admin = server.admin_client().await;
    let soon = kmip_server::store::unix_now() + 1;
    let kept = key(&mut admin, vec![AttributeValue::ObjectGroup("ledger".into())]).await;
    let doomed = key(
        &mut admin,
        vec![
            AttributeValue::ObjectGroup("ledger".into()),
            AttributeValue::DeactivationDate(DateTime(soon)),
        ],
    )
    .await;
    let mut p = policy("default", "ledger", Match::Group("ledger".into()));
    p.archive_after = Some(1);
    p.destroy_after = Some(4);
    write(&server, &p);
    events(&server, |e| has(e, "archived", &doomed)).await;

    // A restart between archive and destroy: nothing is raised twice.
    let config = server.config.clone();
    let dir = server.stop_keeping_data().await;
    let server = TestServer::restart(config, dir).await;
    let seen = events(&server, |e| has(e, "destroyed", &doomed)).await;
    let ids: Vec<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len(), "{seen:#?}");
    let order: Vec<&str> = seen.iter().map(|e| e["lifecycle"].as_str().unwrap()).collect();
    assert_eq!(order, ["deactivated", "archived", "destroyed"]);
    let mut admin = server.admin_client().await;
    assert_eq!(state(&attributes(&mut admin, &doomed).await), Some(State::Destroyed));
    assert!(
        admin.get(common::get(&doomed)).await.map(|g| g.object).is_err(),
        "no material after Destroy"
    );
    // The key without a Deactivation Date is kept as it is.
    assert_eq!(state(&attributes(&mut admin, &kept).await), Some(State::Active));
    let outbox: i64 = server
        .registry()
        .with_conn(|c| c.query_row("SELECT count(*) FROM lifecycle_events", [], |r| r.get(0)))
        .unwrap()
        .unwrap();
    assert_eq!(outbox, 3, "the outbox holds each event once");
    server.stop().await;
}

/// A webhook receiver over HTTPS (a certificate of its own CA): checks
/// each signature, answers 503 while `failing` and 200 after, and keeps
/// the (id, event) of what it accepted.
struct Receiver {
    url: String,
    ca_file: std::path::PathBuf,
    accepted: Arc<Mutex<Vec<(String, String)>>>,
    failing: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
    forged: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// Three columns of the events table, in the order they were recorded.
fn outbox(server: &TestServer, columns: &str) -> Vec<(String, String, String)> {
    server
        .registry()
        .with_conn(|c| {
            let mut s = c
                .prepare(&format!("SELECT {columns} FROM lifecycle_events ORDER BY rowid"))
                .unwrap();
            let rows = s
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            rows
        })
        .unwrap()
}

/// Registers the receiver as a sink for `events`, with its secret in a
/// file (ending in a newline, which is not part of it).
fn subscribe(server: &TestServer, hook: &Receiver, events: &[String]) {
    let secret = server.path("hook.secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    server
        .registry()
        .with_sql(|c| kmip_server::lifecycle::notify::add(c, &hook.url, &secret, events, Some(&hook.ca_file)))
        .unwrap()
        .unwrap();
}

async fn receiver(secret: &'static [u8]) -> Receiver {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let ca = kmip_server::auth::ca::Ca::create(&dir.path().join("ca"), kmip_server::config::KeyType::Ec).unwrap();
    let issued = ca.issue_server(&[]).unwrap();
    let ca_file = dir.path().join("receiver-ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    let chain = vec![rustls::pki_types::CertificateDer::from(issued.issued.cert_der.clone())];
    let key = rustls::pki_types::PrivateKeyDer::try_from(issued.key_der.to_vec()).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}/hook", listener.local_addr().unwrap().port());
    let (accepted, failing) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(true)));
    let (refused, forged) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, f, r, g) = (accepted.clone(), failing.clone(), refused.clone(), forged.clone());
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue;
            };
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            let (head, body) = loop {
                let n = tls.read(&mut buf).await.unwrap_or(0);
                assert!(n > 0, "the request ended early");
                got.extend_from_slice(&buf[..n]);
                if let Some(at) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8(got[..at].to_vec()).unwrap();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .unwrap()
                        .parse()
                        .unwrap();
                    while got.len() < at + 4 + length {
                        let n = tls.read(&mut buf).await.unwrap();
                        got.extend_from_slice(&buf[..n]);
                    }
                    break (head, got[at + 4..at + 4 + length].to_vec());
                }
            };
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(String::from))
                    .unwrap_or_default()
            };
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
            let expected: String = aws_lc_rs::hmac::sign(&key, &body)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let status = if header("X-Signature") != format!("sha256={expected}") {
                g.fetch_add(1, Ordering::SeqCst);
                "401 Unauthorized"
            } else if f.load(Ordering::SeqCst) {
                r.fetch_add(1, Ordering::SeqCst);
                "503 Service Unavailable"
            } else {
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(event["id"], header("X-Event-Id").as_str());
                assert!(
                    !String::from_utf8_lossy(&body).contains("key_material"),
                    "never key material"
                );
                a.lock()
                    .unwrap()
                    .push((header("X-Event-Id"), event["event"].as_str().unwrap().to_owned()));
                "200 OK"
            };
            let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    Receiver {
        url,
        ca_file,
        accepted,
        failing,
        refused,
        forged,
        _dir: dir,
    }
}

#[tokio::test]
async fn a_webhook_gets_each_event_once_signed_after_failing_and_across_a_restart() {
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    let hook = receiver(b"s3cret").await;
    let events = ["rotation.due".to_owned(), "rotation.done".to_owned()];
    subscribe(&server, &hook, &events);
    let mut admin = server.admin_client().await;
    let uid = key(&mut admin, vec![named("hook-orders")]).await;
    let mut p = policy("default", "orders", Match::NamePrefix("hook-".into()));
    p.rotate_every = 2;
    p.notify_before = Some(1);
    write(&server, &p);

    // The receiver refuses at first; the server is restarted meanwhile.
    let deadline = Instant::now() + Duration::from_secs(30);
    while hook.refused.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no delivery attempted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let config = server.config.clone();
    let dir = server.stop_keeping_data().await;
    hook.failing.store(false, Ordering::SeqCst);
    let server = TestServer::restart(config, dir).await;
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let accepted = hook.accepted.lock().unwrap().clone();
        let outbox = outbox(&server, "id, event, uid");
        let mine: Vec<&(String, String, String)> = outbox.iter().filter(|(_, _, u)| *u == uid).collect();
        if mine.len() == 2 && mine.iter().all(|(id, _, _)| accepted.iter().any(|(a, _)| a == id)) {
            // Each accepted once, by id; only the events asked for.
            let ids: HashSet<&String> = accepted.iter().map(|(id, _)| id).collect();
            assert_eq!(ids.len(), accepted.len(), "a repeat: {accepted:?}");
            assert!(accepted.iter().all(|(_, e)| events.contains(e)), "{accepted:?}");
            let order: Vec<&str> = mine.iter().map(|(_, e, _)| e.as_str()).collect();
            assert_eq!(order, ["rotation.due", "rotation.done"]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "accepted {accepted:?}, outbox {outbox:?}, refused {}",
            hook.refused.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(hook.forged.load(Ordering::SeqCst), 0, "every signature checked out");
    server.stop().await;
}

#[tokio::test]
async fn an_anomaly_alert_reaches_the_webhook_too() {
    let server = TestServer::start_with(|c| {
        c.lifecycle_interval_secs = 1;
        c.alert_permission_denied = 2;
    })
    .await;
    let hook = receiver(b"s3cret").await;
    hook.failing.store(false, Ordering::SeqCst);
    subscribe(&server, &hook, &["alert".into()]);
    let (creds, serial) = server.credential("default", "reader", "operation_get");
    let mut reader = server.connect(&creds).await.unwrap();
    for _ in 0..2 {
        let denied = reader.create(common::objects::aes(vec![])).await;
        assert_eq!(
            common::refusal(denied),
            Some(kmip_codec::enums::ResultReason::PermissionDenied)
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while hook.accepted.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no alert delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts = outbox(&server, "event, policy, uid");
    assert_eq!(alerts, [("alert".into(), "permission_denied_burst".into(), serial)]);
    assert_eq!(hook.accepted.lock().unwrap()[0].1, "alert");
    server.stop().await;
}

#[tokio::test]
async fn revocations_are_announced_once_each_a_compromise_first() {
    use kmip_codec::enums::RevocationReasonCode;
    use kmip_codec::messages::ops::revoke::RevokeRequest;
    use kmip_codec::messages::RevocationReason;
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    let hook = receiver(b"s3cret").await;
    subscribe(&server, &hook, &["revoked".into()]);
    let mut admin = server.admin_client().await;
    let retired = key(&mut admin, vec![]).await;
    let leaked = key(&mut admin, vec![]).await;
    for (uid, code) in [
        (&retired, RevocationReasonCode::CessationOfOperation),
        (&leaked, RevocationReasonCode::KeyCompromise),
    ] {
        admin
            .revoke(RevokeRequest {
                unique_identifier: Some(uid.clone()),
                revocation_reason: RevocationReason {
                    code,
                    message: Some("test".into()),
                },
                compromise_occurrence_date: None,
            })
            .await
            .unwrap();
    }
    // Both are queued while the receiver refuses; then it takes them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while hook.refused.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no delivery attempted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    hook.failing.store(false, Ordering::SeqCst);
    while hook.accepted.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "revocations not delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = events(&server, |e| e.len() >= 2).await;
    let first = seen
        .iter()
        .find(|e| e["id"] == hook.accepted.lock().unwrap()[0].0.as_str())
        .unwrap();
    assert_eq!(first["uid"], leaked.as_str(), "the compromise first: {seen:#?}");
    assert_eq!(first["detail"]["reason"], "KeyCompromise");
    assert_eq!(first["detail"]["compromised"], true);
    // Once each, however many passes see them.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(events(&server, |_| true).await.len(), 2);
    assert_eq!(hook.accepted.lock().unwrap().len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn keys_due_within_their_notice_are_a_metric() {
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    let mut admin = server.admin_client().await;
    key(&mut admin, vec![AttributeValue::ObjectGroup("nightly".into())]).await;
    key(&mut admin, vec![AttributeValue::ObjectGroup("yearly".into())]).await;
    let mut soon = policy("default", "nightly", Match::Group("nightly".into()));
    soon.notify_before = Some(2 * 86_400);
    write(&server, &soon);
    let mut later = policy("default", "yearly", Match::Group("yearly".into()));
    later.rotate_every = 365 * 86_400;
    write(&server, &later);
    let due = r#"kmip_lifecycle_due{scope="default",step="rotate"} 1"#;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, metrics) = server.http_get("/metrics").await;
        if metrics.contains(due) {
            assert!(metrics.contains("kmip_notify_pending 0"), "{metrics}");
            break;
        }
        assert!(Instant::now() < deadline, "{metrics}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn a_private_key_is_rotated_with_re_key_key_pair() {
    let server = TestServer::start_with(|c| c.lifecycle_interval_secs = 1).await;
    // A scope of its own, holding just the pair.
    let (creds, _) = server.credential("signing", "admin", "operation_all");
    let mut c = server.connect(&creds).await.unwrap();
    let pair = c
        .create_key_pair(common::keys::key_pair(
            kmip_codec::enums::CryptographicAlgorithm::EC,
            256,
        ))
        .await
        .unwrap();
    let private = pair.private_key_unique_identifier;
    activate(&mut c, &private).await;
    let mut p = policy("signing", "yearly", Match::All);
    p.rotate_every = 2;
    write(&server, &p);
    let seen = events(&server, |e| has(e, "rotation.done", &private)).await;
    let done = seen.iter().find(|e| e["lifecycle"] == "rotation.done").unwrap();
    let new_private = done["detail"]["replacement"].as_str().unwrap().to_owned();
    let new_public = done["detail"]["public_key"].as_str().unwrap().to_owned();
    assert_eq!(
        replacement(&attributes(&mut c, &private).await),
        Some(new_private.clone())
    );
    assert_eq!(state(&attributes(&mut c, &new_private).await), Some(State::Active));
    assert!(attributes(&mut c, &new_public).await.iter().any(|a| matches!(a,
        AttributeValue::Link(l) if l.link_type == LinkType::PrivateKeyLink && l.linked_object_identifier == new_private)));
    let rekeyed = server
        .audit_lines()
        .into_iter()
        .find(|l| l["operation"] == "ReKeyKeyPair")
        .unwrap();
    assert_eq!(rekeyed["subject"], "lifecycle policy signing/yearly");
    server.stop().await;
}
