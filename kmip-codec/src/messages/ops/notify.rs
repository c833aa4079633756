//! Server to client: attributes of an object changed. (KMIP 1.4 §5.1, Table 255; the response payload is empty.)

use super::prelude::*;

kmip_struct! {
    /// Notify request payload.
    #[derive(Default)]
    pub struct NotifyRequest {
        req unique_identifier: String = UniqueIdentifier,
        vec attributes: NotifyAttribute = Attribute,
    }
}

kmip_struct! {
    /// Notify response payload.
    pub struct NotifyResponse {}
}
