//! Decrypts data with a managed key. (KMIP 1.4 §4.30, Tables 231 and 232.)

use super::prelude::*;

kmip_struct! {
    /// Decrypt request payload.
    #[derive(Default)]
    pub struct DecryptRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt iv_counter_nonce: Bytes = IVCounterNonce,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
        opt authenticated_encryption_additional_data: Bytes = AuthenticatedEncryptionAdditionalData,
        opt authenticated_encryption_tag: Bytes = AuthenticatedEncryptionTag,
    }
}

kmip_struct! {
    /// Decrypt response payload.
    #[derive(Default)]
    pub struct DecryptResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt data: Bytes = Data,
        opt correlation_value: Bytes = CorrelationValue,
    }
}
