//! Computes a MAC with a managed key. (KMIP 1.4 §4.33, Tables 237 and 238.)

use super::prelude::*;

kmip_struct! {
    /// MAC request payload.
    #[derive(Default)]
    pub struct MACRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
    }
}

kmip_struct! {
    /// MAC response payload.
    #[derive(Default)]
    pub struct MACResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt mac_data: Bytes = MACData,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
