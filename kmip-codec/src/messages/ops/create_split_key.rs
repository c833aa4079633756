//! Splits a key into parts held as Split Key objects. (KMIP 1.4 §4.38, Tables 247 and 248.)

use super::prelude::*;

kmip_struct! {
    /// CreateSplitKey request payload.
    pub struct CreateSplitKeyRequest {
        req object_type: ObjectType = ObjectType,
        opt unique_identifier: String = UniqueIdentifier,
        req split_key_parts: i32 = SplitKeyParts,
        req split_key_threshold: i32 = SplitKeyThreshold,
        req split_key_method: SplitKeyMethod = SplitKeyMethod,
        opt prime_field_size: BigInteger = PrimeFieldSize,
        req template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// CreateSplitKey response payload.
    #[derive(Default)]
    pub struct CreateSplitKeyResponse {
        vec unique_identifiers: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
