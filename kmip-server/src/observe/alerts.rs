//! Anomaly detection: patterns in the traffic that an operator wants to
//! hear about. Each detector counts in tumbling windows of
//! `alert_window_secs` and raises an `alert` audit record (event
//! `"alert"`) and the `kmip_alerts_total{alert}` metric:
//!
//! | alert | fires when | setting (0 turns it off) |
//! |---|---|---|
//! | `permission_denied_burst` | a credential is refused Permission Denied N times in a window | `alert_permission_denied` (20) |
//! | `not_found_burst` | a credential asks N times in a window for objects it cannot see (missing, or another scope's: the two look alike) | `alert_not_found` (50) |
//! | `handshake_failure_burst` | a peer address fails N TLS handshakes or credential checks in a window | `alert_handshake_failures` (20) |
//! | `revoked_credential_used` | a revoked credential connects or sends a request (once per peer and window) | always on |
//! | `key_rate_spike` | a key is used at least `alert_key_rate_min` times in a window and more than `alert_key_rate_factor` times its own average of past windows (after three windows of history) | `alert_key_rate_factor` (10), `alert_key_rate_min` (600) |
//! | `new_material_reader` | a credential Gets an object's key material that it has never fetched, created or registered before | `alert_new_material_reader` (true) |
//!
//! Each fires once per subject and window, not at every event past its
//! threshold. The requests themselves are never held up: the connection
//! tasks append events to a bounded buffer ([`QUEUE`]; when it is full an
//! event is dropped and counted in `kmip_alert_events_dropped_total`) that
//! one detector thread takes every [`TICK`] (a wake-up per event cost more
//! CPU than the request it watched). Counts live in memory and start
//! again with the server; which credential has fetched which key is kept
//! in the database (`material_readers`), so a restart does not make every
//! first Get look new. Memory is bounded: at most [`MAX_TRACKED`]
//! subjects per detector (old windows are forgotten first, then new
//! subjects are not tracked), and [`MAX_READERS`] remembered
//! credential-key pairs (the database stays the reference past that).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kmip_codec::enums::{Operation, ResultReason};
use serde::Serialize;

use super::metrics::{Cause, Metrics};
use crate::audit::Audit;
use crate::policy::Identity;
use crate::store::sql::{Database, Value};
use crate::store::DbError;

/// Events waiting for the detector thread, at most.
pub const QUEUE: usize = 65_536;
/// How often the detector thread takes the waiting events.
pub const TICK: Duration = Duration::from_millis(10);
/// Subjects one detector tracks at most.
pub const MAX_TRACKED: usize = 100_000;
/// Credential-key pairs remembered in memory at most.
pub const MAX_READERS: usize = 1_000_000;
/// Past windows a key needs before its rate can spike.
const HISTORY: u64 = 3;
/// Weight of the last window in a key's average rate.
const SMOOTHING: f64 = 0.25;

/// The detectors' thresholds (see the module table).
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Window length, seconds.
    pub window_secs: u64,
    /// Permission Denied per credential and window.
    pub permission_denied: u64,
    /// Item Not Found per credential and window.
    pub not_found: u64,
    /// Failed handshakes per peer and window.
    pub handshake_failures: u64,
    /// How far above its average a key's use must be.
    pub key_rate_factor: u64,
    /// Uses of one key in a window before its rate can spike.
    pub key_rate_min: u64,
    /// Whether a first Get of a key by a credential raises an alert.
    pub new_material_reader: bool,
}

/// Something the detectors look at.
pub enum Event {
    /// A connection was refused.
    Refused {
        /// The peer's address.
        peer: IpAddr,
        /// Why.
        cause: Cause,
        /// The server's message (names the credential).
        why: String,
    },
    /// A batch item was answered.
    Item {
        /// Who asked (shared with the connection: no copy per item).
        identity: Arc<Identity>,
        /// The operation.
        operation: Option<Operation>,
        /// Result Reason, on failure.
        reason: Option<ResultReason>,
        /// Whether it succeeded.
        success: bool,
        /// The objects it named or returned.
        uids: Vec<String>,
    },
}

/// One alert, as its audit line says it.
#[derive(Debug, Serialize)]
struct AlertRecord<'a> {
    time: String,
    event: &'static str,
    alert: &'static str,
    /// The credential serial or peer address it is about.
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    /// Events in the window when it fired.
    count: u64,
    window_secs: u64,
    detail: String,
}

/// The connection side of the detectors: hands events to their thread.
pub struct Alerts {
    pending: Arc<Mutex<Vec<Event>>>,
    metrics: Arc<Metrics>,
}

impl Alerts {
    /// Starts the detector thread; it records alerts in `audit` and
    /// `metrics`, and keeps who fetched what in `db` (the store's
    /// database, on a connection of its own).
    pub fn start(thresholds: Thresholds, db: Database, audit: Audit, metrics: Arc<Metrics>) -> Result<Alerts, String> {
        let pending = Arc::new(Mutex::new(Vec::new()));
        let mut detector = Detector {
            t: thresholds,
            db: std::cell::RefCell::new(db),
            audit,
            metrics: Arc::clone(&metrics),
            denied: Burst::default(),
            not_found: Burst::default(),
            handshakes: Burst::default(),
            revoked: Burst::default(),
            rates: HashMap::new(),
            rates_pruned: None,
            readers: HashMap::new(),
            remembered: 0,
        };
        // The thread holds a weak reference: it ends with the Alerts.
        let events = Arc::downgrade(&pending);
        std::thread::Builder::new()
            .name("kmip-alerts".into())
            .spawn(move || detector.run(&events))
            .map_err(|e| format!("cannot start the anomaly detectors: {e}"))?;
        Ok(Alerts { pending, metrics })
    }

    /// Hands an event to the detectors, or drops it if they are behind.
    pub fn observe(&self, event: Event) {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pending.len() < QUEUE {
            pending.push(event);
        } else {
            drop(pending);
            self.metrics.alert_events_dropped.increment(1);
        }
    }
}

/// Counts per subject in the current window.
struct Burst<K> {
    counts: HashMap<K, (u64, u64)>,
    /// The window the full map was last pruned in: pruning again in the
    /// same window frees nothing, and doing it for every new subject made
    /// each event cost a pass over MAX_TRACKED entries.
    pruned: Option<u64>,
}

impl<K> Default for Burst<K> {
    fn default() -> Self {
        Burst {
            counts: HashMap::new(),
            pruned: None,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Burst<K> {
    /// Counts one event of `key` in `window`; the count when it reaches
    /// `threshold` (once per window), else `None`.
    fn hit(&mut self, key: &K, window: u64, threshold: u64) -> Option<u64> {
        if threshold == 0 {
            return None;
        }
        if !self.counts.contains_key(key) {
            if self.counts.len() >= MAX_TRACKED && self.pruned != Some(window) {
                self.counts.retain(|_, (w, _)| *w == window);
                self.pruned = Some(window);
            }
            if self.counts.len() >= MAX_TRACKED {
                return None;
            }
            self.counts.insert(key.clone(), (window, 0));
        }
        let entry = self.counts.get_mut(key)?;
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1 == threshold).then_some(entry.1)
    }
}

/// A key's use: this window's count and its average of past windows.
struct Rate {
    window: u64,
    count: u64,
    average: f64,
    history: u64,
    alerted: bool,
}

struct Detector {
    t: Thresholds,
    /// Who fetched what, and the alerts' outbox (a connection of the
    /// detector thread's own; a cell because raising an alert reads only).
    db: std::cell::RefCell<Database>,
    audit: Audit,
    metrics: Arc<Metrics>,
    denied: Burst<String>,
    not_found: Burst<String>,
    handshakes: Burst<IpAddr>,
    revoked: Burst<IpAddr>,
    /// By Unique Identifier (unique across scopes).
    rates: HashMap<String, Rate>,
    /// The window `rates` was last pruned in (see [`Burst::pruned`]).
    rates_pruned: Option<u64>,
    /// Per credential serial, the objects it has fetched or introduced.
    readers: HashMap<String, HashSet<String>>,
    /// Pairs in `readers`.
    remembered: usize,
}

/// What a first fetch needs from the database check.
struct Pair {
    serial: String,
    scope: String,
    uid: String,
    /// A Get (alert if new), not a Create or Register (remember only).
    fetched: bool,
}

impl Detector {
    fn run(&mut self, events: &std::sync::Weak<Mutex<Vec<Event>>>) {
        let mut taken = Vec::new();
        loop {
            std::thread::sleep(TICK);
            let Some(pending) = events.upgrade() else { return };
            std::mem::swap(
                &mut *pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
                &mut taken,
            );
            drop(pending);
            // New credential-key pairs of one tick share one transaction.
            let mut pairs = Vec::new();
            for event in taken.drain(..) {
                self.event(event, &mut pairs);
            }
            self.remember(pairs);
        }
    }

    fn window(&self) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        now.as_secs().checked_div(self.t.window_secs).unwrap_or(0)
    }

    fn event(&mut self, event: Event, pairs: &mut Vec<Pair>) {
        let window = self.window();
        match event {
            Event::Refused { peer, cause, why } => {
                let subject = peer.to_string();
                if cause == Cause::Revoked {
                    if let Some(n) = self.revoked.hit(&peer, window, 1) {
                        self.raise("revoked_credential_used", &subject, None, None, n, why.clone());
                    }
                }
                if cause.is_handshake_failure() {
                    if let Some(n) = self.handshakes.hit(&peer, window, self.t.handshake_failures) {
                        let detail = format!("{n} failed handshakes or credential checks; the last: {why}");
                        self.raise("handshake_failure_burst", &subject, None, None, n, detail);
                    }
                }
            }
            Event::Item {
                identity,
                operation,
                reason,
                success,
                uids,
            } => {
                let (serial, scope) = (&identity.serial, identity.scope.as_str());
                match reason {
                    Some(ResultReason::PermissionDenied) => {
                        if let Some(n) = self.denied.hit(serial, window, self.t.permission_denied) {
                            let detail = format!("{n} requests refused Permission Denied");
                            self.raise("permission_denied_burst", serial, Some(scope), None, n, detail);
                        }
                    }
                    Some(ResultReason::ItemNotFound) => {
                        if let Some(n) = self.not_found.hit(serial, window, self.t.not_found) {
                            let detail = format!("{n} requests for objects this credential cannot see");
                            self.raise("not_found_burst", serial, Some(scope), None, n, detail);
                        }
                    }
                    _ => {}
                }
                if !success {
                    return;
                }
                let fetched = operation == Some(Operation::Get);
                let introduces = matches!(
                    operation,
                    Some(
                        Operation::Create
                            | Operation::CreateKeyPair
                            | Operation::Register
                            | Operation::ReKey
                            | Operation::ReKeyKeyPair
                            | Operation::DeriveKey
                            | Operation::Certify
                            | Operation::ReCertify
                    )
                );
                for uid in uids {
                    self.used(scope, &uid, window);
                    let watched = (fetched && self.t.new_material_reader) || introduces;
                    if watched && !self.readers.get(serial).is_some_and(|known| known.contains(&uid)) {
                        pairs.push(Pair {
                            serial: serial.clone(),
                            scope: scope.to_owned(),
                            uid,
                            fetched,
                        });
                    }
                }
            }
        }
    }

    /// Counts a use of a key and tells if its rate spiked.
    fn used(&mut self, scope: &str, uid: &str, window: u64) {
        if self.t.key_rate_factor == 0 {
            return;
        }
        if !self.rates.contains_key(uid) {
            if self.rates.len() >= MAX_TRACKED && self.rates_pruned != Some(window) {
                // Forget keys unused for the history the spikes look at.
                self.rates.retain(|_, r| r.window.saturating_add(HISTORY * 4) >= window);
                self.rates_pruned = Some(window);
            }
            if self.rates.len() >= MAX_TRACKED {
                return;
            }
            let fresh = Rate {
                window,
                count: 0,
                average: 0.0,
                history: 0,
                alerted: false,
            };
            self.rates.insert(uid.to_owned(), fresh);
        }
        let Some(rate) = self.rates.get_mut(uid) else { return };
        if rate.window != window {
            let gap = window.saturating_sub(rate.window);
            #[allow(clippy::cast_precision_loss)] // counts and gaps far below 2^52
            {
                rate.average = rate.average * (1.0 - SMOOTHING) + rate.count as f64 * SMOOTHING;
                let idle = i32::try_from(gap.saturating_sub(1)).unwrap_or(i32::MAX);
                rate.average *= (1.0 - SMOOTHING).powi(idle);
            }
            rate.history = rate.history.saturating_add(gap);
            rate.window = window;
            rate.count = 0;
            rate.alerted = false;
        }
        rate.count = rate.count.saturating_add(1);
        #[allow(clippy::cast_precision_loss)]
        let spiked = rate.history >= HISTORY
            && !rate.alerted
            && rate.count >= self.t.key_rate_min
            && rate.count as f64 > self.t.key_rate_factor as f64 * rate.average.max(1.0);
        if spiked {
            rate.alerted = true;
            let (count, average) = (rate.count, rate.average);
            let detail = format!("{count} uses in this window against an average of {average:.1}");
            self.raise("key_rate_spike", uid, Some(scope), Some(uid), count, detail);
        }
    }

    /// Records new credential-key pairs; a new one that was a Get alerts.
    fn remember(&mut self, pairs: Vec<Pair>) {
        if pairs.is_empty() {
            return;
        }
        let inserted = self.db.get_mut().sql().and_then(|c| {
            crate::store::sql::transaction(c, |c| {
                pairs
                    .iter()
                    .map(|p| {
                        let added = c.execute(
                            "INSERT INTO material_readers (serial, uid, first) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                            &[
                                Value::from(p.serial.as_str()),
                                Value::from(p.uid.as_str()),
                                Value::Int(crate::store::unix_now()),
                            ],
                        )?;
                        Ok(added == 1)
                    })
                    .collect::<Result<Vec<bool>, DbError>>()
            })
        });
        let inserted = match inserted {
            Ok(news) => news,
            Err(e) => {
                tracing::warn!("anomaly detectors: cannot record who fetched which key: {e}");
                return;
            }
        };
        if self.remembered.saturating_add(pairs.len()) > MAX_READERS {
            self.readers.clear();
            self.remembered = 0;
        }
        for (pair, new) in pairs.into_iter().zip(inserted) {
            if new && pair.fetched {
                let detail = format!(
                    "credential {} fetched the material of {} for the first time",
                    pair.serial, pair.uid
                );
                self.raise(
                    "new_material_reader",
                    &pair.serial,
                    Some(&pair.scope),
                    Some(&pair.uid),
                    1,
                    detail,
                );
            }
            if self.readers.entry(pair.serial).or_default().insert(pair.uid) {
                self.remembered = self.remembered.saturating_add(1);
            }
        }
    }

    fn raise(
        &self,
        alert: &'static str,
        subject: &str,
        scope: Option<&str>,
        uid: Option<&str>,
        count: u64,
        detail: String,
    ) {
        tracing::warn!(alert, subject, "{detail}");
        self.metrics.alert(alert);
        let record = AlertRecord {
            time: crate::audit::now_rfc3339(),
            event: "alert",
            alert,
            subject,
            scope,
            uid,
            count,
            window_secs: self.t.window_secs,
            detail,
        };
        if let Err(e) = self.audit.alert(&record) {
            self.metrics.audit_failures.increment(1);
            tracing::error!("audit log write failed: {e}");
        }
        // To the notification sinks, through the outbox.
        let id = crate::lifecycle::notify::event_id(&format!("{alert}\0{subject}\0{}", record.time));
        let detail = serde_json::json!({
            "alert": alert,
            "subject": subject,
            "count": count,
            "window_secs": self.t.window_secs,
            "detail": record.detail,
        });
        let event = crate::lifecycle::notify::Event {
            id: &id,
            event: "alert",
            scope: scope.unwrap_or_default(),
            source: alert,
            uid: uid.unwrap_or(subject),
            due: crate::store::unix_now(),
            detail: &detail,
        };
        if let Err(e) = self
            .db
            .borrow_mut()
            .sql()
            .and_then(|c| crate::lifecycle::notify::record(c, &event))
        {
            tracing::warn!("alert {alert} not queued for the notification sinks: {e}");
        }
    }
}
