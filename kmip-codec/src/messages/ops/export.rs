//! Returns an object with all its attributes, for moving it elsewhere. (KMIP 1.4 §4.40, Tables 251 and 252.)

use super::prelude::*;

kmip_struct! {
    /// Export request payload.
    #[derive(Default)]
    pub struct ExportRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt key_format_type: KeyFormatType = KeyFormatType,
        opt key_wrap_type: KeyWrapType = KeyWrapType,
        opt key_compression_type: KeyCompressionType = KeyCompressionType,
        opt key_wrapping_specification: KeyWrappingSpecification = KeyWrappingSpecification,
    }
}

kmip_struct! {
    /// Export response payload.
    pub struct ExportResponse {
        req object_type: ObjectType = ObjectType,
        req unique_identifier: String = UniqueIdentifier,
        vec attributes: Attribute = Attribute,
        req object: Object = AnyObject,
    }
}
