//! Archive (KMIP 1.4 §4.22): moves an object to archival storage. It keeps
//! its attributes (readable with Get Attributes) but is not found by a plain
//! Locate and cannot be used until Recover brings it back (Object Archived,
//! §11); its Archive Date records when.

use kmip_codec::messages::ops::archive::{ArchiveRequest, ArchiveResponse};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::touched;
use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Archive.
pub fn run(ctx: &Context<'_>, req: &ArchiveRequest) -> Result<ArchiveResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update(&uid, |o| {
        if o.values(AttributeName::ArchiveDate).next().is_some() {
            return Err(Error::Archived(format!("object {} is already archived", o.uid)));
        }
        o.set(AttributeValue::ArchiveDate(DateTime(unix_now())));
        touched(o);
        Ok(())
    })?;
    Ok(ArchiveResponse { unique_identifier: uid })
}
