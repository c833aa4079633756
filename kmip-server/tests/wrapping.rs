//! Key wrapping on Get and Register: AES Key Wrap, RSA-OAEP, MAC and signature, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::keys::*;
use common::objects::*;
use common::{activate, attr, get, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

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
async fn an_rsa_public_key_wraps_a_key_that_its_private_key_unwraps() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let mut request = key_pair(CryptographicAlgorithm::RSA, 2048);
    let mask = |m| {
        Some(TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicUsageMask(m))],
        })
    };
    request.private_key_template_attribute = mask(CryptographicUsageMask::UnwrapKey | CryptographicUsageMask::Decrypt);
    request.public_key_template_attribute = mask(CryptographicUsageMask::WrapKey);
    let pair = c.create_key_pair(request).await.unwrap();
    let (private, public) = (pair.private_key_unique_identifier, pair.public_key_unique_identifier);
    activate(&mut c, &private).await;
    activate(&mut c, &public).await;
    let key = active_aes(&mut c, both()).await;
    let (_, plain) = key_bytes(&c.get(get(&key)).await.unwrap().object);
    let oaep = CryptographicParameters {
        padding_method: Some(PaddingMethod::OAEP),
        hashing_algorithm: Some(HashingAlgorithm::SHA_256),
        mask_generator_hashing_algorithm: Some(HashingAlgorithm::SHA_256),
        ..CryptographicParameters::default()
    };
    let wrapped = c
        .get(get::GetRequest {
            key_wrapping_specification: Some(KeyWrappingSpecification {
                wrapping_method: WrappingMethod::Encrypt,
                encryption_key_information: Some(EncryptionKeyInformation {
                    unique_identifier: public.clone(),
                    cryptographic_parameters: Some(oaep.clone()),
                }),
                mac_signature_key_information: None,
                attribute_names: vec![],
                encoding_option: Some(EncodingOption::NoEncoding),
            }),
            ..get(&key)
        })
        .await
        .unwrap()
        .object;
    let block = wrapped.key_block().unwrap().clone();
    let Some(KeyValue::Wrapped(ciphertext)) = &block.key_value else {
        panic!("wrapped")
    };
    assert_eq!(ciphertext.len(), 256, "one RSA-2048 block");
    // The private key opens it: by Decrypt, and on Register + Get Not Wrapped.
    let mut open = decrypt(&private, ciphertext, None);
    open.cryptographic_parameters = Some(oaep);
    assert_eq!(c.decrypt(open).await.unwrap().data.unwrap().to_vec(), plain);
    let registered = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(both()))],
            },
            object: Object::SymmetricKey(SymmetricKey { key_block: block }),
        })
        .await
        .unwrap()
        .unique_identifier;
    let unwrapped = c
        .get(get::GetRequest {
            key_wrap_type: Some(KeyWrapType::NotWrapped),
            ..get(&registered)
        })
        .await
        .unwrap()
        .object;
    assert_eq!(key_bytes(&unwrapped).1, plain);
    server.stop().await;
}

#[tokio::test]
async fn keys_wrapped_with_a_mac_or_signature_unwrap_only_when_it_matches() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let key = active_aes(&mut c, both()).await;
    let (_, plain) = key_bytes(&c.get(get(&key)).await.unwrap().object);
    // An AES key-encryption key and an ECDSA signing pair.
    let kek = active_aes(
        &mut c,
        CryptographicUsageMask::WrapKey | CryptographicUsageMask::UnwrapKey,
    )
    .await;
    let mut request = key_pair(CryptographicAlgorithm::EC, 256);
    let mask = |m| {
        Some(TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicUsageMask(m))],
        })
    };
    request.private_key_template_attribute = mask(CryptographicUsageMask::Sign);
    request.public_key_template_attribute = mask(CryptographicUsageMask::Verify);
    let pair = c.create_key_pair(request).await.unwrap();
    activate(&mut c, &pair.private_key_unique_identifier).await;
    activate(&mut c, &pair.public_key_unique_identifier).await;
    let signer = MacSignatureKeyInformation {
        unique_identifier: pair.private_key_unique_identifier.clone(),
        cryptographic_parameters: None,
    };
    let encrypter = EncryptionKeyInformation {
        unique_identifier: kek,
        cryptographic_parameters: None,
    };
    for (method, encryption) in [
        (WrappingMethod::MACSign, None),
        (WrappingMethod::EncryptThenMACSign, Some(encrypter.clone())),
        (WrappingMethod::MACSignThenEncrypt, Some(encrypter.clone())),
    ] {
        let wrapped = c
            .get(get::GetRequest {
                key_wrapping_specification: Some(KeyWrappingSpecification {
                    wrapping_method: method,
                    encryption_key_information: encryption,
                    mac_signature_key_information: Some(signer.clone()),
                    attribute_names: vec![],
                    encoding_option: None,
                }),
                ..get(&key)
            })
            .await
            .unwrap()
            .object;
        let mut block = wrapped.key_block().unwrap().clone();
        assert!(
            block.key_wrapping_data.as_ref().unwrap().mac_signature.is_some(),
            "{method:?}"
        );
        let register = |block: KeyBlock| register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(both()))],
            },
            object: Object::SymmetricKey(SymmetricKey { key_block: block }),
        };
        let unwrapped = |uid: String| get::GetRequest {
            key_wrap_type: Some(KeyWrapType::NotWrapped),
            ..get(&uid)
        };
        let good = c.register(register(block.clone())).await.unwrap().unique_identifier;
        assert_eq!(
            key_bytes(&c.get(unwrapped(good)).await.unwrap().object).1,
            plain,
            "{method:?}"
        );
        // A signature over something else: nothing is unwrapped.
        let data = block.key_wrapping_data.as_mut().unwrap();
        let mut signature = data.mac_signature.clone().unwrap().to_vec();
        let last = signature.len() - 1;
        signature[last] ^= 1;
        data.mac_signature = Some(Bytes::new(signature));
        let bad = c.register(register(block)).await.unwrap().unique_identifier;
        assert_eq!(
            refusal(c.get(unwrapped(bad)).await),
            Some(ResultReason::CryptographicFailure),
            "{method:?}"
        );
    }
    server.stop().await;
}

/// Every wrapping method and encoding a key can be registered in comes
/// back unwrapped when asked: Not Wrapped, Not Wrapped in a named format,
/// and rewrapped under another key.
#[tokio::test]
async fn a_key_registered_wrapped_any_way_comes_back_unwrapped_or_rewrapped() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let key = active_aes(&mut c, both()).await;
    let (_, plain) = key_bytes(&c.get(get(&key)).await.unwrap().object);
    let wrapping = CryptographicUsageMask::WrapKey | CryptographicUsageMask::UnwrapKey;
    let (kek, other_kek) = (active_aes(&mut c, wrapping).await, active_aes(&mut c, wrapping).await);
    let mac_key = c
        .create(create::CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![
                    attr(AttributeValue::CryptographicAlgorithm(
                        CryptographicAlgorithm::HMAC_SHA256,
                    )),
                    attr(AttributeValue::CryptographicLength(256)),
                    attr(AttributeValue::CryptographicUsageMask(
                        CryptographicUsageMask::MACGenerate | CryptographicUsageMask::MACVerify,
                    )),
                ],
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &mac_key).await;
    let encrypter = |uid: &str| EncryptionKeyInformation {
        unique_identifier: uid.to_owned(),
        cryptographic_parameters: None,
    };
    let authenticator = MacSignatureKeyInformation {
        unique_identifier: mac_key.clone(),
        cryptographic_parameters: None,
    };
    let spec = |method, encoding, kek: &str| KeyWrappingSpecification {
        wrapping_method: method,
        encryption_key_information: (method != WrappingMethod::MACSign).then(|| encrypter(kek)),
        mac_signature_key_information: (method != WrappingMethod::Encrypt).then(|| authenticator.clone()),
        attribute_names: vec![],
        encoding_option: encoding,
    };
    let register = |block: KeyBlock| register::RegisterRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicUsageMask(both()))],
        },
        object: Object::SymmetricKey(SymmetricKey { key_block: block }),
    };
    for method in [
        WrappingMethod::Encrypt,
        WrappingMethod::MACSign,
        WrappingMethod::EncryptThenMACSign,
        WrappingMethod::MACSignThenEncrypt,
    ] {
        for encoding in [
            None,
            Some(EncodingOption::TTLVEncoding),
            Some(EncodingOption::NoEncoding),
        ] {
            let case = format!("{method:?} {encoding:?}");
            let wrapped = c
                .get(get::GetRequest {
                    key_wrapping_specification: Some(spec(method, encoding, &kek)),
                    ..get(&key)
                })
                .await
                .unwrap()
                .object;
            let block = wrapped.key_block().unwrap().clone();
            let uid = c.register(register(block)).await.unwrap().unique_identifier;
            let not_wrapped = get::GetRequest {
                key_wrap_type: Some(KeyWrapType::NotWrapped),
                ..get(&uid)
            };
            let back = c.get(not_wrapped.clone()).await.unwrap().object;
            assert_eq!(key_bytes(&back), (KeyFormatType::Raw, plain.clone()), "{case}");
            assert!(back.key_block().unwrap().key_wrapping_data.is_none(), "{case}");
            let raw = c
                .get(get::GetRequest {
                    key_format_type: Some(KeyFormatType::Raw),
                    ..not_wrapped
                })
                .await
                .unwrap_or_else(|e| panic!("{case} in Raw: {e:?}"))
                .object;
            assert_eq!(key_bytes(&raw).1, plain, "{case} in Raw");
            // Rewrapped under another key, it unwraps again to the same key.
            let rewrapped = c
                .get(get::GetRequest {
                    key_wrapping_specification: Some(spec(WrappingMethod::Encrypt, None, &other_kek)),
                    ..get(&uid)
                })
                .await
                .unwrap_or_else(|e| panic!("{case} rewrapped: {e:?}"))
                .object;
            let again = c
                .register(register(rewrapped.key_block().unwrap().clone()))
                .await
                .unwrap()
                .unique_identifier;
            let back = c
                .get(get::GetRequest {
                    key_wrap_type: Some(KeyWrapType::NotWrapped),
                    ..get(&again)
                })
                .await
                .unwrap()
                .object;
            assert_eq!(key_bytes(&back).1, plain, "{case} rewrapped");
        }
    }
    server.stop().await;
}
