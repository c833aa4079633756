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

fn locate_by(value: AttributeValue) -> kmip_codec::messages::ops::locate::LocateRequest {
    kmip_codec::messages::ops::locate::LocateRequest {
        attributes: vec![Attribute::new(value)],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_registered_certificate_has_its_type_and_length_and_is_found_by_type() {
    use kmip_codec::enums::{CertificateType, ObjectType};
    use kmip_codec::messages::ops::register::RegisterRequest;
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let der = rcgen::generate_simple_self_signed(vec!["device.example".into()])
        .unwrap()
        .cert
        .der()
        .to_vec();
    let uid = c
        .register(RegisterRequest {
            object_type: ObjectType::Certificate,
            template_attribute: TemplateAttribute::default(),
            object: Object::Certificate(common::keys::x509(&der)),
        })
        .await
        .unwrap()
        .unique_identifier;
    let attrs = attributes(&mut c, &uid).await;
    let has = |v: AttributeValue| attrs.iter().any(|a| a.value == v);
    assert!(
        has(AttributeValue::CertificateType(CertificateType::X_509)),
        "{attrs:?}"
    );
    assert!(has(AttributeValue::CertificateLength(
        i32::try_from(der.len()).unwrap()
    )));
    let found = c
        .locate(locate_by(AttributeValue::CertificateType(CertificateType::X_509)))
        .await
        .unwrap()
        .unique_identifiers;
    assert_eq!(found, [uid]);
    server.stop().await;
}

#[tokio::test]
async fn register_takes_where_an_object_came_from_and_notes_an_absent_key_value() {
    use kmip_codec::enums::*;
    use kmip_codec::messages::ops::{add_attribute, register::RegisterRequest};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let made = AttributeValue::OriginalCreationDate(DateTime(1_500_000_000));
    let rng = AttributeValue::RandomNumberGenerator(RNGParameters {
        rng_algorithm: RNGAlgorithm::ANSIX9_31,
        cryptographic_algorithm: Some(CryptographicAlgorithm::DES3),
        cryptographic_length: None,
        hashing_algorithm: None,
        drbg_algorithm: None,
        recommended_curve: None,
        fips186_variation: None,
        prediction_resistance: None,
    });
    let secret = |attributes: Vec<Attribute>, key_value| RegisterRequest {
        object_type: ObjectType::SecretData,
        template_attribute: TemplateAttribute {
            attributes,
            ..Default::default()
        },
        object: Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Seed,
            key_block: KeyBlock {
                key_value,
                ..raw_key(KeyFormatType::Opaque, b"seed", None)
            },
        }),
    };
    let with_value = raw_key(KeyFormatType::Opaque, b"seed", None).key_value;
    let uid = c
        .register(secret(
            vec![Attribute::new(made.clone()), Attribute::new(rng.clone())],
            with_value.clone(),
        ))
        .await
        .expect("section 3.43 and 3.44 let a client give both in Register")
        .unique_identifier;
    let attrs = attributes(&mut c, &uid).await;
    assert!(attrs.iter().any(|a| a.value == made), "{attrs:?}");
    assert!(attrs.iter().any(|a| a.value == rng), "{attrs:?}");
    assert!(
        !attrs.iter().any(|a| a.name == "Key Value Present"),
        "the value is here"
    );
    // Once set, never again; and not at all in Create.
    let again = c
        .add_attribute(add_attribute::AddAttributeRequest {
            unique_identifier: Some(uid.clone()),
            attribute: Attribute::new(made.clone()),
        })
        .await;
    assert_eq!(common::refusal(again), Some(ResultReason::PermissionDenied));
    let mut create = common::objects::aes(vec![Attribute::new(made.clone())]);
    create.template_attribute.names.clear();
    assert_eq!(
        common::refusal(c.create(create).await),
        Some(ResultReason::PermissionDenied)
    );
    // Registered without a key value (its metadata only): Key Value Present is False.
    let bare = c.register(secret(vec![], None)).await.unwrap().unique_identifier;
    let attrs = attributes(&mut c, &bare).await;
    assert!(
        attrs.iter().any(|a| a.value == AttributeValue::KeyValuePresent(false)),
        "{attrs:?}"
    );
    // A later Add may say where it came from, once.
    c.add_attribute(add_attribute::AddAttributeRequest {
        unique_identifier: Some(bare.clone()),
        attribute: Attribute::new(rng.clone()),
    })
    .await
    .expect("no generator was named at Register");
    server.stop().await;
}
