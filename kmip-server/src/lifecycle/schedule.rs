//! What a policy will do to one key, and when: a pure function of the
//! policy and the key's attributes, shared by the worker (which does what
//! is due) and `kmip-server keys due` (which lists what is coming).

use kmip_codec::enums::{LinkType, ObjectType, State};
use kmip_codec::messages::{AttributeName, AttributeValue};
use serde::Serialize;

use super::{Match, Policy};
use crate::object::ManagedObject;

/// A step of a key's lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// `rotation.due`: notice ahead of a rotation.
    NotifyRotation,
    /// Re-key.
    Rotate,
    /// `rotation.done` of a key already replaced: raised again (once, by
    /// its id) in case a crash came between the Re-key and its event.
    Rotated,
    /// Give a replaced key its Deactivation Date (grace).
    Grace,
    /// `expiry.due`: notice ahead of a deactivation.
    NotifyExpiry,
    /// The time sweep deactivates the key; `deactivated` once it has.
    Deactivate,
    /// Archive.
    Archive,
    /// Destroy.
    Destroy,
}

impl What {
    /// The `step` label of `kmip_lifecycle_due`, for the steps that change
    /// a key.
    pub fn counted(self) -> Option<&'static str> {
        match self {
            What::Rotate => Some("rotate"),
            What::Deactivate => Some("deactivate"),
            What::Archive => Some("archive"),
            What::Destroy => Some("destroy"),
            What::NotifyRotation | What::NotifyExpiry | What::Grace | What::Rotated => None,
        }
    }

    /// The event raised when the step is done.
    pub fn event(self) -> &'static str {
        match self {
            What::NotifyRotation => "rotation.due",
            What::Rotate | What::Rotated => "rotation.done",
            What::Grace => "grace.started",
            What::NotifyExpiry => "expiry.due",
            What::Deactivate => "deactivated",
            What::Archive => "archived",
            What::Destroy => "destroyed",
        }
    }
}

/// A step and its time (POSIX seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What.
    pub what: What,
    /// When it is due.
    pub at: i64,
}

fn date(object: &ManagedObject, name: AttributeName) -> Option<i64> {
    object.values(name).find_map(|a| match a.value {
        AttributeValue::ActivationDate(d)
        | AttributeValue::DeactivationDate(d)
        | AttributeValue::InitialDate(d)
        | AttributeValue::ArchiveDate(d) => Some(d.0),
        _ => None,
    })
}

/// Whether the policy applies to the key by its own attributes (a
/// replaced key has given its Names to its replacement: the worker
/// follows the link, see [`super::worker::planned`]).
pub fn matches(policy: &Policy, object: &ManagedObject) -> bool {
    if !matches!(object.object_type, ObjectType::SymmetricKey | ObjectType::PrivateKey) {
        return false;
    }
    match &policy.matches {
        Match::All => true,
        Match::Group(g) => object
            .values(AttributeName::ObjectGroup)
            .any(|a| matches!(&a.value, AttributeValue::ObjectGroup(v) if v == g)),
        Match::NamePrefix(p) => object
            .values(AttributeName::Name)
            .any(|a| matches!(&a.value, AttributeValue::Name(n) if n.value.starts_with(p.as_str()))),
    }
}

/// Whether the key has been replaced (rotated).
pub fn replaced(object: &ManagedObject) -> bool {
    replacement(object).is_some()
}

fn plus(t: i64, d: u64) -> i64 {
    t.saturating_add(i64::try_from(d).unwrap_or(i64::MAX))
}

fn minus(t: i64, d: u64) -> i64 {
    t.saturating_sub(i64::try_from(d).unwrap_or(i64::MAX))
}

/// The replacement a key's Replacement Object link names.
pub fn replacement(object: &ManagedObject) -> Option<&str> {
    object.values(AttributeName::Link).find_map(|a| match &a.value {
        AttributeValue::Link(l) if l.link_type == LinkType::ReplacementObjectLink => {
            Some(l.linked_object_identifier.as_str())
        }
        _ => None,
    })
}

/// The steps the policy has for a key it applies to, in time order;
/// `now` dates a grace period that starts with this pass.
pub fn schedule(policy: &Policy, object: &ManagedObject, now: i64) -> Vec<Step> {
    let mut steps = Vec::new();
    let deactivation = date(object, AttributeName::DeactivationDate);
    let mut step = |what, at| steps.push(Step { what, at });
    // A replacement copies its predecessor's Activation Date (Table 173):
    // its age starts at its own Initial Date.
    let born = date(object, AttributeName::ActivationDate)
        .max(date(object, AttributeName::InitialDate))
        .unwrap_or(now);
    let rotate_at = plus(born, policy.rotate_every);
    if replaced(object) {
        step(What::Rotated, rotate_at);
    }
    match object.state() {
        State::Active => {
            if !replaced(object) {
                if let Some(before) = policy.notify_before {
                    step(What::NotifyRotation, minus(rotate_at, before));
                }
                step(What::Rotate, rotate_at);
            } else if let (None, Some(grace)) = (deactivation, policy.deactivate_after) {
                step(What::Grace, now);
                if let Some(before) = policy.notify_before {
                    step(What::NotifyExpiry, minus(plus(now, grace), before));
                }
                step(What::Deactivate, plus(now, grace));
            }
            if let Some(dd) = deactivation {
                if let Some(before) = policy.notify_before {
                    step(What::NotifyExpiry, minus(dd, before));
                }
                step(What::Deactivate, dd);
            }
        }
        State::Deactivated => {
            let dd = deactivation.unwrap_or(now);
            step(What::Deactivate, dd);
            if let (Some(after), false) = (policy.archive_after, object.is_archived()) {
                step(What::Archive, plus(dd, after));
            }
            if let Some(after) = policy.destroy_after {
                step(What::Destroy, plus(dd, after));
            }
        }
        _ => {}
    }
    steps.sort_by_key(|s| s.at);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::messages::{Attribute, DateTime, Link, Name};

    fn policy(matches: Match) -> Policy {
        Policy {
            scope: "s".into(),
            name: "p".into(),
            matches,
            rotate_every: 100,
            deactivate_after: Some(10),
            archive_after: Some(20),
            destroy_after: Some(30),
            notify_before: Some(5),
        }
    }

    fn key(state: State, attributes: Vec<AttributeValue>) -> ManagedObject {
        let mut o = ManagedObject::new("k".into(), ObjectType::SymmetricKey, state);
        o.attributes.extend(attributes.into_iter().map(Attribute::new));
        o
    }

    fn whats(steps: &[Step]) -> Vec<(What, i64)> {
        steps.iter().map(|s| (s.what, s.at)).collect()
    }

    #[test]
    fn an_active_key_is_noticed_then_rotated_its_age_after_activation() {
        let k = key(State::Active, vec![AttributeValue::ActivationDate(DateTime(1000))]);
        assert_eq!(
            whats(&schedule(&policy(Match::All), &k, 1050)),
            [(What::NotifyRotation, 1095), (What::Rotate, 1100)]
        );
    }

    #[test]
    fn a_replaced_key_gets_its_grace_and_a_client_date_wins() {
        let link = AttributeValue::Link(Link {
            link_type: LinkType::ReplacementObjectLink,
            linked_object_identifier: "new".into(),
        });
        let born = AttributeValue::InitialDate(DateTime(1000));
        let k = key(State::Active, vec![link.clone(), born.clone()]);
        assert_eq!(
            whats(&schedule(&policy(Match::All), &k, 2000)),
            [
                (What::Rotated, 1100),
                (What::Grace, 2000),
                (What::NotifyExpiry, 2005),
                (What::Deactivate, 2010)
            ]
        );
        let dated = key(
            State::Active,
            vec![link, born, AttributeValue::DeactivationDate(DateTime(5000))],
        );
        assert_eq!(
            whats(&schedule(&policy(Match::All), &dated, 2000)),
            [
                (What::Rotated, 1100),
                (What::NotifyExpiry, 4995),
                (What::Deactivate, 5000)
            ]
        );
    }

    #[test]
    fn a_deactivated_key_is_archived_then_destroyed_after_its_deactivation_date() {
        let k = key(
            State::Deactivated,
            vec![AttributeValue::DeactivationDate(DateTime(3000))],
        );
        assert_eq!(
            whats(&schedule(&policy(Match::All), &k, 9999)),
            [(What::Deactivate, 3000), (What::Archive, 3020), (What::Destroy, 3030)]
        );
        let mut keep = policy(Match::All);
        keep.destroy_after = None;
        assert!(!schedule(&keep, &k, 9999).iter().any(|s| s.what == What::Destroy));
    }

    #[test]
    fn only_matching_keys_are_scheduled() {
        let named = key(
            State::Active,
            vec![
                AttributeValue::Name(Name {
                    value: "app-1".into(),
                    name_type: kmip_codec::enums::NameType::UninterpretedTextString,
                }),
                AttributeValue::ObjectGroup("g".into()),
            ],
        );
        assert!(matches(&policy(Match::NamePrefix("app-".into())), &named));
        assert!(!matches(&policy(Match::NamePrefix("db-".into())), &named));
        assert!(matches(&policy(Match::Group("g".into())), &named));
        assert!(!matches(&policy(Match::Group("h".into())), &named));
        let mut secret = named.clone();
        secret.object_type = ObjectType::SecretData;
        assert!(!matches(&policy(Match::All), &secret));
    }
}
