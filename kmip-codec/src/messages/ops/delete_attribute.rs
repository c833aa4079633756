//! Deletes an attribute from an object. (KMIP 1.4 §4.16, Tables 204 and 205.)

use super::prelude::*;

kmip_struct! {
    /// DeleteAttribute request payload.
    #[derive(Default)]
    pub struct DeleteAttributeRequest {
        opt unique_identifier: String = UniqueIdentifier,
        req attribute_name: String = AttributeName,
        opt attribute_index: i32 = AttributeIndex,
    }
}

kmip_struct! {
    /// DeleteAttribute response payload.
    pub struct DeleteAttributeResponse {
        req unique_identifier: String = UniqueIdentifier,
        req attribute: Attribute = Attribute,
    }
}
