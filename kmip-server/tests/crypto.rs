//! Cryptographic operations over TLS: the Encrypt/Decrypt sequences of
//! real clients (../shared/CLIENTS.md), operations in parts, and the
//! checks every use of a key goes through (usage mask, state, dates).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{activate, attr, get, raw_key, refusal, TestServer};
use kmip_client::Client;
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

/// Creates an Active AES-256 key with this usage mask; returns its UID.
async fn active_aes(c: &mut Client, mask: CryptographicUsageMask) -> String {
    let uid = c
        .create(create::CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![
                    attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                    attr(AttributeValue::CryptographicLength(256)),
                    attr(AttributeValue::CryptographicUsageMask(mask)),
                ],
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    activate(c, &uid).await;
    uid
}

fn both() -> CryptographicUsageMask {
    CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt
}

fn encrypt(uid: &str, data: &[u8]) -> encrypt::EncryptRequest {
    encrypt::EncryptRequest {
        unique_identifier: Some(uid.into()),
        data: Some(Bytes::new(data.to_vec())),
        ..Default::default()
    }
}

fn decrypt(uid: &str, data: &[u8], iv: Option<&[u8]>) -> decrypt::DecryptRequest {
    decrypt::DecryptRequest {
        unique_identifier: Some(uid.into()),
        data: Some(Bytes::new(data.to_vec())),
        iv_counter_nonce: iv.map(|iv| Bytes::new(iv.to_vec())),
        ..Default::default()
    }
}

fn parameters(mode: BlockCipherMode, padding: PaddingMethod, random_iv: bool) -> CryptographicParameters {
    CryptographicParameters {
        cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
        block_cipher_mode: Some(mode),
        padding_method: Some(padding),
        random_iv: Some(random_iv),
        ..CryptographicParameters::default()
    }
}

#[tokio::test]
async fn mongodb_audit_log_encrypts_without_parameters_and_decrypts_with_the_returned_iv() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    c.set_version(ProtocolVersion::new(1, 2));
    let uid = active_aes(&mut c, both()).await;
    let record = b"{\"atype\":\"authenticate\",\"result\":0}";
    // Encrypt(UID, Data): no Cryptographic Parameters, no IV.
    let sealed = c.encrypt(encrypt(&uid, record)).await.unwrap();
    let iv = sealed.iv_counter_nonce.expect("the server returns the IV it chose");
    assert_eq!(iv.len(), 16, "AES-CBC IV");
    let ciphertext = sealed.data.unwrap();
    assert_eq!(ciphertext.len(), record.len().div_ceil(16) * 16, "PKCS5-padded CBC");
    assert_ne!(&ciphertext[..record.len()], record.as_slice());
    // A second encryption of the same record uses a fresh IV.
    let again = c.encrypt(encrypt(&uid, record)).await.unwrap();
    assert_ne!(again.iv_counter_nonce.unwrap().to_vec(), iv.to_vec());
    // Decrypt(UID, Data, IV), no tag.
    let opened = c.decrypt(decrypt(&uid, &ciphertext, Some(&iv))).await.unwrap();
    assert_eq!(opened.data.unwrap().to_vec(), record.to_vec());
    // Without the IV there is nothing to decrypt with.
    assert_eq!(
        refusal(c.decrypt(decrypt(&uid, &ciphertext, None)).await),
        Some(ResultReason::InvalidMessage)
    );
    server.stop().await;
}

#[tokio::test]
async fn libmongocrypt_delegated_mode_with_random_iv() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    c.set_version(ProtocolVersion::new(1, 2));
    let uid = active_aes(&mut c, both()).await;
    let dek: Vec<u8> = (0..96u8).collect();
    let mut req = encrypt(&uid, &dek);
    req.cryptographic_parameters = Some(parameters(BlockCipherMode::CBC, PaddingMethod::PKCS5, true));
    let sealed = c.encrypt(req).await.unwrap();
    let iv = sealed.iv_counter_nonce.expect("Random IV: the response carries the IV");
    let ciphertext = sealed.data.expect("and the Data");
    assert_eq!(ciphertext.len(), 112, "96 bytes and a full block of padding");
    let mut req = decrypt(&uid, &ciphertext, Some(&iv));
    req.cryptographic_parameters = Some(parameters(BlockCipherMode::CBC, PaddingMethod::PKCS5, false));
    assert_eq!(c.decrypt(req).await.unwrap().data.unwrap().to_vec(), dek);
    // Random IV together with an IV of the client's is contradictory.
    let mut req = encrypt(&uid, &dek);
    req.cryptographic_parameters = Some(parameters(BlockCipherMode::CBC, PaddingMethod::PKCS5, true));
    req.iv_counter_nonce = Some(Bytes::new(vec![0; 16]));
    assert_eq!(refusal(c.encrypt(req).await), Some(ResultReason::InvalidField));
    server.stop().await;
}

#[tokio::test]
async fn gcm_in_parts_equals_gcm_in_one_request_and_a_wrong_tag_returns_nothing() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = active_aes(&mut c, both()).await;
    let gcm = CryptographicParameters {
        block_cipher_mode: Some(BlockCipherMode::GCM),
        tag_length: Some(16),
        ..CryptographicParameters::default()
    };
    let data: Vec<u8> = (0..200u8).collect();
    let nonce = Bytes::new(vec![7; 12]);
    let aad = Bytes::new(b"header".to_vec());
    let mut whole = encrypt(&uid, &data);
    whole.cryptographic_parameters = Some(gcm.clone());
    whole.iv_counter_nonce = Some(nonce.clone());
    whole.authenticated_encryption_additional_data = Some(aad.clone());
    let whole = c.encrypt(whole).await.unwrap();

    let mut first = encrypt(&uid, &data[..77]);
    first.cryptographic_parameters = Some(gcm.clone());
    first.iv_counter_nonce = Some(nonce.clone());
    first.authenticated_encryption_additional_data = Some(aad.clone());
    first.init_indicator = Some(true);
    let first = c.encrypt(first).await.unwrap();
    let correlation = first.correlation_value.expect("a Correlation Value for the next parts");
    let mut parts = first.data.unwrap().to_vec();
    for (chunk, last) in [(&data[77..150], false), (&data[150..], true)] {
        let mut next = encrypt(&uid, chunk);
        next.correlation_value = Some(correlation.clone());
        next.final_indicator = Some(last);
        let r = c.encrypt(next).await.unwrap();
        parts.extend_from_slice(&r.data.unwrap_or_default());
        if last {
            assert_eq!(r.authenticated_encryption_tag, whole.authenticated_encryption_tag);
        }
    }
    assert_eq!(parts, whole.data.clone().unwrap().to_vec());
    // The stream is gone once finished.
    let mut after = encrypt(&uid, b"more");
    after.correlation_value = Some(correlation);
    assert_eq!(refusal(c.encrypt(after).await), Some(ResultReason::ItemNotFound));

    let mut open = decrypt(&uid, &whole.data.unwrap(), Some(&nonce));
    open.cryptographic_parameters = Some(gcm);
    open.authenticated_encryption_additional_data = Some(aad);
    open.authenticated_encryption_tag = whole.authenticated_encryption_tag.clone();
    assert_eq!(c.decrypt(open.clone()).await.unwrap().data.unwrap().to_vec(), data);
    let mut tag = whole.authenticated_encryption_tag.unwrap().to_vec();
    tag[0] ^= 1;
    open.authenticated_encryption_tag = Some(Bytes::new(tag));
    assert_eq!(refusal(c.decrypt(open).await), Some(ResultReason::CryptographicFailure));
    server.stop().await;
}

#[tokio::test]
async fn usage_mask_state_and_destruction_decide_what_a_key_may_do() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;

    // Decrypt only: cannot encrypt.
    let decrypt_only = active_aes(&mut c, CryptographicUsageMask::Decrypt).await;
    assert_eq!(
        refusal(c.encrypt(encrypt(&decrypt_only, b"x")).await),
        Some(ResultReason::PermissionDenied)
    );

    // Pre-Active: nothing.
    let pre_active = c
        .create(create::CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![
                    attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                    attr(AttributeValue::CryptographicLength(128)),
                    attr(AttributeValue::CryptographicUsageMask(both())),
                ],
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        refusal(c.encrypt(encrypt(&pre_active, b"x")).await),
        Some(ResultReason::PermissionDenied)
    );

    // Deactivated (revoked for cessation): decrypts old data, encrypts nothing new.
    let uid = active_aes(&mut c, both()).await;
    let sealed = c.encrypt(encrypt(&uid, b"kept secret")).await.unwrap();
    retire(&mut c, &uid).await;
    assert_eq!(
        refusal(c.encrypt(encrypt(&uid, b"new")).await),
        Some(ResultReason::PermissionDenied)
    );
    let iv = sealed.iv_counter_nonce.unwrap();
    let opened = c
        .decrypt(decrypt(&uid, &sealed.data.clone().unwrap(), Some(&iv)))
        .await
        .unwrap();
    assert_eq!(opened.data.unwrap().to_vec(), b"kept secret".to_vec());

    // Destroyed: nothing at all.
    c.destroy(destroy::DestroyRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    assert_eq!(
        refusal(c.decrypt(decrypt(&uid, &sealed.data.unwrap(), Some(&iv))).await),
        Some(ResultReason::PermissionDenied)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_role_without_operation_encrypt_is_refused_before_the_key_is_read() {
    let server = TestServer::start().await;
    let mut admin = server.admin_client().await;
    let uid = active_aes(&mut admin, both()).await;
    let (creds, _) = server.credential("default", "decryptor", "operation_decrypt");
    let mut c = server.connect(&creds).await.unwrap();
    assert_eq!(
        refusal(c.encrypt(encrypt(&uid, b"x")).await),
        Some(ResultReason::PermissionDenied)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_key_deactivated_by_its_date_stops_encrypting_even_when_just_used() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = active_aes(&mut c, both()).await;
    let soon = kmip_server::store::unix_now() + 2;
    c.add_attribute(add_attribute::AddAttributeRequest {
        unique_identifier: Some(uid.clone()),
        attribute: attr(AttributeValue::DeactivationDate(DateTime(soon))),
    })
    .await
    .unwrap();
    // Used (and so held unsealed in the server's cache) until the date...
    c.encrypt(encrypt(&uid, b"before")).await.unwrap();
    // ...and refused once the server's sweep has moved it.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(
        refusal(c.encrypt(encrypt(&uid, b"after")).await),
        Some(ResultReason::PermissionDenied)
    );
    server.stop().await;
}

#[tokio::test]
async fn mac_in_one_or_several_requests_verifies_and_hash_gives_known_digests() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    // RFC 4231 test case 2: HMAC-SHA-256 with key "Jefe".
    let uid = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                names: vec![],
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(
                    CryptographicUsageMask::MACGenerate | CryptographicUsageMask::MACVerify,
                ))],
            },
            object: Object::SymmetricKey(SymmetricKey {
                key_block: raw_key(
                    KeyFormatType::Raw,
                    b"Jefe",
                    Some((CryptographicAlgorithm::HMAC_SHA256, 32)),
                ),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    activate(&mut c, &uid).await;
    let mac = |data: &[u8], correlation: Option<Bytes>, init: Option<bool>, last: Option<bool>| mac::MACRequest {
        unique_identifier: Some(uid.clone()),
        cryptographic_parameters: None,
        data: Some(Bytes::new(data.to_vec())),
        correlation_value: correlation,
        init_indicator: init,
        final_indicator: last,
    };
    let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let whole = c
        .mac(mac(b"what do ya want for nothing?", None, None, None))
        .await
        .unwrap();
    assert_eq!(kmip_codec::hex::encode(&whole.mac_data.clone().unwrap()), expected);
    let first = c.mac(mac(b"what do ya ", None, Some(true), None)).await.unwrap();
    assert!(first.mac_data.is_none());
    let last = c
        .mac(mac(b"want for nothing?", first.correlation_value, None, Some(true)))
        .await
        .unwrap();
    assert_eq!(last.mac_data, whole.mac_data);

    let verify = |mac_data: Vec<u8>| mac_verify::MACVerifyRequest {
        unique_identifier: Some(uid.clone()),
        data: Some(Bytes::new(b"what do ya want for nothing?".to_vec())),
        mac_data: Some(Bytes::new(mac_data)),
        ..Default::default()
    };
    let good = whole.mac_data.unwrap().to_vec();
    let r = c.mac_verify(verify(good.clone())).await.unwrap();
    assert_eq!(r.validity_indicator, Some(ValidityIndicator::Valid));
    let mut bad = good;
    bad[31] ^= 0x80;
    let r = c.mac_verify(verify(bad)).await.unwrap();
    assert_eq!(r.validity_indicator, Some(ValidityIndicator::Invalid));

    // This key may MAC but not encrypt.
    assert_eq!(
        refusal(c.encrypt(encrypt(&uid, b"x")).await),
        Some(ResultReason::PermissionDenied)
    );

    // FIPS 180-2: SHA-256("abc"); MD5 is not offered.
    let hash = |h: HashingAlgorithm| hash::HashRequest {
        cryptographic_parameters: CryptographicParameters {
            hashing_algorithm: Some(h),
            ..CryptographicParameters::default()
        },
        data: Some(Bytes::new(b"abc".to_vec())),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    };
    let digest = c.hash(hash(HashingAlgorithm::SHA_256)).await.unwrap().data.unwrap();
    assert_eq!(
        kmip_codec::hex::encode(&digest),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        refusal(c.hash(hash(HashingAlgorithm::MD5)).await),
        Some(ResultReason::InvalidField)
    );
    server.stop().await;
}

fn key_pair(algorithm: CryptographicAlgorithm, bits: i32) -> create_key_pair::CreateKeyPairRequest {
    let half = |mask| TemplateAttribute {
        names: vec![],
        attributes: vec![attr(AttributeValue::CryptographicUsageMask(mask))],
    };
    create_key_pair::CreateKeyPairRequest {
        common_template_attribute: Some(TemplateAttribute {
            names: vec![],
            attributes: vec![
                attr(AttributeValue::CryptographicAlgorithm(algorithm)),
                attr(AttributeValue::CryptographicLength(bits)),
            ],
        }),
        private_key_template_attribute: Some(half(CryptographicUsageMask::Sign | CryptographicUsageMask::Decrypt)),
        public_key_template_attribute: Some(half(CryptographicUsageMask::Verify | CryptographicUsageMask::Encrypt)),
    }
}

/// Revokes a key for Cessation of Operation: it becomes Deactivated.
async fn retire(c: &mut Client, uid: &str) {
    c.revoke(revoke::RevokeRequest {
        unique_identifier: Some(uid.into()),
        revocation_reason: RevocationReason {
            code: RevocationReasonCode::CessationOfOperation,
            message: None,
        },
        compromise_occurrence_date: None,
    })
    .await
    .unwrap();
}

/// Creates a key pair; returns the private and public UIDs.
async fn new_pair(c: &mut Client, algorithm: CryptographicAlgorithm, bits: i32) -> (String, String) {
    let pair = c.create_key_pair(key_pair(algorithm, bits)).await.unwrap();
    (pair.private_key_unique_identifier, pair.public_key_unique_identifier)
}

fn sign(uid: &str, data: &[u8], parameters: Option<CryptographicParameters>) -> sign::SignRequest {
    sign::SignRequest {
        unique_identifier: Some(uid.into()),
        cryptographic_parameters: parameters,
        data: Some(Bytes::new(data.to_vec())),
        ..Default::default()
    }
}

fn verify(
    uid: &str,
    data: &[u8],
    signature: &[u8],
    parameters: Option<CryptographicParameters>,
) -> signature_verify::SignatureVerifyRequest {
    signature_verify::SignatureVerifyRequest {
        unique_identifier: Some(uid.into()),
        cryptographic_parameters: parameters,
        data: Some(Bytes::new(data.to_vec())),
        digested_data: None,
        signature_data: Some(Bytes::new(signature.to_vec())),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    }
}

fn key_bytes(object: &Object) -> (KeyFormatType, Vec<u8>) {
    let block = object.key_block().expect("a key block");
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => (block.key_format_type, b.to_vec()),
        other => panic!("unexpected key value {other:?}"),
    }
}

fn link_of(attributes: &[Attribute]) -> Link {
    attributes
        .iter()
        .find_map(|a| match &a.value {
            AttributeValue::Link(l) => Some(l.clone()),
            _ => None,
        })
        .expect("a Link")
}

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
    // XOR needs every part; polynomial sharing is not offered.
    assert_eq!(
        refusal(c.create_split_key(split(3, 2, SplitKeyMethod::XOR)).await),
        Some(ResultReason::InvalidField)
    );
    assert_eq!(
        refusal(
            c.create_split_key(split(3, 2, SplitKeyMethod::PolynomialSharingGF28))
                .await
        ),
        Some(ResultReason::InvalidField)
    );
    server.stop().await;
}

#[tokio::test]
async fn certify_issues_from_the_object_ca_and_recertify_replaces() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (_, public) = new_pair(&mut c, CryptographicAlgorithm::EC, 256).await;
    let cert_uid = c
        .certify(certify::CertifyRequest {
            unique_identifier: Some(public.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(cert) = c.get(get(&cert_uid)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, x509) = x509_parser::parse_x509_certificate(&cert.certificate_value).unwrap();
    let (_, spki) = key_bytes(&c.get(get(&public)).await.unwrap().object);
    assert_eq!(
        x509.tbs_certificate.subject_pki.raw,
        spki.as_slice(),
        "the managed public key"
    );
    // Issued by the object CA, not by the CA that authenticates clients.
    let pem = |path: &str| {
        let text = std::fs::read_to_string(server.path(path)).unwrap();
        let der = rustls_pemfile::certs(&mut text.as_bytes())
            .next()
            .unwrap()
            .unwrap()
            .to_vec();
        der
    };
    let object_ca = pem("ca/certify/ca.pem");
    let client_ca = pem("ca/ca.pem");
    let (_, object_ca) = x509_parser::parse_x509_certificate(&object_ca).unwrap();
    let (_, client_ca) = x509_parser::parse_x509_certificate(&client_ca).unwrap();
    assert_eq!(x509.issuer(), object_ca.subject());
    assert!(x509.verify_signature(Some(object_ca.public_key())).is_ok());
    assert_ne!(x509.issuer(), client_ca.subject());
    let links = c
        .get_attributes(get_attributes::GetAttributesRequest {
            unique_identifier: Some(public.clone()),
            attribute_names: vec!["Link".into()],
        })
        .await
        .unwrap()
        .attributes;
    assert!(
        links.iter().any(|a| matches!(&a.value,
        AttributeValue::Link(l) if l.link_type == LinkType::CertificateLink && l.linked_object_identifier == cert_uid))
    );

    let renewed = c
        .recertify(recertify::ReCertifyRequest {
            unique_identifier: Some(cert_uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(new_cert) = c.get(get(&renewed)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, new_x509) = x509_parser::parse_x509_certificate(&new_cert.certificate_value).unwrap();
    assert_eq!(
        new_x509.tbs_certificate.subject_pki.raw,
        spki.as_slice(),
        "the same key"
    );
    assert_ne!(new_x509.raw_serial(), x509.raw_serial());
    // RSA public keys are certified too.
    let (_, rsa_public) = new_pair(&mut c, CryptographicAlgorithm::RSA, 2048).await;
    c.certify(certify::CertifyRequest {
        unique_identifier: Some(rsa_public),
        ..Default::default()
    })
    .await
    .unwrap();
    // A PKCS#10 request is certified for the key it carries.
    let requester = rcgen::KeyPair::generate().unwrap();
    let csr = rcgen::CertificateParams::new(vec![])
        .unwrap()
        .serialize_request(&requester)
        .unwrap();
    let from_csr = c
        .certify(certify::CertifyRequest {
            certificate_request_type: Some(CertificateRequestType::PKCS_10),
            certificate_request: Some(Bytes::new(csr.der().to_vec())),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(issued) = c.get(get(&from_csr)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, issued) = x509_parser::parse_x509_certificate(&issued.certificate_value).unwrap();
    use rcgen::PublicKeyData;
    assert_eq!(
        issued.tbs_certificate.subject_pki.raw,
        requester.subject_public_key_info().as_slice()
    );
    // Certify of something that is not a public key is refused.
    assert_eq!(
        refusal(
            c.certify(certify::CertifyRequest {
                unique_identifier: Some(cert_uid),
                ..Default::default()
            })
            .await
        ),
        Some(ResultReason::InvalidField)
    );
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

fn hmac_parameters() -> DerivationParameters {
    DerivationParameters {
        cryptographic_parameters: Some(CryptographicParameters {
            hashing_algorithm: Some(HashingAlgorithm::SHA_256),
            ..CryptographicParameters::default()
        }),
        ..Default::default()
    }
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

#[tokio::test]
async fn validate_trusts_the_object_ca_and_self_signed_certificates_the_caller_holds() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (_, public) = new_pair(&mut c, CryptographicAlgorithm::EC, 256).await;
    let certified = c
        .certify(certify::CertifyRequest {
            unique_identifier: Some(public),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let validate = |certificates: Vec<Certificate>, uids: Vec<String>, at: Option<i64>| validate::ValidateRequest {
        certificates,
        unique_identifiers: uids,
        validity_date: at.map(DateTime),
    };
    let verdict = |r: validate::ValidateResponse| r.validity_indicator;
    let ok = c
        .validate(validate(vec![], vec![certified.clone()], None))
        .await
        .unwrap();
    assert_eq!(verdict(ok), ValidityIndicator::Valid);
    let later = kmip_server::store::unix_now() + 2 * 365 * 86_400;
    let expired = c
        .validate(validate(vec![], vec![certified], Some(later)))
        .await
        .unwrap();
    assert_eq!(verdict(expired), ValidityIndicator::Invalid);
    // A self-signed certificate: unknown when only shown, valid when held.
    let pem = std::fs::read_to_string(server.path("ca/ca.pem")).unwrap();
    let der = rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .unwrap()
        .unwrap()
        .to_vec();
    let root = Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(der),
    };
    let shown = c.validate(validate(vec![root.clone()], vec![], None)).await.unwrap();
    assert_eq!(verdict(shown), ValidityIndicator::Unknown);
    let held = c
        .register(register::RegisterRequest {
            object_type: ObjectType::Certificate,
            template_attribute: TemplateAttribute { ..Default::default() },
            object: Object::Certificate(root),
        })
        .await
        .unwrap()
        .unique_identifier;
    let trusted = c.validate(validate(vec![], vec![held], None)).await.unwrap();
    assert_eq!(verdict(trusted), ValidityIndicator::Valid);
    let garbage = Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(vec![0x30, 0x03, 0x02, 0x01, 0x01]),
    };
    assert_eq!(
        verdict(c.validate(validate(vec![garbage], vec![], None)).await.unwrap()),
        ValidityIndicator::Invalid
    );
    assert_eq!(
        refusal(c.validate(validate(vec![], vec![], None)).await),
        Some(ResultReason::InvalidMessage)
    );
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
