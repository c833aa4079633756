//! The lifecycle of a managed object (KMIP 1.4 §3.22, Figure 1): which
//! state each event moves an object to, and which events a state refuses.
//! Handlers ask here and set the dates; the time-driven moves (Activation
//! and Deactivation Date reached) are the store's sweep, with the same
//! transitions ([`DATE_DRIVEN`]).

use kmip_codec::enums::State;

use crate::error::Error;

/// What happens to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Activate, or the Activation Date reached (transition 4/5).
    Activate,
    /// Revoke for a reason other than compromise, or the Deactivation Date
    /// reached (transitions 6/8).
    Deactivate,
    /// Revoke for Key or CA Compromise (transitions 7/9/10/11).
    Compromise,
    /// Destroy (transitions 2/12/13).
    Destroy,
}

/// The state `event` moves an object in `state` to, or why it cannot.
pub fn next(uid: &str, state: State, event: Event) -> Result<State, Error> {
    let refuse = |why: &str| {
        Error::PermissionDenied(format!(
            "object {uid} is {}: {why}",
            state.name().unwrap_or("in another state")
        ))
    };
    match (event, state) {
        (Event::Activate, State::PreActive) => Ok(State::Active),
        (Event::Activate, _) => Err(refuse("only a Pre-Active object can be activated")),
        (Event::Deactivate, State::Active) => Ok(State::Deactivated),
        (Event::Deactivate, _) => Err(refuse("only an Active object can be revoked for this reason")),
        (Event::Compromise, State::Destroyed | State::DestroyedCompromised) => Ok(State::DestroyedCompromised),
        (Event::Compromise, _) => Ok(State::Compromised),
        (Event::Destroy, State::PreActive | State::Deactivated) => Ok(State::Destroyed),
        (Event::Destroy, State::Compromised) => Ok(State::DestroyedCompromised),
        (Event::Destroy, State::Destroyed | State::DestroyedCompromised) => Err(refuse("already destroyed")),
        (Event::Destroy, _) => Err(refuse("revoke it before destroying it")),
    }
}

/// The moves the time sweep makes, as (from, to) per date: Pre-Active to
/// Active at the Activation Date; Pre-Active or Active to Deactivated at
/// the Deactivation Date.
pub const DATE_DRIVEN: [(&[State], State); 2] = [
    (&[State::PreActive], State::Active),
    (&[State::PreActive, State::Active], State::Deactivated),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_answers_every_event_as_figure_1_draws_it() {
        use Event::*;
        use State as S;
        let table = [
            (
                S::PreActive,
                [Some(S::Active), None, Some(S::Compromised), Some(S::Destroyed)],
            ),
            (S::Active, [None, Some(S::Deactivated), Some(S::Compromised), None]),
            (S::Deactivated, [None, None, Some(S::Compromised), Some(S::Destroyed)]),
            (
                S::Compromised,
                [None, None, Some(S::Compromised), Some(S::DestroyedCompromised)],
            ),
            (S::Destroyed, [None, None, Some(S::DestroyedCompromised), None]),
            (
                S::DestroyedCompromised,
                [None, None, Some(S::DestroyedCompromised), None],
            ),
        ];
        for (state, expected) in table {
            for (event, want) in [Activate, Deactivate, Compromise, Destroy].into_iter().zip(expected) {
                assert_eq!(next("k", state, event).ok(), want, "{state:?} on {event:?}");
            }
        }
        let refused = next("k", S::Active, Destroy).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "object k is Active: revoke it before destroying it"
        );
    }
}
