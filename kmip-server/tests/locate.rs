//! Locate by dates, Object Group, Fresh and storage status, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::objects::*;
use common::{attr, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn locate_by_a_date_range() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let now = kmip_server::store::unix_now();
    let day = 86_400;
    let early = c
        .create(aes(vec![attr(AttributeValue::ActivationDate(DateTime(
            now + 10 * day,
        )))]))
        .await
        .unwrap()
        .unique_identifier;
    let late = c
        .create(aes(vec![attr(AttributeValue::ActivationDate(DateTime(
            now + 20 * day,
        )))]))
        .await
        .unwrap()
        .unique_identifier;
    let between = |from: i64, to: i64| locate::LocateRequest {
        attributes: vec![
            attr(AttributeValue::ActivationDate(DateTime(from))),
            attr(AttributeValue::ActivationDate(DateTime(to))),
        ],
        ..Default::default()
    };
    let found = |r: locate::LocateResponse| r.unique_identifiers;
    assert_eq!(
        found(c.locate(between(now + 5 * day, now + 15 * day)).await.unwrap()),
        std::slice::from_ref(&early)
    );
    assert_eq!(
        found(c.locate(between(now + 15 * day, now + 25 * day)).await.unwrap()),
        std::slice::from_ref(&late)
    );
    assert_eq!(
        found(c.locate(between(now, now + 30 * day)).await.unwrap()),
        [late, early],
        "newest first"
    );
    assert_eq!(
        common::refusal(c.locate(between(now + 30 * day, now)).await),
        Some(ResultReason::InvalidField),
        "a reversed range"
    );
    server.stop().await;
}

#[tokio::test]
async fn locate_object_group_members_fresh_and_default() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let group = || attr(AttributeValue::ObjectGroup("backup-keys".into()));
    let older = c.create(aes(vec![group()])).await.unwrap().unique_identifier;
    let newer = c.create(aes(vec![group()])).await.unwrap().unique_identifier;
    c.create(aes(vec![])).await.unwrap(); // not in the group
    let member = |m: ObjectGroupMemberOption, with_group: bool| locate::LocateRequest {
        object_group_member: Some(m),
        attributes: if with_group { vec![group()] } else { vec![] },
        ..Default::default()
    };
    let fresh = ObjectGroupMemberOption::GroupMemberFresh;
    let default = ObjectGroupMemberOption::GroupMemberDefault;
    let found = |r: locate::LocateResponse| r.unique_identifiers;
    assert_eq!(
        found(c.locate(member(fresh, true)).await.unwrap()),
        [newer.clone(), older.clone()]
    );
    // Serving a key's material makes it no longer fresh.
    material(&mut c, &newer).await;
    assert_eq!(
        found(c.locate(member(fresh, true)).await.unwrap()),
        std::slice::from_ref(&older)
    );
    // The default member is the newest Active one; none is Active yet.
    assert!(found(c.locate(member(default, true)).await.unwrap()).is_empty());
    for uid in [&older, &newer] {
        c.activate(activate::ActivateRequest {
            unique_identifier: Some(uid.to_string()),
        })
        .await
        .unwrap();
    }
    assert_eq!(found(c.locate(member(default, true)).await.unwrap()), [newer]);
    assert_eq!(
        common::refusal(c.locate(member(fresh, false)).await),
        Some(ResultReason::InvalidField),
        "Object Group Member without a group"
    );
    server.stop().await;
}

/// A Locate whose query stays within a small budget is answered on the
/// connection's async worker (no intent line: it runs as a read); one
/// past it is handed to the blocking pool, whole, and answers the same.
#[tokio::test]
async fn a_small_locate_is_answered_inline_and_a_large_one_on_the_blocking_pool() {
    let server = TestServer::start_with(|c| c.audit_sync = kmip_server::config::AuditSync::Always).await;
    let mut c = server.admin_client().await;
    let one = c
        .create(aes(vec![common::name("one")]))
        .await
        .unwrap()
        .unique_identifier;
    // 600 keys of one name: hundreds of rows for the query to walk.
    let many = c.request(
        (0..600)
            .map(|_| RequestPayload::Create(aes(vec![common::name("many")])))
            .collect(),
    );
    let created = c.send(&many).await.unwrap();
    assert!(created
        .batch_items
        .iter()
        .all(|i| i.result_status == ResultStatus::Success));
    let by_name = |n: &str| locate::LocateRequest {
        attributes: vec![common::name(n)],
        ..Default::default()
    };
    let intents = || {
        std::fs::read_to_string(server.path("audit.log"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["event"] == "intent" && r["operations"][0] == "Locate")
            .count()
    };
    assert_eq!(c.locate(by_name("one")).await.unwrap().unique_identifiers, [one]);
    assert_eq!(intents(), 0, "the small Locate ran inline");
    assert_eq!(c.locate(by_name("many")).await.unwrap().unique_identifiers.len(), 600);
    assert_eq!(intents(), 1, "the large one was handed on");
    server.stop().await;
}

/// An object holding the searched Name twice is found once, and Offset
/// Items and Maximum Items count objects.
#[tokio::test]
async fn an_object_with_a_name_twice_is_found_once_and_offsets_count_objects() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let older = c
        .create(aes(vec![common::name("dup")]))
        .await
        .unwrap()
        .unique_identifier;
    c.add_attribute(add_attribute::AddAttributeRequest {
        unique_identifier: Some(older.clone()),
        attribute: common::name("dup"),
    })
    .await
    .unwrap();
    let newer = c
        .create(aes(vec![common::name("dup")]))
        .await
        .unwrap()
        .unique_identifier;
    let find = |offset: Option<i32>, maximum: Option<i32>| locate::LocateRequest {
        attributes: vec![common::name("dup")],
        offset_items: offset,
        maximum_items: maximum,
        ..Default::default()
    };
    let uids = |r: locate::LocateResponse| r.unique_identifiers;
    assert_eq!(
        uids(c.locate(find(None, None)).await.unwrap()),
        [newer.clone(), older.clone()]
    );
    assert_eq!(
        uids(c.locate(find(Some(1), None)).await.unwrap()),
        std::slice::from_ref(&older)
    );
    assert_eq!(uids(c.locate(find(None, Some(1))).await.unwrap()), [newer]);
    assert!(uids(c.locate(find(Some(2), None)).await.unwrap()).is_empty());
    server.stop().await;
}
