//! Polls an asynchronous operation; the response carries the polled operation's own payload. (KMIP 1.4 §4.28, Table 228.)

use super::prelude::*;

kmip_struct! {
    /// Poll request payload.
    #[derive(Default)]
    pub struct PollRequest {
        req asynchronous_correlation_value: Bytes = AsynchronousCorrelationValue,
    }
}

/// Poll response payload: the payload of the operation being polled, kept
/// as a tree because its shape depends on an earlier request.
pub type PollResponse = Ttlv;
