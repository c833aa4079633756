//! The operations, one file each, and the one place that dispatches to
//! them. An operation not in the `handlers!` list answers Operation Not
//! Supported ([`unsupported`]); Query reports exactly that list, so the two
//! cannot drift. Every KMIP 1.4 client-to-server operation is in it.

mod activate;
mod add_attribute;
mod archive;
mod attributes;
mod cancel;
mod certify;
mod check;
mod cipher;
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
mod key_use;
mod locate;
mod mac;
mod mac_verify;
mod modify_attribute;
mod obtain_lease;
mod parsed_keys;
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
pub mod streams;
mod validate;
mod wrapping;

use kmip_codec::enums::{ObjectType, Operation, ResultReason};
use kmip_codec::messages::{ProtocolVersion, RequestPayload, ResponsePayload};

use crate::policy::{Authorized, Scope};
use crate::store::objects::StoredObject;
use crate::store::{DbError, ObjectStore};

/// What an operation handler gets besides its payload.
pub struct Context<'a> {
    /// The authorisation for this operation, which names the scope.
    pub auth: &'a Authorized<'a>,
    /// The protocol version of the request (and so of the response).
    pub version: &'a ProtocolVersion,
    /// The batch's ID Placeholder (KMIP 1.4 §4): set by operations that
    /// return a Unique Identifier, used by later items that omit theirs.
    pub id_placeholder: &'a mut Option<String>,
    /// The object store.
    pub store: &'a dyn ObjectStore,
    /// What operations keep in memory between requests.
    pub memory: &'a Memory,
    /// The CA that Certify and Re-certify issue certificates with.
    pub certify_ca: &'a crate::auth::ca::Ca,
}

impl Context<'_> {
    /// The Unique Identifier a request names, or the ID Placeholder.
    pub fn uid(&self, given: &Option<String>) -> Result<String, OpError> {
        given.clone().or_else(|| self.id_placeholder.clone()).ok_or_else(|| {
            OpError::new(
                ResultReason::InvalidField,
                "no Unique Identifier given, and no earlier item of this batch set the ID Placeholder",
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
    pub fn load(&self, uid: &str, material: bool) -> Result<StoredObject, OpError> {
        let stored = self
            .store
            .load(self.auth.scope(), uid, material)
            .map_err(storage)?
            .ok_or_else(|| not_found(uid))?;
        check_archived(&stored, self.auth.operation())?;
        Ok(stored)
    }

    /// Loads an object, lets `change` modify it, and saves it, all in one
    /// committed transaction. `change` refuses with an [`OpError`].
    pub fn update(
        &self,
        uid: &str,
        change: impl FnOnce(&mut StoredObject) -> Result<(), OpError> + Send + 'static,
    ) -> Result<StoredObject, OpError> {
        self.update_inner(uid, change, false)
    }

    /// [`Context::update`], also erasing the key material in the same
    /// transaction (Destroy).
    pub fn update_erasing(
        &self,
        uid: &str,
        change: impl FnOnce(&mut StoredObject) -> Result<(), OpError> + Send + 'static,
    ) -> Result<StoredObject, OpError> {
        self.update_inner(uid, change, true)
    }

    fn update_inner(
        &self,
        uid: &str,
        change: impl FnOnce(&mut StoredObject) -> Result<(), OpError> + Send + 'static,
        erase: bool,
    ) -> Result<StoredObject, OpError> {
        let (uid, operation) = (uid.to_owned(), self.auth.operation());
        self.store
            .write(self.auth.scope(), move |objects| {
                let Some(mut stored) = objects.load(&uid, None)? else {
                    return Ok(Err(not_found(&uid)));
                };
                if let Err(e) = check_archived(&stored, operation) {
                    return Ok(Err(e));
                }
                if let Err(e) = change(&mut stored) {
                    return Ok(Err(e));
                }
                objects.update(&stored)?;
                if erase {
                    objects.erase_material(&stored.uid)?;
                }
                Ok(Ok(stored))
            })
            .map_err(storage)?
    }
}

/// Object Archived for an archived object, unless `operation` is one that
/// works on archived objects.
fn check_archived(stored: &StoredObject, operation: Operation) -> Result<(), OpError> {
    const ALLOWED: &[Operation] = &[
        Operation::GetAttributes,
        Operation::GetAttributeList,
        Operation::Archive,
        Operation::Recover,
    ];
    if stored.values("Archive Date").next().is_some() && !ALLOWED.contains(&operation) {
        return Err(OpError::new(
            ResultReason::ObjectArchived,
            format!("object {} is archived: Recover it first", stored.uid),
        ));
    }
    Ok(())
}

/// Item Not Found, the same for a missing object and another scope's.
pub fn not_found(uid: &str) -> OpError {
    OpError::new(ResultReason::ItemNotFound, format!("no object {uid}"))
}

/// A storage failure, for the client without internals.
pub fn storage(e: DbError) -> OpError {
    tracing::error!("storage failure: {e}");
    OpError::new(
        ResultReason::GeneralFailure,
        "the server could not access its store; see its log",
    )
}

/// A failed operation: the Result Reason and a message a person can act on.
#[derive(Debug, PartialEq, Eq)]
pub struct OpError {
    /// The Result Reason.
    pub reason: ResultReason,
    /// The Result Message.
    pub message: String,
}

impl OpError {
    /// A failure with a reason and message.
    pub fn new(reason: ResultReason, message: impl Into<String>) -> Self {
        OpError {
            reason,
            message: message.into(),
        }
    }
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

/// What operations keep in memory between requests (lost on restart).
#[derive(Default)]
pub struct Memory {
    /// Cryptographic operations in parts.
    pub streams: streams::Streams,
    /// Parsed RSA and EC keys.
    pub keys: parsed_keys::ParsedKeys,
}

/// Operation Not Supported for an operation outside [`IMPLEMENTED`]: Notify
/// and Put, which a server sends rather than answers (KMIP 1.4 §5), and
/// any operation code KMIP 1.4 does not define.
pub fn unsupported(operation: Operation) -> OpError {
    let message = match operation {
        Operation::Notify | Operation::Put => format!(
            "{} is sent by a server to a client; this server does not answer it",
            operation.name().unwrap_or("this operation")
        ),
        other => format!(
            "operation {} is not supported by this server",
            other.name().map_or_else(|| format!("0x{:08X}", other.0), str::to_owned)
        ),
    };
    OpError::new(ResultReason::OperationNotSupported, message)
}

macro_rules! handlers {
    ($($op:ident => $module:ident,)*) => {
        /// The operations this server implements, in the order Query lists them.
        pub const IMPLEMENTED: &[Operation] = &[$(Operation::$op,)*];

        /// Runs one authorised batch item.
        pub fn dispatch(ctx: &mut Context<'_>, payload: &RequestPayload) -> Result<ResponsePayload, OpError> {
            match payload {
                $(RequestPayload::$op(p) => $module::run(ctx, p).map(ResponsePayload::$op),)*
                other => Err(unsupported(other.operation())),
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
