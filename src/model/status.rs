//! The closed vocabularies of the plan: action status and funnel stage.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where an action item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ActionStatus {
    Pending,
    InProgress,
    Blocked,
    Completed,
    /// Dropped on purpose: not counted in its week's completion.
    Cancelled,
    /// Pushed out of its week unfinished: counted as not completed.
    Deferred,
}

impl ActionStatus {
    /// Every status, in workflow order.
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::InProgress,
        Self::Blocked,
        Self::Completed,
        Self::Deferred,
        Self::Cancelled,
    ];

    /// The value stored in the database and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Blocked => "blocked",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Deferred => "deferred",
        }
    }

    /// Still to be worked on this week: pending, in progress or blocked.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::InProgress | Self::Blocked)
    }

    /// Counted in its week's completion rate (everything but cancelled).
    pub fn counts(self) -> bool {
        self != Self::Cancelled
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "In progress",
            Self::Blocked => "Blocked",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
            Self::Deferred => "Deferred",
        }
    }

    /// Accepts the stored value, case- and separator-insensitively.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let norm = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == norm)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "unknown status {text:?}: use pending, in_progress, blocked, completed, deferred or cancelled"
                ))
            })
    }
}

/// The funnel stage of an action: ideation, execution, completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum FunnelStage {
    Top,
    Middle,
    Bottom,
}

impl FunnelStage {
    /// Every stage, top first.
    pub const ALL: [Self; 3] = [Self::Top, Self::Middle, Self::Bottom];

    /// The value stored in the database and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Top => "top",
            Self::Middle => "middle",
            Self::Bottom => "bottom",
        }
    }

    /// Words for people: the stage and what happens there.
    pub fn label(self) -> &'static str {
        match self {
            Self::Top => "Top (ideation)",
            Self::Middle => "Middle (execution)",
            Self::Bottom => "Bottom (completion)",
        }
    }

    /// Accepts the stored value, case-insensitively.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let norm = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == norm)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "unknown funnel stage {text:?}: use top, middle or bottom"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_their_stored_and_written_forms() {
        assert_eq!(
            ActionStatus::parse("in_progress"),
            Ok(ActionStatus::InProgress)
        );
        assert_eq!(
            ActionStatus::parse(" In Progress "),
            Ok(ActionStatus::InProgress)
        );
        assert_eq!(
            ActionStatus::parse("COMPLETED"),
            Ok(ActionStatus::Completed)
        );
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn an_unknown_status_is_refused_with_the_choices() {
        let err = ActionStatus::parse("done-ish").unwrap_err();
        assert!(err.to_string().contains("in_progress"), "{err}");
    }

    #[test]
    fn funnel_stages_parse_and_refuse() {
        assert_eq!(FunnelStage::parse("Middle"), Ok(FunnelStage::Middle));
        assert!(FunnelStage::parse("side").is_err());
    }
}
