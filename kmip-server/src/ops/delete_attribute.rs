//! Delete Attribute (KMIP 1.4 §4.16): removes one instance (index 0 unless
//! the request names one) and returns it. Read-only and required attributes
//! are refused with Permission Denied; a missing one is Item Not Found.

use kmip_codec::messages::ops::delete_attribute::{DeleteAttributeRequest, DeleteAttributeResponse};

use crate::object::attributes::{check_deletable, touched};

use crate::ops::{Context, Error};

/// Runs Delete Attribute.
pub fn run(ctx: &Context<'_>, req: &DeleteAttributeRequest) -> Result<DeleteAttributeResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    check_deletable(&req.attribute_name)?;
    let (name, index) = (req.attribute_name.clone(), req.attribute_index.unwrap_or(0));
    let before = ctx.load(&uid, false)?;
    let attribute = before
        .named(&name)
        .find(|a| a.index.unwrap_or(0) == index)
        .cloned()
        .ok_or_else(|| Error::ItemNotFound(format!("the object has no instance {index} of {name}")))?;
    ctx.update(&uid, move |o| {
        let position = o
            .attributes
            .iter()
            .position(|a| a.name == name && a.index.unwrap_or(0) == index)
            .ok_or_else(|| Error::ItemNotFound(format!("the object has no instance {index} of {name}")))?;
        o.attributes.remove(position);
        touched(o);
        Ok(())
    })?;
    Ok(DeleteAttributeResponse {
        unique_identifier: uid,
        attribute,
    })
}
