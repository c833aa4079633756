//! Checks whether an object could be used as the client intends. (KMIP 1.4 §4.10, Tables 192 and 193.)

use super::prelude::*;

kmip_struct! {
    /// Check request payload.
    #[derive(Default)]
    pub struct CheckRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt usage_limits_count: i64 = UsageLimitsCount,
        opt cryptographic_usage_mask: CryptographicUsageMask = CryptographicUsageMask,
        opt lease_time: Interval = LeaseTime,
    }
}

kmip_struct! {
    /// Check response payload.
    #[derive(Default)]
    pub struct CheckResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt usage_limits_count: i64 = UsageLimitsCount,
        opt cryptographic_usage_mask: CryptographicUsageMask = CryptographicUsageMask,
        opt lease_time: Interval = LeaseTime,
    }
}
