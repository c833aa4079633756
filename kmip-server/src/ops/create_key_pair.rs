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

use crate::engine::keygen::{key_spec, merged, new_pair};
use crate::engine::templates::from_template;
use crate::ops::{Context, Error};
use kmip_codec::messages::ops::create_key_pair::{CreateKeyPairRequest, CreateKeyPairResponse};
use kmip_codec::messages::AttributeName;

/// Runs Create Key Pair.
pub fn run(ctx: &Context<'_>, req: &CreateKeyPairRequest) -> Result<CreateKeyPairResponse, Error> {
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
        ..Default::default()
    };
    ctx.store.create_all(&ctx.scope(), vec![private, public])?;
    Ok(response)
}
