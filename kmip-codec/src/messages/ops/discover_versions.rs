//! Negotiates the protocol version. (KMIP 1.4 §4.26, Tables 224 and 225.)

use super::prelude::*;

kmip_struct! {
    /// DiscoverVersions request payload.
    #[derive(Default)]
    pub struct DiscoverVersionsRequest {
        vec protocol_versions: ProtocolVersion = ProtocolVersion,
    }
}

kmip_struct! {
    /// DiscoverVersions response payload.
    #[derive(Default)]
    pub struct DiscoverVersionsResponse {
        vec protocol_versions: ProtocolVersion = ProtocolVersion,
    }
}
