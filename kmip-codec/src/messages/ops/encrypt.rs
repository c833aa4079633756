//! Encrypts data with a managed key. (KMIP 1.4 §4.29, Tables 229 and 230.)

use super::prelude::*;

kmip_struct! {
    /// Encrypt request payload.
    #[derive(Default)]
    pub struct EncryptRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt data: Bytes = Data,
        opt iv_counter_nonce: Bytes = IVCounterNonce,
        opt correlation_value: Bytes = CorrelationValue,
        opt init_indicator: bool = InitIndicator,
        opt final_indicator: bool = FinalIndicator,
        opt authenticated_encryption_additional_data: Bytes = AuthenticatedEncryptionAdditionalData,
    }
}

kmip_struct! {
    /// Encrypt response payload.
    #[derive(Default)]
    pub struct EncryptResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt data: Bytes = Data,
        opt iv_counter_nonce: Bytes = IVCounterNonce,
        opt correlation_value: Bytes = CorrelationValue,
        opt authenticated_encryption_tag: Bytes = AuthenticatedEncryptionTag,
    }
}
