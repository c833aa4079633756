//! Get Attributes (KMIP 1.4 §4.12): the named attributes in the order
//! asked, or all of them. A named attribute the object does not have is
//! simply left out (vCenter asks for absent custom attributes and expects
//! success).

use kmip_codec::messages::ops::get_attributes::{GetAttributesRequest, GetAttributesResponse};

use crate::ops::{Context, Error};

/// Runs Get Attributes.
pub fn run(ctx: &Context<'_>, req: &GetAttributesRequest) -> Result<GetAttributesResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let stored = ctx.load(&uid, false)?;
    let attributes = if req.attribute_names.is_empty() {
        stored.attributes.clone()
    } else {
        req.attribute_names
            .iter()
            .flat_map(|name| stored.named(name).cloned().collect::<Vec<_>>())
            .collect()
    };
    Ok(GetAttributesResponse {
        unique_identifier: uid,
        attributes,
    })
}
