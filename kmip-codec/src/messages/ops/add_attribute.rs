//! Adds an attribute to an object. (KMIP 1.4 §4.14, Tables 200 and 201.)

use super::prelude::*;

kmip_struct! {
    /// AddAttribute request payload.
    pub struct AddAttributeRequest {
        opt unique_identifier: String = UniqueIdentifier,
        req attribute: Attribute = Attribute,
    }
}

kmip_struct! {
    /// AddAttribute response payload.
    pub struct AddAttributeResponse {
        req unique_identifier: String = UniqueIdentifier,
        req attribute: Attribute = Attribute,
    }
}
