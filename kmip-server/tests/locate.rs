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
