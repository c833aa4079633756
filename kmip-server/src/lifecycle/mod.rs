//! Key lifecycle automation: policies that rotate, retire and destroy a
//! scope's keys on schedule, and the events they raise.
//!
//! A policy (`kmip-server policy write SCOPE NAME ...`, stored in the
//! database) applies to the symmetric and private keys of its scope that
//! match it: in Object Group `--match-group`, or with a Name starting with
//! `--match-name-prefix`, or every key of the scope with neither (a
//! rotated-out key, whose Names moved to its replacement, is matched by
//! the Names at the end of its Replacement Object links). For each
//! matching key ([`schedule`]):
//!
//! - **Rotation**: an Active key that has not been replaced is re-keyed
//!   `rotate_every` after its Activation Date or its Initial Date,
//!   whichever is later (a replacement copies its predecessor's
//!   Activation Date), by the server's own Re-key / Re-key Key Pair request, so that
//!   the semantics are a client's: a new object with the old one's
//!   attributes, Names moved (Locate by Name finds the newest), Object
//!   Group kept, Replaced/Replacement links. Whether a key was rotated is
//!   its Replacement Object link, written in the same transaction as the
//!   replacement: a restart mid-rotation neither loses nor doubles one,
//!   and the next pass raises a `rotation.done` a crash cut off (the
//!   event's id is the same, so it is never raised twice).
//! - **Grace**: with `deactivate_after`, a replaced key that is still
//!   Active and has no Deactivation Date gets one, that long after the
//!   pass that sees it replaced; the time sweep then deactivates it (it
//!   still decrypts and verifies).
//! - **Retention**: a Deactivated key is archived `archive_after` and
//!   destroyed (material erased, metadata kept) `destroy_after` after its
//!   Deactivation Date. Nothing is destroyed unless the policy says so.
//! - **Notice**: `rotation.due` `notify_before` ahead of a rotation,
//!   `expiry.due` as far ahead of a Deactivation Date.
//!
//! Explicit dates win: a Deactivation Date a client set is never moved,
//! and a key whose Activation Date is in the future is not rotated before
//! it is Active. When several policies match a key, each acts on it; the
//! first rotation marks it replaced for all.
//!
//! Every change is a KMIP request of the server to itself, audited like a
//! client's with role `lifecycle` and the subject `lifecycle policy
//! SCOPE/NAME`. Events (`rotation.due`, `rotation.done`, `expiry.due`,
//! `deactivated`, `archived`, `destroyed`, `policy.failed`, and `revoked`
//! for any key revoked, policy or not) are written
//! once each, by a stable id, to the `lifecycle_events` table (the outbox
//! for the notification sinks, [`notify`]) and as a `lifecycle` audit
//! line. Never key material.

pub mod notify;
pub mod schedule;
pub mod worker;

use serde::Serialize;

use crate::policy::Scope;
use crate::store::sql::{Row, Sql, Value};
use crate::store::DbError;

/// Which keys of its scope a policy applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Keys in this Object Group.
    Group(String),
    /// Keys with a Name that starts with this.
    NamePrefix(String),
    /// Every key of the scope.
    All,
}

/// A lifecycle policy; durations in seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Its scope.
    pub scope: String,
    /// Its name, unique in the scope.
    pub name: String,
    /// The keys it applies to.
    #[serde(rename = "match")]
    pub matches: Match,
    /// Age at which an Active key is replaced.
    pub rotate_every: u64,
    /// Grace after a replacement before the old key is deactivated.
    pub deactivate_after: Option<u64>,
    /// Time after deactivation at which a key is archived.
    pub archive_after: Option<u64>,
    /// Time after deactivation at which a key is destroyed.
    pub destroy_after: Option<u64>,
    /// Notice given before a rotation or a deactivation.
    pub notify_before: Option<u64>,
}

/// Reads `90d`, `12h`, `15m`, `30s` (or plain seconds) as seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (text.get(..at).unwrap_or_default(), c),
        _ => (text, 's'),
    };
    let scale: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("\"{text}\": use a number with s, m, h or d (e.g. 90d)")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("\"{text}\": not a positive duration (e.g. 90d, 12h, 30s)"))
}

/// Writes `90d` for whole days, and so on down to seconds.
pub fn format_duration(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

const COLUMNS: &str = "scope, name, match_group, match_name_prefix, rotate_every, deactivate_after, \
                       archive_after, destroy_after, notify_before";

fn from_row(r: &Row) -> Result<Policy, DbError> {
    let col = |i: usize| {
        r.get(i)
            .ok_or_else(|| DbError(format!("database: a policy row has no column {i}")))
    };
    let text = |i: usize| -> Result<Option<String>, DbError> {
        match col(i)? {
            Value::Null => Ok(None),
            v => v.text().map(Some),
        }
    };
    let unsigned =
        |i: usize| -> Result<Option<u64>, DbError> { Ok(col(i)?.opt_int()?.and_then(|n| u64::try_from(n).ok())) };
    Ok(Policy {
        scope: col(0)?.text()?,
        name: col(1)?.text()?,
        matches: match (text(2)?, text(3)?) {
            (Some(g), _) => Match::Group(g),
            (None, Some(p)) => Match::NamePrefix(p),
            (None, None) => Match::All,
        },
        rotate_every: unsigned(4)?.unwrap_or(u64::MAX),
        deactivate_after: unsigned(5)?,
        archive_after: unsigned(6)?,
        destroy_after: unsigned(7)?,
        notify_before: unsigned(8)?,
    })
}

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::from)
}

fn secs(v: Option<u64>) -> Value {
    Value::from(v)
}

/// Creates or replaces a policy (its scope must exist).
pub fn write(c: &mut dyn Sql, policy: &Policy) -> Result<(), DbError> {
    let scope = Scope::new(&policy.scope).map_err(DbError)?;
    crate::policy::RoleName::new(&policy.name).map_err(|e| DbError(e.replace("role", "policy")))?;
    if c.query_int(
        "SELECT count(*) FROM scopes WHERE name = ?1",
        &[Value::from(scope.as_str())],
    )? == 0
    {
        return Err(DbError(format!(
            "scope \"{scope}\" does not exist (kmip-server scope create)"
        )));
    }
    let (group, prefix) = match &policy.matches {
        Match::Group(g) => (Some(g.as_str()), None),
        Match::NamePrefix(p) => (None, Some(p.as_str())),
        Match::All => (None, None),
    };
    c.execute(
        &format!(
            "INSERT INTO lifecycle_policies ({COLUMNS}, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (scope, name) DO UPDATE SET match_group = excluded.match_group,
               match_name_prefix = excluded.match_name_prefix, rotate_every = excluded.rotate_every,
               deactivate_after = excluded.deactivate_after, archive_after = excluded.archive_after,
               destroy_after = excluded.destroy_after, notify_before = excluded.notify_before,
               created = excluded.created"
        ),
        &[
            Value::from(policy.scope.as_str()),
            Value::from(policy.name.as_str()),
            opt(group),
            opt(prefix),
            secs(Some(policy.rotate_every)),
            secs(policy.deactivate_after),
            secs(policy.archive_after),
            secs(policy.destroy_after),
            secs(policy.notify_before),
            Value::Int(crate::store::unix_now()),
        ],
    )?;
    Ok(())
}

/// The policies of a scope, or of every scope.
pub fn list(c: &mut dyn Sql, scope: Option<&str>) -> Result<Vec<Policy>, DbError> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM lifecycle_policies WHERE CAST(?1 AS TEXT) IS NULL OR scope = ?1 ORDER BY scope, name"
        ),
        &[opt(scope)],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// One policy.
pub fn read(c: &mut dyn Sql, scope: &str, name: &str) -> Result<Policy, DbError> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM lifecycle_policies WHERE scope = ?1 AND name = ?2"),
        &[Value::from(scope), Value::from(name)],
    )?
    .as_ref()
    .map(from_row)
    .transpose()?
    .ok_or_else(|| DbError(format!("no policy \"{name}\" in scope \"{scope}\"")))
}

/// Deletes a policy; the keys it rotated stay as they are.
pub fn delete(c: &mut dyn Sql, scope: &str, name: &str) -> Result<(), DbError> {
    match c.execute(
        "DELETE FROM lifecycle_policies WHERE scope = ?1 AND name = ?2",
        &[Value::from(scope), Value::from(name)],
    )? {
        0 => Err(DbError(format!("no policy \"{name}\" in scope \"{scope}\""))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_write_in_their_largest_whole_unit() {
        assert_eq!(parse_duration("90d"), Ok(90 * 86_400));
        assert_eq!(parse_duration("12h"), Ok(43_200));
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("45"), Ok(45));
        assert_eq!(format_duration(90 * 86_400), "90d");
        assert_eq!(format_duration(90), "90s");
        assert_eq!(format_duration(120), "2m");
        for bad in ["", "0s", "-3d", "3w", "d", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
