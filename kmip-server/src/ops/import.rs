//! Import (KMIP 1.4 §4.41): stores an exported object under its own Unique
//! Identifier with the attributes it carries (its State among them). An
//! existing object of that identifier is replaced only with Replace
//! Existing; otherwise the answer is Object Already Exists. Objects are
//! imported into the caller's scope. A wrapped key is stored as provided,
//! unless Key Wrap Type is Not Wrapped: then it is first unwrapped with
//! the caller's Active AES key that its Key Wrapping Data names (RFC
//! 3394/5649), and the import fails if that key is not available.
//! Unique Identifiers are unique across scopes, so a UID another scope
//! holds cannot be imported (Invalid Field); server-made UIDs are random
//! 128-bit values, so only a guessed one could collide.

use kmip_codec::enums::{KeyWrapType, State};
use kmip_codec::messages::ops::import::{ImportRequest, ImportResponse};
use kmip_codec::messages::AttributeValue;

use crate::object::attributes::keep_key_flags;
use crate::object::ManagedObject;
use crate::ops::{Context, Error};

/// Runs Import.
pub fn run(ctx: &Context<'_>, req: &ImportRequest) -> Result<ImportResponse, Error> {
    let mut object = req.object.clone();
    if req.key_wrap_type == Some(KeyWrapType::NotWrapped) {
        crate::engine::wrapping::unwrap(ctx, &mut object)?;
    }
    let uid = req.unique_identifier.clone();
    // The exported attributes, State included (Pre-Active when absent).
    let mut stored = ManagedObject {
        uid: uid.clone(),
        object_type: req.object.object_type(),
        object: Some(object),
        attributes: req.attributes.clone(),
    };
    stored.set_state(stored.state());
    // Always Sensitive / Never Extractable as the imported flags allow,
    // never claimed beyond them.
    keep_key_flags(&mut stored);
    stored.set(AttributeValue::UniqueIdentifier(uid.clone()));
    stored.set(AttributeValue::ObjectType(stored.object_type));
    let scope = ctx.scope();
    let sealed = ctx.store.seal(&scope, &mut stored)?;
    let replace = req.replace_existing.unwrap_or(false);

    ctx.store.write(&scope, move |objects| {
        if let Some(existing) = objects.load(&stored.uid, None)? {
            if !replace {
                return Err(Error::ObjectAlreadyExists(format!(
                    "object {} exists: set Replace Existing to replace it",
                    stored.uid
                )));
            }
            // A compromised or destroyed object stays so: Import does not
            // bring back what Revoke or Destroy took out of use.
            if matches!(
                existing.state(),
                State::Compromised | State::Destroyed | State::DestroyedCompromised
            ) {
                return Err(Error::IllegalOperation(format!(
                    "object {} is {}: it cannot be replaced",
                    stored.uid,
                    existing.state().name().unwrap_or("out of use")
                )));
            }
            objects.delete(&stored.uid)?;
        } else if objects.uid_taken(&stored.uid)? {
            // Unique Identifiers are unique across scopes. Guessing
            // another scope's random UID is the only way here.
            return Err(Error::InvalidField(format!(
                "{} cannot be used as a Unique Identifier here",
                stored.uid
            )));
        }
        objects.create(&stored, sealed)?;
        Ok(())
    })?;
    Ok(ImportResponse { unique_identifier: uid })
}
