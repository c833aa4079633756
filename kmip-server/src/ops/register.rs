//! Register (KMIP 1.4 §4.3): the client supplies the object, of any type.
//! Templates (deprecated since 1.3, still in 1.4) are kept so that Create,
//! Register and Re-key can name them in a Template-Attribute. Algorithm and
//! length come from the Key Block when the attributes do not give them.
//! A client may also say where the object came from: Original Creation
//! Date, Random Number Generator and Fresh, which the server sets itself
//! for what it creates.

use crate::engine::templates::{check_creatable, check_once, from_template};
use crate::object::attributes::new_object;
use crate::ops::{Context, Error};
use kmip_codec::messages::ops::register::{RegisterRequest, RegisterResponse};
use kmip_codec::messages::{Attribute, AttributeRules, Object, TemplateAttribute};

/// Runs Register.
pub fn run(ctx: &Context<'_>, req: &RegisterRequest) -> Result<RegisterResponse, Error> {
    if req.object.object_type() != req.object_type {
        return Err(Error::InvalidField(format!(
            "Object Type says {} but the object is a {}",
            req.object_type.name().unwrap_or("?"),
            req.object.object_type().name().unwrap_or("?")
        )));
    }
    // A Template's attributes are applied when it is named later, so they
    // must be ones a client could give at creation.
    if let Object::Template(t) = &req.object {
        check_creatable(&t.attributes)?;
    }
    // Where the object came from (Original Creation Date, Random Number
    // Generator, Fresh) a client may say in Register alone (§3.43, §3.44).
    let (origin, template): (Vec<Attribute>, Vec<Attribute>) = req
        .template_attribute
        .attributes
        .iter()
        .cloned()
        .partition(|a| AttributeRules::of(&a.name).is_some_and(|r| r.register));
    check_once(&origin)?;
    let template = TemplateAttribute {
        names: req.template_attribute.names.clone(),
        attributes: template,
    };
    let mut attributes = from_template(ctx, Some(&template))?;
    attributes.extend(origin);
    let block_algorithm = req
        .object
        .key_block()
        .and_then(|b| Some((b.cryptographic_algorithm?, b.cryptographic_length?)));
    let stored = new_object(req.object_type, req.object.clone(), attributes, block_algorithm)?;
    let uid = stored.uid.clone();
    ctx.store.create(&ctx.scope(), stored)?;
    Ok(RegisterResponse {
        unique_identifier: uid,
        template_attribute: None,
    })
}
