//! [`crate::compare::Rule::RandomizedSignature`]: RSA-PSS and ECDSA
//! signatures differ each time they are made, so a test case's literal
//! signature bytes cannot be matched. The runner checks the server's
//! signature instead: it must verify, over the Data the Sign request sent,
//! under a public key the conversation registered or was given, by one of
//! the standard schemes (RSA-PSS or PKCS#1 v1.5 with SHA-1 to SHA-512,
//! ECDSA P-256/P-384/P-521). Which scheme the key's own Cryptographic
//! Parameters name is for the server to honour; a later Signature Verify in
//! the case checks that.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use kmip_codec::ttlv::{Ttlv, Value};
use kmip_codec::Tag;

/// Every scheme a signature is tried with.
const SCHEMES: &[&dyn VerificationAlgorithm] = &[
    &signature::RSA_PSS_2048_8192_SHA256,
    &signature::RSA_PSS_2048_8192_SHA384,
    &signature::RSA_PSS_2048_8192_SHA512,
    &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    &signature::RSA_PKCS1_2048_8192_SHA256,
    &signature::RSA_PKCS1_2048_8192_SHA384,
    &signature::RSA_PKCS1_2048_8192_SHA512,
    &signature::ECDSA_P256_SHA256_ASN1,
    &signature::ECDSA_P384_SHA384_ASN1,
    &signature::ECDSA_P521_SHA512_ASN1,
];

/// The Data of the first Sign item of a request message.
pub fn signed_data(request: &Ttlv) -> Option<Vec<u8>> {
    request
        .children()
        .iter()
        .filter(|item| item.tag == Tag::BatchItem)
        .find(|item| {
            matches!(
                item.child(Tag::Operation).map(|o| &o.value),
                Some(Value::Enumeration(0x21))
            )
        })
        .and_then(|item| item.child(Tag::RequestPayload))
        .and_then(|p| p.child(Tag::Data))
        .and_then(|d| match &d.value {
            Value::ByteString(b) => Some(b.to_vec()),
            _ => None,
        })
}

/// The key material of every Public Key object in `tree` (a request that
/// registers one, a response that returns one).
pub fn public_keys(tree: &Ttlv, into: &mut Vec<Vec<u8>>) {
    if tree.tag == Tag::PublicKey {
        let material = tree
            .child(Tag::KeyBlock)
            .and_then(|b| b.child(Tag::KeyValue))
            .and_then(|v| v.child(Tag::KeyMaterial));
        if let Some(Value::ByteString(b)) = material.map(|m| &m.value) {
            if !into.iter().any(|k| k[..] == b[..]) {
                into.push(b.to_vec());
            }
        }
    }
    for child in tree.children() {
        public_keys(child, into);
    }
}

/// Whether `signature` over `data` verifies under one of `keys` (PKCS#1 or
/// SubjectPublicKeyInfo DER) by one of the [`SCHEMES`].
pub fn verifies(data: &[u8], keys: &[Vec<u8>], signature: &[u8]) -> bool {
    keys.iter().any(|key| {
        SCHEMES
            .iter()
            .any(|scheme| UnparsedPublicKey::new(*scheme, key).verify(data, signature).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PSS_SHA256};

    #[test]
    fn a_pss_signature_verifies_under_its_key_and_not_otherwise() {
        let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("key");
        let public = pair.public_key().as_ref().to_vec();
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PSS_SHA256, &SystemRandom::new(), b"data", &mut sig)
            .expect("sign");
        assert!(verifies(b"data", std::slice::from_ref(&public), &sig));
        assert!(!verifies(b"other data", std::slice::from_ref(&public), &sig));
        sig[0] ^= 1;
        assert!(!verifies(b"data", &[public], &sig));
        assert!(!verifies(b"data", &[], &sig), "no key, no verification");
    }
}
