//! The connection: TLS, framing, reconnection and version negotiation.

use std::sync::Arc;

use kmip_codec::enums::{Operation, ResultStatus};
use kmip_codec::messages::ops::discover_versions::DiscoverVersionsRequest;
use kmip_codec::messages::{
    ProtocolVersion, RequestBatchItem, RequestHeader, RequestMessage, RequestPayload, ResponseMessage, ResponsePayload,
};
use kmip_codec::ttlv::{frame_length, Limits, HEADER_LEN};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::{ClientError, Credentials};

/// The version this client speaks unless told otherwise.
pub const DEFAULT_VERSION: ProtocolVersion = ProtocolVersion::new(1, 4);

/// The versions this client speaks, most preferred first.
pub const SUPPORTED_VERSIONS: &[ProtocolVersion] = kmip_codec::messages::VERSIONS;

/// Operations that change nothing on the server: a batch of only these may
/// be sent again on a new connection when the first connection died before
/// its answer began.
const READ_ONLY: &[Operation] = &[
    Operation::DiscoverVersions,
    Operation::Query,
    Operation::Get,
    Operation::GetAttributes,
    Operation::GetAttributeList,
    Operation::Locate,
    Operation::Check,
    Operation::Validate,
    Operation::Hash,
];

/// One connection to a KMIP server, reopened when the server closes it.
pub struct Client {
    addr: String,
    server_name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
    stream: Option<TlsStream<TcpStream>>,
    limits: Limits,
    version: ProtocolVersion,
}

/// How far a failed exchange got.
enum Failure {
    /// Nothing was written: safe to send again.
    BeforeWrite(std::io::Error),
    /// Written, but no byte of the answer arrived.
    NoAnswer(std::io::Error),
    /// Part of the answer arrived, or it was invalid.
    Other(ClientError),
}

impl Client {
    /// Connects to `addr` and completes the TLS handshake, verifying the
    /// server certificate for `server_name`.
    pub async fn connect(addr: &str, server_name: &str, creds: &Credentials) -> Result<Client, ClientError> {
        Self::connect_with(addr, server_name, Arc::new(creds.tls_config()?)).await
    }

    /// Connects with an existing TLS configuration (share it across
    /// connections to resume TLS sessions).
    pub async fn connect_with(
        addr: &str,
        server_name: &str,
        config: Arc<rustls::ClientConfig>,
    ) -> Result<Client, ClientError> {
        let server_name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| ClientError::Credentials(format!("server name {server_name}: {e}")))?;
        let mut client = Client {
            addr: addr.to_owned(),
            server_name,
            tls: config,
            stream: None,
            limits: Limits::default(),
            version: DEFAULT_VERSION,
        };
        client.reconnect().await?;
        Ok(client)
    }

    async fn reconnect(&mut self) -> Result<(), ClientError> {
        self.stream = None;
        let tcp = TcpStream::connect(&self.addr).await?;
        tcp.set_nodelay(true)?;
        let stream = TlsConnector::from(Arc::clone(&self.tls))
            .connect(self.server_name.clone(), tcp)
            .await?;
        self.stream = Some(stream);
        Ok(())
    }

    /// Whether this connection resumed an earlier TLS session.
    pub fn resumed(&self) -> bool {
        self.stream
            .as_ref()
            .is_some_and(|s| s.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed))
    }

    /// The protocol version put in request headers.
    pub fn version(&self) -> &ProtocolVersion {
        &self.version
    }

    /// Pins the protocol version put in request headers.
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// Agrees on the highest version both sides speak (Discover Versions)
    /// and uses it from now on.
    pub async fn negotiate(&mut self) -> Result<ProtocolVersion, ClientError> {
        let request = DiscoverVersionsRequest {
            protocol_versions: SUPPORTED_VERSIONS.to_vec(),
        };
        let answer = self.discover_versions(request).await?;
        let chosen = answer
            .protocol_versions
            .into_iter()
            .find(|v| SUPPORTED_VERSIONS.contains(v))
            .ok_or_else(|| ClientError::Unexpected("the server speaks none of KMIP 1.0-1.4".into()))?;
        self.version = chosen.clone();
        Ok(chosen)
    }

    async fn exchange(&mut self, bytes: &[u8]) -> Result<Vec<u8>, Failure> {
        if self.stream.is_none() {
            self.reconnect().await.map_err(|e| match e {
                ClientError::Io(io) => Failure::BeforeWrite(io),
                other => Failure::Other(other),
            })?;
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(Failure::Other(ClientError::Unexpected("no connection".into())));
        };
        let written = async {
            stream.write_all(bytes).await?;
            stream.flush().await
        };
        if let Err(e) = written.await {
            self.stream = None;
            return Err(Failure::BeforeWrite(e));
        }
        let mut header = [0u8; HEADER_LEN];
        if let Err(e) = stream.read_exact(&mut header).await {
            self.stream = None;
            return Err(Failure::NoAnswer(e));
        }
        let len = frame_length(&header);
        if len > self.limits.max_message_size {
            self.stream = None;
            return Err(Failure::Other(ClientError::TooLarge(len)));
        }
        let mut buf = Vec::with_capacity(len);
        buf.extend_from_slice(&header);
        let mut body = stream.take((len - HEADER_LEN) as u64);
        let read = body.read_to_end(&mut buf).await;
        if read.is_err() || buf.len() != len {
            self.stream = None;
            return Err(Failure::Other(ClientError::Io(
                std::io::ErrorKind::UnexpectedEof.into(),
            )));
        }
        Ok(buf)
    }

    /// Writes raw bytes and reads one response frame, without retrying (for
    /// tests and tools that send what a well-behaved client would not).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.exchange(bytes).await.map_err(|f| match f {
            Failure::BeforeWrite(e) | Failure::NoAnswer(e) => ClientError::Io(e),
            Failure::Other(e) => e,
        })
    }

    /// Sends a request message and returns the response message,
    /// reconnecting once where that cannot repeat an operation.
    pub async fn send(&mut self, request: &RequestMessage) -> Result<ResponseMessage, ClientError> {
        let bytes = request.to_bytes();
        let read_only = request.batch_items.iter().all(|i| READ_ONLY.contains(&i.operation()));
        let answer = match self.exchange(&bytes).await {
            Ok(answer) => answer,
            Err(Failure::BeforeWrite(_)) => self.send_raw(&bytes).await?,
            Err(Failure::NoAnswer(_)) if read_only => self.send_raw(&bytes).await?,
            Err(Failure::NoAnswer(e)) => return Err(ClientError::Io(e)),
            Err(Failure::Other(e)) => return Err(e),
        };
        Ok(ResponseMessage::from_bytes(&answer, &self.limits)?)
    }

    /// A request with a minimal header (Protocol Version and Batch Count)
    /// around the given payloads; several get Unique Batch Item IDs.
    pub fn request(&self, payloads: Vec<RequestPayload>) -> RequestMessage {
        let several = payloads.len() > 1;
        RequestMessage {
            header: RequestHeader::new(self.version.clone(), i32::try_from(payloads.len()).unwrap_or(i32::MAX)),
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

    /// Sends several operations in one batch; one result per item answered.
    pub async fn batch(
        &mut self,
        payloads: Vec<RequestPayload>,
    ) -> Result<Vec<Result<ResponsePayload, ClientError>>, ClientError> {
        let response = self.send(&self.request(payloads)).await?;
        Ok(response.batch_items.into_iter().map(item_result).collect())
    }

    /// Sends one operation and returns its payload, or its failure as
    /// [`ClientError::Failed`].
    pub async fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload, ClientError> {
        let operation = payload.operation();
        let response = self.send(&self.request(vec![payload])).await?;
        let item = response
            .batch_items
            .into_iter()
            .next()
            .ok_or_else(|| ClientError::Unexpected("the response holds no batch item".into()))?;
        let payload = item_result(item)?;
        if payload.operation() == operation {
            Ok(payload)
        } else {
            Err(ClientError::Unexpected(format!(
                "a {:?} payload in answer to {operation:?}",
                payload.operation()
            )))
        }
    }

    /// Closes the connection cleanly (TLS close_notify).
    pub async fn close(mut self) -> Result<(), ClientError> {
        if let Some(mut s) = self.stream.take() {
            s.shutdown().await?;
        }
        Ok(())
    }
}

fn item_result(item: kmip_codec::messages::ResponseBatchItem) -> Result<ResponsePayload, ClientError> {
    if item.result_status != ResultStatus::Success {
        return Err(ClientError::Failed {
            reason: item.result_reason,
            message: item.result_message,
        });
    }
    item.payload
        .ok_or_else(|| ClientError::Unexpected("a successful item without a payload".into()))
}
