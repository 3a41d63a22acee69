//! The week overview: a plan's results with their progress.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ActionStatus, FunnelStage};

/// One action item as the overview lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionSummary {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub owner: Option<String>,
    pub due_date: Option<DateTime<Utc>>,
    pub funnel_stage: FunnelStage,
    pub status: ActionStatus,
    /// The week it was carried from, when it was.
    pub carried_from: Option<NaiveDate>,
    /// The week it was carried to, when it was.
    pub carried_to: Option<NaiveDate>,
}

/// A committed result with its purpose and actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultProgress {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub purpose: String,
    pub category: Option<String>,
    pub actions: Vec<ActionSummary>,
}

impl ResultProgress {
    /// Completed actions of this result.
    pub fn completed(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.status == ActionStatus::Completed)
            .count()
    }

    /// Actions that count: all but the cancelled.
    pub fn counted(&self) -> usize {
        self.actions.iter().filter(|a| a.status.counts()).count()
    }

    /// Whole-number completion percentage (0 when there are no actions);
    /// cancelled actions do not count.
    pub fn percent(&self) -> u8 {
        percent(self.completed(), self.counted())
    }
}

/// The plan of one week as the cockpit's overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekOverview {
    pub plan_id: Uuid,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub owner: String,
    pub classification: Option<String>,
    pub results: Vec<ResultProgress>,
}

impl WeekOverview {
    /// The week's actions that count (all but the cancelled).
    pub fn total_actions(&self) -> usize {
        self.results.iter().map(ResultProgress::counted).sum()
    }

    /// Completed actions of the week.
    pub fn completed_actions(&self) -> usize {
        self.results.iter().map(ResultProgress::completed).sum()
    }

    /// Overall completion: completed actions / all actions.
    pub fn percent(&self) -> u8 {
        percent(self.completed_actions(), self.total_actions())
    }

    /// What a team member sees: only the actions `owner` owns, and only the
    /// results holding at least one of them.
    pub fn only_owned_by(mut self, owner: &str) -> Self {
        for result in &mut self.results {
            result.actions.retain(|a| {
                a.owner
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case(owner))
            });
        }
        self.results.retain(|r| !r.actions.is_empty());
        self
    }

    /// "Oct 21–27, 2025", "Oct 27 – Nov 2, 2025", "Dec 29, 2025 – Jan 4, 2026".
    pub fn date_range_label(&self) -> String {
        date_range_label(self.week_start, self.week_end)
    }
}

/// Rounded percentage of `part` in `whole`, 0 for an empty whole.
pub fn percent(part: usize, whole: usize) -> u8 {
    if whole == 0 {
        return 0;
    }
    ((part as f64 * 100.0 / whole as f64).round() as u8).min(100)
}

/// A compact, human label for a date range.
pub fn date_range_label(start: NaiveDate, end: NaiveDate) -> String {
    let month = |d: NaiveDate| d.format("%b").to_string();
    if start.year() != end.year() {
        format!(
            "{} {}, {} – {} {}, {}",
            month(start),
            start.day(),
            start.year(),
            month(end),
            end.day(),
            end.year()
        )
    } else if start.month() != end.month() {
        format!(
            "{} {} – {} {}, {}",
            month(start),
            start.day(),
            month(end),
            end.day(),
            end.year()
        )
    } else {
        format!(
            "{} {}–{}, {}",
            month(start),
            start.day(),
            end.day(),
            end.year()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn action(status: ActionStatus) -> ActionSummary {
        ActionSummary {
            id: Uuid::nil(),
            code: "A".into(),
            text: "a".into(),
            owner: None,
            due_date: None,
            funnel_stage: FunnelStage::Top,
            status,
            carried_from: None,
            carried_to: None,
        }
    }

    #[test]
    fn date_ranges_read_like_the_wireframe() {
        assert_eq!(
            date_range_label(d(2025, 10, 21), d(2025, 10, 27)),
            "Oct 21–27, 2025"
        );
        assert_eq!(
            date_range_label(d(2025, 10, 27), d(2025, 11, 2)),
            "Oct 27 – Nov 2, 2025"
        );
        assert_eq!(
            date_range_label(d(2025, 12, 29), d(2026, 1, 4)),
            "Dec 29, 2025 – Jan 4, 2026"
        );
    }

    #[test]
    fn completion_counts_completed_actions_over_all_actions() {
        use ActionStatus::*;
        let result = |statuses: &[ActionStatus]| ResultProgress {
            id: Uuid::nil(),
            code: "R".into(),
            title: "t".into(),
            purpose: "p".into(),
            category: None,
            actions: statuses.iter().copied().map(action).collect(),
        };
        let week = WeekOverview {
            plan_id: Uuid::nil(),
            week_start: d(2025, 10, 21),
            week_end: d(2025, 10, 27),
            owner: "Jesse".into(),
            classification: None,
            results: vec![
                result(&[Completed, Completed, Pending]),
                result(&[Blocked, Cancelled, Deferred]),
                result(&[]),
            ],
        };
        // Cancelled actions do not count; deferred ones count as not done.
        assert_eq!(week.total_actions(), 5);
        assert_eq!(week.completed_actions(), 2);
        assert_eq!(week.percent(), 40);
        assert_eq!(week.results[0].percent(), 67);
        assert_eq!(
            week.results[2].percent(),
            0,
            "no actions is 0%, not a division by zero"
        );
    }

    #[test]
    fn a_team_member_sees_only_their_actions_and_the_results_holding_them() {
        let owned = |owner: Option<&str>| ActionSummary {
            owner: owner.map(Into::into),
            ..action(ActionStatus::Pending)
        };
        let result = |code: &str, actions: Vec<ActionSummary>| ResultProgress {
            id: Uuid::nil(),
            code: code.into(),
            title: "t".into(),
            purpose: "p".into(),
            category: None,
            actions,
        };
        let week = WeekOverview {
            plan_id: Uuid::nil(),
            week_start: d(2025, 10, 21),
            week_end: d(2025, 10, 27),
            owner: "Jesse".into(),
            classification: None,
            results: vec![
                result("R1", vec![owned(Some("QA")), owned(Some("Jesse"))]),
                result("R2", vec![owned(Some("Jesse")), owned(None)]),
                result("R3", vec![owned(Some("qa"))]),
            ],
        };
        let seen = week.only_owned_by("QA");
        let codes: Vec<_> = seen.results.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["R1", "R3"]);
        assert_eq!(seen.total_actions(), 2);
        assert!(seen.results.iter().flat_map(|r| &r.actions).all(|a| a
            .owner
            .as_deref()
            .unwrap()
            .eq_ignore_ascii_case("qa")));
    }
}
