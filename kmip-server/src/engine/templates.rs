//! Template attributes (KMIP 1.4 §2.2.6, §3): a request's own attributes
//! merged with those of the Templates it names, checked for creation.

use kmip_codec::enums::{ObjectType, StorageStatusMask};
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue, Name, Object, TemplateAttribute};

use crate::ops::{Context, Error};
use crate::store::{value_bytes, LocateFilter};

use crate::object::attributes::{check_settable, multiple};

/// The attributes of a Template-Attribute, checked for creation: those of
/// the Templates it names (in the caller's scope, in the order named), then
/// its own, which replace a single-instance attribute a Template gave;
/// nothing read-only, single-instance ones once.
pub fn from_template(ctx: &Context<'_>, template: Option<&TemplateAttribute>) -> Result<Vec<Attribute>, Error> {
    let Some(t) = template else { return Ok(vec![]) };
    let mut merged: Vec<Attribute> = Vec::new();
    for name in &t.names {
        merged.extend(template_named(ctx, name)?);
    }
    merged.retain(|m| multiple(&m.name) || !t.attributes.iter().any(|a| a.name == m.name));
    merged.extend(t.attributes.iter().cloned());
    check_creatable(&merged)?;
    Ok(merged)
}

/// Each attribute settable at creation, single-instance ones at most once.
pub fn check_creatable(attributes: &[Attribute]) -> Result<(), Error> {
    attributes.iter().try_for_each(check_settable)?;
    check_once(attributes)
}

/// Single-instance attributes at most once.
pub fn check_once(attributes: &[Attribute]) -> Result<(), Error> {
    for (i, a) in attributes.iter().enumerate() {
        if !multiple(&a.name) && attributes.iter().skip(i.saturating_add(1)).any(|b| b.name == a.name) {
            return Err(Error::InvalidField(format!("{} may be given only once", a.name)));
        }
    }
    Ok(())
}

/// The attributes of the caller's Template object of that Name (§2.2.6).
fn template_named(ctx: &Context<'_>, name: &Name) -> Result<Vec<Attribute>, Error> {
    let filter = LocateFilter {
        object_type: Some(ObjectType::Template.0),
        attributes: vec![(
            AttributeName::Name.as_str().to_owned(),
            value_bytes(&AttributeValue::Name(name.clone())),
        )],
        maximum_items: Some(1),
        storage: StorageStatusMask::OnLineStorage,
        ..LocateFilter::default()
    };
    let missing = || Error::ItemNotFound(format!("no Template named {:?}", name.value));
    let uid = ctx.store.locate(ctx.auth.scope(), &filter)?.pop().ok_or_else(missing)?;
    match &ctx.load(&uid, true)?.object {
        Some(Object::Template(t)) => Ok(t.attributes.clone()),
        _ => Err(missing()),
    }
}
