//! Signs data (or a digest) with a managed private key. (KMIP 1.4 §4.31, Tables 233 and 234.)

use super::prelude::*;

kmip_struct! {
    /// Sign request payload.
    #[derive(Default)]
    pub struct SignRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt digested_data: Bytes = DigestedData,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
    }
}

kmip_struct! {
    /// Sign response payload.
    #[derive(Default)]
    pub struct SignResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt signature_data: Bytes = SignatureData,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
