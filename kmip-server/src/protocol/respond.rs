//! From typed outcomes to the response message: each item's Result
//! Status, Reason and Message, the ID Placeholder a successful item sets,
//! the managed objects an audit record names, Maximum Response Size, and
//! the cut to the request's protocol version (the one place it is made).

use kmip_codec::enums::{Operation, ResultStatus};
use kmip_codec::messages::{
    Bytes, Codec, DateTime, ProtocolVersion, ResponseBatchItem, ResponseHeader, ResponseMessage, ResponsePayload,
};

use crate::error::Error;
use crate::store::unix_now;

/// One processed batch item, before encoding.
pub struct Outcome {
    /// The item as it will be answered.
    pub item: ResponseBatchItem,
    /// The managed objects the request named.
    pub request_uids: Vec<String>,
    /// How long the item took.
    pub micros: u64,
}

impl Outcome {
    /// The managed objects the item named or returned, each once, for the
    /// audit record and the anomaly detectors: the request's first (moved,
    /// not copied), then those only the answer names.
    pub fn into_uids(self) -> Vec<String> {
        let mut uids = self.request_uids;
        let returned = self.item.payload.as_ref().map(ResponsePayload::object_uids);
        for uid in returned.into_iter().flatten() {
            if !uids.iter().any(|known| known == uid) {
                uids.push(uid.to_owned());
            }
        }
        uids
    }
}

/// The bytes `item` takes in the response message.
pub fn encoded_len(item: &ResponseBatchItem) -> usize {
    let mut w = kmip_codec::ttlv::Writer::new();
    item.encode(kmip_codec::Tag::BatchItem, &mut w);
    w.into_bytes().len()
}

/// A successful item.
pub fn succeeded(operation: Option<Operation>, id: Option<Bytes>, payload: ResponsePayload) -> ResponseBatchItem {
    ResponseBatchItem {
        operation,
        unique_batch_item_id: id,
        result_status: ResultStatus::Success,
        result_reason: None,
        result_message: None,
        asynchronous_correlation_value: None,
        payload: Some(payload),
        message_extension: None,
    }
}

/// A failed item: the Result Reason and Message come from [`Error`].
pub fn failed(operation: Option<Operation>, id: Option<Bytes>, error: &Error) -> ResponseBatchItem {
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

/// The Unique Identifier a successful response sets the batch's ID
/// Placeholder to (KMIP 1.4 §2.1.1 and each operation's description): the
/// object an operation made, recovered or found first; for key pairs, the
/// private key.
pub fn placeholder(payload: &ResponsePayload) -> Option<&str> {
    use ResponsePayload as R;
    match payload {
        R::Create(r) => Some(&r.unique_identifier),
        R::Register(r) => Some(&r.unique_identifier),
        R::ReKey(r) => Some(&r.unique_identifier),
        R::DeriveKey(r) => Some(&r.unique_identifier),
        R::Certify(r) => Some(&r.unique_identifier),
        R::ReCertify(r) => Some(&r.unique_identifier),
        R::Recover(r) => Some(&r.unique_identifier),
        R::JoinSplitKey(r) => Some(&r.unique_identifier),
        R::CreateKeyPair(r) => Some(&r.private_key_unique_identifier),
        R::ReKeyKeyPair(r) => Some(&r.private_key_unique_identifier),
        R::Locate(r) => r.unique_identifiers.first().map(String::as_str),
        _ => None,
    }
}

/// Encodes the response; if it exceeds `max` (the client's Maximum
/// Response Size or the server's cap, the smaller), answers each item that
/// had a payload with Response Too Large instead.
pub fn encode(version: ProtocolVersion, mut outcomes: Vec<Outcome>, max: Option<usize>) -> (Vec<u8>, Vec<Outcome>) {
    let build = |outcomes: &[Outcome]| {
        let header = ResponseHeader {
            protocol_version: version.clone(),
            time_stamp: DateTime(unix_now()),
            nonce: None,
            attestation_types: vec![],
            client_correlation_value: None,
            server_correlation_value: None,
            batch_count: 0, // set from the items
        };
        let bytes = ResponseMessage::encode_parts(&header, outcomes.iter().map(|o| &o.item));
        // Each client is answered in its own version (KMIP 1.4 §6.1).
        if version.major == 1 && version.minor < kmip_codec::versions::LATEST_MINOR {
            kmip_codec::versions::downgrade(&bytes, version.minor)
        } else {
            bytes
        }
    };
    let bytes = build(&outcomes);
    match max {
        Some(max) if bytes.len() > max => {
            let error =
                Error::ResponseTooLarge(format!(
                "the response exceeds {max} bytes (the request's Maximum Response Size or this server's max_response_size)"
            ));
            for outcome in &mut outcomes {
                if outcome.item.payload.is_some() {
                    outcome.item = failed(outcome.item.operation, outcome.item.unique_batch_item_id.take(), &error);
                }
            }
            (build(&outcomes), outcomes)
        }
        _ => (bytes, outcomes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::enums::ObjectType;
    use kmip_codec::messages::ops::{create, create_key_pair, locate};

    #[test]
    fn a_key_pair_sets_the_placeholder_to_its_private_key_and_audits_both() {
        let payload = ResponsePayload::CreateKeyPair(create_key_pair::CreateKeyPairResponse {
            private_key_unique_identifier: "priv".into(),
            public_key_unique_identifier: "pub".into(),
            ..Default::default()
        });
        assert_eq!(placeholder(&payload), Some("priv"));
        let outcome = Outcome {
            item: succeeded(Some(Operation::CreateKeyPair), None, payload),
            request_uids: vec!["pub".into()],
            micros: 0,
        };
        assert_eq!(outcome.into_uids(), ["pub", "priv"], "request's first, each once");
    }

    #[test]
    fn locate_sets_the_placeholder_only_when_it_finds_something() {
        let found = |uids: &[&str]| {
            ResponsePayload::Locate(locate::LocateResponse {
                located_items: None,
                unique_identifiers: uids.iter().map(|u| (*u).to_owned()).collect(),
            })
        };
        assert_eq!(placeholder(&found(&["a", "b"])), Some("a"));
        assert_eq!(placeholder(&found(&[])), None);
        let created = ResponsePayload::Create(create::CreateResponse {
            object_type: ObjectType::SymmetricKey,
            unique_identifier: "k".into(),
            template_attribute: None,
        });
        assert_eq!(placeholder(&created), Some("k"));
    }
}
