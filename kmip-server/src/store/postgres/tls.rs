//! How a node reaches PostgreSQL: [`Connector`], the connection settings
//! and, when `store_ca` is set, TLS through rustls (the server's own TLS
//! library), the database's certificate verified against that CA and its
//! host name. With a CA configured TLS is required: a database that offers
//! none is refused, never used in the clear.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use postgres::{Client, NoTls, Socket};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::store::DbError;

/// Connection settings and the TLS to use, for every connection a node opens.
#[derive(Clone)]
pub struct Connector {
    config: postgres::Config,
    tls: Option<Rustls>,
}

impl Connector {
    /// `config`, over TLS verified against the PEM bundle `ca` if given.
    pub fn new(mut config: postgres::Config, ca: Option<&Path>) -> Result<Connector, DbError> {
        let tls = match ca {
            None => None,
            Some(ca) => {
                config.ssl_mode(postgres::config::SslMode::Require);
                Some(Rustls::trusting(ca)?)
            }
        };
        Ok(Connector { config, tls })
    }

    /// A new connection.
    pub fn connect(&self) -> Result<Client, DbError> {
        Ok(match &self.tls {
            Some(tls) => self.config.connect(tls.clone())?,
            None => self.config.connect(NoTls)?,
        })
    }
}

/// rustls as PostgreSQL's client library wants a TLS implementation.
#[derive(Clone)]
pub struct Rustls(Arc<rustls::ClientConfig>);

impl Rustls {
    /// Trusting the certificates in the PEM file `ca`.
    fn trusting(ca: &Path) -> Result<Rustls, DbError> {
        let fail = |e: String| DbError(format!("store_ca {}: {e}", ca.display()));
        let pem = std::fs::read(ca).map_err(|e| fail(e.to_string()))?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            roots
                .add(cert.map_err(|e| fail(e.to_string()))?)
                .map_err(|e| fail(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(fail("no certificate in it".into()));
        }
        let config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| fail(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(Rustls(Arc::new(config)))
    }
}

impl MakeTlsConnect<Socket> for Rustls {
    type Stream = Stream;
    type TlsConnect = Handshake;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Handshake, Self::Error> {
        Ok(Handshake {
            config: Arc::clone(&self.0),
            name: ServerName::try_from(domain.to_owned())?,
        })
    }
}

/// One handshake with the database, for the host `name`.
pub struct Handshake {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl TlsConnect<Socket> for Handshake {
    type Stream = Stream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream>> + Send>>;

    fn connect(self, socket: Socket) -> Self::Future {
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, socket)
                .await?;
            Ok(Stream(Box::new(tls)))
        })
    }
}

/// A TLS connection to the database.
pub struct Stream(Box<tokio_rustls::client::TlsStream<Socket>>);

impl TlsStream for Stream {
    // No channel binding: SCRAM authenticates without it (its default,
    // `channel_binding=prefer`, accepts that), and the certificate check
    // above is what keeps a man in the middle out.
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl AsyncRead for Stream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}
