//! The typed KMIP 1.0–1.4 message model.
//!
//! Every structure is declared once in wire order (see [`kmip_struct!`]) and
//! converts exactly: decoding from a validated [`crate::ttlv::Document`]
//! rejects a missing, unknown, misplaced or duplicated field with an error
//! that names it, and encoding writes the fields back in the same order, so
//! TTLV → typed → TTLV reproduces the bytes.
//!
//! - [`message`]: Request/Response messages, headers, batch items;
//! - [`ops`]: one file per operation with its request and response payload;
//! - [`objects`]: managed objects and the Key Block;
//! - [`attributes`]: every 1.4 attribute with its value type;
//! - [`common`]: the structures they share.
//!
//! The codec accepts the union of the 1.0–1.4 fields (a 1.0 message is a
//! valid 1.4 message with fewer optional fields); emitting only the fields a
//! peer's version knows is the job of the server, which knows that version.

pub mod attributes;
pub mod codec;
pub mod common;
mod error;
pub mod message;
pub mod objects;
pub mod ops;

pub use attributes::{Attribute, AttributeName, AttributeRules, AttributeValue, NotifyAttribute};
pub use codec::{BigInteger, Codec, DateTime, Fields, Interval, ObjectUids};
pub use common::*;
pub use error::MessageError;
pub use message::*;
pub use objects::*;
pub use ops::{RequestPayload, ResponsePayload};

pub use crate::ttlv::Bytes;
