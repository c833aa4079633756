//! Request and Response messages, their headers and batch items (KMIP 1.4
//! §6 and §7, Tables 280–285), and Authentication credentials (§2.1.2).

use super::common::*;
use super::ops::{RequestPayload, ResponsePayload};
use super::{Bytes, Codec, DateTime, Fields, MessageError};
use crate::enums::*;
use crate::kmip_struct;
use crate::tags::Tag;
use crate::ttlv::{Document, Item, Limits, Ttlv, Writer};

kmip_struct! {
    /// Username and Password credential value (Table 4).
    #[derive(Default)]
    pub struct UsernameAndPassword {
        req username: String = Username,
        opt password: String = Password,
    }
}

kmip_struct! {
    /// Device credential value (Table 5).
    #[derive(Default)]
    pub struct DeviceCredential {
        opt device_serial_number: String = DeviceSerialNumber,
        opt password: String = Password,
        opt device_identifier: String = DeviceIdentifier,
        opt network_identifier: String = NetworkIdentifier,
        opt machine_identifier: String = MachineIdentifier,
        opt media_identifier: String = MediaIdentifier,
    }
}

kmip_struct! {
    /// Attestation credential value (Table 6).
    pub struct AttestationCredential {
        req nonce: Nonce = Nonce,
        req attestation_type: AttestationType = AttestationType,
        opt attestation_measurement: Bytes = AttestationMeasurement,
        opt attestation_assertion: Bytes = AttestationAssertion,
    }
}

/// A Credential (§2.1.2, Table 3): its value's shape depends on its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// Username and Password.
    UsernameAndPassword(UsernameAndPassword),
    /// Device.
    Device(DeviceCredential),
    /// Attestation.
    Attestation(AttestationCredential),
    /// An extension credential type with its value.
    Other(CredentialType, Ttlv),
}

impl Codec for Credential {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let credential_type: CredentialType = f.req(Tag::CredentialType)?;
        let value = f.take::<Ttlv>(Tag::CredentialValue).ok_or(MessageError::Missing {
            field: Tag::CredentialValue,
            within: Tag::Credential,
        })?;
        let credential = match credential_type {
            CredentialType::UsernameAndPassword => Credential::UsernameAndPassword(Codec::decode(value)?),
            CredentialType::Device => Credential::Device(Codec::decode(value)?),
            CredentialType::Attestation => Credential::Attestation(Codec::decode(value)?),
            other => Credential::Other(other, value.to_owned()),
        };
        f.finish()?;
        Ok(credential)
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        let v = Tag::CredentialValue;
        match self {
            Credential::UsernameAndPassword(c) => {
                CredentialType::UsernameAndPassword.encode(Tag::CredentialType, w);
                c.encode(v, w);
            }
            Credential::Device(c) => {
                CredentialType::Device.encode(Tag::CredentialType, w);
                c.encode(v, w);
            }
            Credential::Attestation(c) => {
                CredentialType::Attestation.encode(Tag::CredentialType, w);
                c.encode(v, w);
            }
            Credential::Other(t, c) => {
                t.encode(Tag::CredentialType, w);
                c.encode(v, w);
            }
        }
        w.end(s);
    }
}

kmip_struct! {
    /// Authentication (§6.6): one or more credentials.
    #[derive(Default)]
    pub struct Authentication {
        vec credentials: Credential = Credential,
    }
}

kmip_struct! {
    /// Request Header (Table 282). Batch Count is derived from the batch
    /// items when encoding and checked against them when decoding.
    pub struct RequestHeader {
        req protocol_version: ProtocolVersion = ProtocolVersion,
        opt maximum_response_size: i32 = MaximumResponseSize,
        opt client_correlation_value: String = ClientCorrelationValue,
        opt server_correlation_value: String = ServerCorrelationValue,
        opt asynchronous_indicator: bool = AsynchronousIndicator,
        opt attestation_capable_indicator: bool = AttestationCapableIndicator,
        vec attestation_types: AttestationType = AttestationType,
        opt authentication: Authentication = Authentication,
        opt batch_error_continuation_option: BatchErrorContinuationOption = BatchErrorContinuationOption,
        opt batch_order_option: bool = BatchOrderOption,
        opt time_stamp: DateTime = TimeStamp,
        req batch_count: i32 = BatchCount,
    }
}

impl RequestHeader {
    /// A minimal header: only Protocol Version and Batch Count, as most
    /// clients send it.
    pub fn new(protocol_version: ProtocolVersion, batch_count: i32) -> Self {
        RequestHeader {
            protocol_version,
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
            batch_count,
        }
    }
}

kmip_struct! {
    /// Response Header (Table 284).
    pub struct ResponseHeader {
        req protocol_version: ProtocolVersion = ProtocolVersion,
        req time_stamp: DateTime = TimeStamp,
        opt nonce: Nonce = Nonce,
        vec attestation_types: AttestationType = AttestationType,
        opt client_correlation_value: String = ClientCorrelationValue,
        opt server_correlation_value: String = ServerCorrelationValue,
        req batch_count: i32 = BatchCount,
    }
}

/// A request Batch Item (Table 283).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBatchItem {
    /// Unique Batch Item ID, required when the batch has several items.
    pub unique_batch_item_id: Option<Bytes>,
    /// The payload, which also names the Operation.
    pub payload: RequestPayload,
    /// Message Extension.
    pub message_extension: Option<MessageExtension>,
}

impl RequestBatchItem {
    /// The item's operation.
    pub fn operation(&self) -> Operation {
        self.payload.operation()
    }
}

impl Codec for RequestBatchItem {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let operation: Operation = f.req(Tag::Operation)?;
        let unique_batch_item_id = f.opt(Tag::UniqueBatchItemID)?;
        let payload = match f.take::<Ttlv>(Tag::RequestPayload) {
            Some(p) => RequestPayload::decode(operation, p)?,
            None => {
                return Err(MessageError::Missing {
                    field: Tag::RequestPayload,
                    within: Tag::BatchItem,
                })
            }
        };
        let message_extension = f.opt(Tag::MessageExtension)?;
        f.finish()?;
        Ok(RequestBatchItem {
            unique_batch_item_id,
            payload,
            message_extension,
        })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        self.operation().encode(Tag::Operation, w);
        if let Some(id) = &self.unique_batch_item_id {
            id.encode(Tag::UniqueBatchItemID, w);
        }
        self.payload.encode(w);
        if let Some(e) = &self.message_extension {
            e.encode(Tag::MessageExtension, w);
        }
        w.end(s);
    }
}

/// A response Batch Item (Table 285).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseBatchItem {
    /// Operation, echoed when the request item had one.
    pub operation: Option<Operation>,
    /// Unique Batch Item ID, echoed from the request.
    pub unique_batch_item_id: Option<Bytes>,
    /// Result Status.
    pub result_status: ResultStatus,
    /// Result Reason, required on failure.
    pub result_reason: Option<ResultReason>,
    /// Result Message, for a person.
    pub result_message: Option<String>,
    /// Asynchronous Correlation Value, when the result is Pending.
    pub asynchronous_correlation_value: Option<Bytes>,
    /// The payload, on success.
    pub payload: Option<ResponsePayload>,
    /// Message Extension.
    pub message_extension: Option<MessageExtension>,
}

impl Codec for ResponseBatchItem {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let operation: Option<Operation> = f.opt(Tag::Operation)?;
        let unique_batch_item_id = f.opt(Tag::UniqueBatchItemID)?;
        let result_status = f.req(Tag::ResultStatus)?;
        let result_reason = f.opt(Tag::ResultReason)?;
        let result_message = f.opt(Tag::ResultMessage)?;
        let asynchronous_correlation_value = f.opt(Tag::AsynchronousCorrelationValue)?;
        let payload = match (f.take::<Ttlv>(Tag::ResponsePayload), operation) {
            (None, _) => None,
            (Some(p), Some(op)) => Some(ResponsePayload::decode(op, p)?),
            (Some(_), None) => {
                return Err(MessageError::Missing {
                    field: Tag::Operation,
                    within: Tag::BatchItem,
                })
            }
        };
        let message_extension = f.opt(Tag::MessageExtension)?;
        f.finish()?;
        Ok(ResponseBatchItem {
            operation,
            unique_batch_item_id,
            result_status,
            result_reason,
            result_message,
            asynchronous_correlation_value,
            payload,
            message_extension,
        })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        if let Some(op) = &self.operation {
            op.encode(Tag::Operation, w);
        }
        if let Some(id) = &self.unique_batch_item_id {
            id.encode(Tag::UniqueBatchItemID, w);
        }
        self.result_status.encode(Tag::ResultStatus, w);
        if let Some(r) = &self.result_reason {
            r.encode(Tag::ResultReason, w);
        }
        if let Some(m) = &self.result_message {
            m.encode(Tag::ResultMessage, w);
        }
        if let Some(v) = &self.asynchronous_correlation_value {
            v.encode(Tag::AsynchronousCorrelationValue, w);
        }
        if let Some(p) = &self.payload {
            p.encode(w);
        }
        if let Some(e) = &self.message_extension {
            e.encode(Tag::MessageExtension, w);
        }
        w.end(s);
    }
}

/// Checks Batch Count against the items actually present.
fn check_batch_count(declared: i32, actual: usize) -> Result<(), MessageError> {
    if usize::try_from(declared).ok() == Some(actual) {
        Ok(())
    } else {
        Err(MessageError::InvalidValue {
            field: Tag::BatchCount,
            reason: format!("Batch Count says {declared} but the message holds {actual} batch items"),
        })
    }
}

/// A Request Message (Table 280).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestMessage {
    /// The header; its Batch Count is kept equal to `batch_items.len()`.
    pub header: RequestHeader,
    /// One or more batch items.
    pub batch_items: Vec<RequestBatchItem>,
}

impl Codec for RequestMessage {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let header: RequestHeader = f.req(Tag::RequestHeader)?;
        let batch_items = f.vec(Tag::BatchItem)?;
        f.finish()?;
        if batch_items.is_empty() {
            return Err(MessageError::Missing {
                field: Tag::BatchItem,
                within: Tag::RequestMessage,
            });
        }
        check_batch_count(header.batch_count, batch_items.len())?;
        Ok(RequestMessage { header, batch_items })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        let mut header = self.header.clone();
        header.batch_count = i32::try_from(self.batch_items.len()).unwrap_or(i32::MAX);
        header.encode(Tag::RequestHeader, w);
        for item in &self.batch_items {
            item.encode(Tag::BatchItem, w);
        }
        w.end(s);
    }
}

/// A Response Message (Table 281).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseMessage {
    /// The header; its Batch Count is kept equal to `batch_items.len()`.
    pub header: ResponseHeader,
    /// One or more batch items.
    pub batch_items: Vec<ResponseBatchItem>,
}

impl Codec for ResponseMessage {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let header: ResponseHeader = f.req(Tag::ResponseHeader)?;
        let batch_items = f.vec(Tag::BatchItem)?;
        f.finish()?;
        check_batch_count(header.batch_count, batch_items.len())?;
        Ok(ResponseMessage { header, batch_items })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        encode_response(tag, &self.header, &self.batch_items, w);
    }
}

/// A Response Message of `header` and `items`, its Batch Count set to theirs.
fn encode_response<'a, I>(tag: Tag, header: &ResponseHeader, items: I, w: &mut Writer)
where
    I: IntoIterator<Item = &'a ResponseBatchItem>,
    I::IntoIter: ExactSizeIterator,
{
    let items = items.into_iter();
    let s = w.begin(tag);
    let mut header = header.clone();
    header.batch_count = i32::try_from(items.len()).unwrap_or(i32::MAX);
    header.encode(Tag::ResponseHeader, w);
    for item in items {
        item.encode(Tag::BatchItem, w);
    }
    w.end(s);
}

/// Room a message buffer starts with: most responses fit, so encoding one
/// does not grow its buffer step by step from nothing.
const MESSAGE_CAPACITY: usize = 512;

/// Either kind of message, told apart by the top-level tag.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// A Request Message.
    Request(RequestMessage),
    /// A Response Message.
    Response(ResponseMessage),
}

impl Message {
    /// Decodes a message from a decoded TTLV tree's root.
    pub fn decode(root: Item<'_, '_>) -> Result<Message, MessageError> {
        match root.tag() {
            Tag::RequestMessage => Ok(Message::Request(RequestMessage::decode(root)?)),
            Tag::ResponseMessage => Ok(Message::Response(ResponseMessage::decode(root)?)),
            other => Err(MessageError::Unexpected {
                field: other,
                within: Tag(0),
                offset: root.offset(),
            }),
        }
    }

    /// Encodes the message to TTLV bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Message::Request(m) => m.encode(Tag::RequestMessage, &mut w),
            Message::Response(m) => m.encode(Tag::ResponseMessage, &mut w),
        }
        w.into_bytes()
    }
}

impl RequestMessage {
    /// Decodes a Request Message from bytes.
    pub fn from_bytes(buf: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let doc = Document::decode(buf, limits)?;
        let root = doc.root();
        if root.tag() != Tag::RequestMessage {
            return Err(MessageError::Unexpected {
                field: root.tag(),
                within: Tag(0),
                offset: 0,
            });
        }
        RequestMessage::decode(root)
    }

    /// Encodes to bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(Tag::RequestMessage, &mut w);
        w.into_bytes()
    }
}

impl ResponseMessage {
    /// Decodes a Response Message from bytes.
    pub fn from_bytes(buf: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let doc = Document::decode(buf, limits)?;
        let root = doc.root();
        if root.tag() != Tag::ResponseMessage {
            return Err(MessageError::Unexpected {
                field: root.tag(),
                within: Tag(0),
                offset: 0,
            });
        }
        ResponseMessage::decode(root)
    }

    /// Encodes to bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        ResponseMessage::encode_parts(&self.header, &self.batch_items)
    }

    /// Encodes a response from its header and borrowed batch items, without
    /// gathering them into a message first (Batch Count is theirs).
    pub fn encode_parts<'a, I>(header: &ResponseHeader, items: I) -> Vec<u8>
    where
        I: IntoIterator<Item = &'a ResponseBatchItem>,
        I::IntoIter: ExactSizeIterator,
    {
        let mut w = Writer::with_buffer(Vec::with_capacity(MESSAGE_CAPACITY));
        encode_response(Tag::ResponseMessage, header, items, &mut w);
        w.into_bytes()
    }
}
