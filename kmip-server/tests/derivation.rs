//! Derive Key and Create/Join Split Key, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::keys::*;
use common::{activate, attr, get, raw_key, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn a_key_split_three_ways_joins_back_only_with_every_part() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = active_aes(&mut c, both()).await;
    let original = c.get(get(&uid)).await.unwrap().object;
    let split = |parts, threshold, method| create_split_key::CreateSplitKeyRequest {
        object_type: ObjectType::SymmetricKey,
        unique_identifier: Some(uid.clone()),
        split_key_parts: parts,
        split_key_threshold: threshold,
        split_key_method: method,
        prime_field_size: None,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicUsageMask(both()))],
        },
    };
    let parts = c
        .create_split_key(split(3, 3, SplitKeyMethod::XOR))
        .await
        .unwrap()
        .unique_identifiers;
    assert_eq!(parts.len(), 3);
    // No single part is the key.
    for p in &parts {
        let Object::SplitKey(s) = c.get(get(p)).await.unwrap().object else {
            panic!("a Split Key")
        };
        assert_eq!((s.split_key_parts, s.split_key_threshold), (3, 3));
        assert_ne!(key_bytes(&Object::SplitKey(s.clone())).1, key_bytes(&original).1);
    }
    let join = |uids: Vec<String>| join_split_key::JoinSplitKeyRequest {
        object_type: ObjectType::SymmetricKey,
        unique_identifiers: uids,
        secret_data_type: None,
        template_attribute: None,
    };
    let joined = c.join_split_key(join(parts.clone())).await.unwrap().unique_identifier;
    assert_eq!(
        key_bytes(&c.get(get(&joined)).await.unwrap().object).1,
        key_bytes(&original).1
    );
    assert_eq!(
        refusal(c.join_split_key(join(parts[..2].to_vec())).await),
        Some(ResultReason::InvalidField)
    );
    let twice = vec![parts[0].clone(), parts[0].clone(), parts[1].clone()];
    assert_eq!(
        refusal(c.join_split_key(join(twice)).await),
        Some(ResultReason::InvalidField)
    );
    // Object Type may name what is made (Split Key), as PyKMIP sends it.
    let as_pykmip = create_split_key::CreateSplitKeyRequest {
        object_type: ObjectType::SplitKey,
        ..split(2, 2, SplitKeyMethod::XOR)
    };
    let halves = c.create_split_key(as_pykmip).await.unwrap().unique_identifiers;
    let rejoined = c.join_split_key(join(halves)).await.unwrap().unique_identifier;
    assert_eq!(
        key_bytes(&c.get(get(&rejoined)).await.unwrap().object).1,
        key_bytes(&original).1
    );
    // XOR needs every part; polynomial sharing is not offered.
    assert_eq!(
        refusal(c.create_split_key(split(3, 2, SplitKeyMethod::XOR)).await),
        Some(ResultReason::InvalidField)
    );
    assert_eq!(
        refusal(
            c.create_split_key(split(3, 2, SplitKeyMethod::PolynomialSharingGF2_8))
                .await
        ),
        Some(ResultReason::InvalidField)
    );
    server.stop().await;
}

#[tokio::test]
async fn derive_key_pbkdf2_known_answer_links_and_needs_the_derive_bit() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let password = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(
                    CryptographicUsageMask::DeriveKey,
                ))],
            },
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Password,
                key_block: raw_key(KeyFormatType::Opaque, b"password", None),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &password).await;
    let derive = |uid: &str, method, parameters: DerivationParameters, bits| derive_key::DeriveKeyRequest {
        object_type: ObjectType::SecretData,
        unique_identifiers: vec![uid.into()],
        derivation_method: method,
        derivation_parameters: parameters,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicLength(bits))],
        },
    };
    let pbkdf2 = DerivationParameters {
        cryptographic_parameters: Some(CryptographicParameters {
            hashing_algorithm: Some(HashingAlgorithm::SHA_1),
            ..CryptographicParameters::default()
        }),
        salt: Some(Bytes::new(b"salt".to_vec())),
        iteration_count: Some(2),
        ..Default::default()
    };
    // RFC 6070 test vector 2: "password", "salt", 2 iterations, 20 bytes.
    let derived = c
        .derive_key(derive(&password, DerivationMethod::PBKDF2, pbkdf2.clone(), 160))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        kmip_codec::hex::encode(&key_bytes(&c.get(get(&derived)).await.unwrap().object).1),
        "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
    );
    let attrs = c
        .get_attributes(get_attributes::GetAttributesRequest {
            unique_identifier: Some(derived.clone()),
            attribute_names: vec!["Link".into()],
        })
        .await
        .unwrap()
        .attributes;
    assert_eq!(
        link_of(&attrs),
        Link {
            link_type: LinkType::DerivationBaseObjectLink,
            linked_object_identifier: password.clone()
        }
    );
    // HMAC-SHA-256 gives 32 bytes; more cannot be asked for.
    let hmac = DerivationParameters {
        derivation_data: Some(Bytes::new(b"context".to_vec())),
        ..hmac_parameters()
    };
    c.derive_key(derive(&password, DerivationMethod::HMAC, hmac.clone(), 256))
        .await
        .unwrap();
    assert_eq!(
        refusal(c.derive_key(derive(&password, DerivationMethod::HMAC, hmac, 264)).await),
        Some(ResultReason::InvalidField)
    );
    // SP 800-108 counter mode: the first block is HMAC(key, counter 1 || data).
    let kbkdf = DerivationParameters {
        derivation_data: Some(Bytes::new(b"label\0context".to_vec())),
        ..hmac_parameters()
    };
    let derived = c
        .derive_key(derive(&password, DerivationMethod::NIST800_108_C, kbkdf, 256))
        .await
        .unwrap()
        .unique_identifier;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"password");
    let expected = aws_lc_rs::hmac::sign(&key, &[&[0, 0, 0, 1][..], b"label\0context"].concat());
    assert_eq!(
        key_bytes(&c.get(get(&derived)).await.unwrap().object).1,
        expected.as_ref().to_vec()
    );
    // A key without Derive Key in its mask derives nothing.
    let aes = active_aes(&mut c, both()).await;
    assert_eq!(
        refusal(c.derive_key(derive(&aes, DerivationMethod::PBKDF2, pbkdf2, 128)).await),
        Some(ResultReason::PermissionDenied)
    );
    server.stop().await;
}
