//! Discover Versions (KMIP 1.4 §4.26): "If the client provides the server
//! with a list of supported protocol versions in the request payload, the
//! server SHALL return only the protocol versions that are supported by both
//! the client and server", in the server's order of preference; with no
//! list, all of the server's.

use kmip_codec::messages::ops::discover_versions::{DiscoverVersionsRequest, DiscoverVersionsResponse};
use kmip_codec::messages::ProtocolVersion;

use crate::ops::{Context, Error};

/// The versions this server speaks, most preferred first: all the codec does.
pub const SUPPORTED: &[ProtocolVersion] = kmip_codec::messages::VERSIONS;

/// Runs Discover Versions.
pub fn run(_ctx: &Context<'_>, req: &DiscoverVersionsRequest) -> Result<DiscoverVersionsResponse, Error> {
    let protocol_versions = SUPPORTED
        .iter()
        .filter(|v| req.protocol_versions.is_empty() || req.protocol_versions.contains(v))
        .cloned()
        .collect();
    Ok(DiscoverVersionsResponse { protocol_versions })
}
