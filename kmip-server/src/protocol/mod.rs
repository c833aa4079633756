//! The protocol core: one request message in, one response message out.
//!
//! A request is decoded once (`parse.rs`); then each batch item is
//! authorised and dispatched on its own, so that one malformed or refused
//! item fails alone, and the typed outcomes become the response and the
//! audit records ([`respond`]). What the specification asks of batches:
//!
//! - Batch Error Continuation Option: Stop (the default) ends the batch at
//!   the first failure, Continue goes on, Undo ends it and puts back every
//!   object the earlier items changed ([`crate::store::journal`]); those
//!   items answer Operation Undone.
//! - ID Placeholder: set from each successful item's typed response
//!   ([`respond::placeholder`]) and handed to later items in
//!   [`ops::Context`].
//! - Maximum Response Size: a response that would exceed it has its
//!   payloads replaced by Response Too Large failures.
//! - A client that closes its connection while its request runs cancels
//!   the rest of the batch: the items not yet started answer Operation
//!   Canceled By Requester (in the audit log; the client is gone), and an
//!   Undo batch puts back what ran.
//! - Protocol versions: the response carries the request's version and
//!   only what that version defines, cut once when it is encoded
//!   ([`respond::encode`]); a major version other than 1 is refused with
//!   Invalid Message, and a newer 1.x minor is answered as 1.4.

mod parse;
pub mod respond;

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use kmip_codec::enums::{BatchErrorContinuationOption, ResultStatus};
use kmip_codec::messages::{ProtocolVersion, ResponsePayload};

use crate::audit::{self, Record};
use crate::error::Error;
use crate::ops::{self, Context};
use crate::policy::{self, Identity};
use crate::server::Server;
pub use parse::{BatchItem, Request, LATEST};
use respond::Outcome;

impl Server {
    /// Decodes a request message within the configured limits.
    pub fn parse(&self, bytes: &[u8]) -> Request {
        Request::parse(bytes, &self.config.limits(), self.config.max_batch_items)
    }

    /// Answers one decoded request message from `identity`; `gone` turns
    /// true when the client has closed its connection.
    pub fn process(&self, identity: &Arc<Identity>, peer: &str, request: Request, gone: &AtomicBool) -> Vec<u8> {
        self.answer(identity, peer, &request, gone, None).unwrap_or_default()
    }

    /// Answers a request on the calling (async) thread if it is a read the
    /// cache can serve ([`crate::store::inline`]); `None` when it must go
    /// to the blocking pool after all, having changed nothing.
    pub fn try_inline(&self, identity: &Arc<Identity>, peer: &str, request: &Request) -> Option<Vec<u8>> {
        if !request.may_run_inline() {
            return None;
        }
        let inline = crate::store::inline::Inline::new(self.store.as_ref());
        self.answer(identity, peer, request, &AtomicBool::new(false), Some(&inline))
    }

    /// The response to `request`, its items run on `inline` if given (and
    /// `None` if that view could not serve them), else on the store.
    fn answer(
        &self,
        identity: &Arc<Identity>,
        peer: &str,
        request: &Request,
        gone: &AtomicBool,
        inline: Option<&crate::store::inline::Inline<'_>>,
    ) -> Option<Vec<u8>> {
        let started = Instant::now();
        let (outcomes, max_response) = match &request.batch {
            // A read tried inline writes no intent line: it changes nothing,
            // and its outcome records are buffered before it is answered
            // (on disk within `audit_sync`'s bound).
            Ok(batch) => match self.within_budget(batch).and_then(|()| match inline {
                Some(_) => Ok(()),
                None => self.intend(identity, peer, batch, request),
            }) {
                Ok(()) => {
                    let cap = self.config.max_response_size;
                    let max = Some(batch.max_response.map_or(cap, |m| m.min(cap)));
                    let store: &dyn crate::store::ObjectStore = match inline {
                        Some(view) => view,
                        None => self.store.as_ref(),
                    };
                    let outcomes = self.run(identity, &request.version, batch, gone, store);
                    if inline.is_some_and(|view| view.blocked()) {
                        return None;
                    }
                    (outcomes, max)
                }
                Err(error) => (refuse_all(batch, &error), None),
            },
            Err(error) => {
                let outcome = Outcome {
                    item: respond::failed(None, None, error),
                    request_uids: vec![],
                    micros: micros_since(started),
                };
                (vec![outcome], None)
            }
        };
        let (response, outcomes) = respond::encode(request.version.clone(), outcomes, max_response);
        let audited = self.account(identity, peer, outcomes);
        // Fail-closed for reads: once the log cannot be written, reads are
        // not answered.
        if let (Err(_), Some(_), Ok(batch), true) = (&audited, inline, &request.batch, self.config.audit_fail_closed) {
            let refused = refuse_all(batch, &audit_unwritable());
            return Some(respond::encode(request.version.clone(), refused, None).0);
        }
        Some(response)
    }

    /// CPU per request: at most `max_heavy_items` items that can each take
    /// a core for a second or more (key-pair generation, key derivation);
    /// a batch with more is refused whole, before any of it runs.
    fn within_budget(&self, batch: &parse::Batch) -> Result<(), Error> {
        let heavy = batch.heavy_items();
        let max = self.config.max_heavy_items;
        if heavy > max {
            return Err(Error::InvalidMessage(format!(
                "the batch holds {heavy} key-pair generations or derivations; at most {max} per request \
                 (max_heavy_items): send them in several requests"
            )));
        }
        Ok(())
    }

    /// Fail-closed audit: the intent line of a request that may change
    /// something, written before it runs; a request that cannot be
    /// audited is refused whole.
    /// Written once per request, also when an attempt on the async worker
    /// hands it to the blocking pool.
    fn intend(&self, identity: &Identity, peer: &str, batch: &parse::Batch, request: &Request) -> Result<(), Error> {
        if !self.config.audit_fail_closed
            || !self.audit.has_file()
            || batch.touches_no_object()
            || request.intended.replace(true)
        {
            return Ok(());
        }
        let intent = audit::Intent {
            time: audit::now_rfc3339(),
            event: "intent",
            peer,
            serial: &identity.serial,
            scope: identity.scope.as_str(),
            role: identity.role.as_str(),
            operations: batch
                .items
                .iter()
                .map(|i| i.operation.map_or(Cow::Borrowed("?"), |o| name_of(o.name(), o.0)))
                .collect(),
            uids: batch
                .items
                .iter()
                .filter_map(|i| i.payload.as_ref().ok())
                .flat_map(|p| p.object_uids())
                .collect(),
        };
        self.audit.intent(&intent).map_err(|e| {
            self.metrics.audit_failures.increment(1);
            tracing::error!("audit log write failed, refusing the request: {e}");
            audit_unwritable()
        })
    }

    /// Runs the batch items in order, as the Batch Error Continuation
    /// Option says.
    fn run(
        &self,
        identity: &Identity,
        version: &ProtocolVersion,
        batch: &parse::Batch,
        gone: &AtomicBool,
        base: &dyn crate::store::ObjectStore,
    ) -> Vec<Outcome> {
        let stop_on_failure = batch.option != BatchErrorContinuationOption::Continue;
        // Undo: changes go through a journal that can put them back.
        let journal = (batch.option == BatchErrorContinuationOption::Undo && batch.items.len() > 1)
            .then(|| crate::store::journal::Journal::new(base));
        let store: &dyn crate::store::ObjectStore = match &journal {
            Some(j) => j,
            None => base,
        };
        let mut placeholder = None;
        let mut size: usize = 0;
        let measured = batch.items.len() > 1;
        let mut outcomes = Vec::with_capacity(batch.items.len());
        for BatchItem { operation, id, payload } in &batch.items {
            let (operation, id) = (*operation, id.clone());
            let started = Instant::now();
            let request_uids = match payload {
                Ok(p) => p.object_uids().into_iter().map(str::to_owned).collect(),
                Err(_) => vec![],
            };
            let canceled = gone.load(Ordering::Relaxed);
            let mut item = match payload {
                Err(e) => respond::failed(operation, id, e),
                Ok(_) if canceled => respond::failed(operation, id, &Error::Canceled),
                Ok(p) => match self.run_item(identity, version, p, &placeholder, store) {
                    Ok(payload) => {
                        if let Some(uid) = respond::placeholder(&payload) {
                            placeholder = Some(uid.to_owned());
                        }
                        respond::succeeded(operation, id, payload)
                    }
                    Err(e) => respond::failed(operation, id, &e),
                },
            };
            // A batch's response is bounded as it grows: an item that would
            // take it past max_response_size answers Response Too Large and
            // ends the batch (a failure, so Undo puts back what came before).
            // A single item is measured once, when the response is encoded.
            if measured {
                size = size.saturating_add(respond::encoded_len(&item));
            }
            let over = measured && size > self.config.max_response_size;
            if over {
                let error = Error::ResponseTooLarge(format!(
                    "the response would exceed this server's limit of {} bytes: ask for less per batch",
                    self.config.max_response_size
                ));
                item = respond::failed(item.operation, item.unique_batch_item_id.take(), &error);
            }
            let failed = item.result_status != kmip_codec::enums::ResultStatus::Success;
            outcomes.push(Outcome {
                item,
                request_uids,
                micros: micros_since(started),
            });
            if failed && (stop_on_failure || over || canceled) {
                if let Some(journal) = &journal {
                    undo(journal, &mut outcomes);
                }
                break;
            }
        }
        outcomes
    }

    fn run_item(
        &self,
        identity: &Identity,
        version: &ProtocolVersion,
        payload: &kmip_codec::messages::RequestPayload,
        placeholder: &Option<String>,
        store: &dyn crate::store::ObjectStore,
    ) -> Result<ResponsePayload, Error> {
        let operation = payload.operation();
        // An operation this server never answers is refused as such, not
        // as a missing permission.
        if !ops::IMPLEMENTED.contains(&operation) {
            return Err(Error::unsupported(operation));
        }
        let auth = policy::authorize(identity, operation).map_err(|denied| Error::PermissionDenied(denied.message))?;
        let ctx = Context {
            auth: &auth,
            version,
            id_placeholder: placeholder,
            store,
            server: self,
        };
        ops::dispatch(&ctx, payload)
    }

    /// Writes each answered item's audit record, counts it in the metrics
    /// and hands it to the anomaly detectors; whether the records could
    /// be written.
    fn account(&self, identity: &Arc<Identity>, peer: &str, outcomes: Vec<Outcome>) -> std::io::Result<()> {
        let time = audit::now_rfc3339();
        let mut written = Ok(());
        for outcome in outcomes {
            let (operation, status, reason) = (
                outcome.item.operation,
                outcome.item.result_status,
                outcome.item.result_reason,
            );
            let micros = outcome.micros;
            let uids = outcome.into_uids();
            let record = self.audit.record(&Record {
                time: &time,
                peer,
                serial: &identity.serial,
                subject: &identity.subject,
                scope: identity.scope.as_str(),
                role: identity.role.as_str(),
                operation: operation.map(|o| name_of(o.name(), o.0)),
                uids: &uids,
                status: name_of(status.name(), status.0),
                reason: reason.map(|r| name_of(r.name(), r.0)),
                duration_us: micros,
            });
            written = written.and(record);
            self.metrics
                .request(operation, status, reason, identity.scope.as_str(), micros);
            self.alerts.observe(crate::observe::alerts::Event::Item {
                identity: Arc::clone(identity),
                operation,
                reason,
                success: status == ResultStatus::Success,
                uids,
            });
        }
        let written = written.and(self.audit.flush());
        if let Err(e) = &written {
            self.metrics.audit_failures.increment(1);
            tracing::error!("audit log write failed: {e}");
        }
        written
    }
}

/// Undoes a batch's changes after its failing item; the items that had
/// succeeded answer Operation Undone, or, if the undo itself failed,
/// General Failure (the server log says why).
fn undo(journal: &crate::store::journal::Journal<'_>, outcomes: &mut [Outcome]) {
    let undone = journal.undo();
    if let Err(e) = &undone {
        tracing::error!("undoing a batch failed: {e}");
    }
    let Some((_, done)) = outcomes.split_last_mut() else {
        return;
    };
    for o in done
        .iter_mut()
        .filter(|o| o.item.result_status == ResultStatus::Success)
    {
        o.item.payload = None;
        match &undone {
            Ok(()) => o.item.result_status = ResultStatus::OperationUndone,
            Err(_) => {
                let error = Error::General("the batch failed and its changes could not all be undone".into());
                o.item = respond::failed(o.item.operation, o.item.unique_batch_item_id.take(), &error);
            }
        }
    }
}

/// The refusal of a request that cannot be audited.
fn audit_unwritable() -> Error {
    Error::General("the audit log cannot be written: this server refuses requests until it can".into())
}

/// Every item of `batch` failed with `error`, none run.
fn refuse_all(batch: &parse::Batch, error: &Error) -> Vec<Outcome> {
    batch
        .items
        .iter()
        .map(|i| Outcome {
            item: respond::failed(i.operation, i.id.clone(), error),
            request_uids: vec![],
            micros: 0,
        })
        .collect()
}

/// Microseconds since `started`, for the audit record.
fn micros_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// An enumeration value's name, or its hex for unnamed (extension) values.
pub(crate) fn name_of(name: Option<&'static str>, value: u32) -> Cow<'static, str> {
    name.map_or_else(|| Cow::Owned(format!("0x{value:08X}")), Cow::Borrowed)
}
