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

/// The dates that move an object without a client asking (§3.22), POSIX
/// seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dates {
    /// Activation Date.
    pub activation: Option<i64>,
    /// Deactivation Date.
    pub deactivation: Option<i64>,
}

/// The state the time sweep gives an object in `state` at `now`: Pre-Active
/// becomes Active at the Activation Date; Pre-Active or Active becomes
/// Deactivated at the Deactivation Date.
pub fn by_dates(state: State, dates: Dates, now: i64) -> State {
    let passed = |date: Option<i64>| date.is_some_and(|t| t <= now);
    let mut state = state;
    if state == State::PreActive && passed(dates.activation) {
        state = State::Active;
    }
    if matches!(state, State::PreActive | State::Active) && passed(dates.deactivation) {
        state = State::Deactivated;
    }
    state
}

/// When [`by_dates`] next moves an object in `state`; `None` if no date
/// ever will.
pub fn due(state: State, dates: Dates) -> Option<i64> {
    let activation = dates.activation.filter(|_| state == State::PreActive);
    let deactivation = dates
        .deactivation
        .filter(|_| matches!(state, State::PreActive | State::Active));
    activation.into_iter().chain(deactivation).min()
}

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

    #[test]
    fn dates_move_an_object_when_due_and_due_says_when() {
        let dates = Dates {
            activation: Some(10),
            deactivation: Some(20),
        };
        assert_eq!(due(State::PreActive, dates), Some(10));
        assert_eq!(by_dates(State::PreActive, dates, 9), State::PreActive);
        assert_eq!(by_dates(State::PreActive, dates, 10), State::Active);
        assert_eq!(due(State::Active, dates), Some(20));
        assert_eq!(by_dates(State::PreActive, dates, 25), State::Deactivated);
        assert_eq!(due(State::Deactivated, dates), None);
        assert_eq!(by_dates(State::Compromised, dates, 25), State::Compromised);
        let early_end = Dates {
            activation: Some(30),
            deactivation: Some(20),
        };
        assert_eq!(due(State::PreActive, early_end), Some(20));
        assert_eq!(by_dates(State::PreActive, early_end, 20), State::Deactivated);
        assert_eq!(due(State::Active, Dates::default()), None);
    }
}
