//! Brings an archived object back on-line. (KMIP 1.4 §4.23, Tables 218 and 219.)

use super::prelude::*;

kmip_struct! {
    /// Recover request payload.
    #[derive(Default)]
    pub struct RecoverRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// Recover response payload.
    #[derive(Default)]
    pub struct RecoverResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
