//! What the cockpit's panels show: one type per panel, filled by a server
//! function and rendered by the panel's component.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ActionStatus, FunnelStage};

/// One week's completion, for the velocity sparkline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekPoint {
    pub week_start: NaiveDate,
    pub completed: u32,
    pub total: u32,
    /// Completed actions per day of the week so far.
    pub velocity: f64,
}

/// The numbers beside the week overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewStats {
    pub jesse_completed: u32,
    pub jesse_total: u32,
    /// Completed actions per elapsed day of this week.
    pub velocity: f64,
    /// Up to 8 weeks, oldest first, this week last.
    pub trend: Vec<WeekPoint>,
}

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

/// Revenue of one result: its target and what its deliverables earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRevenue {
    pub code: String,
    pub title: String,
    pub target: f64,
    pub actual: f64,
}

/// A deliverable, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableItem {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub status: String,
    pub link: String,
    pub revenue_actual: Option<f64>,
    pub revenue_target: Option<f64>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Target and actual of one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenuePoint {
    pub week_start: NaiveDate,
    pub target: f64,
    pub actual: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenuePanel {
    pub week_start: NaiveDate,
    pub results: Vec<ResultRevenue>,
    /// Earned this week by deliverables not tied to a result (songs, albums).
    pub catalog_actual: f64,
    pub top: Vec<DeliverableItem>,
    /// Up to 8 weeks, oldest first.
    pub trend: Vec<RevenuePoint>,
}

impl RevenuePanel {
    pub fn total_target(&self) -> f64 {
        self.results.iter().map(|r| r.target).sum()
    }

    pub fn total_actual(&self) -> f64 {
        self.results.iter().map(|r| r.actual).sum::<f64>() + self.catalog_actual
    }

    /// Actual over target, in percent; `None` without a target.
    pub fn achievement(&self) -> Option<f64> {
        let target = self.total_target();
        (target > 0.0).then(|| self.total_actual() * 100.0 / target)
    }
}

/// The colour band of a health score (spec 2.3, section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthBand {
    Excellent,
    Good,
    Fair,
    Critical,
}

impl HealthBand {
    pub fn of(score: i32) -> Self {
        match score {
            90.. => Self::Excellent,
            70..=89 => Self::Good,
            50..=69 => Self::Fair,
            _ => Self::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCard {
    pub name: String,
    pub status: String,
    pub health_score: i32,
    pub current_action: Option<String>,
    pub last_heartbeat: DateTime<Utc>,
    pub error_log: Option<String>,
}

impl AgentCard {
    pub fn band(&self) -> HealthBand {
        HealthBand::of(self.health_score)
    }
}

/// No heartbeat for longer than `minutes` at `now`.
pub fn is_stale(now: DateTime<Utc>, last_heartbeat: DateTime<Utc>, minutes: i64) -> bool {
    now - last_heartbeat > chrono::Duration::minutes(minutes)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPanel {
    pub now: DateTime<Utc>,
    pub stale_after_minutes: i64,
    pub agents: Vec<AgentCard>,
}

impl AgentPanel {
    /// No heartbeat for longer than the configured limit.
    pub fn is_stale(&self, agent: &AgentCard) -> bool {
        is_stale(self.now, agent.last_heartbeat, self.stale_after_minutes)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumProgress {
    pub album: String,
    pub songs: u32,
    pub released: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverablesPanel {
    /// Published in the last 7 days, by kind.
    pub songs_7d: u32,
    pub documents_7d: u32,
    pub code_7d: u32,
    pub latest: Vec<DeliverableItem>,
    pub albums: Vec<AlbumProgress>,
    /// Albums published of the 21-album release.
    pub albums_released: u32,
}

/// The album release the catalog works towards.
pub const ALBUM_GOAL: u32 = 21;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    pub stage: FunnelStage,
    pub actions: u32,
    pub completed: u32,
    pub blocked: u32,
    /// Average days in the stage (docs/metrics.md); `None` for an empty
    /// stage.
    pub avg_days: Option<f64>,
    /// Average days x share still open: higher is more of a bottleneck.
    pub bottleneck_score: f64,
    /// Owners with the most open actions in this stage, most first.
    pub busiest_owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelPanel {
    pub stages: Vec<StageStats>,
}

impl FunnelPanel {
    /// The stage with the highest positive bottleneck score.
    pub fn bottleneck(&self) -> Option<&StageStats> {
        super::analytics::highest_score(&self.stages, |s| s.bottleneck_score)
    }

    /// What to do about the bottleneck, from the numbers.
    pub fn recommendation(&self) -> String {
        let Some(s) = self.bottleneck() else {
            return "Every stage is clear: keep the pace.".into();
        };
        let mut text = String::new();
        if s.blocked > 0 {
            text.push_str(&format!(
                "Unblock the {} blocked {} action{} first. ",
                s.blocked,
                s.stage.as_str(),
                if s.blocked == 1 { "" } else { "s" }
            ));
        }
        let open = s.actions - s.completed;
        match s.busiest_owners.as_slice() {
            [] => text.push_str(&format!("Give its {open} open actions owners.")),
            [one] => text.push_str(&format!(
                "{one} holds most of its {open} open actions: hand some to another owner."
            )),
            [a, b, ..] => text.push_str(&format!(
                "Parallelize {a} + {b} tasks: they hold most of its {open} open actions."
            )),
        }
        text
    }

    pub fn completion_percent(&self) -> u8 {
        let (done, all) = self.stages.iter().fold((0, 0), |(d, a), s| {
            (d + s.completed as usize, a + s.actions as usize)
        });
        super::week::percent(done, all)
    }
}

/// A song of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Song {
    pub title: String,
    pub album: Option<String>,
    pub genre: Option<String>,
    pub bpm: Option<i32>,
    pub key: Option<String>,
    pub duration_seconds: Option<i32>,
    pub status: String,
    pub revenue_actual: Option<f64>,
    pub released_at: Option<DateTime<Utc>>,
}

/// The catalog's filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SongFilter {
    pub album: Option<String>,
    pub genre: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SongCatalog {
    pub songs: Vec<Song>,
    /// Every album and genre, for the filters.
    pub albums: Vec<String>,
    pub genres: Vec<String>,
}

/// "3:42".
pub fn duration_label(seconds: i32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// An action an agent completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedAction {
    pub code: String,
    pub text: String,
    pub completed_at: DateTime<Utc>,
    pub estimated_hours: Option<f64>,
    pub actual_hours: Option<f64>,
}

/// A change of an agent's status or health band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub status: String,
    pub health_score: i32,
}

/// One agent's last `days` days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentHistory {
    pub now: DateTime<Utc>,
    pub days: i64,
    pub stale_after_minutes: i64,
    pub card: AgentCard,
    pub completed: Vec<CompletedAction>,
    pub changes: Vec<StatusChange>,
}

impl AgentHistory {
    /// Average actual hours of the completed actions that recorded them.
    pub fn avg_hours(&self) -> Option<f64> {
        let hours: Vec<f64> = self
            .completed
            .iter()
            .filter_map(|c| c.actual_hours)
            .collect();
        (!hours.is_empty()).then(|| hours.iter().sum::<f64>() / hours.len() as f64)
    }

    /// Status changes into `error`.
    pub fn error_count(&self) -> usize {
        self.changes.iter().filter(|c| c.status == "error").count()
    }
}

/// The deliverables list page's filters (kept in the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverableFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// Deliverable kinds and statuses, as the schema allows them.
pub const DELIVERABLE_KINDS: [&str; 5] = ["song", "code", "document", "album", "video"];
pub const DELIVERABLE_STATUSES: [&str; 4] = ["draft", "review", "approved", "published"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableList {
    /// Newest first, at most [`DeliverableList::LIMIT`].
    pub items: Vec<DeliverableItem>,
    /// How many match the filter in all.
    pub total: u32,
    pub revenue_actual: f64,
}

impl DeliverableList {
    pub const LIMIT: u32 = 200;
}
