//! Registers a managed object that the client supplies. (KMIP 1.4 §4.3, Tables 169 and 170.)

use super::prelude::*;

kmip_struct! {
    /// Register request payload.
    pub struct RegisterRequest {
        req object_type: ObjectType = ObjectType,
        req template_attribute: TemplateAttribute = TemplateAttribute,
        req object: Object = AnyObject,
    }
}

kmip_struct! {
    /// Register response payload.
    #[derive(Default)]
    pub struct RegisterResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
