//! Stores an exported object under its own identifier. (KMIP 1.4 §4.41, Tables 253 and 254.)

use super::prelude::*;

kmip_struct! {
    /// Import request payload.
    pub struct ImportRequest {
        req unique_identifier: String = UniqueIdentifier,
        opt replace_existing: bool = ReplaceExisting,
        opt key_wrap_type: KeyWrapType = KeyWrapType,
        vec attributes: Attribute = Attribute,
        req object: Object = AnyObject,
    }
}

kmip_struct! {
    /// Import response payload.
    #[derive(Default)]
    pub struct ImportResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
