//! Hashes data. (KMIP 1.4 §4.37, Tables 245 and 246.)

use super::prelude::*;

kmip_struct! {
    /// Hash request payload.
    pub struct HashRequest {
        req cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
    }
}

kmip_struct! {
    /// Hash response payload.
    #[derive(Default)]
    pub struct HashResponse {
        opt data: Bytes = Data,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
