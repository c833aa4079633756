//! Lifecycle policies in real time, over TLS: rotation with notice, the
//! old key's grace, retention (archive, destroy), scopes kept apart, and
//! each event once across a restart.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::HashSet;
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

fn write(server: &TestServer, policy: &Policy) {
    server
        .registry()
        .with_conn(|c| kmip_server::lifecycle::write(c, policy))
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
    let old = key(&mut admin, vec![]).await;
    admin
        .add_attribute(kmip_codec::messages::ops::add_attribute::AddAttributeRequest {
            unique_identifier: Some(old.clone()),
            attribute: name("app-payments"),
        })
        .await
        .unwrap();
    let sealed = admin.encrypt(encrypt(&old, b"card 4111")).await.unwrap();
    // The same name in another scope, which the policy must not touch.
    let (creds, _) = server.credential("other", "admin", "operation_all");
    let mut tenant = server.connect(&creds).await.unwrap();
    let theirs = key(&mut tenant, vec![]).await;
    tenant
        .add_attribute(kmip_codec::messages::ops::add_attribute::AddAttributeRequest {
            unique_identifier: Some(theirs.clone()),
            attribute: name("app-payments"),
        })
        .await
        .unwrap();

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
        .unwrap();
    assert_eq!(outbox, 3, "the outbox holds each event once");
    server.stop().await;
}
