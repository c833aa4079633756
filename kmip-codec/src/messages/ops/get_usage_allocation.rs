//! Obtains an allocation of an object's usage limits. (KMIP 1.4 §4.18, Tables 208 and 209.)

use super::prelude::*;

kmip_struct! {
    /// GetUsageAllocation request payload.
    #[derive(Default)]
    pub struct GetUsageAllocationRequest {
        opt unique_identifier: String = UniqueIdentifier,
        req usage_limits_count: i64 = UsageLimitsCount,
    }
}

kmip_struct! {
    /// GetUsageAllocation response payload.
    #[derive(Default)]
    pub struct GetUsageAllocationResponse {
        req unique_identifier: String = UniqueIdentifier,
    }
}
