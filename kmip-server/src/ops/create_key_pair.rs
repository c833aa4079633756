//! Create Key Pair (KMIP 1.4 §4.2): the server generates an RSA (2048,
//! 3072 or 4096 bits) or EC (P-256, P-384, P-521) key pair and stores both
//! halves in one transaction, each with its own attributes: the Common
//! Template-Attribute applies to both, the Private and Public ones to their
//! half and override the common ones. Each half links to the other.
//!
//! Key blocks: RSA keys as PKCS#1 (private RSAPrivateKey, public
//! RSAPublicKey), what the OASIS cases expect; EC private keys as PKCS#8,
//! EC public keys as X.509 SubjectPublicKeyInfo. Get converts on request.
//! RSA keys under 2048 bits are refused (NIST SP 800-131A).

use kmip_codec::enums::{CryptographicAlgorithm, KeyFormatType, LinkType, ObjectType, RecommendedCurve};
use kmip_codec::messages::ops::create_key_pair::{CreateKeyPairRequest, CreateKeyPairResponse};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::{
    Attribute, AttributeValue, Bytes, KeyBlock, KeyMaterial, KeyValue, Object, PrivateKey, PublicKey,
};

use super::attributes::{from_template, multiple, new_object, server_rng};
use super::{Context, Error};
use crate::crypto::pkey::{self, Kind, PKey};
use crate::store::objects::StoredObject;

/// The common attributes, then the half's own, which replace a
/// single-instance common one.
pub(super) fn merged(common: &[Attribute], own: Vec<Attribute>) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = common
        .iter()
        .filter(|c| multiple(&c.name) || !own.iter().any(|o| o.name == c.name))
        .cloned()
        .collect();
    out.extend(own);
    out
}

fn find<T>(attributes: &[Attribute], f: impl Fn(&AttributeValue) -> Option<T>) -> Option<T> {
    attributes.iter().find_map(|a| f(&a.value))
}

/// The key type and size the attributes ask for.
pub(super) fn key_spec(attributes: &[Attribute]) -> Result<(CryptographicAlgorithm, Kind, usize), Error> {
    let algorithm = find(attributes, |v| match v {
        AttributeValue::CryptographicAlgorithm(a) => Some(*a),
        _ => None,
    })
    .ok_or_else(|| Error::InvalidField("Create Key Pair needs a Cryptographic Algorithm attribute".into()))?;
    let length = find(attributes, |v| match v {
        AttributeValue::CryptographicLength(n) => usize::try_from(*n).ok(),
        _ => None,
    });
    let curve = find(attributes, |v| match v {
        AttributeValue::CryptographicDomainParameters(p) => p.recommended_curve,
        _ => None,
    });
    let kind = match algorithm {
        CryptographicAlgorithm::RSA => Kind::Rsa,
        CryptographicAlgorithm::EC | CryptographicAlgorithm::ECDSA | CryptographicAlgorithm::ECDH => Kind::Ec,
        other => {
            return Err(Error::InvalidField(format!(
                "Create Key Pair makes RSA and EC keys, not {}",
                other.name().unwrap_or("this algorithm")
            )))
        }
    };
    let bits = match (kind, curve, length) {
        (Kind::Ec, Some(RecommendedCurve::P_256), _) => 256,
        (Kind::Ec, Some(RecommendedCurve::P_384), _) => 384,
        (Kind::Ec, Some(RecommendedCurve::P_521), _) => 521,
        (Kind::Ec, Some(c), _) => {
            return Err(Error::InvalidField(format!(
                "curve {} is not offered: use P-256, P-384 or P-521",
                c.name().unwrap_or("of this value")
            )))
        }
        (_, _, Some(n)) => n,
        (_, _, None) => {
            return Err(Error::InvalidField(
                "Create Key Pair needs a Cryptographic Length (or, for EC, a Recommended Curve)".into(),
            ))
        }
    };
    Ok((algorithm, kind, bits))
}

fn block(format: KeyFormatType, der: Vec<u8>, algorithm: CryptographicAlgorithm, bits: usize) -> KeyBlock {
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(der)),
            attributes: vec![],
        }),
        cryptographic_algorithm: Some(algorithm),
        cryptographic_length: i32::try_from(bits).ok(),
        key_wrapping_data: None,
    }
}

/// The two halves of a new key pair as objects, in their default formats.
fn pair_objects(
    key: &PKey,
    kind: Kind,
    algorithm: CryptographicAlgorithm,
    bits: usize,
) -> Result<(Object, Object), Error> {
    let (private, public) = match kind {
        Kind::Rsa => (
            block(
                KeyFormatType::PKCS_1,
                key.private_traditional_der().map_err(Error::crypto)?.to_vec(),
                algorithm,
                bits,
            ),
            block(
                KeyFormatType::PKCS_1,
                key.public_pkcs1_der().map_err(Error::crypto)?,
                algorithm,
                bits,
            ),
        ),
        Kind::Ec => (
            block(
                KeyFormatType::PKCS_8,
                key.private_pkcs8_der().map_err(Error::crypto)?.to_vec(),
                algorithm,
                bits,
            ),
            block(
                KeyFormatType::X_509,
                key.public_spki_der().map_err(Error::crypto)?,
                algorithm,
                bits,
            ),
        ),
    };
    Ok((
        Object::PrivateKey(PrivateKey { key_block: private }),
        Object::PublicKey(PublicKey { key_block: public }),
    ))
}

/// Both halves as stored objects, linked to each other.
fn linked_pair(
    private: (Object, Vec<Attribute>),
    public: (Object, Vec<Attribute>),
    algorithm: CryptographicAlgorithm,
    bits: usize,
) -> Result<(StoredObject, StoredObject), Error> {
    let length = i32::try_from(bits).unwrap_or(i32::MAX);
    let mut private = new_object(ObjectType::PrivateKey, private.0, private.1, Some((algorithm, length)))?;
    let mut public = new_object(ObjectType::PublicKey, public.0, public.1, Some((algorithm, length)))?;
    private.add_link(LinkType::PublicKeyLink, &public.uid);
    public.add_link(LinkType::PrivateKeyLink, &private.uid);
    private.set(server_rng());
    public.set(server_rng());
    Ok((private, public))
}

/// A freshly generated key pair as two linked objects with these attributes.
pub(super) fn new_pair(
    kind: Kind,
    algorithm: CryptographicAlgorithm,
    bits: usize,
    private_attrs: Vec<Attribute>,
    public_attrs: Vec<Attribute>,
) -> Result<(StoredObject, StoredObject), Error> {
    let key = pkey::generate(kind, bits).map_err(|e| Error::InvalidField(e.0))?;
    let (private_object, public_object) = pair_objects(&key, kind, algorithm, bits)?;
    linked_pair(
        (private_object, private_attrs),
        (public_object, public_attrs),
        algorithm,
        bits,
    )
}

/// Runs Create Key Pair.
pub fn run(ctx: &mut Context<'_>, req: &CreateKeyPairRequest) -> Result<CreateKeyPairResponse, Error> {
    let common = from_template(ctx, req.common_template_attribute.as_ref())?;
    let private_attrs = merged(
        &common,
        from_template(ctx, req.private_key_template_attribute.as_ref())?,
    );
    let public_attrs = merged(&common, from_template(ctx, req.public_key_template_attribute.as_ref())?);
    let (algorithm, kind, bits) = key_spec(&private_attrs)?;
    if key_spec(&public_attrs)? != (algorithm, kind, bits) {
        return Err(Error::InvalidField(
            "the private and public halves ask for different algorithms or lengths".into(),
        ));
    }
    for (half, attrs) in [("private", &private_attrs), ("public", &public_attrs)] {
        if !attrs.iter().any(|a| a.is(AttributeName::CryptographicUsageMask)) {
            return Err(Error::InvalidField(format!(
                "the {half} key needs a Cryptographic Usage Mask attribute"
            )));
        }
    }
    let (private, public) = new_pair(kind, algorithm, bits, private_attrs, public_attrs)?;
    let response = CreateKeyPairResponse {
        private_key_unique_identifier: private.uid.clone(),
        public_key_unique_identifier: public.uid.clone(),
        private_key_template_attribute: None,
        public_key_template_attribute: None,
    };
    ctx.store.create_all(&ctx.scope(), vec![private, public])?;
    *ctx.id_placeholder = Some(response.private_key_unique_identifier.clone());
    Ok(response)
}
