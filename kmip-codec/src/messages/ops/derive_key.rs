//! Derives a key or Secret Data from existing objects. (KMIP 1.4 §4.6, Tables 180 and 181.)

use super::prelude::*;

kmip_struct! {
    /// DeriveKey request payload.
    pub struct DeriveKeyRequest {
        req object_type: ObjectType = ObjectType,
        vec unique_identifiers: String = UniqueIdentifier,
        req derivation_method: DerivationMethod = DerivationMethod,
        req derivation_parameters: DerivationParameters = DerivationParameters,
        req template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// DeriveKey response payload.
    #[derive(Default)]
    pub struct DeriveKeyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
