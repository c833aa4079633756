//! KMIP 1.4 client library: a mutually authenticated TLS connection to a
//! KMIP server carrying TTLV messages, with a typed method per operation.
//!
//! - [`Client`] is async (tokio); [`blocking::Client`] wraps it for
//!   synchronous code.
//! - Connect with a credential directory as `kmip-server credential
//!   generate` writes it (`ca.pem`, `client.pem`, `client.key`) or with
//!   explicit paths ([`Credentials`]).
//! - The connection stays open across requests; when the server has closed
//!   it (idle timeout, restart) the next request reconnects. A request is
//!   sent again on a fresh connection only when nothing of it can have been
//!   processed: the connection failed before it was written, or it was a
//!   read-only batch whose answer never started.
//! - [`Client::negotiate`] picks the highest protocol version both sides
//!   speak (Discover Versions); [`Client::set_version`] pins one.
//! - A KMIP failure is [`ClientError::Failed`] with the Result Reason and
//!   Result Message.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kmip_client::ClientError> {
//! use kmip_client::{Client, Credentials};
//! use kmip_codec::messages::ops::query::QueryRequest;
//! use kmip_codec::enums::QueryFunction;
//!
//! let creds = Credentials::from_dir("kmip-data/clients/default/admin".as_ref())?;
//! let mut client = Client::connect("127.0.0.1:5696", "localhost", &creds).await?;
//! let version = client.negotiate().await?;
//! let supported = client
//!     .query(QueryRequest { query_functions: vec![QueryFunction::QueryOperations] })
//!     .await?;
//! println!("KMIP {}.{}: {:?}", version.major, version.minor, supported.operations);
//! # Ok(()) }
//! ```

pub mod blocking;
mod connection;
mod credentials;
mod error;
mod operations;

pub use connection::{Client, DEFAULT_VERSION, SUPPORTED_VERSIONS};
pub use credentials::Credentials;
pub use error::ClientError;
