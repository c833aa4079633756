//! Verifies a MAC with a managed key. (KMIP 1.4 §4.34, Tables 239 and 240.)

use super::prelude::*;

kmip_struct! {
    /// MACVerify request payload.
    #[derive(Default)]
    pub struct MACVerifyRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt mac_data: Bytes = MACData,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
    }
}

kmip_struct! {
    /// MACVerify response payload.
    #[derive(Default)]
    pub struct MACVerifyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt validity_indicator: ValidityIndicator = ValidityIndicator,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
