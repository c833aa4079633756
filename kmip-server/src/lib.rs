//! The KMIP 1.4 server: the library behind the `kmip-server` binary, also
//! used by the integration tests to run a server in-process on port 0.
//!
//! A request flows `net` (TLS, framing, identity) → `protocol` (header,
//! batch) → `policy` (may this identity run this operation?) → `ops` (one
//! file per operation) → `store`; `audit` records each batch item.

pub mod audit;
pub mod auth;
pub mod config;
mod fsutil;
pub mod net;
pub mod ops;
pub mod policy;
pub mod protocol;
pub mod setup;
pub mod store;
