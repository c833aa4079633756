//! A blocking client for synchronous code: the async [`crate::Client`]
//! driven by its own single-threaded runtime.

use kmip_codec::messages::{ProtocolVersion, RequestMessage, RequestPayload, ResponseMessage, ResponsePayload};

use crate::{ClientError, Credentials};

/// A blocking connection to a KMIP server. It has the same typed methods as
/// the async client.
pub struct Client {
    runtime: tokio::runtime::Runtime,
    inner: crate::Client,
}

impl Client {
    /// Connects (see [`crate::Client::connect`]).
    pub fn connect(addr: &str, server_name: &str, creds: &Credentials) -> Result<Client, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let inner = runtime.block_on(crate::Client::connect(addr, server_name, creds))?;
        Ok(Client { runtime, inner })
    }

    pub(crate) fn parts(&mut self) -> (&tokio::runtime::Runtime, &mut crate::Client) {
        (&self.runtime, &mut self.inner)
    }

    /// See [`crate::Client::negotiate`].
    pub fn negotiate(&mut self) -> Result<ProtocolVersion, ClientError> {
        self.runtime.block_on(self.inner.negotiate())
    }

    /// See [`crate::Client::set_version`].
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.inner.set_version(version);
    }

    /// See [`crate::Client::send`].
    pub fn send(&mut self, request: &RequestMessage) -> Result<ResponseMessage, ClientError> {
        self.runtime.block_on(self.inner.send(request))
    }

    /// See [`crate::Client::call`].
    pub fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload, ClientError> {
        self.runtime.block_on(self.inner.call(payload))
    }

    /// See [`crate::Client::batch`].
    pub fn batch(
        &mut self,
        payloads: Vec<RequestPayload>,
    ) -> Result<Vec<Result<ResponsePayload, ClientError>>, ClientError> {
        self.runtime.block_on(self.inner.batch(payloads))
    }

    /// See [`crate::Client::request`].
    pub fn request(&self, payloads: Vec<RequestPayload>) -> RequestMessage {
        self.inner.request(payloads)
    }
}
