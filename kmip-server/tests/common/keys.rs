//! Keys and requests the cryptographic tests share.

use kmip_client::Client;
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

use super::{activate, attr};

/// Creates an Active AES-256 key with this usage mask; returns its UID.
pub async fn active_aes(c: &mut Client, mask: CryptographicUsageMask) -> String {
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

pub fn both() -> CryptographicUsageMask {
    CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt
}

pub fn encrypt(uid: &str, data: &[u8]) -> encrypt::EncryptRequest {
    encrypt::EncryptRequest {
        unique_identifier: Some(uid.into()),
        data: Some(Bytes::new(data.to_vec())),
        ..Default::default()
    }
}

pub fn decrypt(uid: &str, data: &[u8], iv: Option<&[u8]>) -> decrypt::DecryptRequest {
    decrypt::DecryptRequest {
        unique_identifier: Some(uid.into()),
        data: Some(Bytes::new(data.to_vec())),
        iv_counter_nonce: iv.map(|iv| Bytes::new(iv.to_vec())),
        ..Default::default()
    }
}

pub fn parameters(mode: BlockCipherMode, padding: PaddingMethod, random_iv: bool) -> CryptographicParameters {
    CryptographicParameters {
        cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
        block_cipher_mode: Some(mode),
        padding_method: Some(padding),
        random_iv: Some(random_iv),
        ..CryptographicParameters::default()
    }
}

pub fn key_pair(algorithm: CryptographicAlgorithm, bits: i32) -> create_key_pair::CreateKeyPairRequest {
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
pub async fn retire(c: &mut Client, uid: &str) {
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
pub async fn new_pair(c: &mut Client, algorithm: CryptographicAlgorithm, bits: i32) -> (String, String) {
    let pair = c.create_key_pair(key_pair(algorithm, bits)).await.unwrap();
    (pair.private_key_unique_identifier, pair.public_key_unique_identifier)
}

pub fn sign(uid: &str, data: &[u8], parameters: Option<CryptographicParameters>) -> sign::SignRequest {
    sign::SignRequest {
        unique_identifier: Some(uid.into()),
        cryptographic_parameters: parameters,
        data: Some(Bytes::new(data.to_vec())),
        ..Default::default()
    }
}

pub fn verify(
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

pub fn key_bytes(object: &Object) -> (KeyFormatType, Vec<u8>) {
    let block = object.key_block().expect("a key block");
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => (block.key_format_type, b.to_vec()),
        other => panic!("unexpected key value {other:?}"),
    }
}

pub fn link_of(attributes: &[Attribute]) -> Link {
    attributes
        .iter()
        .find_map(|a| match &a.value {
            AttributeValue::Link(l) => Some(l.clone()),
            _ => None,
        })
        .expect("a Link")
}

pub fn hmac_parameters() -> DerivationParameters {
    DerivationParameters {
        cryptographic_parameters: Some(CryptographicParameters {
            hashing_algorithm: Some(HashingAlgorithm::SHA_256),
            ..CryptographicParameters::default()
        }),
        ..Default::default()
    }
}

/// A new EC P-256 pair whose public key Certify has certified: (private
/// key, certificate).
pub async fn certified_pair(c: &mut Client) -> (String, String) {
    let (private, public) = new_pair(c, CryptographicAlgorithm::EC, 256).await;
    let certificate = c
        .certify(certify::CertifyRequest {
            unique_identifier: Some(public),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    (private, certificate)
}

/// An X.509 Certificate object of `der`.
pub fn x509(der: &[u8]) -> Certificate {
    Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(der.to_vec()),
    }
}
