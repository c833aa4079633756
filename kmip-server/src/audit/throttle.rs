//! A bound on connection lines per peer address, so that a flood of
//! failing handshakes cannot fill the audit file and, through rotation,
//! push the lines that matter out of the kept files.
//!
//! Each address may have `audit_connection_lines` lines per minute; past
//! that its connections are counted, not written, and once its minute is
//! over one `connection.suppressed` line says how many there were. The
//! metrics and the anomaly detectors still see every connection.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The counting window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// Addresses tracked at once; past it, new ones share one slot.
const MAX_PEERS: usize = 100_000;

/// Connections of one address that were not written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Suppressed {
    /// The address (`None`: the addresses past [`MAX_PEERS`]).
    pub peer: Option<IpAddr>,
    /// How many.
    pub count: u64,
}

struct Slot {
    since: Instant,
    written: u32,
    suppressed: u64,
}

struct State {
    slots: HashMap<Option<IpAddr>, Slot>,
    swept: Instant,
}

/// Lines written per address and window.
pub(crate) struct Throttle {
    limit: u32,
    state: Mutex<State>,
}

impl Throttle {
    /// At most `limit` lines per address and minute (0: no bound).
    pub(crate) fn new(limit: u32) -> Throttle {
        Throttle {
            limit,
            state: Mutex::new(State {
                slots: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Whether a line for `peer` is written now, and the counts of
    /// addresses whose window ended with lines suppressed (to be written
    /// first).
    pub(crate) fn admit(&self, peer: IpAddr, now: Instant) -> (bool, Vec<Suppressed>) {
        if self.limit == 0 {
            return (true, Vec::new());
        }
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut ended = Vec::new();
        if now.saturating_duration_since(state.swept) >= WINDOW {
            state.swept = now;
            state.slots.retain(|peer, slot| {
                let live = now.saturating_duration_since(slot.since) < WINDOW;
                if !live && slot.suppressed > 0 {
                    ended.push(Suppressed {
                        peer: *peer,
                        count: slot.suppressed,
                    });
                }
                live
            });
        }
        let key = match state.slots.len() < MAX_PEERS || state.slots.contains_key(&Some(peer)) {
            true => Some(peer),
            false => None,
        };
        let slot = state.slots.entry(key).or_insert(Slot {
            since: now,
            written: 0,
            suppressed: 0,
        });
        if now.saturating_duration_since(slot.since) >= WINDOW {
            if slot.suppressed > 0 {
                ended.push(Suppressed {
                    peer: key,
                    count: slot.suppressed,
                });
            }
            *slot = Slot {
                since: now,
                written: 0,
                suppressed: 0,
            };
        }
        let write = slot.written < self.limit;
        match write {
            true => slot.written = slot.written.saturating_add(1),
            false => slot.suppressed = slot.suppressed.saturating_add(1),
        }
        (write, ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_past_its_limit_is_counted_and_reported_after_its_window() {
        let t = Throttle::new(3);
        let start = Instant::now();
        let flood: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        let written = (0..10).filter(|_| t.admit(flood, start).0).count();
        assert_eq!(written, 3);
        assert_eq!(
            t.admit(other, start),
            (true, vec![]),
            "one address does not silence another"
        );
        // The next minute: the flood's count comes out once, before its line.
        let later = start + WINDOW;
        let (write, ended) = t.admit(other, later);
        assert!(write);
        assert_eq!(
            ended,
            vec![Suppressed {
                peer: Some(flood),
                count: 7
            }]
        );
        assert_eq!(
            t.admit(flood, later),
            (true, vec![]),
            "a new window, and nothing reported twice"
        );
        assert!(Throttle::new(0).admit(flood, start).0);
    }
}
