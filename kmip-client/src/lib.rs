//! KMIP 1.4 client library: one mutually authenticated TLS connection to a
//! KMIP server, carrying TTLV request and response messages.
//!
//! This is the connection core that the server's own tests use; the typed
//! per-operation methods, the blocking wrapper, the `kmip` CLI and
//! `kmip-bench` build on it in the client issue.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kmip_client::ClientError> {
//! use kmip_client::{Client, Credentials};
//! let creds = Credentials::from_dir("kmip-data/clients/default/admin".as_ref())?;
//! let mut client = Client::connect("127.0.0.1:5696", "localhost", &creds).await?;
//! let versions = client.discover_versions().await?;
//! println!("server speaks {versions:?}");
//! # Ok(()) }
//! ```

use std::path::Path;
use std::sync::Arc;

use kmip_codec::enums::{Operation, ResultStatus};
use kmip_codec::messages::ops::discover_versions::DiscoverVersionsRequest;
use kmip_codec::messages::{
    MessageError, ProtocolVersion, RequestBatchItem, RequestHeader, RequestMessage, RequestPayload, ResponseMessage,
    ResponsePayload,
};
use kmip_codec::ttlv::{frame_length, Limits, HEADER_LEN};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Why a client call failed.
#[derive(Debug)]
pub enum ClientError {
    /// Network or file I/O failed (including a refused TLS handshake).
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
        reason: Option<kmip_codec::enums::ResultReason>,
        /// The Result Message, if any.
        message: Option<String>,
    },
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "I/O: {e}"),
            ClientError::Credentials(e) => write!(f, "credentials: {e}"),
            ClientError::Decode(e) => write!(f, "invalid response: {e}"),
            ClientError::TooLarge(n) => write!(f, "response of {n} bytes is larger than the client accepts"),
            ClientError::Failed { reason, message } => write!(
                f,
                "operation failed: {} {}",
                reason.map_or_else(|| "(no reason)".to_owned(), |r| format!("{r:?}")),
                message.as_deref().unwrap_or("")
            ),
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

/// A client credential: the CA to trust, the client certificate chain and
/// its private key.
#[derive(Debug)]
pub struct Credentials {
    ca: Vec<CertificateDer<'static>>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Credentials {
    fn clone(&self) -> Self {
        Credentials {
            ca: self.ca.clone(),
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let pem = std::fs::read(path).map_err(|e| ClientError::Credentials(format!("{}: {e}", path.display())))?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| ClientError::Credentials(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ClientError::Credentials(format!(
            "{}: no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

impl Credentials {
    /// Reads `ca.pem`, `client.pem` and `client.key` from a credential
    /// directory as `kmip-server credential generate` writes it.
    pub fn from_dir(dir: &Path) -> Result<Self, ClientError> {
        Self::from_files(&dir.join("ca.pem"), &dir.join("client.pem"), &dir.join("client.key"))
    }

    /// Reads the CA, client certificate and client key from PEM files.
    pub fn from_files(ca: &Path, cert: &Path, key: &Path) -> Result<Self, ClientError> {
        let key_pem = std::fs::read(key).map_err(|e| ClientError::Credentials(format!("{}: {e}", key.display())))?;
        let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .map_err(|e| ClientError::Credentials(format!("{}: {e}", key.display())))?
            .ok_or_else(|| ClientError::Credentials(format!("{}: no PEM private key", key.display())))?;
        Ok(Credentials {
            ca: read_certs(ca)?,
            chain: read_certs(cert)?,
            key,
        })
    }

    /// A TLS client configuration that trusts the CA and presents the certificate.
    pub fn tls_config(&self) -> Result<rustls::ClientConfig, ClientError> {
        let mut roots = rustls::RootCertStore::empty();
        for ca in &self.ca {
            roots
                .add(ca.clone())
                .map_err(|e| ClientError::Credentials(format!("CA certificate: {e}")))?;
        }
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_client_auth_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| ClientError::Credentials(format!("client certificate: {e}")))
    }
}

/// One open connection to a KMIP server.
pub struct Client {
    stream: TlsStream<TcpStream>,
    limits: Limits,
    version: ProtocolVersion,
}

/// The version this client speaks unless told otherwise.
pub const DEFAULT_VERSION: ProtocolVersion = ProtocolVersion::new(1, 4);

impl Client {
    /// Connects to `addr` and completes the TLS handshake, verifying the
    /// server certificate for `server_name`.
    pub async fn connect(addr: &str, server_name: &str, creds: &Credentials) -> Result<Client, ClientError> {
        Self::connect_with(addr, server_name, Arc::new(creds.tls_config()?)).await
    }

    /// Connects with an existing TLS configuration (reuse it across
    /// connections to resume TLS sessions).
    pub async fn connect_with(
        addr: &str,
        server_name: &str,
        config: Arc<rustls::ClientConfig>,
    ) -> Result<Client, ClientError> {
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| ClientError::Credentials(format!("server name {server_name}: {e}")))?;
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let stream = TlsConnector::from(config).connect(name, tcp).await?;
        Ok(Client {
            stream,
            limits: Limits::default(),
            version: DEFAULT_VERSION,
        })
    }

    /// Whether this connection resumed an earlier TLS session.
    pub fn resumed(&self) -> bool {
        self.stream.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    /// The protocol version put in request headers.
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// Writes raw bytes and reads one response frame (for tests and tools
    /// that need to send what a well-behaved client would not).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await?;
        self.read_frame().await
    }

    /// Reads one TTLV frame, refusing one larger than the limit before
    /// reading its body.
    pub async fn read_frame(&mut self) -> Result<Vec<u8>, ClientError> {
        let mut header = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut header).await?;
        let len = frame_length(&header);
        if len > self.limits.max_message_size {
            return Err(ClientError::TooLarge(len));
        }
        let mut buf = Vec::with_capacity(len);
        buf.extend_from_slice(&header);
        (&mut self.stream)
            .take((len - HEADER_LEN) as u64)
            .read_to_end(&mut buf)
            .await?;
        if buf.len() != len {
            return Err(ClientError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        Ok(buf)
    }

    /// Sends a request message and returns the response message.
    pub async fn send(&mut self, request: &RequestMessage) -> Result<ResponseMessage, ClientError> {
        let bytes = self.send_raw(&request.to_bytes()).await?;
        Ok(ResponseMessage::from_bytes(&bytes, &self.limits)?)
    }

    /// A request with a minimal header around the given payloads.
    pub fn request(&self, payloads: Vec<RequestPayload>) -> RequestMessage {
        let several = payloads.len() > 1;
        RequestMessage {
            header: RequestHeader {
                protocol_version: self.version.clone(),
                maximum_response_size: None,
                client_correlation_value: None,
                server_correlation_value: None,
                asynchronous_indicator: None,
                attestation_capable_indicator: None,
                attestation_types: vec![],
                authentication: None,
                batch_error_continuation_option: None,
                batch_order_option: None,
                time_stamp: None,
                batch_count: payloads.len() as i32,
            },
            batch_items: payloads
                .into_iter()
                .enumerate()
                .map(|(i, payload)| RequestBatchItem {
                    unique_batch_item_id: several.then(|| (i as u32).to_be_bytes().to_vec().into()),
                    payload,
                    message_extension: None,
                })
                .collect(),
        }
    }

    /// Sends one operation and returns its payload, or its failure as
    /// [`ClientError::Failed`].
    pub async fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload, ClientError> {
        let operation = payload.operation();
        let response = self.send(&self.request(vec![payload])).await?;
        let item = response.batch_items.into_iter().next().ok_or(ClientError::Failed {
            reason: None,
            message: Some("the response holds no batch item".into()),
        })?;
        if item.result_status != ResultStatus::Success {
            return Err(ClientError::Failed {
                reason: item.result_reason,
                message: item.result_message,
            });
        }
        match item.payload {
            Some(p) if p.operation() == operation => Ok(p),
            _ => Err(ClientError::Failed {
                reason: None,
                message: Some(format!(
                    "the response to {operation:?} carries no {operation:?} payload"
                )),
            }),
        }
    }

    /// Discover Versions: the versions the server supports, most preferred first.
    pub async fn discover_versions(&mut self) -> Result<Vec<ProtocolVersion>, ClientError> {
        match self
            .call(RequestPayload::DiscoverVersions(DiscoverVersionsRequest {
                protocol_versions: vec![],
            }))
            .await?
        {
            ResponsePayload::DiscoverVersions(r) => Ok(r.protocol_versions),
            _ => Err(ClientError::Failed {
                reason: None,
                message: Some(format!("unexpected payload for {:?}", Operation::DiscoverVersions)),
            }),
        }
    }

    /// Closes the connection cleanly (TLS close_notify).
    pub async fn close(mut self) -> Result<(), ClientError> {
        self.stream.shutdown().await?;
        Ok(())
    }
}
