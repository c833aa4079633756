//! Returns some or all attributes of an object. (KMIP 1.4 §4.12, Tables 196 and 197.)

use super::prelude::*;

kmip_struct! {
    /// GetAttributes request payload.
    #[derive(Default)]
    pub struct GetAttributesRequest {
        opt unique_identifier: String = UniqueIdentifier,
        vec attribute_names: String = AttributeName,
    }
}

kmip_struct! {
    /// GetAttributes response payload.
    #[derive(Default)]
    pub struct GetAttributesResponse {
        req unique_identifier: String = UniqueIdentifier,
        vec attributes: Attribute = Attribute,
    }
}
