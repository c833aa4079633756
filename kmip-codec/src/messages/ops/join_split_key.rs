//! Combines Split Keys into the object they split. (KMIP 1.4 §4.39, Tables 249 and 250.)

use super::prelude::*;

kmip_struct! {
    /// JoinSplitKey request payload.
    pub struct JoinSplitKeyRequest {
        req object_type: ObjectType = ObjectType,
        vec unique_identifiers: String = UniqueIdentifier,
        opt secret_data_type: SecretDataType = SecretDataType,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// JoinSplitKey response payload.
    #[derive(Default)]
    pub struct JoinSplitKeyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
