//! Attribute instances and their indices as clients send them, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::objects::{aes, attributes};
use common::{raw_key, TestServer};
use kmip_codec::messages::*;

#[tokio::test]
async fn the_largest_attribute_index_a_client_can_send_is_kept_without_overflow() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let group = |g: &str, index| Attribute {
        index,
        ..Attribute::new(AttributeValue::ObjectGroup(g.into()))
    };
    // The next free index after i32::MAX would overflow: it saturates.
    let uid = c
        .create(aes(vec![group("a", Some(i32::MAX)), group("b", None)]))
        .await
        .unwrap()
        .unique_identifier;
    let groups: Vec<(String, Option<i32>)> = attributes(&mut c, &uid)
        .await
        .into_iter()
        .filter_map(|a| match a.value {
            AttributeValue::ObjectGroup(g) => Some((g, a.index)),
            _ => None,
        })
        .collect();
    assert!(groups.contains(&("a".into(), Some(i32::MAX))), "{groups:?}");
    // And the server is still there for the next request.
    assert!(c.create(aes(vec![])).await.is_ok());
    server.stop().await;
}

#[tokio::test]
async fn several_application_specific_information_instances_all_with_index_0_register() {
    use kmip_codec::enums::*;
    use kmip_codec::messages::ops::register::RegisterRequest;
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let info = |app: &str| Attribute {
        index: Some(0),
        ..Attribute::new(AttributeValue::ApplicationSpecificInformation(
            ApplicationSpecificInformation {
                application_namespace: app.into(),
                application_data: Some(format!("{app}-data")),
            },
        ))
    };
    let uid = c
        .register(RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: TemplateAttribute {
                attributes: vec![info("ssl"), info("vmware"), info("mongodb")],
                ..Default::default()
            },
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Password,
                key_block: raw_key(KeyFormatType::Opaque, b"s3cret", None),
            }),
        })
        .await
        .expect("a valid Register is never General Failure")
        .unique_identifier;
    let mut found: Vec<(String, Option<i32>)> = attributes(&mut c, &uid)
        .await
        .into_iter()
        .filter_map(|a| match a.value {
            AttributeValue::ApplicationSpecificInformation(i) => Some((i.application_namespace, a.index)),
            _ => None,
        })
        .collect();
    found.sort_by_key(|(_, i)| *i);
    assert_eq!(
        found,
        [
            ("ssl".into(), None),
            ("vmware".into(), Some(1)),
            ("mongodb".into(), Some(2))
        ],
        "each instance kept, renumbered 0, 1, 2"
    );
    server.stop().await;
}

#[tokio::test]
async fn add_and_modify_attribute_answers_name_the_instance_index_0_included() {
    use kmip_codec::messages::ops::{add_attribute, modify_attribute};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let group = |g: &str| Attribute::new(AttributeValue::ObjectGroup(g.into()));
    let add = |attribute| add_attribute::AddAttributeRequest {
        unique_identifier: Some(uid.clone()),
        attribute,
    };
    let first = c.add_attribute(add(group("a"))).await.unwrap().attribute;
    assert_eq!(first.index, Some(0));
    let second = c.add_attribute(add(group("b"))).await.unwrap().attribute;
    assert_eq!(second.index, Some(1));
    let modify = |attribute| modify_attribute::ModifyAttributeRequest {
        unique_identifier: Some(uid.clone()),
        attribute,
    };
    let changed = c.modify_attribute(modify(group("a2"))).await.unwrap().attribute;
    assert_eq!(
        (changed.index, changed.value),
        (Some(0), AttributeValue::ObjectGroup("a2".into()))
    );
    let second = Attribute {
        index: Some(1),
        ..group("b2")
    };
    assert_eq!(
        c.modify_attribute(modify(second)).await.unwrap().attribute.index,
        Some(1)
    );
    server.stop().await;
}
