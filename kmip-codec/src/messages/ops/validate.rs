//! Validates a certificate chain. (KMIP 1.4 §4.24, Tables 220 and 221.)

use super::prelude::*;

kmip_struct! {
    /// Validate request payload.
    #[derive(Default)]
    pub struct ValidateRequest {
        vec certificates: Certificate = Certificate,
        vec unique_identifiers: String = UniqueIdentifier,
        opt validity_date: DateTime = ValidityDate,
    }
}

kmip_struct! {
    /// Validate response payload.
    pub struct ValidateResponse {
        req validity_indicator: ValidityIndicator = ValidityIndicator,
    }
}
