//! Query (KMIP 1.4 §4.25): what this server supports, drawn from the same
//! tables the server runs on — the dispatcher's list of operations, the
//! registry of versions — so the answer cannot drift from the behaviour.
//!
//! Query Profiles lists a profile (from `profiles/`) only when every
//! operation and object type it requires is implemented and the server
//! offers its message encodings (TTLV only: never the HTTPS, JSON and XML
//! server profiles). What a request's protocol version does not define
//! (Import and Export, PGP Key, RNG Parameters, Profile and Capability
//! Information) is left out of the answer on the response path, with
//! everything else a version lacks ([`kmip_codec::versions::downgrade`]).

use kmip_codec::enums::{DestroyActionType, QueryFunction, RNGMode, UnwrapMode};
use kmip_codec::messages::ops::query::{QueryRequest, QueryResponse};
use kmip_codec::messages::{CapabilityInformation, ProfileInformation};

use super::{Context, Error, IMPLEMENTED, OBJECT_TYPES};

/// The Vendor Identification this server reports.
pub const VENDOR: &str = concat!("kmip-rs ", env!("CARGO_PKG_VERSION"));

/// Runs Query.
pub fn run(_ctx: &Context<'_>, req: &QueryRequest) -> Result<QueryResponse, Error> {
    let mut out = QueryResponse { ..Default::default() };
    for function in &req.query_functions {
        match *function {
            QueryFunction::QueryOperations => out.operations = IMPLEMENTED.to_vec(),
            QueryFunction::QueryObjects => out.object_types = OBJECT_TYPES.to_vec(),
            // Server Information is vendor-defined (§4.25); this server has
            // nothing beyond its name and version, so the structure is
            // present and empty, as in the OASIS reference responses.
            QueryFunction::QueryServerInformation => {
                out.vendor_identification = Some(VENDOR.to_owned());
                out.server_information = Some(kmip_codec::Ttlv::structure(kmip_codec::Tag::ServerInformation, vec![]));
            }
            QueryFunction::QueryProfiles => out.profile_information = supported_profiles(),
            QueryFunction::QueryRNGs => {
                if let kmip_codec::messages::AttributeValue::RandomNumberGenerator(rng) =
                    crate::object::attributes::server_rng()
                {
                    out.rng_parameters = vec![rng];
                }
            }
            QueryFunction::QueryCapabilities => {
                // Streaming: operations in parts (Correlation Value). A key
                // registered wrapped is kept as given (Not Processed);
                // Destroy deletes the sealed material and keeps metadata;
                // AWS-LC keeps a generator instance per thread. KMIP 1.4 has
                // no field for the cipher algorithms (README lists them).
                out.capability_information = vec![CapabilityInformation {
                    streaming_capability: Some(true),
                    asynchronous_capability: Some(false),
                    attestation_capability: Some(false),
                    batch_undo_capability: Some(true),
                    batch_continue_capability: Some(true),
                    unwrap_mode: Some(UnwrapMode::NotProcessed),
                    destroy_action: Some(DestroyActionType::KeyMaterialDeleted),
                    shredding_algorithm: None,
                    rng_mode: Some(RNGMode::NonSharedInstantiation),
                }]
            }
            // Application Namespaces, Extension List/Map, Attestation Types,
            // Validations and Client Registration Methods: none supported,
            // so nothing to list.
            _ => {}
        }
    }
    Ok(out)
}

/// The message encodings this server offers: TTLV over TLS only.
const ENCODINGS: &[&str] = &[kmip_profiles::TTLV];

/// Profile Information for every profile the server fully supports.
fn supported_profiles() -> Vec<ProfileInformation> {
    let profiles = match kmip_profiles::all() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("profile definitions are invalid: {e}");
            return vec![];
        }
    };
    kmip_profiles::supported(&profiles, IMPLEMENTED, OBJECT_TYPES, ENCODINGS)
        .into_iter()
        .flat_map(|p| p.profile_names.iter())
        .map(|name| ProfileInformation {
            profile_name: *name,
            server_uri: None,
            server_port: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::enums::ProfileName;

    /// The cryptographic profiles are claimed now that their operations
    /// exist; the HTTPS/JSON/XML ones never are, whatever the operations.
    #[test]
    fn profiles_claimed_follow_operations_and_encodings() {
        let names: Vec<ProfileName> = supported_profiles().iter().map(|p| p.profile_name).collect();
        assert!(
            names.contains(&ProfileName::BasicCryptographicServerKMIPV1_4),
            "{names:?}"
        );
        assert!(!names.contains(&ProfileName::HTTPSServerKMIPV1_4), "{names:?}");
    }
}
