//! Modify Attribute (KMIP 1.4 §4.15): replaces the value of an existing
//! instance (index 0 unless the request names one). Read-only attributes
//! are refused with Permission Denied; a missing attribute is an Invalid
//! Field and a missing instance Item Not Found (§11.16). The response
//! names the instance, Attribute Index 0 included.

use kmip_codec::enums::State;
use kmip_codec::messages::ops::modify_attribute::{ModifyAttributeRequest, ModifyAttributeResponse};
use kmip_codec::messages::{Attribute, AttributeName};

use crate::object::attributes::{check_modifiable, touched};

use crate::ops::{Context, Error};

/// Runs Modify Attribute.
pub fn run(ctx: &Context<'_>, req: &ModifyAttributeRequest) -> Result<ModifyAttributeResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let new = req.attribute.clone();
    check_modifiable(&new.name)?;
    let (name, index) = (new.name.clone(), new.index.unwrap_or(0));
    let stored = ctx.update(&uid, move |o| {
        if new.is(AttributeName::ActivationDate) && o.state() != State::PreActive {
            return Err(Error::PermissionDenied(
                "the Activation Date can change only while the object is Pre-Active".into(),
            ));
        }
        let mut instances = o.attributes.iter_mut().filter(|a| a.name == new.name).peekable();
        if instances.peek().is_none() {
            return Err(Error::InvalidField(format!(
                "the object has no {}: add it first",
                new.name
            )));
        }
        let target = instances
            .find(|a| a.index.unwrap_or(0) == index)
            .ok_or_else(|| Error::ItemNotFound(format!("no instance {index} of {}", new.name)))?;
        target.value = new.value;
        touched(o);
        Ok(())
    })?;
    let attribute = stored
        .named(&name)
        .find(|a| a.index.unwrap_or(0) == index)
        .cloned()
        .ok_or_else(|| Error::General("the modified attribute was not stored".into()))?;
    // The response names the instance, index 0 included: clients read it.
    let attribute = Attribute {
        index: Some(attribute.index.unwrap_or(0)),
        ..attribute
    };
    Ok(ModifyAttributeResponse {
        unique_identifier: uid,
        attribute,
    })
}
