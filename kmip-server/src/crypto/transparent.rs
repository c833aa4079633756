//! Transparent RSA and EC keys (KMIP 1.4 §2.1.7): the key's numbers as
//! KMIP Big Integers, converted from and to the DER forms AWS-LC reads.
//!
//! RSA: PKCS#1 RSAPrivateKey / RSAPublicKey, read with der-parser (through
//! x509-parser) and written here — a SEQUENCE of INTEGERs, the one DER
//! shape this needs. EC: the private scalar and public point come from,
//! and go back into, aws-lc-rs's own PKCS#8 and SubjectPublicKeyInfo
//! encoders; the public point of a transparent private key is recomputed
//! by aws-lc-rs.

use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::{agreement, signature};
use kmip_codec::enums::RecommendedCurve;
use kmip_codec::messages::{
    BigInteger, Bytes, TransparentECPrivateKey, TransparentECPublicKey, TransparentRSAPrivateKey,
    TransparentRSAPublicKey,
};
use x509_parser::der_parser;
use x509_parser::prelude::FromDer;
use zeroize::Zeroizing;

use super::CryptoError;

fn bad(what: &str) -> CryptoError {
    CryptoError(format!("{what} is not valid DER"))
}

/// The INTEGERs of a DER SEQUENCE, as two's-complement bytes.
fn integers(der: &[u8], what: &str) -> Result<Vec<Vec<u8>>, CryptoError> {
    let (rest, seq) = der_parser::parse_der(der).map_err(|_| bad(what))?;
    if !rest.is_empty() {
        return Err(bad(what));
    }
    seq.as_sequence()
        .map_err(|_| bad(what))?
        .iter()
        .map(|i| i.as_slice().map(<[u8]>::to_vec).map_err(|_| bad(what)))
        .collect()
}

fn big(v: &[u8]) -> BigInteger {
    BigInteger(Bytes::new(v.to_vec()))
}

/// DER length octets.
fn length(n: usize, out: &mut Vec<u8>) {
    match u8::try_from(n) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            // At most size_of::<usize>() = 8 length octets.
            out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0x7F));
            out.extend_from_slice(&bytes);
        }
    }
}

/// A DER SEQUENCE of non-negative INTEGERs given as KMIP Big Integers.
fn sequence(values: &[&BigInteger], what: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut body = Zeroizing::new(Vec::new());
    for v in values {
        if v.0.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(CryptoError(format!("{what}: a key number is negative")));
        }
        let magnitude: Vec<u8> = v.0.iter().copied().skip_while(|b| *b == 0).collect();
        let mut content = Zeroizing::new(Vec::with_capacity(magnitude.len().saturating_add(1)));
        if magnitude.first().is_none_or(|b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(&magnitude);
        body.push(0x02);
        length(content.len(), &mut body);
        body.extend_from_slice(&content);
    }
    let mut out = Zeroizing::new(vec![0x30]);
    length(body.len(), &mut out);
    out.extend_from_slice(&body);
    Ok(out)
}

/// A PKCS#1 RSAPrivateKey as Transparent RSA Private Key.
pub fn rsa_private(pkcs1: &[u8]) -> Result<TransparentRSAPrivateKey, CryptoError> {
    match integers(pkcs1, "the RSA private key")?.as_slice() {
        [_version, n, e, d, p, q, dp, dq, qinv] => Ok(TransparentRSAPrivateKey {
            modulus: big(n),
            private_exponent: Some(big(d)),
            public_exponent: Some(big(e)),
            p: Some(big(p)),
            q: Some(big(q)),
            prime_exponent_p: Some(big(dp)),
            prime_exponent_q: Some(big(dq)),
            crt_coefficient: Some(big(qinv)),
        }),
        _ => Err(bad("the RSA private key")),
    }
}

/// A Transparent RSA Private Key (all eight numbers) as PKCS#1 DER.
pub fn rsa_private_der(t: &TransparentRSAPrivateKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let missing = || CryptoError("a Transparent RSA Private Key needs all its numbers (CRT form)".into());
    let zero = BigInteger(Bytes::new(vec![0]));
    let need = |v: &Option<BigInteger>| v.clone().ok_or_else(missing);
    let (d, e, p, q) = (
        need(&t.private_exponent)?,
        need(&t.public_exponent)?,
        need(&t.p)?,
        need(&t.q)?,
    );
    let (dp, dq, qinv) = (
        need(&t.prime_exponent_p)?,
        need(&t.prime_exponent_q)?,
        need(&t.crt_coefficient)?,
    );
    sequence(
        &[&zero, &t.modulus, &e, &d, &p, &q, &dp, &dq, &qinv],
        "the RSA private key",
    )
}

/// A PKCS#1 RSAPublicKey as Transparent RSA Public Key.
pub fn rsa_public(pkcs1: &[u8]) -> Result<TransparentRSAPublicKey, CryptoError> {
    match integers(pkcs1, "the RSA public key")?.as_slice() {
        [n, e] => Ok(TransparentRSAPublicKey {
            modulus: big(n),
            public_exponent: big(e),
        }),
        _ => Err(bad("the RSA public key")),
    }
}

/// A Transparent RSA Public Key as PKCS#1 DER.
pub fn rsa_public_der(t: &TransparentRSAPublicKey) -> Result<Vec<u8>, CryptoError> {
    Ok(sequence(&[&t.modulus, &t.public_exponent], "the RSA public key")?.to_vec())
}

/// The curve of an EC key of `bits`.
pub fn curve(bits: usize) -> Result<RecommendedCurve, CryptoError> {
    match bits {
        256 => Ok(RecommendedCurve::P_256),
        384 => Ok(RecommendedCurve::P_384),
        521 => Ok(RecommendedCurve::P_521),
        n => Err(CryptoError(format!("no offered curve has {n} bits"))),
    }
}

fn algorithms(
    c: RecommendedCurve,
) -> Result<(&'static signature::EcdsaSigningAlgorithm, &'static agreement::Algorithm), CryptoError> {
    match c {
        RecommendedCurve::P_256 => Ok((&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &agreement::ECDH_P256)),
        RecommendedCurve::P_384 => Ok((&signature::ECDSA_P384_SHA384_ASN1_SIGNING, &agreement::ECDH_P384)),
        RecommendedCurve::P_521 => Ok((&signature::ECDSA_P521_SHA512_ASN1_SIGNING, &agreement::ECDH_P521)),
        _ => Err(CryptoError("curves P-256, P-384 and P-521 are offered".into())),
    }
}

/// A PKCS#8 EC private key on `curve` as Transparent EC Private Key.
pub fn ec_private(pkcs8: &[u8], curve: RecommendedCurve) -> Result<TransparentECPrivateKey, CryptoError> {
    let (alg, _) = algorithms(curve)?;
    let pair = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8).map_err(|_| bad("the EC private key"))?;
    let d = pair
        .private_key()
        .as_be_bytes()
        .map_err(|_| CryptoError("the EC private key cannot be read".into()))?;
    // The scalar is unsigned: a leading zero keeps it positive as a Big Integer.
    let mut scalar = vec![0u8];
    scalar.extend_from_slice(d.as_ref());
    Ok(TransparentECPrivateKey {
        recommended_curve: curve,
        d: BigInteger(Bytes::new(scalar)),
    })
}

/// A Transparent EC Private Key as PKCS#8 DER (its public point computed).
pub fn ec_private_der(t: &TransparentECPrivateKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (sign_alg, agree_alg) = algorithms(t.recommended_curve)?;
    let field = curve_bits(t.recommended_curve).div_ceil(8);
    let magnitude: Vec<u8> = t.d.0.iter().copied().skip_while(|b| *b == 0).collect();
    if magnitude.len() > field {
        return Err(CryptoError("the EC private scalar is too long for its curve".into()));
    }
    let mut d = Zeroizing::new(vec![0u8; field.saturating_sub(magnitude.len())]);
    d.extend_from_slice(&magnitude);
    let private = agreement::PrivateKey::from_private_key(agree_alg, &d)
        .map_err(|_| CryptoError("the EC private scalar is not valid for its curve".into()))?;
    let public = private
        .compute_public_key()
        .map_err(|_| CryptoError("the EC public point could not be computed".into()))?;
    let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(sign_alg, &d, public.as_ref())
        .map_err(|_| CryptoError("the EC key was refused".into()))?;
    let der = pair
        .to_pkcs8v1()
        .map_err(|_| CryptoError("the EC key could not be encoded".into()))?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}

/// The field size of an offered curve in bits (the inverse of [`curve`]).
fn curve_bits(c: RecommendedCurve) -> usize {
    match c {
        RecommendedCurve::P_384 => 384,
        RecommendedCurve::P_521 => 521,
        _ => 256,
    }
}

/// An X.509 SubjectPublicKeyInfo EC key on `curve` as Transparent EC Public Key.
pub fn ec_public(spki: &[u8], curve: RecommendedCurve) -> Result<TransparentECPublicKey, CryptoError> {
    let (_, info) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki).map_err(|_| bad("the EC public key"))?;
    Ok(TransparentECPublicKey {
        recommended_curve: curve,
        q_string: Bytes::new(info.subject_public_key.data.to_vec()),
    })
}

/// A Transparent EC Public Key as X.509 SubjectPublicKeyInfo DER.
pub fn ec_public_der(t: &TransparentECPublicKey) -> Result<Vec<u8>, CryptoError> {
    let verify: &'static signature::EcdsaVerificationAlgorithm = match t.recommended_curve {
        RecommendedCurve::P_256 => &signature::ECDSA_P256_SHA256_ASN1,
        RecommendedCurve::P_384 => &signature::ECDSA_P384_SHA384_ASN1,
        RecommendedCurve::P_521 => &signature::ECDSA_P521_SHA512_ASN1,
        _ => return Err(CryptoError("curves P-256, P-384 and P-521 are offered".into())),
    };
    let point: &[u8] = &t.q_string;
    let key = signature::ParsedPublicKey::new(verify, point)
        .map_err(|_| CryptoError("the EC public point is not on its curve".into()))?;
    let der = key
        .as_der()
        .map_err(|_| CryptoError("the EC public key could not be encoded".into()))?;
    Ok(der.as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::pkey::{generate, Kind, PKey};

    #[test]
    fn rsa_and_ec_keys_round_trip_through_their_transparent_forms() {
        let rsa = generate(Kind::Rsa, 2048).unwrap();
        let pkcs1 = rsa.private_traditional_der().unwrap();
        let back = rsa_private_der(&rsa_private(&pkcs1).unwrap()).unwrap();
        assert_eq!(back.as_slice(), pkcs1.as_slice(), "the same DER, byte for byte");
        let public = rsa.public_pkcs1_der().unwrap();
        assert_eq!(rsa_public_der(&rsa_public(&public).unwrap()).unwrap(), public);

        let ec = generate(Kind::Ec, 384).unwrap();
        let pkcs8 = ec.private_pkcs8_der().unwrap();
        let t = ec_private(&pkcs8, RecommendedCurve::P_384).unwrap();
        let again = PKey::private_from_der(&ec_private_der(&t).unwrap()).unwrap();
        assert_eq!(
            again.public_spki_der().unwrap(),
            ec.public_spki_der().unwrap(),
            "the same key"
        );
        let spki = ec.public_spki_der().unwrap();
        let tp = ec_public(&spki, RecommendedCurve::P_384).unwrap();
        assert_eq!(tp.q_string.first(), Some(&0x04), "uncompressed point");
        assert_eq!(ec_public_der(&tp).unwrap(), spki);
    }
}
