//! The KMIP 1.0–1.4 codec: the wire format and the message model, with no I/O.
//!
//! - [`ttlv`]: binary TTLV, decoded into a borrowed [`ttlv::Document`] or an
//!   owned [`ttlv::Ttlv`], written with [`ttlv::Writer`];
//! - [`tags`] and [`enums`]: the registry of every tag, enumeration and bit
//!   mask, declared once and read by every encoding;
//! - [`xml`] and [`json`]: the OASIS XML test-case encoding and the KMIP JSON
//!   encoding, both to and from the owned tree;
//! - [`messages`]: typed requests, responses, payloads, objects and attributes;
//! - [`versions`]: which 1.x version defined what, and a response cut down
//!   to an older version.
//!
//! The server, the client, the conformance runner and the fuzzers all build
//! on this crate, which is why it does no I/O and never panics on input.

pub mod datetime;
pub mod enums;
pub mod hex;
pub mod json;
pub mod messages;
pub mod tags;
pub mod ttlv;
pub mod versions;
pub mod xml;

pub use tags::Tag;
pub use ttlv::{ItemType, Ttlv, Value};
