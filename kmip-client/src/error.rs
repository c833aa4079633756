//! Why a client call failed.

use kmip_codec::enums::ResultReason;
use kmip_codec::messages::MessageError;

/// Why a client call failed.
#[derive(Debug)]
pub enum ClientError {
    /// Network I/O failed (including a refused TLS handshake).
    Io(std::io::Error),
    /// A certificate or key file could not be used.
    Credentials(String),
    /// The server's answer is not a valid KMIP response.
    Decode(MessageError),
    /// The server announced a response larger than the client accepts.
    TooLarge(usize),
    /// The server answered a batch item with a failure.
    Failed {
        /// The Result Reason, if the server gave one.
        reason: Option<ResultReason>,
        /// The Result Message, if any.
        message: Option<String>,
    },
    /// The server answered with something other than what was asked.
    Unexpected(String),
}

impl ClientError {
    /// The Result Reason of a KMIP failure.
    pub fn reason(&self) -> Option<ResultReason> {
        match self {
            ClientError::Failed { reason, .. } => *reason,
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "connection: {e}"),
            ClientError::Credentials(e) => write!(f, "credentials: {e}"),
            ClientError::Decode(e) => write!(f, "invalid response: {e}"),
            ClientError::TooLarge(n) => write!(f, "response of {n} bytes is larger than the client accepts"),
            ClientError::Failed { reason, message } => {
                let reason = reason.map_or_else(
                    || "Operation Failed".to_owned(),
                    |r| r.name().map_or_else(|| format!("0x{:08X}", r.0), str::to_owned),
                );
                match message {
                    Some(m) if !m.is_empty() => write!(f, "{reason}: {m}"),
                    _ => f.write_str(&reason),
                }
            }
            ClientError::Unexpected(e) => write!(f, "unexpected response: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<std::io::Error> for ClientError {
    fn from(e: std::io::Error) -> Self {
        ClientError::Io(e)
    }
}

impl From<MessageError> for ClientError {
    fn from(e: MessageError) -> Self {
        ClientError::Decode(e)
    }
}
