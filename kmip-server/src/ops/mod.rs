//! The operations, one file each, and the one place that dispatches to
//! them. An operation not in the `handlers!` list answers Operation Not
//! Supported; Query reports exactly that list, so the two cannot drift.

mod discover_versions;
mod query;

use kmip_codec::enums::{ObjectType, Operation, ResultReason};
use kmip_codec::messages::{ProtocolVersion, RequestPayload, ResponsePayload};

use crate::policy::Authorized;

/// What an operation handler gets besides its payload.
pub struct Context<'a> {
    /// The authorisation for this operation, which names the scope.
    pub auth: &'a Authorized<'a>,
    /// The protocol version of the request (and so of the response).
    pub version: &'a ProtocolVersion,
    /// The batch's ID Placeholder (KMIP 1.4 §4): set by operations that
    /// return a Unique Identifier, used by later items that omit theirs.
    pub id_placeholder: &'a mut Option<String>,
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

/// The object types the server can create, register and keep. None until
/// the object store arrives; Query Objects and Query Profiles read this.
pub const OBJECT_TYPES: &[ObjectType] = &[];

macro_rules! handlers {
    ($($op:ident => $module:ident,)*) => {
        /// The operations this server implements, in the order Query lists them.
        pub const IMPLEMENTED: &[Operation] = &[$(Operation::$op,)*];

        /// Runs one authorised batch item.
        pub fn dispatch(ctx: &mut Context<'_>, payload: &RequestPayload) -> Result<ResponsePayload, OpError> {
            match payload {
                $(RequestPayload::$op(p) => $module::run(ctx, p).map(ResponsePayload::$op),)*
                other => Err(OpError::new(
                    ResultReason::OperationNotSupported,
                    format!(
                        "{} is not supported by this server yet",
                        other.operation().name().unwrap_or("this operation")
                    ),
                )),
            }
        }
    };
}

handlers! {
    DiscoverVersions => discover_versions,
    Query => query,
}
