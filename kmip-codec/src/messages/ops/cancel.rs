//! Cancels an asynchronous operation. (KMIP 1.4 §4.27, Tables 226 and 227.)

use super::prelude::*;

kmip_struct! {
    /// Cancel request payload.
    #[derive(Default)]
    pub struct CancelRequest {
        req asynchronous_correlation_value: Bytes = AsynchronousCorrelationValue,
    }
}

kmip_struct! {
    /// Cancel response payload.
    pub struct CancelResponse {
        req asynchronous_correlation_value: Bytes = AsynchronousCorrelationValue,
        req cancellation_result: CancellationResult = CancellationResult,
    }
}
