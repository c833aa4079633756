//! Properties over TLS: whatever valid attributes a client registers an
//! object with, the answer is success or a specific refusal, never General
//! Failure (which would mean the server broke, as a UNIQUE constraint once
//! did on several Application Specific Information instances).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{raw_key, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::register::RegisterRequest;
use kmip_codec::messages::*;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z0-9 ./-]{1,12}", "\\PC{1,8}"]
}

fn date() -> impl Strategy<Value = DateTime> {
    prop_oneof![
        Just(DateTime(0)),
        Just(DateTime(i64::MAX)),
        Just(DateTime(i64::MIN)),
        any::<i64>().prop_map(DateTime)
    ]
}

/// An enumeration value of `def`, or an unnamed one now and then.
fn value_of(def: &'static kmip_codec::enums::EnumDef) -> impl Strategy<Value = u32> {
    let named: Vec<u32> = def.values.iter().map(|v| v.value).collect();
    prop_oneof![9 => proptest::sample::select(named), 1 => any::<u32>()]
}

/// A value of each attribute a client may give when registering.
fn value() -> impl Strategy<Value = AttributeValue> {
    use AttributeValue as V;
    prop_oneof![
        (text(), value_of(NameType::DEF)).prop_map(|(value, t)| V::Name(Name {
            value,
            name_type: NameType(t)
        })),
        text().prop_map(V::ObjectGroup),
        text().prop_map(V::ContactInformation),
        text().prop_map(V::Description),
        text().prop_map(V::Comment),
        text().prop_map(V::OperationPolicyName),
        (text(), proptest::option::of(text())).prop_map(|(application_namespace, application_data)| {
            V::ApplicationSpecificInformation(ApplicationSpecificInformation {
                application_namespace,
                application_data,
            })
        }),
        (value_of(LinkType::DEF), text()).prop_map(|(t, linked_object_identifier)| V::Link(Link {
            link_type: LinkType(t),
            linked_object_identifier
        })),
        (text(), value_of(AlternativeNameType::DEF)).prop_map(|(value, t)| V::AlternativeName(AlternativeName {
            value,
            name_type: AlternativeNameType(t)
        })),
        (text(), value_of(KeyValueLocationType::DEF)).prop_map(|(value, t)| V::KeyValueLocation(KeyValueLocation {
            value,
            location_type: KeyValueLocationType(t)
        })),
        (
            proptest::option::of(value_of(BlockCipherMode::DEF)),
            proptest::option::of(value_of(PaddingMethod::DEF)),
            proptest::option::of(any::<i32>())
        )
            .prop_map(
                |(mode, padding, tag)| V::CryptographicParameters(CryptographicParameters {
                    block_cipher_mode: mode.map(BlockCipherMode),
                    padding_method: padding.map(PaddingMethod),
                    tag_length: tag,
                    ..Default::default()
                })
            ),
        any::<u32>().prop_map(|m| V::CryptographicUsageMask(CryptographicUsageMask(m))),
        value_of(CryptographicAlgorithm::DEF).prop_map(|a| V::CryptographicAlgorithm(CryptographicAlgorithm(a))),
        any::<i32>().prop_map(V::CryptographicLength),
        (
            any::<i64>(),
            proptest::option::of(any::<i64>()),
            value_of(UsageLimitsUnit::DEF)
        )
            .prop_map(|(total, count, unit)| V::UsageLimits(UsageLimits {
                total,
                count,
                unit: UsageLimitsUnit(unit)
            })),
        date().prop_map(V::ActivationDate),
        date().prop_map(V::ProcessStartDate),
        date().prop_map(V::ProtectStopDate),
        date().prop_map(V::DeactivationDate),
        date().prop_map(V::OriginalCreationDate),
        any::<bool>().prop_map(V::Sensitive),
        any::<bool>().prop_map(V::Extractable),
        any::<bool>().prop_map(V::Fresh),
        text().prop_map(|t| V::Custom(kmip_codec::Ttlv::new(
            kmip_codec::Tag::AttributeValue,
            kmip_codec::Value::TextString(t)
        ))),
    ]
}

fn attribute() -> impl Strategy<Value = Attribute> {
    let index = prop_oneof![
        4 => Just(None),
        2 => Just(Some(0)),
        2 => (0..4i32).prop_map(Some),
        1 => Just(Some(i32::MAX)),
        1 => Just(Some(-1)),
    ];
    (value(), index).prop_map(|(value, index)| match value {
        AttributeValue::Custom(_) => Attribute {
            name: "x-prop".into(),
            index,
            value,
        },
        value => Attribute {
            index,
            ..Attribute::new(value)
        },
    })
}

#[test]
fn register_with_any_valid_attributes_is_never_a_general_failure() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start());
    // proptest! takes an Fn closure: the one connection is borrowed in turn.
    let c = std::cell::RefCell::new(
        kmip_client::blocking::Client::connect(&server.addr, "localhost", &server.admin).unwrap(),
    );
    let config = ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let registered = std::cell::Cell::new(0u32);
    proptest!(config, |(attributes in proptest::collection::vec(attribute(), 0..8))| {
        let request = RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: TemplateAttribute { names: vec![], attributes: attributes.clone() },
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Password,
                key_block: raw_key(KeyFormatType::Opaque, b"s3cret", None),
            }),
        };
        let answer = c.borrow_mut().register(request);
        match answer {
            Ok(_) => registered.set(registered.get() + 1),
            Err(kmip_client::ClientError::Failed { reason, message, .. }) => {
                prop_assert_ne!(reason, Some(ResultReason::GeneralFailure), "{:?}: {:?}", attributes, message);
            }
            Err(other) => prop_assert!(false, "{:?}: {:?}", attributes, other),
        }
    });
    // Most random sets are valid ones: the property is not met by refusing all.
    assert!(registered.get() >= 24, "only {} of 96 registered", registered.get());
    runtime.block_on(server.stop());
}
