//! Moves a Pre-Active object to Active. (KMIP 1.4 §4.19, Tables 210 and 211.)

use super::prelude::*;

kmip_struct! {
    /// Activate request payload.
    #[derive(Default)]
    pub struct ActivateRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// Activate response payload.
    #[derive(Default)]
    pub struct ActivateResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
