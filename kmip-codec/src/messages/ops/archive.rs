//! Moves an object to archival storage. (KMIP 1.4 §4.22, Tables 216 and 217.)

use super::prelude::*;

kmip_struct! {
    /// Archive request payload.
    #[derive(Default)]
    pub struct ArchiveRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// Archive response payload.
    #[derive(Default)]
    pub struct ArchiveResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
