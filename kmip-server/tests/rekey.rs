//! Re-key: the new key, its links, attributes and dates, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::objects::*;
use common::{activate, attr, name, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn vast_rekey_gives_a_new_linked_key_carrying_the_attributes() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let old = c.create(aes(vec![name("vast-key")])).await.unwrap().unique_identifier;
    c.add_attribute(add_attribute::AddAttributeRequest {
        unique_identifier: Some(old.clone()),
        attribute: attr(AttributeValue::ObjectGroup("tenant-7".into())),
    })
    .await
    .unwrap();
    activate(&mut c, &old).await;
    let new = c
        .rekey(rekey::ReKeyRequest {
            unique_identifier: Some(old.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_ne!(new, old, "a new Unique Identifier");
    assert_ne!(material(&mut c, &new).await, material(&mut c, &old).await, "a new key");
    let (new_attrs, old_attrs) = (attributes(&mut c, &new).await, attributes(&mut c, &old).await);
    assert!(
        new_attrs
            .iter()
            .any(|a| a.value == AttributeValue::ObjectGroup("tenant-7".into())),
        "carried over"
    );
    assert!(
        new_attrs.iter().any(|a| a.name == "Name"),
        "the Name moves to the replacement"
    );
    assert!(
        !old_attrs.iter().any(|a| a.name == "Name"),
        "and leaves the existing key"
    );
    assert_eq!(links(&new_attrs), [(LinkType::ReplacedObjectLink, old.clone())]);
    assert_eq!(links(&old_attrs), [(LinkType::ReplacementObjectLink, new.clone())]);
    assert_eq!(
        state(&new_attrs),
        State::Active,
        "the copied Activation Date has passed"
    );
    server.stop().await;
}

#[tokio::test]
async fn rekey_with_an_offset_moves_the_dates() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let old = c.create(aes(vec![])).await.unwrap().unique_identifier;
    assert_eq!(
        common::refusal(
            c.rekey(rekey::ReKeyRequest {
                unique_identifier: Some(old.clone()),
                offset: Some(Interval(3600)),
                template_attribute: None,
            })
            .await
        ),
        Some(ResultReason::IllegalOperation),
        "no Activation Date to offset from"
    );
    activate(&mut c, &old).await;
    let new = c
        .rekey(rekey::ReKeyRequest {
            unique_identifier: Some(old),
            offset: Some(Interval(3600)),
            template_attribute: None,
        })
        .await
        .unwrap()
        .unique_identifier;
    let attrs = attributes(&mut c, &new).await;
    let activation = attrs
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::ActivationDate(d) => Some(d.0),
            _ => None,
        })
        .unwrap();
    let now = kmip_server::store::unix_now();
    assert!(
        (activation - (now + 3600)).abs() <= 5,
        "Activation Date = Initial Date + Offset"
    );
    assert_eq!(state(&attrs), State::PreActive, "not active before its date");
    server.stop().await;
}

#[tokio::test]
async fn rekey_offset_that_would_overflow_a_date_is_refused_not_wrapped() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let far = attr(AttributeValue::DeactivationDate(DateTime(i64::MAX - 10)));
    let old = c.create(aes(vec![far])).await.unwrap().unique_identifier;
    activate(&mut c, &old).await;
    let rekey = |offset| rekey::ReKeyRequest {
        unique_identifier: Some(old.clone()),
        offset: Some(Interval(offset)),
        template_attribute: None,
    };
    assert_eq!(
        common::refusal(c.rekey(rekey(86_400)).await),
        Some(ResultReason::InvalidField),
        "the Deactivation Date moved by a day no longer fits"
    );
    // The connection and the server are unharmed.
    assert!(c.rekey(rekey(0)).await.is_ok(), "an offset that fits still works");
    server.stop().await;
}

#[tokio::test]
async fn rekey_with_a_name_in_its_template_keeps_the_names_the_key_had() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let old = c.create(aes(vec![name("db-master")])).await.unwrap().unique_identifier;
    activate(&mut c, &old).await;
    let new = c
        .rekey(rekey::ReKeyRequest {
            unique_identifier: Some(old.clone()),
            template_attribute: Some(TemplateAttribute {
                names: vec![],
                attributes: vec![name("db-master-2027")],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let mut names: Vec<String> = attributes(&mut c, &new)
        .await
        .into_iter()
        .filter_map(|a| match a.value {
            AttributeValue::Name(n) => Some(n.value),
            _ => None,
        })
        .collect();
    names.sort();
    assert_eq!(names, ["db-master", "db-master-2027"]);
    server.stop().await;
}
