//! Inline changes of an action: complete, block, reopen. Shared by the
//! cockpit's server functions and the REST API.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::live::EventKind;
use super::ActionStatus;

/// What to do to an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ActionChange {
    Complete {
        actual_hours: f64,
        evidence_path: Option<String>,
    },
    Block {
        reason: String,
    },
    /// Unblock (back to in progress) or reopen a completed one.
    Reopen,
}

/// An action's state after a change (or, on a conflict, as it is now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionState {
    pub id: Uuid,
    pub code: String,
    pub status: ActionStatus,
    pub version: i32,
    pub actual_hours: Option<f64>,
    pub evidence_path: Option<String>,
    pub blocker: Option<String>,
}

impl ActionChange {
    /// From the cockpit's flat form fields.
    pub fn from_form(
        change: &str,
        actual_hours: Option<f64>,
        evidence_path: Option<String>,
        reason: Option<String>,
    ) -> Result<Self, String> {
        match change {
            "complete" => Ok(Self::Complete {
                actual_hours: actual_hours.ok_or("completing needs actual_hours")?,
                evidence_path: evidence_path.filter(|p| !p.trim().is_empty()),
            }),
            "block" => Ok(Self::Block {
                reason: reason.unwrap_or_default(),
            }),
            "reopen" => Ok(Self::Reopen),
            other => Err(format!(
                "unknown change {other:?}; expected complete, block or reopen"
            )),
        }
    }

    /// Checks the input; the text says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Self::Complete {
                actual_hours,
                evidence_path,
            } => {
                if !actual_hours.is_finite() || *actual_hours < 0.0 || *actual_hours > 999.0 {
                    return Err("actual_hours must be a number from 0 to 999".into());
                }
                if evidence_path.as_ref().is_some_and(|p| p.len() > 2000) {
                    return Err("evidence_path is longer than 2000 characters".into());
                }
                Ok(())
            }
            Self::Block { reason } if reason.trim().is_empty() => {
                Err("a blocked action needs a reason".into())
            }
            Self::Block { reason } if reason.len() > 2000 => {
                Err("the reason is longer than 2000 characters".into())
            }
            _ => Ok(()),
        }
    }

    /// The status after the change, or why it cannot apply to `from`.
    pub fn next_status(&self, from: ActionStatus) -> Result<ActionStatus, String> {
        use ActionStatus::*;
        match (self, from) {
            (Self::Complete { .. }, Completed) => Err("the action is already completed".into()),
            (_, Cancelled) if *self != Self::Reopen => {
                Err("the action was cancelled; reopen it first".into())
            }
            (Self::Complete { .. }, _) => Ok(Completed),
            (Self::Block { .. }, Completed) => {
                Err("a completed action cannot be blocked; reopen it first".into())
            }
            (Self::Block { .. }, Blocked) => Err("the action is already blocked".into()),
            (Self::Block { .. }, _) => Ok(Blocked),
            (Self::Reopen, Blocked) => Ok(InProgress),
            (Self::Reopen, Completed | Cancelled | Deferred) => Ok(InProgress),
            (Self::Reopen, _) => Err("only a blocked or completed action can be reopened".into()),
        }
    }

    /// The event the change appends.
    pub fn event_type(&self) -> EventKind {
        match self {
            Self::Complete { .. } => EventKind::ActionCompleted,
            Self::Block { .. } => EventKind::ActionBlocked,
            Self::Reopen => EventKind::ActionUpdated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;

    fn complete(hours: f64) -> ActionChange {
        ActionChange::Complete {
            actual_hours: hours,
            evidence_path: None,
        }
    }

    #[test]
    fn input_is_checked() {
        assert!(complete(2.5).validate().is_ok());
        assert!(complete(-1.0).validate().is_err());
        assert!(complete(f64::NAN).validate().is_err());
        let block = |r: &str| ActionChange::Block { reason: r.into() };
        assert!(block("waiting on the mix").validate().is_ok());
        assert_eq!(
            block("  ").validate().unwrap_err(),
            "a blocked action needs a reason"
        );
    }

    #[test]
    fn transitions_follow_the_status() {
        assert_eq!(complete(1.0).next_status(Pending), Ok(Completed));
        assert_eq!(complete(1.0).next_status(Blocked), Ok(Completed));
        assert!(complete(1.0).next_status(Completed).is_err());
        let block = ActionChange::Block { reason: "x".into() };
        assert_eq!(block.next_status(InProgress), Ok(Blocked));
        assert!(block.next_status(Completed).is_err());
        assert_eq!(ActionChange::Reopen.next_status(Blocked), Ok(InProgress));
        assert_eq!(ActionChange::Reopen.next_status(Completed), Ok(InProgress));
        assert!(ActionChange::Reopen.next_status(Pending).is_err());
        assert!(complete(1.0).next_status(Cancelled).is_err());
        assert_eq!(complete(1.0).next_status(Deferred), Ok(Completed));
        assert_eq!(ActionChange::Reopen.next_status(Cancelled), Ok(InProgress));
    }
}
