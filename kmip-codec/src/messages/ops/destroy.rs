//! Destroys an object's key material, keeping its metadata. (KMIP 1.4 §4.21, Tables 214 and 215.)

use super::prelude::*;

kmip_struct! {
    /// Destroy request payload.
    #[derive(Default)]
    pub struct DestroyRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// Destroy response payload.
    #[derive(Default)]
    pub struct DestroyResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
