//! Provides seed data to the server's generator. (KMIP 1.4 §4.36, Tables 243 and 244.)

use super::prelude::*;

kmip_struct! {
    /// RNGSeed request payload.
    #[derive(Default)]
    pub struct RNGSeedRequest {
        req data: Bytes = Data,
    }
}

kmip_struct! {
    /// RNGSeed response payload.
    #[derive(Default)]
    pub struct RNGSeedResponse {
        req data_length: i32 = DataLength,
    }
}
