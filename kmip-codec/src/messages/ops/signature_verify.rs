//! Verifies a signature with a managed public key. (KMIP 1.4 §4.32, Tables 235 and 236.)

use super::prelude::*;

kmip_struct! {
    /// SignatureVerify request payload.
    #[derive(Default)]
    pub struct SignatureVerifyRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt digested_data: Bytes = DigestedData,
        opt signature_data: Bytes = SignatureData,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
    }
}

kmip_struct! {
    /// SignatureVerify response payload.
    #[derive(Default)]
    pub struct SignatureVerifyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt validity_indicator: ValidityIndicator = ValidityIndicator,
        opt data: Bytes = Data,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
