//! A typed method for each client-to-server KMIP 1.4 operation, on both
//! the async and the blocking client, generated from one list. Poll is
//! left out: this client never asks for asynchronous processing.

use kmip_codec::messages::ops::{
    activate, add_attribute, archive, cancel, certify, check, create, create_key_pair, create_split_key, decrypt,
    delete_attribute, derive_key, destroy, discover_versions, encrypt, export, get, get_attribute_list, get_attributes,
    get_usage_allocation, hash, import, join_split_key, locate, mac, mac_verify, modify_attribute, obtain_lease, query,
    recertify, recover, register, rekey, rekey_key_pair, revoke, rng_retrieve, rng_seed, sign, signature_verify,
    validate,
};
use kmip_codec::messages::{RequestPayload, ResponsePayload};

use crate::{blocking, Client, ClientError};

macro_rules! operations {
    ($($method:ident: $op:ident($req:ty) -> $resp:ty;)*) => {
        impl Client {
            $(
                #[doc = concat!("Sends one ", stringify!($op), " request and returns its response.")]
                pub async fn $method(&mut self, request: $req) -> Result<$resp, ClientError> {
                    match self.call(RequestPayload::$op(request)).await? {
                        ResponsePayload::$op(response) => Ok(response),
                        other => Err(ClientError::Unexpected(format!("{:?}", other.operation()))),
                    }
                }
            )*
        }

        impl blocking::Client {
            $(
                #[doc = concat!("Sends one ", stringify!($op), " request and returns its response.")]
                pub fn $method(&mut self, request: $req) -> Result<$resp, ClientError> {
                    let (runtime, client) = self.parts();
                    runtime.block_on(client.$method(request))
                }
            )*
        }
    };
}

operations! {
    create: Create(create::CreateRequest) -> create::CreateResponse;
    create_key_pair: CreateKeyPair(create_key_pair::CreateKeyPairRequest) -> create_key_pair::CreateKeyPairResponse;
    register: Register(register::RegisterRequest) -> register::RegisterResponse;
    rekey: ReKey(rekey::ReKeyRequest) -> rekey::ReKeyResponse;
    rekey_key_pair: ReKeyKeyPair(rekey_key_pair::ReKeyKeyPairRequest) -> rekey_key_pair::ReKeyKeyPairResponse;
    derive_key: DeriveKey(derive_key::DeriveKeyRequest) -> derive_key::DeriveKeyResponse;
    certify: Certify(certify::CertifyRequest) -> certify::CertifyResponse;
    recertify: ReCertify(recertify::ReCertifyRequest) -> recertify::ReCertifyResponse;
    locate: Locate(locate::LocateRequest) -> locate::LocateResponse;
    check: Check(check::CheckRequest) -> check::CheckResponse;
    get: Get(get::GetRequest) -> get::GetResponse;
    get_attributes: GetAttributes(get_attributes::GetAttributesRequest) -> get_attributes::GetAttributesResponse;
    get_attribute_list: GetAttributeList(get_attribute_list::GetAttributeListRequest) -> get_attribute_list::GetAttributeListResponse;
    add_attribute: AddAttribute(add_attribute::AddAttributeRequest) -> add_attribute::AddAttributeResponse;
    modify_attribute: ModifyAttribute(modify_attribute::ModifyAttributeRequest) -> modify_attribute::ModifyAttributeResponse;
    delete_attribute: DeleteAttribute(delete_attribute::DeleteAttributeRequest) -> delete_attribute::DeleteAttributeResponse;
    obtain_lease: ObtainLease(obtain_lease::ObtainLeaseRequest) -> obtain_lease::ObtainLeaseResponse;
    get_usage_allocation: GetUsageAllocation(get_usage_allocation::GetUsageAllocationRequest) -> get_usage_allocation::GetUsageAllocationResponse;
    activate: Activate(activate::ActivateRequest) -> activate::ActivateResponse;
    revoke: Revoke(revoke::RevokeRequest) -> revoke::RevokeResponse;
    destroy: Destroy(destroy::DestroyRequest) -> destroy::DestroyResponse;
    archive: Archive(archive::ArchiveRequest) -> archive::ArchiveResponse;
    recover: Recover(recover::RecoverRequest) -> recover::RecoverResponse;
    validate: Validate(validate::ValidateRequest) -> validate::ValidateResponse;
    query: Query(query::QueryRequest) -> query::QueryResponse;
    discover_versions: DiscoverVersions(discover_versions::DiscoverVersionsRequest) -> discover_versions::DiscoverVersionsResponse;
    cancel: Cancel(cancel::CancelRequest) -> cancel::CancelResponse;
    encrypt: Encrypt(encrypt::EncryptRequest) -> encrypt::EncryptResponse;
    decrypt: Decrypt(decrypt::DecryptRequest) -> decrypt::DecryptResponse;
    sign: Sign(sign::SignRequest) -> sign::SignResponse;
    signature_verify: SignatureVerify(signature_verify::SignatureVerifyRequest) -> signature_verify::SignatureVerifyResponse;
    mac: MAC(mac::MACRequest) -> mac::MACResponse;
    mac_verify: MACVerify(mac_verify::MACVerifyRequest) -> mac_verify::MACVerifyResponse;
    rng_retrieve: RNGRetrieve(rng_retrieve::RNGRetrieveRequest) -> rng_retrieve::RNGRetrieveResponse;
    rng_seed: RNGSeed(rng_seed::RNGSeedRequest) -> rng_seed::RNGSeedResponse;
    hash: Hash(hash::HashRequest) -> hash::HashResponse;
    create_split_key: CreateSplitKey(create_split_key::CreateSplitKeyRequest) -> create_split_key::CreateSplitKeyResponse;
    join_split_key: JoinSplitKey(join_split_key::JoinSplitKeyRequest) -> join_split_key::JoinSplitKeyResponse;
    export: Export(export::ExportRequest) -> export::ExportResponse;
    import: Import(import::ImportRequest) -> import::ImportResponse;
}
