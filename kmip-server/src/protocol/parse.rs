//! A request message decoded once, into owned typed parts, before any of
//! it runs: the header first, so that a bad batch item still gets a proper
//! answer, then each batch item on its own, so that one malformed item
//! fails alone (KMIP 1.4 §11.1: "Error parsing batch item or payload within
//! batch item: Batch item fails").

use kmip_codec::enums::{BatchErrorContinuationOption, Operation};
use kmip_codec::messages::{Bytes, Codec, ProtocolVersion, RequestBatchItem, RequestHeader, RequestPayload};
use kmip_codec::ttlv::{Document, Item, Limits, ValueRef};
use kmip_codec::Tag;

use crate::error::Error;

/// The newest version this server speaks, used when a request's own
/// version cannot be read or is newer.
pub const LATEST: ProtocolVersion = ProtocolVersion::new(1, 4);

/// A request message, decoded.
pub struct Request {
    /// The version to answer in.
    pub version: ProtocolVersion,
    /// The batch, or why the message as a whole is refused.
    pub batch: Result<Batch, Error>,
    /// Whether its audit intent line has been written (once per request).
    pub intended: std::cell::Cell<bool>,
}

/// The batch of a well-formed request message.
pub struct Batch {
    /// What to do after a failed item.
    pub option: BatchErrorContinuationOption,
    /// The client's Maximum Response Size.
    pub max_response: Option<usize>,
    /// The items, in order.
    pub items: Vec<BatchItem>,
}

/// One batch item: what it names of itself, and its payload or why it
/// cannot run.
pub struct BatchItem {
    /// The operation, when it could be read.
    pub operation: Option<Operation>,
    /// The Unique Batch Item ID, when it could be read.
    pub id: Option<Bytes>,
    /// The payload, or the error the item fails with.
    pub payload: Result<RequestPayload, Error>,
}

impl Request {
    /// Decodes `bytes` within `limits`, allowing at most `max_items` batch items.
    pub fn parse(bytes: &[u8], limits: &Limits, max_items: usize) -> Request {
        match decode(bytes, limits, max_items) {
            Ok((version, batch)) => Request {
                version,
                batch: Ok(batch),
                intended: std::cell::Cell::new(false),
            },
            Err((version, error)) => Request {
                version,
                batch: Err(error),
                intended: std::cell::Cell::new(false),
            },
        }
    }

    /// Whether the request can be answered on the connection's own async
    /// worker: it never touches the store (only Discover Versions, Query
    /// and RNG Retrieve, or refused as a whole) and is cheap. Others take
    /// the hop to the blocking pool that operations waiting on the disk need.
    pub fn is_light(&self) -> bool {
        self.batch
            .as_ref()
            .map_or(true, |b| b.touches_no_object() && !b.is_heavy())
    }

    /// Whether the request may first be tried on the connection's async
    /// worker against the cache ([`crate::store::inline`]): every item a
    /// well-formed read — Get, Get Attributes, Get Attribute List, Locate
    /// (within a budget of query work, [`crate::store::ObjectStore::located_quickly`]),
    /// or a one-shot Encrypt, Decrypt, Sign, Signature Verify, MAC, MAC Verify
    /// of at most [`INLINE_DATA`] bytes — so that an attempt handed on to
    /// the blocking pool has changed nothing, not even a stream.
    pub fn may_run_inline(&self) -> bool {
        let Ok(batch) = &self.batch else { return false };
        !batch.is_heavy()
            && batch.items.iter().all(|i| match &i.payload {
                Ok(p) => inline_read(p),
                Err(_) => false,
            })
    }

    /// Whether the request holds CPU-heavy work ([`Batch::is_heavy`]),
    /// which runs only while a slot of `max_heavy_requests` is free.
    pub fn is_heavy(&self) -> bool {
        self.batch.as_ref().is_ok_and(Batch::is_heavy)
    }
}

/// The most data one cryptographic item may carry and still be tried on
/// an async worker (AES-GCM of 64 KiB takes tens of microseconds).
pub const INLINE_DATA: usize = 64 * 1024;

/// See [`Request::may_run_inline`].
fn inline_read(payload: &RequestPayload) -> bool {
    use RequestPayload as P;
    // A one-shot cryptographic item (no stream) with little data.
    macro_rules! one_shot {
        ($r:expr) => {
            $r.data.as_ref().is_none_or(|d| d.len() <= INLINE_DATA)
                && $r.correlation_value.is_none()
                && $r.init_indicator.is_none()
                && $r.final_indicator.is_none()
        };
    }
    match payload {
        // Locate runs here only while its query stays within a small budget.
        P::Get(_) | P::GetAttributes(_) | P::GetAttributeList(_) | P::Locate(_) => true,
        P::Encrypt(r) => one_shot!(r),
        P::Decrypt(r) => one_shot!(r),
        P::Sign(r) => one_shot!(r),
        P::SignatureVerify(r) => one_shot!(r),
        P::MAC(r) => one_shot!(r),
        P::MACVerify(r) => one_shot!(r),
        _ => false,
    }
}

/// Random bytes one request may ask for and still be answered on an
/// async worker (a few tens of microseconds of generation).
const LIGHT_RANDOM_BYTES: usize = 64 * 1024;

impl Batch {
    /// Items that can each take a core for a second or more: key-pair
    /// generation and key derivation (PBKDF2).
    pub fn heavy_items(&self) -> usize {
        self.items
            .iter()
            .filter(|i| {
                matches!(
                    i.operation,
                    Some(Operation::CreateKeyPair | Operation::ReKeyKeyPair | Operation::DeriveKey)
                )
            })
            .count()
    }

    /// Whether the batch holds heavy items, or asks for more random bytes
    /// in all than [`LIGHT_RANDOM_BYTES`].
    pub fn is_heavy(&self) -> bool {
        let random: usize = self
            .items
            .iter()
            .filter_map(|i| match &i.payload {
                Ok(RequestPayload::RNGRetrieve(r)) => usize::try_from(r.data_length).ok(),
                _ => None,
            })
            .sum();
        self.heavy_items() > 0 || random > LIGHT_RANDOM_BYTES
    }

    /// Whether every item is Discover Versions, Query or RNG Retrieve:
    /// operations that neither read nor change a managed object.
    pub fn touches_no_object(&self) -> bool {
        self.items.iter().all(|i| {
            matches!(
                i.operation,
                Some(Operation::DiscoverVersions | Operation::Query | Operation::RNGRetrieve)
            )
        })
    }
}

fn invalid(version: ProtocolVersion, message: String) -> (ProtocolVersion, Error) {
    (version, Error::InvalidMessage(message))
}

fn decode(
    bytes: &[u8],
    limits: &Limits,
    max_items: usize,
) -> Result<(ProtocolVersion, Batch), (ProtocolVersion, Error)> {
    let doc =
        Document::decode(bytes, limits).map_err(|e| invalid(LATEST, format!("the request is not valid TTLV: {e}")))?;
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
    if items.is_empty() || items.len() > max_items {
        return Err(invalid(
            version,
            format!(
                "a request must hold between 1 and {max_items} batch items, not {}",
                items.len()
            ),
        ));
    }
    Ok((
        version,
        Batch {
            option: header
                .batch_error_continuation_option
                .unwrap_or(BatchErrorContinuationOption::Stop),
            max_response: header.maximum_response_size.and_then(|m| usize::try_from(m).ok()),
            items: items.into_iter().map(batch_item).collect(),
        },
    ))
}

fn batch_item(item: Item<'_, '_>) -> BatchItem {
    let request = match RequestBatchItem::decode(item) {
        Ok(r) => r,
        Err(e) => {
            return BatchItem {
                operation: lenient_operation(item),
                id: lenient_batch_id(item),
                payload: Err(Error::Decode("batch item", e)),
            }
        }
    };
    let critical = request
        .message_extension
        .as_ref()
        .is_some_and(|x| x.criticality_indicator);
    BatchItem {
        operation: Some(request.operation()),
        id: request.unique_batch_item_id,
        payload: if critical {
            Err(Error::FeatureNotSupported(
                "the batch item carries a critical Message Extension this server does not understand".into(),
            ))
        } else {
            Ok(request.payload)
        },
    }
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
