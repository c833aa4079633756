//! The managed-object model: attribute rules and the attributes the server
//! maintains ([`attributes`]), and the one check before a key is used
//! ([`key_use`]).

pub mod attributes;
pub mod key_use;
