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
    pub kind: String,
    pub entity_id: Option<Uuid>,
    pub at: DateTime<Utc>,
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
        match self.kind.as_str() {
            "ACTION_COMPLETED" | "ACTION_BLOCKED" | "ACTION_UPDATED" => only(true, false, false),
            "AGENT_STATUS_CHANGE" => only(false, true, false),
            "REVENUE_UPDATE" | "DELIVERABLE_PUBLISHED" => only(false, false, true),
            // Imports and anything newer than this build: reload it all.
            _ => Touches::ALL,
        }
    }
}

/// The SSE event name that tells a client it fell too far behind: reload
/// everything, then go on from the event's id.
pub const RESYNC: &str = "resync";

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> LiveEvent {
        LiveEvent {
            id: 1,
            kind: kind.into(),
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
}
