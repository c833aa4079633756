//! The server's one error type, and the one place that turns an error into
//! the Result Reason and Result Message a client is answered with.
//!
//! Handlers say what went wrong ([`Error::NoObject`], [`Error::Unusable`],
//! [`Error::InvalidField`], ...); [`Error::result_reason`] decides how
//! KMIP names it, so the same cause is answered the same way by every
//! operation. The variants that carry a `String` carry the message for the
//! client: never key material, never server internals. A storage failure
//! is logged where it happens and answered with a fixed message.

use std::fmt;

use kmip_codec::enums::{Operation, ResultReason};
use kmip_codec::messages::MessageError;

use crate::store::DbError;

/// Why a request (or one batch item) failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// No object with this Unique Identifier in the caller's scope; another
    /// scope's object answers exactly the same (Item Not Found).
    NoObject(String),
    /// The object is archived and the operation needs it on-line.
    Archived(String),
    /// The object exists but cannot be used for what is asked: wrong kind
    /// of key, usage mask, state or dates (KMIP 1.4 §11.30–11.35 answer
    /// Permission Denied).
    Unusable(String),
    /// A request field is wrong, missing or names something unknown.
    InvalidField(String),
    /// The message or batch item itself is malformed.
    InvalidMessage(String),
    /// The request does not decode; the codec says which Result Reason.
    Decode(&'static str, MessageError),
    /// The caller's role does not permit this.
    PermissionDenied(String),
    /// Not allowed for this object in its state or of its type.
    IllegalOperation(String),
    /// A cryptographic operation failed (bad tag, signature, key).
    CryptographicFailure(String),
    /// Something else the client asked for that doesn't exist (a Correlation
    /// Value, a linked object) (Item Not Found).
    ItemNotFound(String),
    /// A valid request for something this server does not offer.
    FeatureNotSupported(String),
    /// An operation the server does not answer.
    OperationNotSupported(String),
    /// The object has no key value on this server.
    KeyValueNotPresent(String),
    /// The Unique Identifier is already taken.
    ObjectAlreadyExists(String),
    /// The key cannot be given in the Key Format Type asked for.
    KeyFormatTypeNotSupported(String),
    /// The key cannot be given in the Key Compression Type asked for.
    KeyCompressionTypeNotSupported(String),
    /// The key cannot be wrapped or encoded as asked.
    EncodingOption(String),
    /// The response would exceed the client's Maximum Response Size.
    ResponseTooLarge(String),
    /// The change would take the scope past its quota of objects or bytes
    /// (KMIP 1.4 has no Result Reason of its own for it: Permission Denied,
    /// with this message).
    QuotaExceeded(String),
    /// The client closed its connection before this item ran: the batch
    /// stopped there (Operation Canceled By Requester).
    Canceled,
    /// The store failed; the server log has the detail.
    Storage,
    /// Any other failure on the server side, with a message safe to send.
    General(String),
}

impl Error {
    /// The Result Reason that KMIP 1.4 gives this error.
    pub fn result_reason(&self) -> ResultReason {
        match self {
            Error::NoObject(_) | Error::ItemNotFound(_) => ResultReason::ItemNotFound,
            Error::Archived(_) => ResultReason::ObjectArchived,
            Error::Unusable(_) | Error::PermissionDenied(_) | Error::QuotaExceeded(_) => ResultReason::PermissionDenied,
            Error::InvalidField(_) => ResultReason::InvalidField,
            Error::InvalidMessage(_) => ResultReason::InvalidMessage,
            Error::Decode(_, e) => e.result_reason(),
            Error::IllegalOperation(_) => ResultReason::IllegalOperation,
            Error::CryptographicFailure(_) => ResultReason::CryptographicFailure,
            Error::FeatureNotSupported(_) => ResultReason::FeatureNotSupported,
            Error::OperationNotSupported(_) => ResultReason::OperationNotSupported,
            Error::KeyValueNotPresent(_) => ResultReason::KeyValueNotPresent,
            Error::ObjectAlreadyExists(_) => ResultReason::ObjectAlreadyExists,
            Error::KeyFormatTypeNotSupported(_) => ResultReason::KeyFormatTypeNotSupported,
            Error::KeyCompressionTypeNotSupported(_) => ResultReason::KeyCompressionTypeNotSupported,
            Error::EncodingOption(_) => ResultReason::EncodingOptionError,
            Error::ResponseTooLarge(_) => ResultReason::ResponseTooLarge,
            Error::Canceled => ResultReason::OperationCanceledByRequester,
            Error::Storage | Error::General(_) => ResultReason::GeneralFailure,
        }
    }

    /// Object Archived for `uid`.
    pub fn archived(uid: &str) -> Self {
        Error::Archived(format!("object {uid} is archived: Recover it first"))
    }

    /// Operation Not Supported: for Notify and Put, which a server sends
    /// rather than answers (KMIP 1.4 §5), and any operation code KMIP 1.4
    /// does not define.
    pub fn unsupported(operation: Operation) -> Self {
        Error::OperationNotSupported(match operation {
            Operation::Notify | Operation::Put => format!(
                "{} is sent by a server to a client; this server does not answer it",
                operation.name().unwrap_or("this operation")
            ),
            other => format!(
                "operation {} is not supported by this server",
                other.name().map_or_else(|| format!("0x{:08X}", other.0), str::to_owned)
            ),
        })
    }

    /// The random generator failed.
    pub fn random_failed() -> Self {
        Error::CryptographicFailure("the random generator failed".into())
    }

    /// A cryptographic failure of the crypto layer.
    pub fn crypto(e: crate::crypto::CryptoError) -> Self {
        Error::CryptographicFailure(e.0)
    }
}

impl fmt::Display for Error {
    /// The Result Message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoObject(uid) => write!(f, "no object {uid}"),
            Error::Decode(context, e) => write!(f, "{context}: {e}"),
            Error::Storage => f.write_str("the server could not access its store; see its log"),
            Error::Canceled => f.write_str("the client closed its connection: the batch stopped before this item"),
            Error::Archived(m)
            | Error::Unusable(m)
            | Error::InvalidField(m)
            | Error::InvalidMessage(m)
            | Error::PermissionDenied(m)
            | Error::IllegalOperation(m)
            | Error::CryptographicFailure(m)
            | Error::ItemNotFound(m)
            | Error::FeatureNotSupported(m)
            | Error::OperationNotSupported(m)
            | Error::KeyValueNotPresent(m)
            | Error::ObjectAlreadyExists(m)
            | Error::KeyFormatTypeNotSupported(m)
            | Error::KeyCompressionTypeNotSupported(m)
            | Error::EncodingOption(m)
            | Error::ResponseTooLarge(m)
            | Error::QuotaExceeded(m)
            | Error::General(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<DbError> for Error {
    /// Logs the failure; the client learns only that the store failed.
    /// (An attempt on the async worker handed to the blocking pool is no
    /// failure: its answer is discarded.)
    fn from(e: DbError) -> Self {
        if e.0 != crate::store::inline::HANDED_ON {
            tracing::error!("storage failure: {e}");
        }
        Error::Storage
    }
}

/// The result of an operation or any step of one.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_object_and_a_storage_failure_say_no_more_than_they_must() {
        assert_eq!(Error::NoObject("k1".into()).to_string(), "no object k1");
        assert_eq!(Error::NoObject("k1".into()).result_reason(), ResultReason::ItemNotFound);
        let e = Error::from(DbError("disk full at /secret/path".into()));
        assert_eq!(e.result_reason(), ResultReason::GeneralFailure);
        assert!(!e.to_string().contains("/secret/path"));
    }

    #[test]
    fn an_unusable_key_is_permission_denied_as_section_11_says() {
        assert_eq!(
            Error::Unusable("key k is a Certificate".into()).result_reason(),
            ResultReason::PermissionDenied
        );
    }
}
