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
    /// When the action last changed (listed first in its section).
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
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
    /// The owner name of a viewer who can edit (Jesse): his own open
    /// actions come first, in a section of their own.
    #[serde(default)]
    pub yours: Option<String>,
}

/// The most recently changed first: what just started or got blocked is
/// what the page shows before "Show all".
fn latest(mut items: Vec<&FeedItem>) -> Vec<&FeedItem> {
    items.sort_by_key(|a| std::cmp::Reverse(a.changed_at));
    items
}

/// One section of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedSection {
    Yours,
    Completed,
    InProgress,
    Blocked,
    DueSoon,
}

impl FeedSection {
    pub const ALL: [Self; 5] = [
        Self::Yours,
        Self::Completed,
        Self::InProgress,
        Self::Blocked,
        Self::DueSoon,
    ];

    /// The `data-section` of the page (tests and styles find it by this).
    pub fn key(self) -> &'static str {
        match self {
            Self::Yours => "yours",
            Self::Completed => "completed",
            Self::InProgress => "in_progress",
            Self::Blocked => "blocked",
            Self::DueSoon => "due",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Yours => "Your open actions",
            Self::Completed => "Completed in the last 24 hours",
            Self::InProgress => "In progress",
            Self::Blocked => "Blocked",
            Self::DueSoon => "Due in the next 7 days",
        }
    }

    pub fn empty(self) -> &'static str {
        match self {
            Self::Yours => "Nothing open is yours.",
            Self::Completed => "Nothing completed in the last 24 hours.",
            Self::InProgress => "Nothing in progress.",
            Self::Blocked => "Nothing blocked.",
            Self::DueSoon => "Nothing else due in the next 7 days.",
        }
    }
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

    /// Whether `item` is one of the viewer's own open actions.
    fn is_yours(&self, item: &FeedItem) -> bool {
        item.status.is_open()
            && self
                .yours
                .as_deref()
                .is_some_and(|me| item.owner.as_deref() == Some(me))
    }

    /// The viewer's own open actions (Jesse's), soonest due first.
    pub fn your_open(&self) -> Vec<&FeedItem> {
        let mut mine: Vec<_> = self.items.iter().filter(|a| self.is_yours(a)).collect();
        mine.sort_by_key(|a| (a.due_date.is_none(), a.due_date));
        mine
    }

    /// A section's actions. Each action is in one section at most: the
    /// viewer's own open ones only under [`FeedSection::Yours`], an action
    /// in progress or blocked not again under "due".
    pub fn section<'a>(&'a self, section: FeedSection) -> Vec<&'a FeedItem> {
        let others = |items: Vec<&'a FeedItem>| -> Vec<&'a FeedItem> {
            items.into_iter().filter(|a| !self.is_yours(a)).collect()
        };
        match section {
            FeedSection::Yours => self.your_open(),
            FeedSection::Completed => self.recently_completed(),
            FeedSection::InProgress => latest(others(self.with_status(ActionStatus::InProgress))),
            FeedSection::Blocked => latest(others(self.with_status(ActionStatus::Blocked))),
            FeedSection::DueSoon => others(
                self.due_soon()
                    .into_iter()
                    .filter(|a| {
                        !matches!(a.status, ActionStatus::InProgress | ActionStatus::Blocked)
                    })
                    .collect(),
            ),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, owner: &str, status: ActionStatus, due_in_days: i64) -> FeedItem {
        let now = now();
        FeedItem {
            id: Uuid::new_v4(),
            code: code.into(),
            text: code.into(),
            result_code: "R1".into(),
            owner: Some(owner.into()),
            funnel_stage: FunnelStage::Top,
            status,
            due_date: Some(now + chrono::Duration::days(due_in_days)),
            completed_at: (status == ActionStatus::Completed)
                .then(|| now - chrono::Duration::hours(2)),
            blocker: None,
            evidence: None,
            carried_from: None,
            carried_to: None,
            version: 1,
            changed_at: Some(now - chrono::Duration::minutes(due_in_days)),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    fn codes(items: Vec<&FeedItem>) -> Vec<&str> {
        items.into_iter().map(|i| i.code.as_str()).collect()
    }

    fn feed(yours: Option<&str>) -> ActionFeed {
        use ActionStatus::*;
        ActionFeed {
            now: now(),
            items: vec![
                item("J1", "Jesse", InProgress, 3),
                item("J2", "Jesse", Blocked, 2),
                item("J3", "Jesse", Pending, 1),
                item("A1", "Artifacts", Blocked, 1),
                item("A2", "Artifacts", InProgress, 2),
                item("A3", "Artifacts", Pending, 4),
                item("A4", "Artifacts", Completed, -1),
                item("A5", "Artifacts", Pending, 30),
            ],
            owners: vec![],
            can_edit: yours.is_some(),
            yours: yours.map(Into::into),
        }
    }

    #[test]
    fn a_blocked_or_started_action_is_not_listed_again_as_due() {
        let f = feed(None);
        assert_eq!(codes(f.section(FeedSection::Yours)), Vec::<&str>::new());
        // The most recently changed first.
        assert_eq!(codes(f.section(FeedSection::Blocked)), ["A1", "J2"]);
        assert_eq!(codes(f.section(FeedSection::InProgress)), ["A2", "J1"]);
        assert_eq!(codes(f.section(FeedSection::DueSoon)), ["J3", "A3"]);
        assert_eq!(codes(f.section(FeedSection::Completed)), ["A4"]);
    }

    #[test]
    fn jesses_own_open_actions_come_first_and_only_there() {
        let f = feed(Some("Jesse"));
        assert_eq!(codes(f.section(FeedSection::Yours)), ["J3", "J2", "J1"]);
        let mut seen: Vec<&str> = FeedSection::ALL
            .into_iter()
            .flat_map(|s| codes(f.section(s)))
            .collect();
        let listed = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), listed, "an action is listed twice");
        assert_eq!(codes(f.section(FeedSection::Blocked)), ["A1"]);
        assert_eq!(codes(f.section(FeedSection::DueSoon)), ["A3"]);
    }
}
