//! Returns the names of an object's attributes. (KMIP 1.4 §4.13, Tables 198 and 199.)

use super::prelude::*;

kmip_struct! {
    /// GetAttributeList request payload.
    #[derive(Default)]
    pub struct GetAttributeListRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// GetAttributeList response payload.
    #[derive(Default)]
    pub struct GetAttributeListResponse {
        req unique_identifier: String = UniqueIdentifier,
        vec attribute_names: String = AttributeName,
    }
}
