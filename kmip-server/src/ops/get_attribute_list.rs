//! Get Attribute List (KMIP 1.4 §4.13): the names of the object's
//! attributes, each once.

use kmip_codec::messages::ops::get_attribute_list::{GetAttributeListRequest, GetAttributeListResponse};

use crate::ops::{Context, Error};

/// Runs Get Attribute List.
pub fn run(ctx: &Context<'_>, req: &GetAttributeListRequest) -> Result<GetAttributeListResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let stored = ctx.load(&uid, false)?;
    let mut attribute_names: Vec<String> = Vec::new();
    for a in &stored.attributes {
        if !attribute_names.contains(&a.name) {
            attribute_names.push(a.name.clone());
        }
    }
    Ok(GetAttributeListResponse {
        unique_identifier: uid,
        attribute_names,
    })
}
