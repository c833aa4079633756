//! Revokes an object: Deactivated, or Compromised for a key compromise. (KMIP 1.4 §4.20, Tables 212 and 213.)

use super::prelude::*;

kmip_struct! {
    /// Revoke request payload.
    pub struct RevokeRequest {
        opt unique_identifier: String = UniqueIdentifier,
        req revocation_reason: RevocationReason = RevocationReason,
        opt compromise_occurrence_date: DateTime = CompromiseOccurrenceDate,
    }
}

kmip_struct! {
    /// Revoke response payload.
    #[derive(Default)]
    pub struct RevokeResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
