//! The lifecycle worker: every `lifecycle_interval_secs`, does what the
//! policies have due ([`super::schedule`]) and records each event once.
//!
//! Reads go through a connection of its own (what is committed is what
//! it acts on); changes go through the server's own request path, as
//! KMIP requests of an identity with role `lifecycle`, so that they are
//! authorised, journalled and audited as a client's are.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use kmip_codec::enums::{ObjectType, ResultStatus, State, StorageStatusMask};
use kmip_codec::messages::message::{RequestBatchItem, RequestHeader, RequestMessage, ResponseMessage};
use kmip_codec::messages::ops::add_attribute::AddAttributeRequest;
use kmip_codec::messages::ops::archive::ArchiveRequest;
use kmip_codec::messages::ops::destroy::DestroyRequest;
use kmip_codec::messages::ops::recover::RecoverRequest;
use kmip_codec::messages::ops::rekey::ReKeyRequest;
use kmip_codec::messages::ops::rekey_key_pair::ReKeyKeyPairRequest;
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue, DateTime, RequestPayload, ResponsePayload};
use serde::Serialize;

use super::schedule::{schedule, Step, What};
use super::{Match, Policy};
use crate::object::ManagedObject;
use crate::policy::{Identity, OperationSet, RoleName, Scope};
use crate::server::Server;
use crate::store::sql::{Sql, Value};
use crate::store::{DbError, LocateFilter, Objects};

/// The operations the worker's identity may run.
const OPERATIONS: &str = "operation_rekey,operation_rekey_keypair,operation_add_attribute,operation_archive,\
                          operation_recover,operation_destroy";

/// The keys of a policy's scope it may act on, with their steps.
pub fn planned(db: &mut dyn Sql, policy: &Policy, now: i64) -> Result<Vec<(ManagedObject, Vec<Step>)>, DbError> {
    let scope = Scope::new(&policy.scope).map_err(DbError)?;
    let objects = db.objects(&scope);
    let mut uids = Vec::new();
    for object_type in [ObjectType::SymmetricKey, ObjectType::PrivateKey] {
        for state in [State::Active, State::Deactivated] {
            let filter = LocateFilter {
                object_type: Some(object_type.0),
                state: Some(state.0),
                attributes: match &policy.matches {
                    Match::Group(g) => vec![(
                        AttributeName::ObjectGroup.as_str().to_owned(),
                        crate::store::value_bytes(&AttributeValue::ObjectGroup(g.clone())),
                    )],
                    _ => vec![],
                },
                storage: StorageStatusMask::OnLineStorage | StorageStatusMask::ArchivalStorage,
                ..LocateFilter::default()
            };
            uids.extend(objects.locate(&filter)?);
        }
    }
    let mut planned = Vec::new();
    for uid in uids {
        if let Some(object) = objects.load(&uid, None)? {
            if !applies(&*objects, policy, &object)? {
                continue;
            }
            let steps = schedule(policy, &object, now);
            if !steps.is_empty() {
                planned.push((object, steps));
            }
        }
    }
    Ok(planned)
}

/// Replacements followed to find a key's Name (a chain longer than this
/// is cut: its oldest keys are left alone).
const MAX_CHAIN: usize = 64;

/// Whether the policy applies to a key: by its own attributes, or, for a
/// Name prefix, by those of the newest key of its replacement chain (a
/// rotation moved its Names there).
fn applies(objects: &dyn Objects, policy: &Policy, object: &ManagedObject) -> Result<bool, DbError> {
    if super::schedule::matches(policy, object) {
        return Ok(true);
    }
    if !matches!(policy.matches, Match::NamePrefix(_)) {
        return Ok(false);
    }
    let mut next = super::schedule::replacement(object).map(str::to_owned);
    for _ in 0..MAX_CHAIN {
        let Some(uid) = next else { return Ok(false) };
        let Some(successor) = objects.load(&uid, None)? else {
            return Ok(false);
        };
        if super::schedule::matches(policy, &successor) {
            return Ok(true);
        }
        next = super::schedule::replacement(&successor).map(str::to_owned);
    }
    Ok(false)
}

/// An event's audit line.
#[derive(Serialize)]
struct EventLine<'a> {
    time: String,
    /// Always `"lifecycle"`.
    event: &'static str,
    lifecycle: &'a str,
    id: &'a str,
    scope: &'a str,
    policy: &'a str,
    uid: &'a str,
    /// When it was due, RFC 3339.
    due: String,
    detail: &'a serde_json::Value,
}

/// Runs the policies until shutdown.
pub async fn run(server: Arc<Server>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(server.config.lifecycle_interval_secs);
    if every.is_zero() {
        return;
    }
    // Opened on the blocking pool: PostgreSQL's client may not be used on
    // an async worker.
    let config = server.config.clone();
    let db = match tokio::task::spawn_blocking(move || crate::setup::database(&config)).await {
        Ok(Ok(db)) => Arc::new(Mutex::new(db)),
        Ok(Err(e)) => {
            tracing::error!("lifecycle policies will not run: {e}");
            return;
        }
        Err(e) => {
            tracing::error!("lifecycle policies will not run: {e}");
            return;
        }
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let (server, db) = (Arc::clone(&server), Arc::clone(&db));
        let done = tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            once_per_cluster(db.sql()?, |db| pass(&server, db, crate::store::unix_now()))
        })
        .await;
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("lifecycle pass failed: {e}"),
            Err(e) => tracing::warn!("lifecycle pass failed: {e}"),
        }
    }
}

/// The advisory lock of a lifecycle pass ("kmlc" in ASCII).
const PASS_LOCK: i64 = 0x6b6d_6c63;

/// Runs `f` unless another node of a PostgreSQL cluster is running its
/// pass now: the node that has the lock does the cluster's work (the
/// data-directory lock already allows one SQLite server).
fn once_per_cluster(db: &mut dyn Sql, f: impl FnOnce(&mut dyn Sql) -> Result<(), DbError>) -> Result<(), DbError> {
    if !db.is_postgres() {
        return f(db);
    }
    if db.query_int("SELECT pg_try_advisory_lock(?1)::INTEGER", &[Value::Int(PASS_LOCK)])? == 0 {
        return Ok(());
    }
    let out = f(&mut *db);
    db.execute("SELECT pg_advisory_unlock(?1)", &[Value::Int(PASS_LOCK)])?;
    out
}

/// One pass over every policy.
pub fn pass(server: &Server, conn: &mut dyn Sql, now: i64) -> Result<(), DbError> {
    let mut due: std::collections::HashMap<(String, &'static str), u64> = std::collections::HashMap::new();
    for policy in super::list(conn, None)? {
        let identity = Arc::new(Identity {
            serial: "lifecycle".into(),
            subject: format!("lifecycle policy {}/{}", policy.scope, policy.name),
            scope: Scope::new(&policy.scope).map_err(DbError)?,
            role: RoleName::new("lifecycle").map_err(DbError)?,
            operations: OperationSet::parse(OPERATIONS).map_err(DbError)?,
        });
        let horizon =
            now.saturating_add(i64::try_from(policy.notify_before.unwrap_or(DUE_HORIZON)).unwrap_or(i64::MAX));
        for (object, steps) in planned(conn, &policy, now)? {
            // Coming up (what is overdue is done below).
            for step in steps.iter().filter(|s| (now..=horizon).contains(&s.at)) {
                if let Some(name) = step.what.counted() {
                    let n = due.entry((policy.scope.clone(), name)).or_default();
                    *n = n.saturating_add(1);
                }
            }
            for step in steps.into_iter().filter(|s| s.at <= now) {
                // A change ends the key's turn: its next steps are planned
                // from what the change made, at the next pass.
                if act(server, conn, &identity, &policy, &object, step, now)? {
                    break;
                }
            }
        }
    }
    server.metrics.set_lifecycle_due(&due);
    revocations(server, conn)?;
    let round = super::notify::deliver_due(conn, now)?;
    server.metrics.notify_failures.increment(round.failed);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    server.metrics.notify_pending.set(round.pending as f64);
    Ok(())
}

/// How far ahead `kmip_lifecycle_due` looks for a policy without notice,
/// seconds (7 days).
const DUE_HORIZON: u64 = 7 * 86_400;

/// Revocations not yet announced, at most this many a pass.
const REVOCATIONS_PER_PASS: i64 = 1000;

/// Raises `revoked`, with the reason, once for each revoked key of any
/// scope, policy or not (found through the partial index on Revocation
/// Reason).
fn revocations(server: &Server, conn: &mut dyn Sql) -> Result<(), DbError> {
    let found = conn.query(
        "SELECT a.uid, o.scope FROM attributes a JOIN objects o ON o.uid = a.uid
         WHERE a.name = 'Revocation Reason'
           AND NOT EXISTS (SELECT 1 FROM lifecycle_events e WHERE e.uid = a.uid AND e.event = 'revoked')
         LIMIT ?1",
        &[Value::Int(REVOCATIONS_PER_PASS)],
    )?;
    for row in found {
        let (Some(uid), Some(scope)) = (row.first(), row.get(1)) else {
            continue;
        };
        let (uid, scope) = (uid.text()?, Scope::new(&scope.text()?).map_err(DbError)?);
        let Some(object) = conn.objects(&scope).load(&uid, None)? else {
            continue;
        };
        let Some(reason) = object
            .values(AttributeName::RevocationReason)
            .find_map(|a| match &a.value {
                AttributeValue::RevocationReason(r) => Some(r.clone()),
                _ => None,
            })
        else {
            continue;
        };
        let code = crate::protocol::name_of(reason.code.name(), reason.code.0);
        let compromised = matches!(
            reason.code,
            kmip_codec::enums::RevocationReasonCode::KeyCompromise
                | kmip_codec::enums::RevocationReasonCode::CACompromise
        );
        let detail = serde_json::json!({
            "reason": code,
            "compromised": compromised,
            "message": reason.message,
            "state": crate::protocol::name_of(object.state().name(), object.state().0),
        });
        let id = super::notify::event_id(&format!("{scope}\0{uid}\0revoked"));
        let event = super::notify::Event {
            id: &id,
            event: "revoked",
            scope: scope.as_str(),
            source: "",
            uid: &uid,
            due: crate::store::unix_now(),
            detail: &detail,
        };
        if super::notify::record(conn, &event)? {
            audit_event(server, &event);
        }
    }
    Ok(())
}

/// The audit line of a newly recorded event.
fn audit_event(server: &Server, e: &super::notify::Event<'_>) {
    tracing::info!("lifecycle: {} for {} ({})", e.event, e.uid, e.source);
    let line = EventLine {
        time: crate::audit::now_rfc3339(),
        event: "lifecycle",
        lifecycle: e.event,
        id: e.id,
        scope: e.scope,
        policy: e.source,
        uid: e.uid,
        due: rfc3339(e.due),
        detail: e.detail,
    };
    if let Err(err) = server.audit.lifecycle(&line) {
        server.metrics.audit_failures.increment(1);
        tracing::error!("audit log write failed: {err}");
    }
}

/// Does one due step; whether it changed the key.
fn act(
    server: &Server,
    conn: &mut dyn Sql,
    identity: &Arc<Identity>,
    policy: &Policy,
    object: &ManagedObject,
    step: Step,
    now: i64,
) -> Result<bool, DbError> {
    let uid = Some(object.uid.clone());
    let payload = match step.what {
        What::NotifyRotation | What::NotifyExpiry => {
            record(server, conn, policy, &object.uid, step, serde_json::json!({}))?;
            return Ok(false);
        }
        What::Rotated => {
            let detail = serde_json::json!({ "replacement": super::schedule::replacement(object) });
            record(server, conn, policy, &object.uid, step, detail)?;
            return Ok(false);
        }
        What::Deactivate => {
            if object.state() == State::Deactivated {
                record(server, conn, policy, &object.uid, step, serde_json::json!({}))?;
            }
            return Ok(false);
        }
        What::Rotate => match object.object_type {
            ObjectType::PrivateKey => RequestPayload::ReKeyKeyPair(ReKeyKeyPairRequest {
                private_key_unique_identifier: uid,
                ..ReKeyKeyPairRequest::default()
            }),
            _ => RequestPayload::ReKey(ReKeyRequest {
                unique_identifier: uid,
                ..ReKeyRequest::default()
            }),
        },
        What::Grace => {
            let grace = i64::try_from(policy.deactivate_after.unwrap_or(0)).unwrap_or(i64::MAX);
            RequestPayload::AddAttribute(AddAttributeRequest {
                unique_identifier: uid,
                attribute: Attribute::new(AttributeValue::DeactivationDate(DateTime(now.saturating_add(grace)))),
            })
        }
        What::Archive => RequestPayload::Archive(ArchiveRequest { unique_identifier: uid }),
        What::Destroy => RequestPayload::Destroy(DestroyRequest { unique_identifier: uid }),
    };
    // An archived key is recovered to be destroyed, in the same batch.
    let payloads = match (&payload, object.is_archived()) {
        (RequestPayload::Destroy(_), true) => vec![
            RequestPayload::Recover(RecoverRequest {
                unique_identifier: Some(object.uid.clone()),
            }),
            payload,
        ],
        _ => vec![payload],
    };
    match call(server, identity, payloads) {
        Ok(ResponsePayload::ReKey(r)) => {
            let detail = serde_json::json!({ "replacement": r.unique_identifier });
            record(server, conn, policy, &object.uid, step, detail)?;
        }
        Ok(ResponsePayload::ReKeyKeyPair(r)) => {
            let detail = serde_json::json!({
                "replacement": r.private_key_unique_identifier,
                "public_key": r.public_key_unique_identifier,
            });
            record(server, conn, policy, &object.uid, step, detail)?;
        }
        Ok(_) if step.what == What::Grace => {}
        Ok(_) => record(server, conn, policy, &object.uid, step, serde_json::json!({}))?,
        Err(why) => {
            tracing::warn!(
                "lifecycle policy {}/{}: {} of {} failed: {why}",
                policy.scope,
                policy.name,
                step.what.event(),
                object.uid
            );
            record_as(
                server,
                conn,
                policy,
                &object.uid,
                "policy.failed",
                step,
                serde_json::json!({ "step": step.what.event(), "why": why }),
            )?;
        }
    }
    Ok(true)
}

/// Sends one request (a batch that stops at its first failure) to the
/// server's own request path; the last item's payload.
fn call(server: &Server, identity: &Arc<Identity>, payloads: Vec<RequestPayload>) -> Result<ResponsePayload, String> {
    let several = payloads.len() > 1;
    let message = RequestMessage {
        header: RequestHeader::new(
            crate::protocol::LATEST,
            i32::try_from(payloads.len()).unwrap_or(i32::MAX),
        ),
        batch_items: payloads
            .into_iter()
            .zip(0u32..)
            .map(|(payload, n)| RequestBatchItem {
                unique_batch_item_id: several.then(|| n.to_be_bytes().to_vec().into()),
                payload,
                message_extension: None,
            })
            .collect(),
    };
    let request = server.parse(&message.to_bytes());
    let answer = server.process(identity, "lifecycle", request, &AtomicBool::new(false));
    let response = ResponseMessage::from_bytes(&answer, &server.config.limits()).map_err(|e| e.to_string())?;
    let mut last = Err("no batch item in the answer".to_owned());
    for item in response.batch_items {
        last = match (item.result_status, item.payload) {
            (ResultStatus::Success, Some(payload)) => Ok(payload),
            (status, _) => {
                return Err(format!(
                    "{} ({}): {}",
                    crate::protocol::name_of(status.name(), status.0),
                    item.result_reason
                        .map_or("-".into(), |r| crate::protocol::name_of(r.name(), r.0)),
                    item.result_message.unwrap_or_default()
                ))
            }
        };
    }
    last
}

fn record(
    server: &Server,
    conn: &mut dyn Sql,
    policy: &Policy,
    uid: &str,
    step: Step,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    record_as(server, conn, policy, uid, step.what.event(), step, detail)
}

/// Writes an event to the outbox once (its id is the hash of what it is
/// about), and, the first time, to the audit log.
fn record_as(
    server: &Server,
    conn: &mut dyn Sql,
    policy: &Policy,
    uid: &str,
    event: &'static str,
    step: Step,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    let id = super::notify::event_id(&format!(
        "{}\0{}\0{uid}\0{event}\0{}",
        policy.scope, policy.name, step.at
    ));
    let event = super::notify::Event {
        id: &id,
        event,
        scope: &policy.scope,
        source: &policy.name,
        uid,
        due: step.at,
        detail: &detail,
    };
    if super::notify::record(conn, &event)? {
        audit_event(server, &event);
    }
    Ok(())
}

/// POSIX seconds as RFC 3339, UTC.
pub fn rfc3339(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        ),
        Err(_) => t.to_string(),
    }
}
