//! Server to client: an object is pushed to the client. (KMIP 1.4 §5.2, Table 256; the response payload is empty.)

use super::prelude::*;

kmip_struct! {
    /// Put request payload.
    pub struct PutRequest {
        req unique_identifier: String = UniqueIdentifier,
        req put_function: PutFunction = PutFunction,
        opt replaced_unique_identifier: String = ReplacedUniqueIdentifier,
        req object: Object = AnyObject,
        vec attributes: Attribute = Attribute,
    }
}

kmip_struct! {
    /// Put response payload.
    pub struct PutResponse {}
}
