//! Weekly plans as written in markdown (see docs/plan-format.md): the
//! parsed form, and the parser.

mod blocks;
mod fields;
mod parse;
pub mod values;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{ActionStatus, FunnelStage};

pub use parse::parse_plan;

/// A weekly plan, as read from one file. Serialised as the data lake's
/// processed `weekly_plan.json` (without results).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDoc {
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub owner: String,
    pub classification: Option<String>,
    pub version: Option<String>,
    /// active, completed or archived.
    pub status: String,
    pub title: Option<String>,
    #[serde(skip)]
    pub results: Vec<ResultDoc>,
}

/// A committed result and its actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultDoc {
    pub code: String,
    pub title: String,
    pub purpose: String,
    pub priority: i32,
    pub category: Option<String>,
    pub revenue_target: Option<f64>,
    /// not_started, in_progress, blocked or completed.
    pub status: String,
    pub line: usize,
    #[serde(skip)]
    pub actions: Vec<ActionDoc>,
}

/// One action item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionDoc {
    pub code: String,
    pub result_code: String,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<DateTime<Utc>>,
    pub stage: FunnelStage,
    pub status: ActionStatus,
    pub estimated_hours: Option<f64>,
    pub actual_hours: Option<f64>,
    pub dependencies: Vec<String>,
    pub blocker: Option<String>,
    pub verification: Option<String>,
    pub evidence: Option<String>,
    /// When it was completed (5 pm UTC of the written day), if the plan says.
    pub completed_at: Option<DateTime<Utc>>,
    pub line: usize,
}

/// Why a plan could not be read: the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub line: usize,
    pub reason: String,
}

impl PlanError {
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }

    /// `file:line: reason`, the form editors and terminals link to.
    pub fn at(&self, file: &str) -> String {
        format!("{file}:{}: {}", self.line, self.reason)
    }
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for PlanError {}

impl PlanDoc {
    /// Moves every date by whole weeks (the demo plans are written for
    /// fixed weeks and loaded relative to today).
    pub fn shift_weeks(&mut self, weeks: i64) {
        let by = chrono::Duration::weeks(weeks);
        self.week_start += by;
        self.week_end += by;
        for r in &mut self.results {
            for a in &mut r.actions {
                a.due = a.due.map(|d| d + by);
                a.completed_at = a.completed_at.map(|d| d + by);
            }
        }
    }

    /// Every action of the plan, in file order.
    pub fn actions(&self) -> impl Iterator<Item = &ActionDoc> {
        self.results.iter().flat_map(|r| r.actions.iter())
    }
}
