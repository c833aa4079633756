//! The server's metrics, declared once here and exposed in the Prometheus
//! text format (0.0.4) by [`super::http`] at `/metrics`. The `metrics`
//! crate holds them and `metrics-exporter-prometheus` formats them, in a
//! recorder of this server's own.
//!
//! Labels are bounded: operations, result statuses and reasons, and
//! causes are the KMIP enumerations and the fixed [`Cause`] list; scopes
//! are what the administrator created. No label carries an object
//! identifier or a credential serial: per-key usage is not exported (its
//! cardinality would grow with the keys), the anomaly detectors watch it
//! instead ([`super::alerts`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use kmip_codec::enums::{Operation, ResultReason, ResultStatus};

/// A request's labels but the scope: operation (0: none), status, reason
/// (0: none), as their enumeration values.
type RequestKey = (u32, u32, u32);

/// The handles of one label set, found again without building its key.
type RequestHandles = (Counter, Histogram);

/// Why a connection was refused or dropped: a fixed list, so that the
/// metric's labels stay bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The client sent no certificate.
    NoCertificate,
    /// Its certificate is not from this server's CA.
    UnknownCa,
    /// Its certificate (or credential) has expired.
    Expired,
    /// Its credential was revoked.
    Revoked,
    /// A certificate from the CA that the registry does not know.
    UnknownCredential,
    /// Another certificate problem (bad signature, wrong usage, ...).
    BadCertificate,
    /// Any other TLS failure (no common version or cipher suite, not TLS).
    TlsError,
    /// The handshake did not finish within `handshake_timeout_secs`.
    HandshakeTimeout,
    /// `max_connections` reached.
    MaxConnections,
    /// `max_connections_per_peer` reached.
    MaxConnectionsPerPeer,
    /// `max_connections_per_credential` reached.
    MaxConnectionsPerCredential,
    /// The credential registry could not be read.
    RegistryUnavailable,
    /// A frame that is not KMIP, too long, or cut short.
    Malformed,
    /// A read or write timeout.
    Timeout,
    /// The socket failed (reset, write error).
    Io,
}

impl Cause {
    /// The label value.
    pub fn name(self) -> &'static str {
        match self {
            Cause::NoCertificate => "no_certificate",
            Cause::UnknownCa => "unknown_ca",
            Cause::Expired => "expired",
            Cause::Revoked => "revoked",
            Cause::UnknownCredential => "unknown_credential",
            Cause::BadCertificate => "bad_certificate",
            Cause::TlsError => "tls_error",
            Cause::HandshakeTimeout => "handshake_timeout",
            Cause::MaxConnections => "max_connections",
            Cause::MaxConnectionsPerPeer => "max_connections_per_peer",
            Cause::MaxConnectionsPerCredential => "max_connections_per_credential",
            Cause::RegistryUnavailable => "registry_unavailable",
            Cause::Malformed => "malformed",
            Cause::Timeout => "timeout",
            Cause::Io => "io",
        }
    }

    /// Whether the refusal happened during or right after the handshake,
    /// because of the client's certificate or the TLS exchange (what the
    /// handshake-failure detector counts; limits are not failures).
    pub fn is_handshake_failure(self) -> bool {
        matches!(
            self,
            Cause::NoCertificate
                | Cause::UnknownCa
                | Cause::Expired
                | Cause::Revoked
                | Cause::UnknownCredential
                | Cause::BadCertificate
                | Cause::TlsError
                | Cause::HandshakeTimeout
        )
    }
}

/// Request latency buckets, seconds: 50 µs to 10 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Commit group sizes (changes per fsync), up to the writer's 512.
const GROUP_BUCKETS: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Every metric: name, kind, help. Declared once; [`Metrics::new`]
/// describes each to the exporter.
const DECLARED: &[(&str, Kind, &str)] = &[
    (
        "kmip_requests_total",
        Kind::Counter,
        "Batch items answered, by operation, result status and reason, and scope",
    ),
    (
        "kmip_request_duration_seconds",
        Kind::Histogram,
        "Time to run one batch item, by operation",
    ),
    (
        "kmip_connections_open",
        Kind::Gauge,
        "Established connections (handshake done, credential known)",
    ),
    (
        "kmip_connections_accepted_total",
        Kind::Counter,
        "TCP connections accepted",
    ),
    (
        "kmip_connections_refused_total",
        Kind::Counter,
        "Connections refused, by cause: TLS handshake failures (no_certificate, unknown_ca, expired, revoked, \
         unknown_credential, bad_certificate, tls_error, handshake_timeout) and limits",
    ),
    (
        "kmip_connections_dropped_total",
        Kind::Counter,
        "Established connections closed by the server, by cause",
    ),
    (
        "kmip_audit_write_failures_total",
        Kind::Counter,
        "Audit log writes that failed",
    ),
    (
        "kmip_audit_syslog_dropped_total",
        Kind::Counter,
        "Audit lines syslog did not take (collector down or full, line too large)",
    ),
    ("kmip_alerts_total", Kind::Counter, "Anomaly alerts raised, by detector"),
    (
        "kmip_alert_events_dropped_total",
        Kind::Counter,
        "Events the anomaly detectors dropped (queue full)",
    ),
    (
        "kmip_objects",
        Kind::Gauge,
        "Managed objects by scope, type and state (read at most every 15 s)",
    ),
    (
        "kmip_lifecycle_due",
        Kind::Gauge,
        "Keys with a lifecycle step (rotate, deactivate, archive, destroy) due within their policy's notice \
         (7 days without one), by scope and step; read at each lifecycle pass",
    ),
    (
        "kmip_notify_pending",
        Kind::Gauge,
        "Webhook deliveries waiting (new, or held back after a failure)",
    ),
    (
        "kmip_notify_failures_total",
        Kind::Counter,
        "Webhook deliveries that failed and will be retried",
    ),
    (
        "kmip_store_commit_duration_seconds",
        Kind::Histogram,
        "Time to commit one group of changes, fsync included",
    ),
    (
        "kmip_store_commit_group_size",
        Kind::Histogram,
        "Changes committed by one fsync",
    ),
    (
        "kmip_cache_hits_total",
        Kind::Counter,
        "Object reads served from the cache",
    ),
    (
        "kmip_cache_misses_total",
        Kind::Counter,
        "Object reads that went to the database",
    ),
];

/// The name of every metric the server exposes.
pub fn declared() -> impl Iterator<Item = &'static str> {
    DECLARED.iter().map(|(name, _, _)| *name)
}

#[derive(Clone, Copy)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// What the store reports: commit latency and group size, cache hits.
/// Cloned into the store; each handle shares its value with the exporter.
#[derive(Clone)]
pub struct StoreMetrics {
    /// Seconds from `BEGIN` to the end of `COMMIT` (its fsync) per group.
    pub commit_seconds: Histogram,
    /// Changes committed together.
    pub group_size: Histogram,
    /// Object reads served by the cache.
    pub cache_hits: Counter,
    /// Object reads that went to the database.
    pub cache_misses: Counter,
}

impl Default for StoreMetrics {
    /// Handles that record nowhere (a store outside a server).
    fn default() -> Self {
        StoreMetrics {
            commit_seconds: Histogram::noop(),
            group_size: Histogram::noop(),
            cache_hits: Counter::noop(),
            cache_misses: Counter::noop(),
        }
    }
}

/// How many objects of one type in one state a scope holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    /// The scope.
    pub scope: String,
    /// Object Type (enumeration value).
    pub object_type: u32,
    /// State (enumeration value).
    pub state: u32,
    /// How many.
    pub count: i64,
}

/// The object counts are read from the database at most this often (a
/// scrape every few seconds must not scan a million-object table each
/// time).
pub const CENSUS_INTERVAL: Duration = Duration::from_secs(15);

/// The last census: when, and which label sets it set (set to zero when
/// they are gone from the next one).
#[derive(Default)]
struct LastCensus {
    at: Option<Instant>,
    labels: HashSet<Vec<Label>>,
}

/// Every metric the server keeps, in its own recorder (not the process's
/// global one: tests run several servers in one process).
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// Connections established (handshake done, credential known) and open.
    pub connections_open: Gauge,
    /// TCP connections accepted.
    pub connections_accepted: Counter,
    /// Audit writes that failed.
    pub audit_failures: Counter,
    /// Events the anomaly detectors had no room for.
    pub alert_events_dropped: Counter,
    /// Audit lines syslog did not take.
    pub syslog_dropped: Counter,
    census: Mutex<LastCensus>,
    /// The label sets of the last `kmip_lifecycle_due`.
    lifecycle_due: Mutex<HashSet<Vec<Label>>>,
    /// Webhook deliveries waiting.
    pub notify_pending: Gauge,
    /// Webhook deliveries that failed.
    pub notify_failures: Counter,
    /// Per scope, the request counters and histograms already registered.
    requests: RwLock<HashMap<String, HashMap<RequestKey, RequestHandles>>>,
    /// The store's metrics.
    pub store: StoreMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn metadata() -> Metadata<'static> {
    Metadata::new(module_path!(), metrics::Level::INFO, None)
}

impl Metrics {
    /// Every metric at zero.
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("kmip_store_commit_group_size".into()), &GROUP_BUCKETS)
            .and_then(|b| b.set_buckets(&LATENCY_BUCKETS))
            // Both calls fail only on an empty bucket list.
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        for (name, kind, help) in DECLARED {
            let (name, help) = (KeyName::from_const_str(name), SharedString::const_str(help));
            let unit = name.as_str().ends_with("_seconds").then_some(Unit::Seconds);
            match kind {
                Kind::Counter => recorder.describe_counter(name, unit, help),
                Kind::Gauge => recorder.describe_gauge(name, unit, help),
                Kind::Histogram => recorder.describe_histogram(name, unit, help),
            }
        }
        let handle = recorder.handle();
        let counter = |name: &'static str| recorder.register_counter(&Key::from_static_name(name), &metadata());
        let histogram = |name: &'static str| recorder.register_histogram(&Key::from_static_name(name), &metadata());
        let store = StoreMetrics {
            commit_seconds: histogram("kmip_store_commit_duration_seconds"),
            group_size: histogram("kmip_store_commit_group_size"),
            cache_hits: counter("kmip_cache_hits_total"),
            cache_misses: counter("kmip_cache_misses_total"),
        };
        Metrics {
            connections_open: recorder.register_gauge(&Key::from_static_name("kmip_connections_open"), &metadata()),
            connections_accepted: counter("kmip_connections_accepted_total"),
            audit_failures: counter("kmip_audit_write_failures_total"),
            alert_events_dropped: counter("kmip_alert_events_dropped_total"),
            syslog_dropped: counter("kmip_audit_syslog_dropped_total"),
            census: Mutex::new(LastCensus::default()),
            lifecycle_due: Mutex::new(HashSet::new()),
            notify_pending: recorder.register_gauge(&Key::from_static_name("kmip_notify_pending"), &metadata()),
            notify_failures: counter("kmip_notify_failures_total"),
            requests: RwLock::new(HashMap::new()),
            store,
            handle,
            recorder,
        }
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &metadata())
    }

    /// Counts one answered batch item. The handles of a label set are
    /// kept, so that a request costs a read lock and two map look-ups, not
    /// the exporter's key building.
    pub fn request(
        &self,
        operation: Option<Operation>,
        status: ResultStatus,
        reason: Option<ResultReason>,
        scope: &str,
        micros: u64,
    ) {
        #[allow(clippy::cast_precision_loss)] // microseconds far below 2^52
        let seconds = micros as f64 / 1e6;
        // Made-up operations share one key, as they share one label.
        let op = operation.map_or(0, |o| if o.name().is_some() { o.0 } else { u32::MAX });
        let key = (op, status.0, reason.map_or(0, |r| r.0));
        let known = self.requests.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((count, latency)) = known.get(scope).and_then(|m| m.get(&key)) {
            count.increment(1);
            latency.record(seconds);
            return;
        }
        drop(known);
        // An operation a client made up is "unknown": a label per made-up
        // value would let one client grow the exposition without bound.
        let operation = Label::new("operation", operation.map_or("none", |o| o.name().unwrap_or("unknown")));
        let labels = vec![
            operation.clone(),
            Label::new("status", named(status.name(), status.0)),
            Label::new(
                "reason",
                reason.map_or(SharedString::const_str(""), |r| named(r.name(), r.0)),
            ),
            Label::new("scope", scope.to_owned()),
        ];
        let count = self.counter("kmip_requests_total", labels);
        let latency = self.recorder.register_histogram(
            &Key::from_parts("kmip_request_duration_seconds", vec![operation]),
            &metadata(),
        );
        count.increment(1);
        latency.record(seconds);
        self.requests
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(scope.to_owned())
            .or_default()
            .insert(key, (count, latency));
    }

    /// Counts a refused connection.
    pub fn refused(&self, cause: Cause) {
        let labels = vec![Label::from_static_parts("cause", cause.name())];
        self.counter("kmip_connections_refused_total", labels).increment(1);
    }

    /// Counts a dropped connection.
    pub fn dropped(&self, cause: Cause) {
        let labels = vec![Label::from_static_parts("cause", cause.name())];
        self.counter("kmip_connections_dropped_total", labels).increment(1);
    }

    /// Counts an alert.
    pub fn alert(&self, alert: &'static str) {
        let labels = vec![Label::from_static_parts("alert", alert)];
        self.counter("kmip_alerts_total", labels).increment(1);
    }

    /// Whether the object counts are due to be read again.
    pub fn census_due(&self) -> bool {
        let last = self.census.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        last.at.is_none_or(|t| t.elapsed() >= CENSUS_INTERVAL)
    }

    /// Replaces the object counts.
    pub fn set_census(&self, census: &[Census]) {
        let samples = census.iter().map(|c| {
            let labels = vec![
                Label::new("scope", c.scope.clone()),
                Label::new(
                    "object_type",
                    named(kmip_codec::enums::ObjectType(c.object_type).name(), c.object_type),
                ),
                Label::new("state", named(kmip_codec::enums::State(c.state).name(), c.state)),
            ];
            (labels, u64::try_from(c.count).unwrap_or(0))
        });
        let mut last = self.census.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        last.labels = self.replace_family("kmip_objects", &last.labels, samples);
        last.at = Some(Instant::now());
    }

    /// Replaces the lifecycle steps coming up: (scope, step) and how many
    /// keys have one due within their policy's notice.
    pub fn set_lifecycle_due(&self, due: &HashMap<(String, &'static str), u64>) {
        let samples = due.iter().map(|((scope, step), n)| {
            let labels = vec![
                Label::new("scope", scope.clone()),
                Label::from_static_parts("step", step),
            ];
            (labels, *n)
        });
        let mut last = self
            .lifecycle_due
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *last = self.replace_family("kmip_lifecycle_due", &last, samples);
    }

    /// Sets a gauge family to `samples`, and to zero the label sets of
    /// `before` it no longer has; the label sets set.
    fn replace_family(
        &self,
        name: &'static str,
        before: &HashSet<Vec<Label>>,
        samples: impl Iterator<Item = (Vec<Label>, u64)>,
    ) -> HashSet<Vec<Label>> {
        let gauge = |labels: Vec<Label>| {
            self.recorder
                .register_gauge(&Key::from_parts(name, labels), &metadata())
        };
        let mut seen = HashSet::new();
        for (labels, n) in samples {
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            gauge(labels.clone()).set(n as f64);
            seen.insert(labels);
        }
        for gone in before.difference(&seen) {
            gauge(gone.clone()).set(0.0);
        }
        seen
    }

    /// Every metric in the Prometheus text exposition format (0.0.4).
    pub fn encode(&self) -> String {
        self.handle.render()
    }
}

/// An enumeration value's name, or its hex for values without one (as the
/// audit log writes it).
fn named(name: Option<&'static str>, value: u32) -> SharedString {
    SharedString::from(crate::protocol::name_of(name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_up_operation_shares_one_label_and_repeats_reuse_their_handles() {
        let m = Metrics::new();
        for code in [0x7F00_0001, 0x7F00_0002, 0x7F00_0003] {
            m.request(Some(Operation(code)), ResultStatus::OperationFailed, None, "s", 10);
        }
        m.request(Some(Operation::Get), ResultStatus::Success, None, "s", 10);
        m.request(Some(Operation::Get), ResultStatus::Success, None, "s", 10);
        let out = m.encode();
        let unknown = r#"kmip_requests_total{operation="unknown",status="OperationFailed",reason="",scope="s"} 3"#;
        assert!(out.contains(unknown), "{out}");
        assert!(!out.contains("0x7F00"), "no label per made-up value: {out}");
        assert!(out.contains(r#"kmip_requests_total{operation="Get",status="Success",reason="",scope="s"} 2"#));
    }
}
