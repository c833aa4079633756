//! Encrypt, Decrypt, MAC and Hash with symmetric keys, and what decides whether a key may be used, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::keys::*;
use common::{activate, attr, raw_key, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while common::objects::state(&common::objects::attributes(&mut c, &uid).await) != State::Deactivated {
        assert!(
            std::time::Instant::now() < deadline,
            "the sweep never deactivated the key"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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
