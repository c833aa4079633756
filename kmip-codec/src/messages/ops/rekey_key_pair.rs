//! Replaces a key pair with a new one, linked to the old. (KMIP 1.4 §4.5, Tables 178 and 179.)

use super::prelude::*;

kmip_struct! {
    /// ReKeyKeyPair request payload.
    #[derive(Default)]
    pub struct ReKeyKeyPairRequest {
        opt private_key_unique_identifier: String = PrivateKeyUniqueIdentifier,
        opt offset: Interval = Offset,
        opt common_template_attribute: TemplateAttribute = CommonTemplateAttribute,
        opt private_key_template_attribute: TemplateAttribute = PrivateKeyTemplateAttribute,
        opt public_key_template_attribute: TemplateAttribute = PublicKeyTemplateAttribute,
    }
}

kmip_struct! {
    /// ReKeyKeyPair response payload.
    #[derive(Default)]
    pub struct ReKeyKeyPairResponse {
        req private_key_unique_identifier: String = PrivateKeyUniqueIdentifier,
        req public_key_unique_identifier: String = PublicKeyUniqueIdentifier,
        opt private_key_template_attribute: TemplateAttribute = PrivateKeyTemplateAttribute,
        opt public_key_template_attribute: TemplateAttribute = PublicKeyTemplateAttribute,
    }
}
