//! What operations share beyond the object model: cipher parameters,
//! signing, MACs, key wrapping, key generation, certificates, the
//! replacement of a key (Re-key), Template attributes, parsed keys, and
//! the state of operations in parts. Handlers in [`crate::ops`] call in
//! here; they never call one another.

pub mod certify;
pub mod cipher;
pub mod keygen;
pub mod mac;
pub mod parsed_keys;
pub mod replace;
pub mod retrieve;
pub mod sign;
pub mod streams;
pub mod templates;
pub mod wrapping;
