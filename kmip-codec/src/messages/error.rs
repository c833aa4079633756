//! Why a TTLV tree is not a valid KMIP message, and the Result Reason that
//! answers it — mapped in exactly one place, [`MessageError::result_reason`].

use std::fmt;

use crate::enums::ResultReason;
use crate::tags::Tag;
use crate::ttlv::{DecodeError, ItemType};

/// A message that is valid TTLV but not valid KMIP, or not valid TTLV.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// The bytes are not valid TTLV.
    Decode(DecodeError),
    /// A required field is absent.
    Missing {
        /// The missing field.
        field: Tag,
        /// The Structure that lacks it.
        within: Tag,
    },
    /// A field that is unknown here, out of order, or repeated though single.
    Unexpected {
        /// The field found.
        field: Tag,
        /// The Structure it was found in.
        within: Tag,
        /// Byte offset of the field.
        offset: usize,
    },
    /// A field has the wrong item type.
    WrongType {
        /// The field.
        field: Tag,
        /// The type the specification gives it.
        expected: ItemType,
        /// The type found.
        found: ItemType,
        /// Byte offset of the field.
        offset: usize,
    },
    /// An Attribute Name that is neither a KMIP 1.4 attribute nor a custom
    /// (`x-`, `y-`) one.
    UnknownAttribute(String),
    /// A value is out of range or inconsistent with another field.
    InvalidValue {
        /// The field.
        field: Tag,
        /// Why, for a person.
        reason: String,
    },
}

impl MessageError {
    /// The Result Reason a server answers this error with (KMIP 1.4 §11.1):
    /// what cannot be parsed is an Invalid Message; an unknown field ("same
    /// major and minor version, unknown field"), an unknown attribute or a
    /// value the server does not accept is an Invalid Field.
    pub fn result_reason(&self) -> ResultReason {
        match self {
            MessageError::Unexpected { field, .. } if field.info().is_none() => ResultReason::InvalidField,
            MessageError::Decode(_)
            | MessageError::Missing { .. }
            | MessageError::Unexpected { .. }
            | MessageError::WrongType { .. } => ResultReason::InvalidMessage,
            MessageError::UnknownAttribute(_) | MessageError::InvalidValue { .. } => ResultReason::InvalidField,
        }
    }
}

impl From<DecodeError> for MessageError {
    fn from(e: DecodeError) -> Self {
        MessageError::Decode(e)
    }
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Decode(e) => write!(f, "malformed TTLV: {e}"),
            MessageError::Missing { field, within } => {
                write!(f, "{within} lacks its required field {field}")
            }
            MessageError::Unexpected { field, within, offset } => write!(
                f,
                "{field} is not expected at this point of {within} (unknown, out of order or repeated; at byte {offset})"
            ),
            MessageError::WrongType {
                field,
                expected,
                found,
                offset,
            } => write!(f, "{field} must be a {expected}, not a {found} (at byte {offset})"),
            MessageError::UnknownAttribute(name) => write!(
                f,
                "\"{name}\" is not a KMIP 1.4 attribute; custom attributes start with x- or y-"
            ),
            MessageError::InvalidValue { field, reason } => write!(f, "{field}: {reason}"),
        }
    }
}

impl std::error::Error for MessageError {}
