//! Request and response payloads, one file per KMIP operation (§4 for the
//! client-to-server operations, §5 for Notify and Put), and the two enums
//! that choose a payload type by the batch item's Operation.

mod prelude {
    pub use super::super::common::*;
    pub use super::super::objects::Certificate;
    pub use super::super::{Attribute, BigInteger, Bytes, DateTime, Interval, NotifyAttribute, Object};
    pub use crate::enums::*;
    pub use crate::kmip_struct;
    pub use crate::ttlv::Ttlv;
}

pub mod activate;
pub mod add_attribute;
pub mod archive;
pub mod cancel;
pub mod certify;
pub mod check;
pub mod create;
pub mod create_key_pair;
pub mod create_split_key;
pub mod decrypt;
pub mod delete_attribute;
pub mod derive_key;
pub mod destroy;
pub mod discover_versions;
pub mod encrypt;
pub mod export;
pub mod get;
pub mod get_attribute_list;
pub mod get_attributes;
pub mod get_usage_allocation;
pub mod hash;
pub mod import;
pub mod join_split_key;
pub mod locate;
pub mod mac;
pub mod mac_verify;
pub mod modify_attribute;
pub mod notify;
pub mod obtain_lease;
pub mod poll;
pub mod put;
pub mod query;
pub mod recertify;
pub mod recover;
pub mod register;
pub mod rekey;
pub mod rekey_key_pair;
pub mod revoke;
pub mod rng_retrieve;
pub mod rng_seed;
pub mod sign;
pub mod signature_verify;
pub mod validate;

use super::{Codec, MessageError};
use crate::enums::Operation;
use crate::tags::Tag;
use crate::ttlv::{Item, Ttlv, Writer};

macro_rules! operations {
    ($($op:ident => $req:ty, $resp:ty;)*) => {
        /// A request payload, typed by its operation.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        pub enum RequestPayload {
            $(
                #[doc = concat!("The ", stringify!($op), " request.")]
                $op($req),
            )*
            /// An operation this codec does not know (a vendor extension);
            /// kept so that the server can answer Operation Not Supported.
            Other(Operation, Ttlv),
        }

        /// A response payload, typed by its operation.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        pub enum ResponsePayload {
            $(
                #[doc = concat!("The ", stringify!($op), " response.")]
                $op($resp),
            )*
            /// A response to an operation this codec does not know.
            Other(Operation, Ttlv),
        }

        /// Every operation with a typed payload, in specification order.
        pub const OPERATIONS: &[Operation] = &[$(Operation::$op,)*];

        impl RequestPayload {
            /// The operation this payload belongs to.
            pub fn operation(&self) -> Operation {
                match self {
                    $(RequestPayload::$op(_) => Operation::$op,)*
                    RequestPayload::Other(op, _) => *op,
                }
            }

            /// Decodes a Request Payload for `operation`.
            pub fn decode(operation: Operation, item: Item<'_, '_>) -> Result<Self, MessageError> {
                Ok(match operation {
                    $(Operation::$op => RequestPayload::$op(Codec::decode(item)?),)*
                    other => RequestPayload::Other(other, item.to_owned()),
                })
            }

            /// The managed objects the payload names directly (for the audit).
            pub fn object_uids(&self) -> Vec<&str> {
                match self {
                    $(RequestPayload::$op(p) => super::ObjectUids::object_uids(p),)*
                    RequestPayload::Other(..) => vec![],
                }
            }

            /// Encodes as a Request Payload.
            pub fn encode(&self, w: &mut Writer) {
                let tag = Tag::RequestPayload;
                match self {
                    $(RequestPayload::$op(p) => p.encode(tag, w),)*
                    RequestPayload::Other(_, p) => p.encode(tag, w),
                }
            }
        }

        impl ResponsePayload {
            /// The operation this payload belongs to.
            pub fn operation(&self) -> Operation {
                match self {
                    $(ResponsePayload::$op(_) => Operation::$op,)*
                    ResponsePayload::Other(op, _) => *op,
                }
            }

            /// Decodes a Response Payload for `operation`.
            pub fn decode(operation: Operation, item: Item<'_, '_>) -> Result<Self, MessageError> {
                Ok(match operation {
                    $(Operation::$op => ResponsePayload::$op(Codec::decode(item)?),)*
                    other => ResponsePayload::Other(other, item.to_owned()),
                })
            }

            /// The managed objects the payload names directly (for the audit).
            pub fn object_uids(&self) -> Vec<&str> {
                match self {
                    $(ResponsePayload::$op(p) => super::ObjectUids::object_uids(p),)*
                    ResponsePayload::Other(..) => vec![],
                }
            }

            /// Encodes as a Response Payload.
            pub fn encode(&self, w: &mut Writer) {
                let tag = Tag::ResponsePayload;
                match self {
                    $(ResponsePayload::$op(p) => p.encode(tag, w),)*
                    ResponsePayload::Other(_, p) => p.encode(tag, w),
                }
            }
        }
    };
}

operations! {
    Create => create::CreateRequest, create::CreateResponse;
    CreateKeyPair => create_key_pair::CreateKeyPairRequest, create_key_pair::CreateKeyPairResponse;
    Register => register::RegisterRequest, register::RegisterResponse;
    ReKey => rekey::ReKeyRequest, rekey::ReKeyResponse;
    ReKeyKeyPair => rekey_key_pair::ReKeyKeyPairRequest, rekey_key_pair::ReKeyKeyPairResponse;
    DeriveKey => derive_key::DeriveKeyRequest, derive_key::DeriveKeyResponse;
    Certify => certify::CertifyRequest, certify::CertifyResponse;
    ReCertify => recertify::ReCertifyRequest, recertify::ReCertifyResponse;
    Locate => locate::LocateRequest, locate::LocateResponse;
    Check => check::CheckRequest, check::CheckResponse;
    Get => get::GetRequest, get::GetResponse;
    GetAttributes => get_attributes::GetAttributesRequest, get_attributes::GetAttributesResponse;
    GetAttributeList => get_attribute_list::GetAttributeListRequest, get_attribute_list::GetAttributeListResponse;
    AddAttribute => add_attribute::AddAttributeRequest, add_attribute::AddAttributeResponse;
    ModifyAttribute => modify_attribute::ModifyAttributeRequest, modify_attribute::ModifyAttributeResponse;
    DeleteAttribute => delete_attribute::DeleteAttributeRequest, delete_attribute::DeleteAttributeResponse;
    ObtainLease => obtain_lease::ObtainLeaseRequest, obtain_lease::ObtainLeaseResponse;
    GetUsageAllocation => get_usage_allocation::GetUsageAllocationRequest, get_usage_allocation::GetUsageAllocationResponse;
    Activate => activate::ActivateRequest, activate::ActivateResponse;
    Revoke => revoke::RevokeRequest, revoke::RevokeResponse;
    Destroy => destroy::DestroyRequest, destroy::DestroyResponse;
    Archive => archive::ArchiveRequest, archive::ArchiveResponse;
    Recover => recover::RecoverRequest, recover::RecoverResponse;
    Validate => validate::ValidateRequest, validate::ValidateResponse;
    Query => query::QueryRequest, query::QueryResponse;
    DiscoverVersions => discover_versions::DiscoverVersionsRequest, discover_versions::DiscoverVersionsResponse;
    Cancel => cancel::CancelRequest, cancel::CancelResponse;
    Poll => poll::PollRequest, poll::PollResponse;
    Encrypt => encrypt::EncryptRequest, encrypt::EncryptResponse;
    Decrypt => decrypt::DecryptRequest, decrypt::DecryptResponse;
    Sign => sign::SignRequest, sign::SignResponse;
    SignatureVerify => signature_verify::SignatureVerifyRequest, signature_verify::SignatureVerifyResponse;
    MAC => mac::MACRequest, mac::MACResponse;
    MACVerify => mac_verify::MACVerifyRequest, mac_verify::MACVerifyResponse;
    RNGRetrieve => rng_retrieve::RNGRetrieveRequest, rng_retrieve::RNGRetrieveResponse;
    RNGSeed => rng_seed::RNGSeedRequest, rng_seed::RNGSeedResponse;
    Hash => hash::HashRequest, hash::HashResponse;
    CreateSplitKey => create_split_key::CreateSplitKeyRequest, create_split_key::CreateSplitKeyResponse;
    JoinSplitKey => join_split_key::JoinSplitKeyRequest, join_split_key::JoinSplitKeyResponse;
    Export => export::ExportRequest, export::ExportResponse;
    Import => import::ImportRequest, import::ImportResponse;
    Notify => notify::NotifyRequest, notify::NotifyResponse;
    Put => put::PutRequest, put::PutResponse;
}
