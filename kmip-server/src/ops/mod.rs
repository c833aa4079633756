//! The operations, one file each, and the one place that dispatches to
//! them. An operation not in the `handlers!` list answers Operation Not
//! Supported ([`Error::unsupported`]); Query reports exactly that list, so the two
//! cannot drift. Every KMIP 1.4 client-to-server operation is in it.

mod activate;
mod add_attribute;
mod archive;
mod cancel;
mod certify;
mod check;
mod create;
mod create_key_pair;
mod create_split_key;
mod decrypt;
mod delete_attribute;
mod derive_key;
mod destroy;
mod discover_versions;
mod encrypt;
mod export;
mod get;
mod get_attribute_list;
mod get_attributes;
mod get_usage_allocation;
mod hash;
mod import;
mod join_split_key;
mod locate;
mod mac;
mod mac_verify;
mod modify_attribute;
mod obtain_lease;
mod poll;
mod query;
mod recertify;
mod recover;
mod register;
mod rekey;
mod rekey_key_pair;
mod revoke;
mod rng_retrieve;
mod rng_seed;
mod sign;
mod signature_verify;
mod validate;

use kmip_codec::enums::{ObjectType, Operation};
use kmip_codec::messages::{ProtocolVersion, RequestPayload, ResponsePayload};

pub use crate::error::Error;
use crate::object::ManagedObject;
use crate::policy::{Authorized, Scope};
use crate::store::{ObjectStore, Objects};

/// What an operation handler gets besides its payload.
pub struct Context<'a> {
    /// The authorisation for this operation, which names the scope.
    pub auth: &'a Authorized<'a>,
    /// The protocol version of the request (and so of the response).
    pub version: &'a ProtocolVersion,
    /// The batch's ID Placeholder (KMIP 1.4 §4), which the protocol sets
    /// from each successful item's response: used by items that omit
    /// their Unique Identifier.
    pub id_placeholder: &'a Option<String>,
    /// The object store.
    pub store: &'a dyn ObjectStore,
    /// The server: its configuration, memory and Certify CA.
    pub server: &'a crate::server::Server,
}

impl Context<'_> {
    /// The Unique Identifier a request names, or the ID Placeholder.
    pub fn uid(&self, given: &Option<String>) -> Result<String, Error> {
        given.clone().or_else(|| self.id_placeholder.clone()).ok_or_else(|| {
            Error::InvalidField(
                "no Unique Identifier given, and no earlier item of this batch set the ID Placeholder".into(),
            )
        })
    }

    /// The caller's scope, owned (for store closures).
    pub fn scope(&self) -> Scope {
        self.auth.scope().clone()
    }

    /// Loads an object of the caller's scope, with its material if asked.
    /// An archived object is refused unless the operation works on archived
    /// objects (Get Attributes, Get Attribute List, Recover, Archive).
    /// Shared with the store's cache: take a copy (`Arc::unwrap_or_clone`)
    /// to change it.
    pub fn load(&self, uid: &str, material: bool) -> Result<std::sync::Arc<ManagedObject>, Error> {
        let stored = self
            .store
            .load(self.auth.scope(), uid, material)?
            .ok_or_else(|| Error::NoObject(uid.to_owned()))?;
        check_archived(&stored, self.auth.operation())?;
        Ok(stored)
    }

    /// Loads an object, lets `change` modify it, and saves it, all in one
    /// committed transaction. `change` refuses with an [`Error`].
    pub fn update(
        &self,
        uid: &str,
        change: impl FnOnce(&mut ManagedObject) -> Result<(), Error> + Send + 'static,
    ) -> Result<ManagedObject, Error> {
        self.update_inner(uid, change, false)
    }

    /// [`Context::update`], also erasing the key material in the same
    /// transaction (Destroy).
    pub fn update_erasing(
        &self,
        uid: &str,
        change: impl FnOnce(&mut ManagedObject) -> Result<(), Error> + Send + 'static,
    ) -> Result<ManagedObject, Error> {
        self.update_inner(uid, change, true)
    }

    fn update_inner(
        &self,
        uid: &str,
        change: impl FnOnce(&mut ManagedObject) -> Result<(), Error> + Send + 'static,
        erase: bool,
    ) -> Result<ManagedObject, Error> {
        let (uid, operation) = (uid.to_owned(), self.auth.operation());
        self.store.write(self.auth.scope(), move |objects| {
            let mut stored = load_for_change(objects, &uid, operation)?;
            change(&mut stored)?;
            objects.update(&stored)?;
            if erase {
                objects.erase_material(&stored.uid)?;
            }
            Ok(stored)
        })
    }
}

/// Loads an object inside a write transaction, refused as [`Context::load`]
/// refuses it: missing (or another scope's), or archived for `operation`.
pub fn load_for_change(objects: &dyn Objects, uid: &str, operation: Operation) -> Result<ManagedObject, Error> {
    let stored = objects
        .load(uid, None)?
        .ok_or_else(|| Error::NoObject(uid.to_owned()))?;
    check_archived(&stored, operation)?;
    Ok(stored)
}

/// Object Archived for an archived object, unless `operation` is one that
/// works on archived objects.
fn check_archived(stored: &ManagedObject, operation: Operation) -> Result<(), Error> {
    const ALLOWED: &[Operation] = &[
        Operation::GetAttributes,
        Operation::GetAttributeList,
        Operation::Archive,
        Operation::Recover,
    ];
    if stored.is_archived() && !ALLOWED.contains(&operation) {
        return Err(Error::archived(&stored.uid));
    }
    Ok(())
}

/// The object types the server can register and keep (Create makes
/// Symmetric Keys); Query Objects and Query Profiles read this.
pub const OBJECT_TYPES: &[ObjectType] = &[
    ObjectType::SymmetricKey,
    ObjectType::SecretData,
    ObjectType::OpaqueObject,
    ObjectType::Certificate,
    ObjectType::PublicKey,
    ObjectType::PrivateKey,
    ObjectType::SplitKey,
    ObjectType::PGPKey,
    ObjectType::Template,
];

macro_rules! handlers {
    ($($op:ident => $module:ident,)*) => {
        /// The operations this server implements, in the order Query lists them.
        pub const IMPLEMENTED: &[Operation] = &[$(Operation::$op,)*];

        /// Runs one authorised batch item.
        pub fn dispatch(ctx: &Context<'_>, payload: &RequestPayload) -> Result<ResponsePayload, Error> {
            match payload {
                $(RequestPayload::$op(p) => $module::run(ctx, p).map(ResponsePayload::$op),)*
                other => Err(Error::unsupported(other.operation())),
            }
        }
    };
}

handlers! {
    Create => create,
    CreateKeyPair => create_key_pair,
    Register => register,
    ReKey => rekey,
    ReKeyKeyPair => rekey_key_pair,
    Locate => locate,
    Check => check,
    Get => get,
    GetAttributes => get_attributes,
    GetAttributeList => get_attribute_list,
    AddAttribute => add_attribute,
    ModifyAttribute => modify_attribute,
    DeleteAttribute => delete_attribute,
    ObtainLease => obtain_lease,
    GetUsageAllocation => get_usage_allocation,
    Activate => activate,
    Revoke => revoke,
    Destroy => destroy,
    Archive => archive,
    Recover => recover,
    Export => export,
    Import => import,
    Encrypt => encrypt,
    Decrypt => decrypt,
    MAC => mac,
    MACVerify => mac_verify,
    Hash => hash,
    DeriveKey => derive_key,
    Certify => certify,
    ReCertify => recertify,
    Validate => validate,
    CreateSplitKey => create_split_key,
    JoinSplitKey => join_split_key,
    Sign => sign,
    SignatureVerify => signature_verify,
    RNGRetrieve => rng_retrieve,
    RNGSeed => rng_seed,
    Query => query,
    DiscoverVersions => discover_versions,
    Cancel => cancel,
    Poll => poll,
}
