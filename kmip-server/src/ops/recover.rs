//! Recover (KMIP 1.4 §4.23): brings an archived object back on-line.

use kmip_codec::messages::ops::recover::{RecoverRequest, RecoverResponse};
use kmip_codec::messages::AttributeName;

use crate::object::attributes::touched;
use crate::ops::{Context, Error};

/// Runs Recover.
pub fn run(ctx: &Context<'_>, req: &RecoverRequest) -> Result<RecoverResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update(&uid, |o| {
        if o.is_archived() {
            o.remove(AttributeName::ArchiveDate);
            touched(o);
        }
        Ok(())
    })?;
    Ok(RecoverResponse { unique_identifier: uid })
}
