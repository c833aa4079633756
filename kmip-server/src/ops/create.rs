//! Create (KMIP 1.4 §4.1): the server generates a symmetric key.
//!
//! Cryptographic Algorithm and Cryptographic Usage Mask are required
//! (Table 165); AES takes 128, 192 or 256 bits, 3DES 168 or 192 (three
//! 64-bit keys with parity bits), HMAC keys 8 to 4096 bits in whole bytes.
//! Secret Data and the other object types are registered, not created.

use crate::engine::keygen::generate;
use crate::engine::templates::from_template;
use crate::object::attributes::{new_object, server_rng};
use crate::ops::{Context, Error};
use kmip_codec::enums::ObjectType;
use kmip_codec::messages::ops::create::{CreateRequest, CreateResponse};
use kmip_codec::messages::{AttributeName, AttributeValue};

/// Runs Create.
pub fn run(ctx: &Context<'_>, req: &CreateRequest) -> Result<CreateResponse, Error> {
    if req.object_type != ObjectType::SymmetricKey {
        return Err(Error::InvalidField(format!(
            "Create makes Symmetric Keys; register a {} instead",
            req.object_type.name().unwrap_or("object of this type")
        )));
    }
    let attributes = from_template(ctx, Some(&req.template_attribute))?;
    let algorithm = attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicAlgorithm(x) => Some(x),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidField("Create needs a Cryptographic Algorithm attribute".into()))?;
    if !attributes.iter().any(|a| a.is(AttributeName::CryptographicUsageMask)) {
        return Err(Error::InvalidField(
            "Create needs a Cryptographic Usage Mask attribute".into(),
        ));
    }
    let bits = attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicLength(x) => Some(x),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidField("Create needs a Cryptographic Length attribute".into()))?;
    let object = generate(algorithm, bits)?;
    let mut stored = new_object(ObjectType::SymmetricKey, object, attributes, None)?;
    stored.set(server_rng());
    let uid = stored.uid.clone();
    ctx.store.create(&ctx.scope(), stored)?;
    Ok(CreateResponse {
        object_type: ObjectType::SymmetricKey,
        unique_identifier: uid,
        template_attribute: None,
    })
}
