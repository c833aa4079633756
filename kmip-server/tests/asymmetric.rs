//! RSA and EC key pairs: creation, links, formats, signatures, RSA encryption, Re-key Key Pair and Transparent keys, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::keys::*;
use common::{activate, attr, get, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn veeam_rsa_key_pair_links_converts_signs_verifies_and_encrypts() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    // Veeam: Create Key Pair RSA-2048, Get both halves, Destroy.
    let (private, public) = new_pair(&mut c, CryptographicAlgorithm::RSA, 2048).await;
    let attrs = |uid: &str| get_attributes::GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: vec!["Link".into(), "Object Type".into()],
    };
    let link = link_of(&c.get_attributes(attrs(&private)).await.unwrap().attributes);
    assert_eq!(
        (link.link_type, link.linked_object_identifier.as_str()),
        (LinkType::PublicKeyLink, public.as_str())
    );
    let link = link_of(&c.get_attributes(attrs(&public)).await.unwrap().attributes);
    assert_eq!(
        (link.link_type, link.linked_object_identifier.as_str()),
        (LinkType::PrivateKeyLink, private.as_str())
    );
    let (format, pkcs1) = key_bytes(&c.get(get(&private)).await.unwrap().object);
    assert_eq!(format, KeyFormatType::PKCS_1);
    assert_eq!(pkcs1[0], 0x30, "DER");
    // Other formats on request; a symmetric format is refused.
    let as_format = |uid: &str, f| get::GetRequest {
        key_format_type: Some(f),
        ..get(uid)
    };
    let (format, pkcs8) = key_bytes(&c.get(as_format(&private, KeyFormatType::PKCS_8)).await.unwrap().object);
    assert_eq!(format, KeyFormatType::PKCS_8);
    assert!(pkcs8.len() > pkcs1.len(), "PKCS#8 wraps PKCS#1");
    let (_, spki) = key_bytes(&c.get(as_format(&public, KeyFormatType::X_509)).await.unwrap().object);
    assert_eq!(
        refusal(c.get(as_format(&public, KeyFormatType::Raw)).await),
        Some(ResultReason::KeyFormatTypeNotSupported)
    );

    activate(&mut c, &private).await;
    activate(&mut c, &public).await;
    for parameters in [
        None,
        Some(CryptographicParameters {
            padding_method: Some(PaddingMethod::PSS),
            hashing_algorithm: Some(HashingAlgorithm::SHA_384),
            ..CryptographicParameters::default()
        }),
    ] {
        let signature = c
            .sign(sign(&private, b"invoice 42", parameters.clone()))
            .await
            .unwrap()
            .signature_data
            .unwrap();
        assert_eq!(signature.len(), 256);
        let ok = c
            .signature_verify(verify(&public, b"invoice 42", &signature, parameters.clone()))
            .await
            .unwrap();
        assert_eq!(ok.validity_indicator, Some(ValidityIndicator::Valid));
        let bad = c
            .signature_verify(verify(&public, b"invoice 43", &signature, parameters))
            .await
            .unwrap();
        assert_eq!(bad.validity_indicator, Some(ValidityIndicator::Invalid));
    }
    // The public key may verify but not sign.
    assert_eq!(
        refusal(c.sign(sign(&public, b"x", None)).await),
        Some(ResultReason::PermissionDenied)
    );

    // RSA-OAEP (SHA-256) to the public key, back with the private one; the
    // X.509 form got above is the same key (its encryption decrypts too).
    let oaep = CryptographicParameters {
        padding_method: Some(PaddingMethod::OAEP),
        hashing_algorithm: Some(HashingAlgorithm::SHA_256),
        mask_generator_hashing_algorithm: Some(HashingAlgorithm::SHA_256),
        ..CryptographicParameters::default()
    };
    let mut req = encrypt(&public, b"a data key");
    req.cryptographic_parameters = Some(oaep.clone());
    let sealed = c.encrypt(req).await.unwrap().data.unwrap();
    let mut req = decrypt(&private, &sealed, None);
    req.cryptographic_parameters = Some(oaep);
    assert_eq!(
        c.decrypt(req).await.unwrap().data.unwrap().to_vec(),
        b"a data key".to_vec()
    );
    assert!(spki.len() > 270, "SubjectPublicKeyInfo of a 2048-bit key");

    for uid in [&private, &public] {
        retire(&mut c, uid).await;
        c.destroy(destroy::DestroyRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .unwrap();
    }
    server.stop().await;
}

#[tokio::test]
async fn ecdsa_p256_key_pair_signs_in_parts_and_refuses_small_rsa() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (private, public) = new_pair(&mut c, CryptographicAlgorithm::EC, 256).await;
    activate(&mut c, &private).await;
    activate(&mut c, &public).await;
    let (format, _) = key_bytes(&c.get(get(&public)).await.unwrap().object);
    assert_eq!(format, KeyFormatType::X_509);
    // Data in two parts gives a signature over the whole.
    let mut first = sign(&private, b"hello ", None);
    first.init_indicator = Some(true);
    let correlation = c
        .sign(first)
        .await
        .unwrap()
        .correlation_value
        .expect("a Correlation Value");
    let mut last = sign(&private, b"world", None);
    last.correlation_value = Some(correlation);
    last.final_indicator = Some(true);
    let signature = c.sign(last).await.unwrap().signature_data.unwrap();
    let ok = c
        .signature_verify(verify(&public, b"hello world", &signature, None))
        .await
        .unwrap();
    assert_eq!(ok.validity_indicator, Some(ValidityIndicator::Valid));
    // A Digested Data of the wrong length for the hash is refused.
    let mut pre = sign(&private, b"", None);
    pre.data = None;
    pre.digested_data = Some(Bytes::new(vec![0; 20]));
    assert_eq!(refusal(c.sign(pre).await), Some(ResultReason::InvalidField));
    // 1024-bit RSA is below the server's policy.
    assert_eq!(
        refusal(c.create_key_pair(key_pair(CryptographicAlgorithm::RSA, 1024)).await),
        Some(ResultReason::InvalidField)
    );
    server.stop().await;
}

#[tokio::test]
async fn rekey_key_pair_replaces_both_halves_and_moves_the_names() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let mut request = key_pair(CryptographicAlgorithm::EC, 384);
    request
        .private_key_template_attribute
        .as_mut()
        .unwrap()
        .attributes
        .push(common::name("signing-key"));
    let pair = c.create_key_pair(request).await.unwrap();
    let (old_private, old_public) = (pair.private_key_unique_identifier, pair.public_key_unique_identifier);
    let new = c
        .rekey_key_pair(rekey_key_pair::ReKeyKeyPairRequest {
            private_key_unique_identifier: Some(old_private.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let all = |uid: &str| get_attributes::GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: vec![],
    };
    let links = |attributes: &[Attribute]| -> Vec<(LinkType, String)> {
        let mut l: Vec<_> = attributes
            .iter()
            .filter_map(|a| match &a.value {
                AttributeValue::Link(l) => Some((l.link_type, l.linked_object_identifier.clone())),
                _ => None,
            })
            .collect();
        l.sort_by_key(|(t, _)| t.0);
        l
    };
    let has_name = |attributes: &[Attribute]| attributes.iter().any(|a| a.name == "Name");
    let new_private = c
        .get_attributes(all(&new.private_key_unique_identifier))
        .await
        .unwrap()
        .attributes;
    assert_eq!(
        links(&new_private),
        vec![
            (LinkType::PublicKeyLink, new.public_key_unique_identifier.clone()),
            (LinkType::ReplacedObjectLink, old_private.clone()),
        ]
    );
    assert!(has_name(&new_private), "the Name moved to the replacement");
    assert!(new_private
        .iter()
        .any(|a| a.value == AttributeValue::CryptographicLength(384)));
    let old = c.get_attributes(all(&old_private)).await.unwrap().attributes;
    assert!(!has_name(&old));
    assert!(links(&old).contains(&(
        LinkType::ReplacementObjectLink,
        new.private_key_unique_identifier.clone()
    )));
    let old = c.get_attributes(all(&old_public)).await.unwrap().attributes;
    assert!(links(&old).contains(&(
        LinkType::ReplacementObjectLink,
        new.public_key_unique_identifier.clone()
    )));
    // A public key cannot be re-keyed as a pair.
    let mut wrong = rekey_key_pair::ReKeyKeyPairRequest {
        private_key_unique_identifier: Some(old_public),
        ..Default::default()
    };
    assert_eq!(
        refusal(c.rekey_key_pair(wrong.clone()).await),
        Some(ResultReason::IllegalOperation)
    );
    wrong.private_key_unique_identifier = Some("nothing".into());
    assert_eq!(refusal(c.rekey_key_pair(wrong).await), Some(ResultReason::ItemNotFound));
    server.stop().await;
}

#[tokio::test]
async fn transparent_keys_come_out_of_get_and_work_when_registered() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let as_format = |uid: &str, f| get::GetRequest {
        key_format_type: Some(f),
        ..get(uid)
    };
    let register = |object_type, object, mask| register::RegisterRequest {
        object_type,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![attr(AttributeValue::CryptographicUsageMask(mask))],
        },
        object,
    };
    // RSA: the private key, taken out transparent and registered back, signs
    // what the original public key verifies.
    let (private, public) = new_pair(&mut c, CryptographicAlgorithm::RSA, 2048).await;
    activate(&mut c, &public).await;
    let transparent = c
        .get(as_format(&private, KeyFormatType::TransparentRSAPrivateKey))
        .await
        .unwrap()
        .object;
    let block = transparent.key_block().unwrap().clone();
    assert!(matches!(
        &block.key_value,
        Some(KeyValue::Plain {
            key_material: KeyMaterial::RSAPrivate(_),
            ..
        })
    ));
    let copy = c
        .register(register(
            ObjectType::PrivateKey,
            Object::PrivateKey(PrivateKey { key_block: block }),
            CryptographicUsageMask::Sign,
        ))
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &copy).await;
    let signature = c
        .sign(sign(&copy, b"hello", None))
        .await
        .unwrap()
        .signature_data
        .unwrap();
    let verdict = c
        .signature_verify(verify(&public, b"hello", &signature, None))
        .await
        .unwrap();
    assert_eq!(verdict.validity_indicator, Some(ValidityIndicator::Valid));

    // EC: the public key, transparent and registered back, verifies what
    // the original private key signs.
    let (private, public) = new_pair(&mut c, CryptographicAlgorithm::EC, 256).await;
    activate(&mut c, &private).await;
    let block = c
        .get(as_format(&public, KeyFormatType::TransparentECPublicKey))
        .await
        .unwrap()
        .object
        .key_block()
        .unwrap()
        .clone();
    let copy = c
        .register(register(
            ObjectType::PublicKey,
            Object::PublicKey(PublicKey { key_block: block }),
            CryptographicUsageMask::Verify,
        ))
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &copy).await;
    let signature = c
        .sign(sign(&private, b"hello", None))
        .await
        .unwrap()
        .signature_data
        .unwrap();
    let verdict = c
        .signature_verify(verify(&copy, b"hello", &signature, None))
        .await
        .unwrap();
    assert_eq!(verdict.validity_indicator, Some(ValidityIndicator::Valid));
    // And the transparent copy converts back to X.509 on Get.
    let (format, _) = key_bytes(&c.get(as_format(&copy, KeyFormatType::X_509)).await.unwrap().object);
    assert_eq!(format, KeyFormatType::X_509);
    server.stop().await;
}
