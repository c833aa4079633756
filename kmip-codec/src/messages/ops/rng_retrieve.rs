//! Returns random bytes from the server's generator. (KMIP 1.4 §4.35, Tables 241 and 242.)

use super::prelude::*;

kmip_struct! {
    /// RNGRetrieve request payload.
    #[derive(Default)]
    pub struct RNGRetrieveRequest {
        req data_length: i32 = DataLength,
    }
}

kmip_struct! {
    /// RNGRetrieve response payload.
    #[derive(Default)]
    pub struct RNGRetrieveResponse {
        req data: Bytes = Data,
    }
}
