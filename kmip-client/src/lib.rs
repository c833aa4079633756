//! KMIP 1.4 client library.
//!
//! The connection, typed operations, `kmip` CLI and `kmip-bench` arrive with
//! the client issue; the message model they use is `kmip_codec::messages`.

pub use kmip_codec as codec;
