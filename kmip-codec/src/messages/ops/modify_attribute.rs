//! Changes the value of an object's attribute. (KMIP 1.4 §4.15, Tables 202 and 203.)

use super::prelude::*;

kmip_struct! {
    /// ModifyAttribute request payload.
    pub struct ModifyAttributeRequest {
        opt unique_identifier: String = UniqueIdentifier,
        req attribute: Attribute = Attribute,
    }
}

kmip_struct! {
    /// ModifyAttribute response payload.
    pub struct ModifyAttributeResponse {
        req unique_identifier: String = UniqueIdentifier,
        req attribute: Attribute = Attribute,
    }
}
