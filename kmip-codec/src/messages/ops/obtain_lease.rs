//! Obtains a lease for using an object. (KMIP 1.4 §4.17, Tables 206 and 207.)

use super::prelude::*;

kmip_struct! {
    /// ObtainLease request payload.
    #[derive(Default)]
    pub struct ObtainLeaseRequest {
        opt unique_identifier: String = UniqueIdentifier,
    }
}

kmip_struct! {
    /// ObtainLease response payload.
    pub struct ObtainLeaseResponse {
        req unique_identifier: String = UniqueIdentifier,
        req lease_time: Interval = LeaseTime,
        req last_change_date: DateTime = LastChangeDate,
    }
}
