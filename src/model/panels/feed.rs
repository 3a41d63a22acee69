//! The live action feed: its items, filters and sections.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{ActionStatus, FunnelStage};

/// An action as the live feed shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub result_code: String,
    pub owner: Option<String>,
    pub funnel_stage: FunnelStage,
    pub status: ActionStatus,
    pub due_date: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub blocker: Option<String>,
    pub evidence: Option<String>,
    /// The week this action was carried from (same code, unfinished there).
    pub carried_from: Option<NaiveDate>,
    /// The week it was carried to: read-only here, changed there.
    pub carried_to: Option<NaiveDate>,
    /// Changes state the version they were based on.
    pub version: i32,
}

/// The feed's filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFilter {
    pub owner: Option<String>,
    pub stage: Option<FunnelStage>,
    pub status: Option<ActionStatus>,
}

impl FeedFilter {
    pub fn admits(&self, item: &FeedItem) -> bool {
        self.owner
            .as_deref()
            .is_none_or(|o| item.owner.as_deref() == Some(o))
            && self.stage.is_none_or(|s| item.funnel_stage == s)
            && self.status.is_none_or(|s| item.status == s)
    }
}

/// The action feed of a week, already filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionFeed {
    pub now: DateTime<Utc>,
    pub items: Vec<FeedItem>,
    /// Every owner of the week, for the filter.
    pub owners: Vec<String>,
    /// The viewer may complete, block and reopen actions (Jesse).
    pub can_edit: bool,
}

impl ActionFeed {
    /// Completed in the 24 hours before `now`, newest first.
    pub fn recently_completed(&self) -> Vec<&FeedItem> {
        let since = self.now - chrono::Duration::hours(24);
        let mut done: Vec<_> = self
            .items
            .iter()
            .filter(|a| a.completed_at.is_some_and(|t| t > since && t <= self.now))
            .collect();
        done.sort_by_key(|a| std::cmp::Reverse(a.completed_at));
        done
    }

    pub fn with_status(&self, status: ActionStatus) -> Vec<&FeedItem> {
        self.items.iter().filter(|a| a.status == status).collect()
    }

    /// Open (pending, in progress or blocked) and due within 7 days of
    /// `now`, soonest first.
    pub fn due_soon(&self) -> Vec<&FeedItem> {
        let until = self.now + chrono::Duration::days(7);
        let mut due: Vec<_> = self
            .items
            .iter()
            .filter(|a| a.status.is_open())
            .filter(|a| a.due_date.is_some_and(|d| d >= self.now && d <= until))
            .collect();
        due.sort_by_key(|a| a.due_date);
        due
    }
}
