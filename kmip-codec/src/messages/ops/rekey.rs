//! Replaces a symmetric key with a new one, linked to the old. (KMIP 1.4 §4.4, Tables 174 and 175.)

use super::prelude::*;

kmip_struct! {
    /// ReKey request payload.
    #[derive(Default)]
    pub struct ReKeyRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt offset: Interval = Offset,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// ReKey response payload.
    #[derive(Default)]
    pub struct ReKeyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
