//! The sequences real clients send (../shared/CLIENTS.md), each replayed
//! over TLS with the client's protocol version, and the scope boundary
//! seen from the wire.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{activate, attr, get, name, raw_key, TestServer};
use kmip_client::{Client, ClientError};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

fn template(attributes: Vec<Attribute>) -> TemplateAttribute {
    TemplateAttribute {
        names: vec![],
        attributes,
    }
}

fn aes256(extra: Vec<Attribute>) -> create::CreateRequest {
    let mut attributes = vec![
        attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
        attr(AttributeValue::CryptographicLength(256)),
        attr(AttributeValue::CryptographicUsageMask(
            CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
        )),
    ];
    attributes.extend(extra);
    create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: template(attributes),
    }
}

fn get_attributes(uid: &str, names: &[&str]) -> get_attributes::GetAttributesRequest {
    get_attributes::GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: names.iter().map(|n| (*n).to_owned()).collect(),
    }
}

fn material(object: &Object) -> Vec<u8> {
    let block = match object {
        Object::SymmetricKey(k) => &k.key_block,
        Object::SecretData(k) => &k.key_block,
        other => panic!("unexpected object {other:?}"),
    };
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => b.to_vec(),
        other => panic!("unexpected key value {other:?}"),
    }
}

fn state_of(r: &get_attributes::GetAttributesResponse) -> State {
    r.attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::State(s) => Some(s),
            _ => None,
        })
        .expect("a State attribute")
}

async fn connect(server: &TestServer, minor: i32) -> Client {
    let mut c = server.admin_client().await;
    c.set_version(ProtocolVersion::new(1, minor));
    c
}

#[tokio::test]
async fn mongodb_master_key_with_a_connection_per_operation() {
    let server = TestServer::start().await;
    // Create carries only algorithm, length and usage mask; version 1.2.
    let uid = connect(&server, 2)
        .await
        .create(aes256(vec![]))
        .await
        .unwrap()
        .unique_identifier;
    // Get before Activate.
    let key = connect(&server, 2).await.get(get(&uid)).await.unwrap();
    assert_eq!(material(&key.object).len(), 32);
    connect(&server, 2)
        .await
        .activate(activate::ActivateRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .unwrap();
    let attrs = connect(&server, 2)
        .await
        .get_attributes(get_attributes(&uid, &["State"]))
        .await
        .unwrap();
    assert_eq!(state_of(&attrs), State::Active);
    // Later polls see the same key.
    let again = connect(&server, 2).await.get(get(&uid)).await.unwrap();
    assert_eq!(material(&again.object), material(&key.object));
    server.stop().await;
}

#[tokio::test]
async fn libmongocrypt_registers_a_96_byte_seed_in_opaque_format() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 0).await;
    let seed: Vec<u8> = (0..96u8).collect();
    let uid = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: template(vec![attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask(0),
            ))]),
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Seed,
                key_block: raw_key(KeyFormatType::Opaque, &seed, None),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &uid).await;
    let got = c.get(get(&uid)).await.unwrap();
    let Object::SecretData(secret) = &got.object else {
        panic!("Secret Data")
    };
    assert_eq!(secret.key_block.key_format_type, KeyFormatType::Opaque, "as registered");
    assert_eq!(material(&got.object), seed);
    server.stop().await;
}

#[tokio::test]
async fn pg_tde_never_activates_and_locates_by_exact_name() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 4).await;
    let key = [0x11u8; 32];
    let register = |n: &str| register::RegisterRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: template(vec![
            attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
            )),
            name(n),
        ]),
        object: Object::SymmetricKey(SymmetricKey {
            key_block: raw_key(KeyFormatType::Raw, &key, Some((CryptographicAlgorithm::AES, 256))),
        }),
    };
    let uid = c
        .register(register("tde_principal_key"))
        .await
        .unwrap()
        .unique_identifier;
    c.register(register("tde_principal_key_2")).await.unwrap();
    let found = c
        .locate(locate::LocateRequest {
            maximum_items: Some(16),
            attributes: vec![
                attr(AttributeValue::ObjectType(ObjectType::SymmetricKey)),
                name("tde_principal_key"),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        found.unique_identifiers,
        std::slice::from_ref(&uid),
        "exact match, not prefix"
    );
    let got = c.get(get(&uid)).await.unwrap();
    assert_eq!(material(&got.object), key, "Get works on a Pre-Active key");
    server.stop().await;
}

#[tokio::test]
async fn vcenter_custom_attributes_in_one_batch() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 1).await;
    let uid = c.create(aes256(vec![])).await.unwrap().unique_identifier;
    // An absent custom attribute: success with an empty list.
    let absent = c
        .get_attributes(get_attributes(&uid, &["x-Product_Version"]))
        .await
        .unwrap();
    assert!(absent.attributes.is_empty());
    let add = |n: &str, v: &str| {
        RequestPayload::AddAttribute(add_attribute::AddAttributeRequest {
            unique_identifier: Some(uid.clone()),
            attribute: Attribute {
                name: n.into(),
                index: None,
                value: AttributeValue::Custom(kmip_codec::Ttlv::new(
                    kmip_codec::Tag::AttributeValue,
                    kmip_codec::Value::TextString(v.into()),
                )),
            },
        })
    };
    let results = c
        .batch(vec![
            add("x-Product_Version", "8.0"),
            add("x-Vendor", "VMware"),
            add("x-Product", "vCenter"),
        ])
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let attrs = c
        .get_attributes(get_attributes(&uid, &["x-Vendor", "x-Product"]))
        .await
        .unwrap();
    let names: Vec<&str> = attrs.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["x-Vendor", "x-Product"], "in the order asked");
    activate(&mut c, &uid).await;
    c.get(get(&uid)).await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn mysql_lifecycle_and_destroy_of_an_active_key_refused() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 1).await;
    let uid = c.create(aes256(vec![])).await.unwrap().unique_identifier;
    activate(&mut c, &uid).await;
    c.get(get(&uid)).await.unwrap();
    let destroy = || destroy::DestroyRequest {
        unique_identifier: Some(uid.clone()),
    };
    assert_eq!(
        common::refusal(c.destroy(destroy()).await),
        Some(ResultReason::PermissionDenied),
        "an Active key must not be destroyed"
    );
    c.revoke(revoke::RevokeRequest {
        unique_identifier: Some(uid.clone()),
        revocation_reason: RevocationReason {
            code: RevocationReasonCode::Unspecified,
            message: None,
        },
        compromise_occurrence_date: None,
    })
    .await
    .unwrap();
    c.destroy(destroy()).await.unwrap();
    let attrs = c
        .get_attributes(get_attributes(&uid, &["State", "Destroy Date"]))
        .await
        .unwrap();
    assert_eq!(state_of(&attrs), State::Destroyed);
    assert_eq!(attrs.attributes.len(), 2, "metadata kept, Destroy Date set");
    assert_eq!(
        common::refusal(c.get(get(&uid)).await),
        Some(ResultReason::ItemNotFound),
        "the material is gone (Key Value Not Present is 1.2; a 1.1 client reads Item Not Found)"
    );
    server.stop().await;
}

#[tokio::test]
async fn fortigate_batched_locates_and_gets_with_username_password() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 0).await;
    let register = |n: &str, alg: CryptographicAlgorithm, bytes: &[u8]| {
        RequestPayload::Register(register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: template(vec![
                attr(AttributeValue::CryptographicUsageMask(CryptographicUsageMask::Encrypt)),
                name(n),
            ]),
            object: Object::SymmetricKey(SymmetricKey {
                key_block: raw_key(KeyFormatType::Raw, bytes, Some((alg, bytes.len() as i32 * 8))),
            }),
        })
    };
    c.call(register("fgt-aes", CryptographicAlgorithm::AES, &[1; 16]))
        .await
        .unwrap();
    c.call(register("fgt-hmac", CryptographicAlgorithm::HMAC_SHA1, &[2; 20]))
        .await
        .unwrap();
    let locate = |n: &str| {
        RequestPayload::Locate(locate::LocateRequest {
            attributes: vec![name(n)],
            ..Default::default()
        })
    };
    let mut request = c.request(vec![locate("fgt-aes"), locate("fgt-hmac")]);
    request.header.authentication = Some(Authentication {
        credentials: vec![Credential::UsernameAndPassword(UsernameAndPassword {
            username: "fortigate".into(),
            password: Some("ignored".into()),
        })],
    });
    let response = c.send(&request).await.unwrap();
    let uids: Vec<String> = response
        .batch_items
        .into_iter()
        .map(|i| match i.payload {
            Some(ResponsePayload::Locate(l)) => l.unique_identifiers[0].clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let got = c
        .batch(uids.iter().map(|u| RequestPayload::Get(get(u))).collect())
        .await
        .unwrap();
    let lens: Vec<usize> = got
        .into_iter()
        .map(|r| match r.unwrap() {
            ResponsePayload::Get(g) => material(&g.object).len(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lens, [16, 20]);
    server.stop().await;
}

#[tokio::test]
async fn the_id_placeholder_links_items_of_one_batch() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 4).await;
    let no_uid = get::GetRequest {
        unique_identifier: None,
        ..get("unused")
    };
    let mut request = c.request(vec![
        RequestPayload::Create(aes256(vec![])),
        RequestPayload::Get(no_uid.clone()),
    ]);
    request.header.batch_order_option = Some(true);
    let response = c.send(&request).await.unwrap();
    let Some(ResponsePayload::Create(created)) = &response.batch_items[0].payload else {
        panic!()
    };
    let Some(ResponsePayload::Get(got)) = &response.batch_items[1].payload else {
        panic!("{response:?}")
    };
    assert_eq!(got.unique_identifier, created.unique_identifier);
    // Without an earlier item, there is nothing to stand in for the UID.
    assert_eq!(common::refusal(c.get(no_uid).await), Some(ResultReason::InvalidField));
    server.stop().await;
}

#[tokio::test]
async fn another_scope_cannot_see_or_touch_an_object() {
    let server = TestServer::start().await;
    let (finance, _) = server.credential("finance", "app", "operation_all");
    let (hr, _) = server.credential("hr", "app", "operation_all");
    let mut a = server.connect(&finance).await.unwrap();
    let mut b = server.connect(&hr).await.unwrap();
    let uid = a.create(aes256(vec![name("payroll")])).await.unwrap().unique_identifier;
    for result in [
        b.get(get(&uid)).await.map(|_| ()),
        b.get_attributes(get_attributes(&uid, &[])).await.map(|_| ()),
        b.activate(activate::ActivateRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .map(|_| ()),
        b.destroy(destroy::DestroyRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .map(|_| ()),
    ] {
        match result {
            Err(ClientError::Failed { reason, message }) => {
                assert_eq!(reason, Some(ResultReason::ItemNotFound));
                assert_eq!(
                    message.as_deref(),
                    Some(format!("no object {uid}").as_str()),
                    "same as a missing one"
                );
            }
            other => panic!("another scope's object must be invisible: {other:?}"),
        }
    }
    let located = b
        .locate(locate::LocateRequest {
            attributes: vec![name("payroll")],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(located.unique_identifiers.is_empty());
    assert!(a.get(get(&uid)).await.is_ok(), "its own scope still sees it");
    server.stop().await;
}

#[tokio::test]
async fn no_key_byte_is_readable_in_the_data_directory() {
    let server = TestServer::start().await;
    let mut c = connect(&server, 4).await;
    // A recognisable key: 32 bytes no database page would contain by chance.
    let key: Vec<u8> = b"KMIP-AT-REST-CANARY-0123456789AB".to_vec();
    let uid = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: template(vec![attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Encrypt,
            ))]),
            object: Object::SymmetricKey(SymmetricKey {
                key_block: raw_key(KeyFormatType::Raw, &key, Some((CryptographicAlgorithm::AES, 256))),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    let generated = c.create(aes256(vec![])).await.unwrap().unique_identifier;
    let generated_key = material(&c.get(get(&generated)).await.unwrap().object);
    assert_eq!(material(&c.get(get(&uid)).await.unwrap().object), key, "it is stored");
    // A generated private key, used once (so it has been parsed and cached
    // in memory): its secret exponent must not reach the disk either.
    let pair = c
        .create_key_pair(create_key_pair::CreateKeyPairRequest {
            common_template_attribute: Some(template(vec![
                attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::RSA)),
                attr(AttributeValue::CryptographicLength(2048)),
            ])),
            private_key_template_attribute: Some(template(vec![attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Sign,
            ))])),
            public_key_template_attribute: Some(template(vec![attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Verify,
            ))])),
        })
        .await
        .unwrap();
    let private = pair.private_key_unique_identifier;
    c.activate(activate::ActivateRequest {
        unique_identifier: Some(private.clone()),
    })
    .await
    .unwrap();
    c.sign(sign::SignRequest {
        unique_identifier: Some(private.clone()),
        data: Some(Bytes::new(b"x".to_vec())),
        ..Default::default()
    })
    .await
    .unwrap();
    let transparent = c
        .get(get::GetRequest {
            key_format_type: Some(KeyFormatType::TransparentRSAPrivateKey),
            ..get(&private)
        })
        .await
        .unwrap()
        .object;
    let Some(KeyValue::Plain {
        key_material: KeyMaterial::RSAPrivate(rsa),
        ..
    }) = &transparent.key_block().unwrap().key_value
    else {
        panic!("a transparent RSA private key")
    };
    let exponent = rsa.private_exponent.clone().unwrap().0.to_vec();
    let mut scanned = 0;
    for entry in walk(&server.config.data_dir) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in [
            &key[..],
            &generated_key[..],
            &key[..16],
            &generated_key[..16],
            &exponent[8..40],
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "key bytes found in {}",
                entry.display()
            );
        }
        scanned += 1;
    }
    assert!(scanned >= 3, "database, WAL and audit log were scanned");
    server.stop().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.is_file() {
            // Not the control socket: it holds nothing and cannot be read.
            out.push(p);
        }
    }
    out
}
