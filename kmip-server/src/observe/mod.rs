//! What operators watch: metrics ([`metrics`]) and health on their own
//! listener ([`http`]), and the anomaly detectors that raise alerts ([`alerts`]).

pub mod alerts;
pub mod http;
pub mod metrics;
