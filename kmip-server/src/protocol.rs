//! The protocol core: one request message in, one response message out.
//!
//! The header is decoded first, so that a bad batch item still gets a
//! proper answer; then each batch item is decoded, authorised and
//! dispatched on its own, so that one malformed or refused item fails alone
//! (KMIP 1.4 §11.1: "Error parsing batch item or payload within batch item:
//! Batch item fails"). What the specification asks of batches:
//!
//! - Batch Error Continuation Option: Stop (the default) ends the batch at
//!   the first failure, Continue goes on, Undo ends it and puts back every
//!   object the earlier items changed ([`crate::store::journal`]); those
//!   items answer Operation Undone.
//! - ID Placeholder: carried across the items of one batch in
//!   [`ops::Context`].
//! - Maximum Response Size: a response that would exceed it has its
//!   payloads replaced by Response Too Large failures.
//! - Protocol versions: the response carries the request's version; a
//!   major version other than 1 is refused with Invalid Message, and a
//!   newer 1.x minor is answered as 1.4.

use std::time::Instant;

use kmip_codec::enums::{BatchErrorContinuationOption, Operation, ResultReason, ResultStatus};
use kmip_codec::messages::{
    Bytes, Codec, DateTime, ProtocolVersion, RequestBatchItem, RequestHeader, ResponseBatchItem, ResponseHeader,
    ResponseMessage,
};
use kmip_codec::ttlv::{Document, Item, ValueRef};
use kmip_codec::Tag;

use crate::audit::{self, Audit, Record};
use crate::config::Config;
use crate::ops::{self, Context, Error};
use crate::policy::{self, Identity};
use crate::store::unix_now;

/// The newest version this server speaks, used when a request's own
/// version cannot be read or is newer.
pub const LATEST: ProtocolVersion = ProtocolVersion::new(1, 4);

/// What processing needs from the server.
pub struct Processor<'a> {
    /// Limits and settings.
    pub config: &'a Config,
    /// Where audit records go.
    pub audit: &'a Audit,
    /// The object store.
    pub store: &'a dyn crate::store::ObjectStore,
    /// What operations keep in memory between requests.
    pub memory: &'a crate::ops::Memory,
    /// The CA of Certify and Re-certify.
    pub certify_ca: &'a crate::auth::ca::Ca,
}

/// One processed batch item, before encoding.
struct Outcome {
    item: ResponseBatchItem,
    request_uids: Vec<String>,
    micros: u64,
}

impl Processor<'_> {
    /// Answers one request message from `identity`.
    pub fn process(&self, identity: &Identity, peer: &str, bytes: &[u8]) -> Vec<u8> {
        let started = Instant::now();
        let (version, outcomes, max_response) = match self.run(identity, bytes) {
            Ok(done) => done,
            Err((version, error)) => {
                let outcome = Outcome {
                    item: failed_item(None, None, error),
                    request_uids: vec![],
                    micros: started.elapsed().as_micros() as u64,
                };
                (version, vec![outcome], None)
            }
        };
        let (response, outcomes) = encode(version, outcomes, max_response);
        self.audit_items(identity, peer, &response, &outcomes);
        response
    }

    /// Decodes the header and runs every batch item. A failure of the
    /// message as a whole returns the version to answer in and the error.
    #[allow(clippy::type_complexity)]
    fn run(
        &self,
        identity: &Identity,
        bytes: &[u8],
    ) -> Result<(ProtocolVersion, Vec<Outcome>, Option<usize>), (ProtocolVersion, Error)> {
        let invalid = |v: ProtocolVersion, m: String| (v, Error::InvalidMessage(m));
        let doc = Document::decode(bytes, &self.config.limits())
            .map_err(|e| invalid(LATEST, format!("the request is not valid TTLV: {e}")))?;
        let root = doc.root();
        if root.tag() != Tag::RequestMessage {
            return Err(invalid(
                LATEST,
                format!("expected a Request Message, found {}", root.tag()),
            ));
        }
        let mut children = root.children();
        let header_item = children
            .next()
            .filter(|h| h.tag() == Tag::RequestHeader)
            .ok_or_else(|| {
                invalid(
                    LATEST,
                    "the Request Message does not start with a Request Header".into(),
                )
            })?;
        let header = RequestHeader::decode(header_item).map_err(|e| {
            let version = lenient_version(header_item).unwrap_or(LATEST);
            (version, Error::Decode("Request Header", e))
        })?;
        let requested = header.protocol_version.clone();
        if requested.major != 1 || requested.minor < 0 {
            return Err(invalid(
                LATEST,
                format!(
                    "protocol version {}.{} is not supported; this server speaks KMIP 1.0 to 1.4",
                    requested.major, requested.minor
                ),
            ));
        }
        let version = if requested.minor > LATEST.minor {
            LATEST
        } else {
            requested
        };
        let items: Vec<Item<'_, '_>> = children.collect();
        if let Some(stray) = items.iter().find(|i| i.tag() != Tag::BatchItem) {
            return Err(invalid(
                version,
                format!("{} is not expected in a Request Message", stray.tag()),
            ));
        }
        if usize::try_from(header.batch_count).ok() != Some(items.len()) {
            return Err(invalid(
                version,
                format!(
                    "Batch Count says {} but the message holds {} batch items",
                    header.batch_count,
                    items.len()
                ),
            ));
        }
        if items.is_empty() || items.len() > self.config.max_batch_items {
            return Err(invalid(
                version,
                format!(
                    "a request must hold between 1 and {} batch items, not {}",
                    self.config.max_batch_items,
                    items.len()
                ),
            ));
        }
        let option = header
            .batch_error_continuation_option
            .unwrap_or(BatchErrorContinuationOption::Stop);
        let stop_on_failure = option != BatchErrorContinuationOption::Continue;
        // Undo: changes go through a journal that can put them back.
        let journal = (option == BatchErrorContinuationOption::Undo && items.len() > 1)
            .then(|| crate::store::journal::Journal::new(self.store));
        let store: &dyn crate::store::ObjectStore = match &journal {
            Some(j) => j,
            None => self.store,
        };
        let mut placeholder = None;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            let started = Instant::now();
            let (operation, id, result) = self.run_item(identity, &version, item, &mut placeholder, store);
            let failed = result.is_err();
            outcomes.push(Outcome {
                item: match result {
                    Ok(payload) => ResponseBatchItem {
                        operation,
                        unique_batch_item_id: id,
                        result_status: ResultStatus::Success,
                        result_reason: None,
                        result_message: None,
                        asynchronous_correlation_value: None,
                        payload: Some(payload),
                        message_extension: None,
                    },
                    Err(e) => failed_item(operation, id, e),
                },
                request_uids: uids_in(item, Tag::RequestPayload),
                micros: started.elapsed().as_micros() as u64,
            });
            if failed && stop_on_failure {
                if let Some(journal) = &journal {
                    undo(journal, &mut outcomes);
                }
                break;
            }
        }
        let max_response = header.maximum_response_size.and_then(|m| usize::try_from(m).ok());
        Ok((version, outcomes, max_response))
    }

    fn run_item(
        &self,
        identity: &Identity,
        version: &ProtocolVersion,
        item: Item<'_, '_>,
        placeholder: &mut Option<String>,
        store: &dyn crate::store::ObjectStore,
    ) -> (
        Option<Operation>,
        Option<Bytes>,
        Result<kmip_codec::messages::ResponsePayload, Error>,
    ) {
        let request = match RequestBatchItem::decode(item) {
            Ok(r) => r,
            Err(e) => {
                let error = Error::Decode("batch item", e);
                return (lenient_operation(item), lenient_batch_id(item), Err(error));
            }
        };
        let operation = request.operation();
        let id = request.unique_batch_item_id.clone();
        if request
            .message_extension
            .as_ref()
            .is_some_and(|x| x.criticality_indicator)
        {
            let error = Error::FeatureNotSupported(
                "the batch item carries a critical Message Extension this server does not understand".into(),
            );
            return (Some(operation), id, Err(error));
        }
        // An operation this server never answers is refused as such, not
        // as a missing permission.
        if !ops::IMPLEMENTED.contains(&operation) {
            return (Some(operation), id, Err(ops::Error::unsupported(operation)));
        }
        let result = match policy::authorize(identity, operation) {
            Err(denied) => Err(Error::PermissionDenied(denied.message)),
            Ok(auth) => {
                let mut ctx = Context {
                    auth: &auth,
                    version,
                    id_placeholder: placeholder,
                    store,
                    memory: self.memory,
                    certify_ca: self.certify_ca,
                };
                ops::dispatch(&mut ctx, &request.payload)
            }
        };
        (Some(operation), id, result)
    }

    fn audit_items(&self, identity: &Identity, peer: &str, response: &[u8], outcomes: &[Outcome]) {
        let returned: Vec<Vec<String>> = match Document::decode(response, &kmip_codec::ttlv::Limits::default()) {
            Ok(doc) => doc
                .root()
                .children()
                .filter(|c| c.tag() == Tag::BatchItem)
                .map(|i| uids_in(i, Tag::ResponsePayload))
                .collect(),
            Err(_) => vec![],
        };
        let time = audit::now_rfc3339();
        for (n, outcome) in outcomes.iter().enumerate() {
            let mut uids = outcome.request_uids.clone();
            for uid in returned.get(n).into_iter().flatten() {
                if !uids.contains(uid) {
                    uids.push(uid.clone());
                }
            }
            self.audit.record(&Record {
                time: time.clone(),
                peer: peer.to_owned(),
                serial: &identity.serial,
                subject: &identity.subject,
                scope: identity.scope.as_str(),
                role: identity.role.as_str(),
                operation: outcome.item.operation.map(|o| name_of(o.name(), o.0)),
                uids,
                status: name_of(outcome.item.result_status.name(), outcome.item.result_status.0),
                reason: outcome.item.result_reason.map(|r| name_of(r.name(), r.0)),
                duration_us: outcome.micros,
            });
        }
        self.audit.flush();
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
                o.item.result_status = ResultStatus::OperationFailed;
                o.item.result_reason = Some(ResultReason::GeneralFailure);
                o.item.result_message = Some("the batch failed and its changes could not all be undone".into());
            }
        }
    }
}

/// Whether a request can be answered without the store (only Discover
/// Versions, Query and RNG Retrieve, or undecodable): such requests skip the hop to the
/// blocking pool that operations waiting on the disk need.
pub fn is_light(bytes: &[u8], limits: &kmip_codec::ttlv::Limits) -> bool {
    let Ok(doc) = Document::decode(bytes, limits) else {
        return true;
    };
    doc.root().children().filter(|c| c.tag() == Tag::BatchItem).all(|item| {
        matches!(
            lenient_operation(item),
            Some(Operation::DiscoverVersions | Operation::Query | Operation::RNGRetrieve)
        )
    })
}

/// An enumeration value's name, or its hex for unnamed (extension) values.
fn name_of(name: Option<&str>, value: u32) -> String {
    name.map_or_else(|| format!("0x{value:08X}"), str::to_owned)
}

fn failed_item(operation: Option<Operation>, id: Option<Bytes>, error: Error) -> ResponseBatchItem {
    ResponseBatchItem {
        operation,
        unique_batch_item_id: id,
        result_status: ResultStatus::OperationFailed,
        result_reason: Some(error.result_reason()),
        result_message: Some(error.to_string()),
        asynchronous_correlation_value: None,
        payload: None,
        message_extension: None,
    }
}

/// Encodes the response; if it exceeds the client's Maximum Response Size,
/// answers each item that had a payload with Response Too Large instead.
fn encode(version: ProtocolVersion, mut outcomes: Vec<Outcome>, max: Option<usize>) -> (Vec<u8>, Vec<Outcome>) {
    let build = |outcomes: &[Outcome]| {
        ResponseMessage {
            header: ResponseHeader {
                protocol_version: version.clone(),
                time_stamp: DateTime(unix_now()),
                nonce: None,
                attestation_types: vec![],
                client_correlation_value: None,
                server_correlation_value: None,
                batch_count: i32::try_from(outcomes.len()).unwrap_or(i32::MAX),
            },
            batch_items: outcomes.iter().map(|o| o.item.clone()).collect(),
        }
        .to_bytes()
    };
    let bytes = build(&outcomes);
    match max {
        Some(max) if bytes.len() > max => {
            for outcome in &mut outcomes {
                if outcome.item.payload.is_some() {
                    let error = Error::ResponseTooLarge(format!(
                        "the response exceeds the Maximum Response Size of {max} bytes"
                    ));
                    outcome.item = failed_item(outcome.item.operation, outcome.item.unique_batch_item_id.take(), error);
                }
            }
            (build(&outcomes), outcomes)
        }
        _ => (bytes, outcomes),
    }
}

/// The Unique Identifiers directly inside an item's payload, for the audit.
fn uids_in(item: Item<'_, '_>, payload: Tag) -> Vec<String> {
    item.children()
        .filter(|c| c.tag() == payload)
        .flat_map(|p| p.children())
        .filter(|c| {
            matches!(
                c.tag(),
                Tag::UniqueIdentifier | Tag::PrivateKeyUniqueIdentifier | Tag::PublicKeyUniqueIdentifier
            )
        })
        .filter_map(|c| match c.value() {
            ValueRef::TextString(s) => Some(s.to_owned()),
            _ => None,
        })
        .collect()
}

fn lenient_operation(item: Item<'_, '_>) -> Option<Operation> {
    item.children()
        .find(|c| c.tag() == Tag::Operation)
        .and_then(|c| match c.value() {
            ValueRef::Enumeration(v) => Some(Operation(v)),
            _ => None,
        })
}

fn lenient_batch_id(item: Item<'_, '_>) -> Option<Bytes> {
    item.children()
        .find(|c| c.tag() == Tag::UniqueBatchItemID)
        .and_then(|c| match c.value() {
            ValueRef::ByteString(v) => Some(v.into()),
            _ => None,
        })
}

fn lenient_version(header: Item<'_, '_>) -> Option<ProtocolVersion> {
    let pv = header.children().find(|c| c.tag() == Tag::ProtocolVersion)?;
    let int = |tag| {
        pv.children().find(|c| c.tag() == tag).and_then(|c| match c.value() {
            ValueRef::Integer(v) => Some(v),
            _ => None,
        })
    };
    Some(ProtocolVersion::new(
        int(Tag::ProtocolVersionMajor)?,
        int(Tag::ProtocolVersionMinor)?,
    ))
}
