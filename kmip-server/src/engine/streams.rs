//! Cryptographic operations in parts (KMIP 1.4 §2.1.15–2.1.17): the first
//! request carries Init Indicator, the server answers with a Correlation
//! Value, later requests carry it, and the one with Final Indicator ends
//! the operation. Between requests the cipher state lives here, in memory:
//! a server restart abandons open streams (the client starts again).
//!
//! A stream belongs to the scope, object and operation that opened it;
//! any other request naming its Correlation Value gets Item Not Found, as
//! for a value that never existed. Streams idle for [`IDLE`] are dropped,
//! one scope holds at most [`PER_SCOPE`] of them and one credential at
//! most [`PER_CREDENTIAL`], so that a client that never finishes cannot
//! exhaust the server's memory nor its scope's share.

use crate::crypto::cipher::Cipher;
use crate::crypto::digest::Mac;
use crate::error::Error;
use crate::policy::{Authorized, Scope};
use kmip_codec::enums::Operation;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an unused stream is kept.
pub const IDLE: Duration = Duration::from_secs(300);

/// The most open streams one scope may hold.
pub const PER_SCOPE: usize = 256;

/// The most open streams one credential may hold.
pub const PER_CREDENTIAL: usize = 64;

/// What a stream remembers between parts.
pub enum Stream {
    /// Encrypt or Decrypt.
    Cipher(Cipher),
    /// MAC or MAC Verify.
    Mac(Mac),
    /// Hash.
    Hash(aws_lc_rs::digest::Context),
}

/// The part of a request that says where it stands in an operation in parts.
#[derive(Clone, Copy)]
pub struct Parts<'r> {
    /// Correlation Value of an operation in progress.
    pub correlation: Option<&'r [u8]>,
    /// Init Indicator.
    pub init: bool,
    /// Final Indicator.
    pub last: bool,
}

impl Parts<'_> {
    /// From the request's three fields.
    pub fn of<'r>(
        correlation: &'r Option<kmip_codec::messages::Bytes>,
        init: Option<bool>,
        last: Option<bool>,
    ) -> Parts<'r> {
        Parts {
            correlation: correlation.as_deref(),
            init: init == Some(true),
            last: last == Some(true),
        }
    }

    /// Whether this request opens a stream (Init without Final).
    pub fn opens(&self) -> bool {
        self.correlation.is_none() && self.init && !self.last
    }

    /// What to do with the operation's state once this request's data is in.
    pub fn next(&self) -> Next<'_> {
        match self.correlation {
            _ if self.opens() => Next::Open,
            Some(c) if !self.last => Next::Keep(c),
            _ => Next::Finish,
        }
    }
}

/// What an operation in parts has after one request: a stream just
/// opened, more parts to come, or everything, ready to finish.
pub enum Progress<T> {
    /// A stream was opened: its Correlation Value.
    Opened(kmip_codec::messages::Bytes),
    /// More parts are expected.
    More,
    /// All data is in.
    Done(T),
}

impl<T> Progress<T> {
    /// The response's result (`finish` applied when done) and Correlation Value.
    pub fn finish<U>(
        self,
        finish: impl FnOnce(T) -> Result<U, Error>,
    ) -> Result<(Option<U>, Option<kmip_codec::messages::Bytes>), Error> {
        match self {
            Progress::Opened(c) => Ok((None, Some(c))),
            Progress::More => Ok((None, None)),
            Progress::Done(t) => Ok((Some(finish(t)?), None)),
        }
    }
}

/// A Validity Indicator from a verification's outcome.
pub fn validity(valid: bool) -> kmip_codec::enums::ValidityIndicator {
    if valid {
        kmip_codec::enums::ValidityIndicator::Valid
    } else {
        kmip_codec::enums::ValidityIndicator::Invalid
    }
}

/// Where an operation stands after one request ([`Parts::next`]).
pub enum Next<'r> {
    /// Keep the state under a new Correlation Value.
    Open,
    /// Keep the state under this Correlation Value.
    Keep(&'r [u8]),
    /// Compute the result.
    Finish,
}

struct Entry {
    scope: Scope,
    uid: String,
    operation: Operation,
    last_used: Instant,
    stream: Stream,
    /// The credential that opened it.
    serial: String,
}

/// The open streams of the server.
#[derive(Default)]
pub struct Streams {
    open: Mutex<HashMap<[u8; 16], Entry>>,
}

impl Streams {
    /// Keeps `stream` for the next part; returns its Correlation Value.
    pub fn open(
        &self,
        owner: &Authorized<'_>,
        uid: &str,
        operation: Operation,
        stream: Stream,
    ) -> Result<Vec<u8>, Error> {
        let scope = owner.scope();
        let mut id = [0u8; 16];
        aws_lc_rs::rand::fill(&mut id).map_err(|_| Error::random_failed())?;
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        open.retain(|_, e| now.duration_since(e.last_used) < IDLE);
        if open.values().filter(|e| &e.scope == scope).count() >= PER_SCOPE {
            return Err(Error::PermissionDenied(format!(
                "this scope already has {PER_SCOPE} operations in parts open: finish some first"
            )));
        }
        if open.values().filter(|e| e.serial == owner.serial()).count() >= PER_CREDENTIAL {
            return Err(Error::PermissionDenied(format!(
                "this credential already has {PER_CREDENTIAL} operations in parts open: finish some first"
            )));
        }
        open.insert(
            id,
            Entry {
                scope: scope.clone(),
                serial: owner.serial().to_owned(),
                uid: uid.to_owned(),
                operation,
                last_used: now,
                stream,
            },
        );
        Ok(id.to_vec())
    }

    /// Takes the stream a Correlation Value names, if it belongs to this
    /// scope, object and operation (put it back with [`Streams::resume`]).
    pub fn take(&self, correlation: &[u8], scope: &Scope, uid: &str, operation: Operation) -> Result<Stream, Error> {
        let missing = || {
            Error::ItemNotFound(
                "no operation in progress has this Correlation Value (streams end after 5 idle minutes)".into(),
            )
        };
        let id: [u8; 16] = correlation.try_into().map_err(|_| missing())?;
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match open.get(&id) {
            Some(e)
                if &e.scope == scope && e.uid == uid && e.operation == operation && e.last_used.elapsed() < IDLE => {}
            _ => return Err(missing()),
        }
        open.remove(&id).map(|e| e.stream).ok_or_else(missing)
    }

    /// Puts a stream taken with [`Streams::take`] back under the same value.
    pub fn resume(&self, correlation: &[u8], owner: &Authorized<'_>, uid: &str, operation: Operation, stream: Stream) {
        let Ok(id) = <[u8; 16]>::try_from(correlation) else {
            return;
        };
        let entry = Entry {
            scope: owner.scope().clone(),
            serial: owner.serial().to_owned(),
            uid: uid.to_owned(),
            operation,
            last_used: Instant::now(),
            stream,
        };
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, entry);
    }
}
