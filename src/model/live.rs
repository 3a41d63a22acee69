//! Live updates: what the server streams to browsers (`GET /events`, as
//! server-sent events) and which panels each kind of event touches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One row of the events table, as browsers receive it: what changed, not
/// the change itself (panels reload what they show through their own,
/// role-checked server functions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub id: i64,
    pub kind: EventKind,
    pub entity_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// What an event says happened (`events.event_type`).
///
/// A kind this build does not know (written by a newer instance during a
/// rolling deploy) reads as [`EventKind::Other`]: it reloads everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    ActionCompleted,
    ActionBlocked,
    ActionUpdated,
    AgentStatusChange,
    RevenueUpdate,
    DeliverablePublished,
    PlanImported,
    #[serde(other)]
    Other,
}

impl EventKind {
    /// The kinds the events table accepts (its check constraint).
    pub const ALL: [Self; 7] = [
        Self::ActionCompleted,
        Self::ActionBlocked,
        Self::ActionUpdated,
        Self::AgentStatusChange,
        Self::RevenueUpdate,
        Self::DeliverablePublished,
        Self::PlanImported,
    ];

    /// The value stored in `events.event_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActionCompleted => "ACTION_COMPLETED",
            Self::ActionBlocked => "ACTION_BLOCKED",
            Self::ActionUpdated => "ACTION_UPDATED",
            Self::AgentStatusChange => "AGENT_STATUS_CHANGE",
            Self::RevenueUpdate => "REVENUE_UPDATE",
            Self::DeliverablePublished => "DELIVERABLE_PUBLISHED",
            Self::PlanImported => "PLAN_IMPORTED",
            Self::Other => "OTHER",
        }
    }

    /// Reads a stored value; one this build does not know is `Other`.
    pub fn from_stored(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .unwrap_or(Self::Other)
    }
}

/// The parts of the cockpit an event changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touches {
    /// Plans, results and actions: overview, feed, funnel, results.
    pub plan: bool,
    pub agents: bool,
    /// Revenue and deliverables.
    pub money: bool,
}

impl Touches {
    pub const ALL: Touches = Touches {
        plan: true,
        agents: true,
        money: true,
    };
}

impl LiveEvent {
    pub fn touches(&self) -> Touches {
        let only = |plan, agents, money| Touches {
            plan,
            agents,
            money,
        };
        match self.kind {
            EventKind::ActionCompleted | EventKind::ActionBlocked | EventKind::ActionUpdated => {
                only(true, false, false)
            }
            EventKind::AgentStatusChange => only(false, true, false),
            EventKind::RevenueUpdate | EventKind::DeliverablePublished => only(false, false, true),
            // Imports and anything newer than this build: reload it all.
            EventKind::PlanImported | EventKind::Other => Touches::ALL,
        }
    }
}

/// The SSE event name that tells a client it fell too far behind: reload
/// everything, then go on from the event's id.
pub const RESYNC: &str = "resync";

/// The SSE event the server sends every [`PING_SECONDS`] on an idle stream:
/// a sign of life the browser can see (comments are invisible to it), so a
/// stream that went silent is known to be dead.
pub const PING: &str = "ping";
pub const PING_SECONDS: u64 = 15;

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> LiveEvent {
        LiveEvent {
            id: 1,
            kind: serde_json::from_value(serde_json::json!(kind)).unwrap(),
            entity_id: None,
            at: Utc::now(),
        }
    }

    #[test]
    fn each_kind_touches_its_panels() {
        assert!(event("ACTION_COMPLETED").touches().plan);
        assert!(!event("ACTION_BLOCKED").touches().agents);
        assert_eq!(
            event("AGENT_STATUS_CHANGE").touches(),
            Touches {
                plan: false,
                agents: true,
                money: false
            }
        );
        assert!(event("REVENUE_UPDATE").touches().money);
        assert_eq!(event("PLAN_IMPORTED").touches(), Touches::ALL);
        assert_eq!(event("SOMETHING_NEW").touches(), Touches::ALL);
    }

    #[test]
    fn kinds_read_back_as_written_and_unknown_ones_as_other() {
        for kind in EventKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::json!(kind.as_str()));
            assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
            assert_eq!(EventKind::from_stored(kind.as_str()), kind);
        }
        assert_eq!(EventKind::from_stored("SOMETHING_NEW"), EventKind::Other);
    }
}
