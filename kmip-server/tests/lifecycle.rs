//! Re-key, Check, Obtain Lease, Get Usage Allocation and time-driven state
//! changes, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::time::Duration;

use common::{activate, attr, name, TestServer};
use kmip_client::{Client, ClientError};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

fn aes(extra: Vec<Attribute>) -> create::CreateRequest {
    aes_for(CryptographicUsageMask::Encrypt, extra)
}

/// A key-encryption key: it may wrap and unwrap other keys.
fn kek() -> create::CreateRequest {
    aes_for(
        CryptographicUsageMask::WrapKey | CryptographicUsageMask::UnwrapKey,
        vec![],
    )
}

fn aes_for(mask: CryptographicUsageMask, extra: Vec<Attribute>) -> create::CreateRequest {
    let mut attributes = vec![
        attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
        attr(AttributeValue::CryptographicLength(256)),
        attr(AttributeValue::CryptographicUsageMask(mask)),
    ];
    attributes.extend(extra);
    create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes,
        },
    }
}

async fn attributes(c: &mut Client, uid: &str) -> Vec<Attribute> {
    c.get_attributes(get_attributes::GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: vec![],
    })
    .await
    .unwrap()
    .attributes
}

fn state(attrs: &[Attribute]) -> State {
    attrs
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::State(s) => Some(s),
            _ => None,
        })
        .unwrap()
}

fn links(attrs: &[Attribute]) -> Vec<(LinkType, String)> {
    attrs
        .iter()
        .filter_map(|a| match &a.value {
            AttributeValue::Link(l) => Some((l.link_type, l.linked_object_identifier.clone())),
            _ => None,
        })
        .collect()
}

async fn material(c: &mut Client, uid: &str) -> Vec<u8> {
    let got = c.get(common::get(uid)).await.unwrap();
    match got.object {
        Object::SymmetricKey(k) => match k.key_block.key_value {
            Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(b),
                ..
            }) => b.to_vec(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

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
async fn states_follow_their_dates_without_a_client_asking() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let now = kmip_server::store::unix_now();
    let uid = c
        .create(aes(vec![
            attr(AttributeValue::ActivationDate(DateTime(now + 1))),
            attr(AttributeValue::DeactivationDate(DateTime(now + 3))),
        ]))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(state(&attributes(&mut c, &uid).await), State::PreActive);
    let mut seen = vec![];
    for _ in 0..60 {
        let s = state(&attributes(&mut c, &uid).await);
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        if s == State::Deactivated {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, [State::PreActive, State::Active, State::Deactivated]);
    server.stop().await;
}

#[tokio::test]
async fn check_lease_and_usage_allocation() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c
        .create(aes(vec![attr(AttributeValue::UsageLimits(UsageLimits {
            total: 100,
            count: None,
            unit: UsageLimitsUnit::Object,
        }))]))
        .await
        .unwrap()
        .unique_identifier;
    let check = |mask| check::CheckRequest {
        unique_identifier: Some(uid.clone()),
        cryptographic_usage_mask: Some(mask),
        ..Default::default()
    };
    c.check(check(CryptographicUsageMask::Encrypt)).await.unwrap();
    assert_eq!(
        common::refusal(c.check(check(CryptographicUsageMask::Sign)).await),
        Some(ResultReason::PermissionDenied),
        "Sign is not in the key's mask"
    );
    let lease = c
        .obtain_lease(obtain_lease::ObtainLeaseRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .unwrap();
    assert_eq!(lease.lease_time, Interval(3600));
    let allocate = |n| get_usage_allocation::GetUsageAllocationRequest {
        unique_identifier: Some(uid.clone()),
        usage_limits_count: n,
    };
    c.get_usage_allocation(allocate(60)).await.unwrap();
    match c.get_usage_allocation(allocate(60)).await {
        Err(ClientError::Failed { reason, message }) => {
            assert_eq!(reason, Some(ResultReason::PermissionDenied));
            assert_eq!(
                message.as_deref(),
                Some("only 40 units of usage remain, 60 were asked for")
            );
        }
        other => panic!("{other:?}"),
    }
    let plain = c.create(aes(vec![])).await.unwrap().unique_identifier;
    assert_eq!(
        common::refusal(
            c.get_usage_allocation(get_usage_allocation::GetUsageAllocationRequest {
                unique_identifier: Some(plain),
                usage_limits_count: 1,
            })
            .await
        ),
        Some(ResultReason::IllegalOperation)
    );
    server.stop().await;
}

#[tokio::test]
async fn get_wraps_a_key_with_another_active_aes_key() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let kek = c.create(kek()).await.unwrap().unique_identifier;
    let key = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let wrapped_get = |encoding, mode| get::GetRequest {
        unique_identifier: Some(key.clone()),
        key_wrapping_specification: Some(KeyWrappingSpecification {
            wrapping_method: WrappingMethod::Encrypt,
            encryption_key_information: Some(EncryptionKeyInformation {
                unique_identifier: kek.clone(),
                cryptographic_parameters: Some(CryptographicParameters {
                    block_cipher_mode: Some(mode),
                    ..Default::default()
                }),
            }),
            mac_signature_key_information: None,
            attribute_names: vec![],
            encoding_option: encoding,
        }),
        ..Default::default()
    };
    assert_eq!(
        common::refusal(c.get(wrapped_get(None, BlockCipherMode::NISTKeyWrap)).await),
        Some(ResultReason::PermissionDenied),
        "a Pre-Active wrapping key must not wrap"
    );
    activate(&mut c, &kek).await;
    // An Active key whose usage mask lacks Wrap Key wraps nothing.
    let encrypt_only = c.create(aes(vec![])).await.unwrap().unique_identifier;
    activate(&mut c, &encrypt_only).await;
    let mut request = wrapped_get(None, BlockCipherMode::NISTKeyWrap);
    if let Some(info) = request
        .key_wrapping_specification
        .as_mut()
        .and_then(|s| s.encryption_key_information.as_mut())
    {
        info.unique_identifier = encrypt_only;
    }
    assert_eq!(
        common::refusal(c.get(request).await),
        Some(ResultReason::PermissionDenied)
    );
    let (plain, kek_bytes) = (material(&mut c, &key).await, material(&mut c, &kek).await);
    let wrapped_bytes = |o: Object| match o {
        Object::SymmetricKey(k) => {
            assert!(k.key_block.key_wrapping_data.is_some());
            match k.key_block.key_value {
                Some(KeyValue::Wrapped(b)) => b.to_vec(),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    };
    // No Encoding: the raw key, RFC 3394.
    let raw = wrapped_bytes(
        c.get(wrapped_get(
            Some(EncodingOption::NoEncoding),
            BlockCipherMode::NISTKeyWrap,
        ))
        .await
        .unwrap()
        .object,
    );
    assert_eq!(
        kmip_server::crypto::aes_unwrap(&kek_bytes, &raw, false)
            .unwrap()
            .as_slice(),
        plain.as_slice()
    );
    // The default TTLV encoding, RFC 5649: the Key Value structure.
    let ttlv = wrapped_bytes(
        c.get(wrapped_get(None, BlockCipherMode::AESKeyWrapPadding))
            .await
            .unwrap()
            .object,
    );
    let inner = kmip_server::crypto::aes_unwrap(&kek_bytes, &ttlv, true).unwrap();
    let tree = kmip_codec::Ttlv::from_bytes(&inner, &Default::default()).unwrap();
    assert_eq!(tree.tag, kmip_codec::Tag::KeyValue);
    match &tree.child(kmip_codec::Tag::KeyMaterial).unwrap().value {
        kmip_codec::Value::ByteString(b) => assert_eq!(&b[..], plain.as_slice()),
        other => panic!("{other:?}"),
    }
    // Importing a wrapped copy: Not Wrapped unwraps it on the way in;
    // without a Key Wrap Type it is kept as provided.
    let wrapped_object = c
        .get(wrapped_get(None, BlockCipherMode::AESKeyWrapPadding))
        .await
        .unwrap()
        .object;
    let import = |uid: &str, key_wrap_type, object: &Object| import::ImportRequest {
        unique_identifier: uid.into(),
        replace_existing: None,
        key_wrap_type,
        attributes: vec![
            attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
            attr(AttributeValue::CryptographicLength(256)),
        ],
        object: object.clone(),
    };
    c.import(import("unwrapped-copy", Some(KeyWrapType::NotWrapped), &wrapped_object))
        .await
        .unwrap();
    assert_eq!(material(&mut c, "unwrapped-copy").await, plain);
    c.import(import("wrapped-copy", None, &wrapped_object)).await.unwrap();
    let as_provided = c.get(common::get("wrapped-copy")).await.unwrap().object;
    assert_eq!(as_provided, wrapped_object, "kept as provided");
    // A wrapping key that is not available fails the import, storing nothing.
    let mut orphan = wrapped_object.clone();
    if let Some(info) = orphan
        .key_block_mut()
        .and_then(|b| b.key_wrapping_data.as_mut())
        .and_then(|d| d.encryption_key_information.as_mut())
    {
        info.unique_identifier = "no-such-key".into();
    }
    assert_eq!(
        common::refusal(c.import(import("orphan", Some(KeyWrapType::NotWrapped), &orphan)).await),
        Some(ResultReason::ItemNotFound)
    );
    assert_eq!(
        common::refusal(
            c.get_attributes(get_attributes::GetAttributesRequest {
                unique_identifier: Some("orphan".into()),
                attribute_names: vec![],
            })
            .await
        ),
        Some(ResultReason::ItemNotFound)
    );
    server.stop().await;
}

#[tokio::test]
async fn archived_objects_leave_on_line_storage_until_recovered() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c.create(aes(vec![name("tape-7")])).await.unwrap().unique_identifier;
    c.archive(archive::ArchiveRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    let locate = |mask: Option<StorageStatusMask>| locate::LocateRequest {
        storage_status_mask: mask,
        attributes: vec![name("tape-7")],
        ..Default::default()
    };
    assert!(
        c.locate(locate(None)).await.unwrap().unique_identifiers.is_empty(),
        "not on-line"
    );
    let archived = c
        .locate(locate(Some(StorageStatusMask::ArchivalStorage)))
        .await
        .unwrap();
    assert_eq!(archived.unique_identifiers, std::slice::from_ref(&uid));
    assert_eq!(
        common::refusal(c.get(common::get(&uid)).await),
        Some(ResultReason::ObjectArchived),
        "an archived object cannot be used"
    );
    assert!(
        attributes(&mut c, &uid).await.iter().any(|a| a.name == "Archive Date"),
        "its metadata stays readable"
    );
    c.recover(recover::RecoverRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    assert_eq!(material(&mut c, &uid).await.len(), 32);
    assert_eq!(c.locate(locate(None)).await.unwrap().unique_identifiers, [uid]);
    server.stop().await;
}

#[tokio::test]
async fn export_then_import_moves_an_object_with_its_attributes() {
    let (source, target) = (TestServer::start().await, TestServer::start().await);
    let mut a = source.admin_client().await;
    let mut b = target.admin_client().await;
    let uid = a.create(aes(vec![name("moving")])).await.unwrap().unique_identifier;
    a.activate(activate::ActivateRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    let exported = a
        .export(export::ExportRequest {
            unique_identifier: Some(uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let import = |replace| import::ImportRequest {
        unique_identifier: uid.clone(),
        replace_existing: replace,
        key_wrap_type: None,
        attributes: exported.attributes.clone(),
        object: exported.object.clone(),
    };
    b.import(import(None)).await.unwrap();
    assert_eq!(material(&mut b, &uid).await, material(&mut a, &uid).await);
    assert_eq!(state(&attributes(&mut b, &uid).await), State::Active);
    assert_eq!(
        common::refusal(b.import(import(None)).await),
        Some(ResultReason::ObjectAlreadyExists)
    );
    b.import(import(Some(true))).await.unwrap();
    source.stop().await;
    target.stop().await;
}

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
async fn a_key_registered_wrapped_comes_back_as_registered_or_unwrapped() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let kek = c.create(kek()).await.unwrap().unique_identifier;
    activate(&mut c, &kek).await;
    let kek_bytes = material(&mut c, &kek).await;
    let secret = vec![0x42u8; 32];
    let mut w = kmip_codec::ttlv::Writer::new();
    KeyValue::Plain {
        key_material: KeyMaterial::Bytes(Bytes::new(secret.clone())),
        attributes: vec![],
    }
    .write(&mut w);
    let wrapped = kmip_server::crypto::aes_wrap(&kek_bytes, &w.into_bytes(), false).unwrap();
    let uid = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(
                    CryptographicUsageMask::Encrypt,
                ))],
            },
            object: Object::SymmetricKey(SymmetricKey {
                key_block: KeyBlock {
                    key_format_type: KeyFormatType::Raw,
                    key_compression_type: None,
                    key_value: Some(KeyValue::Wrapped(Bytes::new(wrapped.clone()))),
                    cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
                    cryptographic_length: Some(256),
                    key_wrapping_data: Some(KeyWrappingData {
                        wrapping_method: WrappingMethod::Encrypt,
                        encryption_key_information: Some(EncryptionKeyInformation {
                            unique_identifier: kek.clone(),
                            cryptographic_parameters: None,
                        }),
                        mac_signature_key_information: None,
                        mac_signature: None,
                        iv_counter_nonce: None,
                        encoding_option: None,
                    }),
                },
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    let get = |wrap_type| get::GetRequest {
        unique_identifier: Some(uid.clone()),
        key_wrap_type: wrap_type,
        ..Default::default()
    };
    let as_registered = c.get(get(None)).await.unwrap();
    match as_registered.object.key_block().and_then(|b| b.key_value.clone()) {
        Some(KeyValue::Wrapped(b)) => assert_eq!(b.to_vec(), wrapped),
        other => panic!("{other:?}"),
    }
    let unwrapped = c.get(get(Some(KeyWrapType::NotWrapped))).await.unwrap();
    match unwrapped.object.key_block().and_then(|b| b.key_value.clone()) {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => assert_eq!(b.to_vec(), secret),
        other => panic!("{other:?}"),
    }
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

#[tokio::test]
async fn a_registered_template_supplies_attributes_to_create() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let template = Template {
        attributes: vec![
            attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
            attr(AttributeValue::CryptographicLength(128)),
            attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
            )),
            attr(AttributeValue::ObjectGroup("tape".into())),
        ],
    };
    c.register(register::RegisterRequest {
        object_type: ObjectType::Template,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![name("aes-128")],
        },
        object: Object::Template(template),
    })
    .await
    .unwrap();
    let template_name = |n: &str| Name {
        value: n.into(),
        name_type: NameType::UninterpretedTextString,
    };
    let create = |attributes| create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![template_name("aes-128")],
            attributes,
        },
    };
    let from_template = c.create(create(vec![])).await.unwrap().unique_identifier;
    assert_eq!(material(&mut c, &from_template).await.len(), 16);
    let got = attributes(&mut c, &from_template).await;
    assert!(got
        .iter()
        .any(|a| a.value == AttributeValue::ObjectGroup("tape".into())));
    assert!(
        !got.iter().any(|a| a.name == "Name"),
        "the Template's own Name stays with it"
    );
    // An attribute given explicitly replaces the Template's.
    let longer = c
        .create(create(vec![attr(AttributeValue::CryptographicLength(256))]))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(material(&mut c, &longer).await.len(), 32);
    let missing = create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![template_name("no-such-template")],
            attributes: vec![],
        },
    };
    assert_eq!(
        common::refusal(c.create(missing).await),
        Some(ResultReason::ItemNotFound)
    );
    server.stop().await;
}

#[tokio::test]
async fn undo_puts_back_what_a_failed_batch_changed() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let kept = c.create(aes(vec![name("kept")])).await.unwrap().unique_identifier;
    let before = common::get(&kept);
    let material_before = c.get(before.clone()).await.unwrap().object;
    // Create, rename the kept key, destroy it — then fail on a missing object.
    let items = vec![
        RequestPayload::Create(aes(vec![name("batch-made")])),
        RequestPayload::ModifyAttribute(modify_attribute::ModifyAttributeRequest {
            unique_identifier: Some(kept.clone()),
            attribute: name("renamed"),
        }),
        RequestPayload::Destroy(destroy::DestroyRequest {
            unique_identifier: Some(kept.clone()),
        }),
        RequestPayload::Activate(activate::ActivateRequest {
            unique_identifier: Some("no-such-object".into()),
        }),
    ];
    let mut request = c.request(items);
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Undo);
    let response = c.send(&request).await.unwrap();
    let statuses: Vec<ResultStatus> = response.batch_items.iter().map(|i| i.result_status).collect();
    assert_eq!(
        statuses,
        [
            ResultStatus::OperationUndone,
            ResultStatus::OperationUndone,
            ResultStatus::OperationUndone,
            ResultStatus::OperationFailed
        ]
    );
    // The created key is gone; the kept key has its name, state and material.
    let located = |n: &str| locate::LocateRequest {
        attributes: vec![name(n)],
        ..Default::default()
    };
    assert!(c
        .locate(located("batch-made"))
        .await
        .unwrap()
        .unique_identifiers
        .is_empty());
    assert!(c
        .locate(located("renamed"))
        .await
        .unwrap()
        .unique_identifiers
        .is_empty());
    assert_eq!(c.locate(located("kept")).await.unwrap().unique_identifiers, [kept]);
    assert_eq!(c.get(before).await.unwrap().object, material_before, "not destroyed");
    // Stop, by contrast, keeps what was done before the failure.
    let mut request = c.request(vec![
        RequestPayload::Create(aes(vec![name("stop-made")])),
        RequestPayload::Activate(activate::ActivateRequest {
            unique_identifier: Some("no-such-object".into()),
        }),
    ]);
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Stop);
    c.send(&request).await.unwrap();
    assert_eq!(
        c.locate(located("stop-made")).await.unwrap().unique_identifiers.len(),
        1
    );
    server.stop().await;
}
