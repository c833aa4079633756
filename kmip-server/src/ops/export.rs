//! Export (KMIP 1.4 §4.40): the object with all its attributes, for moving
//! it to another server (whose Import takes exactly this). Key format and
//! wrapping work as for Get ([`crate::engine::retrieve`]).

use kmip_codec::messages::ops::export::{ExportRequest, ExportResponse};
use kmip_codec::messages::ops::get::GetRequest;

use super::{Context, Error};
use crate::engine::retrieve::retrieve;

/// Runs Export.
pub fn run(ctx: &Context<'_>, req: &ExportRequest) -> Result<ExportResponse, Error> {
    let got = retrieve(
        ctx,
        &GetRequest {
            unique_identifier: req.unique_identifier.clone(),
            key_format_type: req.key_format_type,
            key_wrap_type: req.key_wrap_type,
            key_compression_type: req.key_compression_type,
            key_wrapping_specification: req.key_wrapping_specification.clone(),
        },
    )?;
    let attributes = ctx.load(&got.unique_identifier, false)?.attributes.clone();
    Ok(ExportResponse {
        object_type: got.object_type,
        unique_identifier: got.unique_identifier,
        attributes,
        object: got.object,
    })
}
