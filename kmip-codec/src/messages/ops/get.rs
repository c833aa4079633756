//! Returns a managed object, in a requested format and wrapping. (KMIP 1.4 §4.11, Tables 194 and 195.)

use super::prelude::*;

kmip_struct! {
    /// Get request payload.
    #[derive(Default)]
    pub struct GetRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt key_format_type: KeyFormatType = KeyFormatType,
        opt key_wrap_type: KeyWrapType = KeyWrapType,
        opt key_compression_type: KeyCompressionType = KeyCompressionType,
        opt key_wrapping_specification: KeyWrappingSpecification = KeyWrappingSpecification,
    }
}

kmip_struct! {
    /// Get response payload.
    pub struct GetResponse {
        req object_type: ObjectType = ObjectType,
        req unique_identifier: String = UniqueIdentifier,
        req object: Object = AnyObject,
    }
}
