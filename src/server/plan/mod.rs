//! Weekly plans as written in markdown (see docs/plan-format.md): the
//! parsed form, the diagnostics, and the parser.
//!
//! The parser is generous and loud: it reads the conventions people
//! already use (headings with labels, GitHub and Obsidian task lists,
//! Dataview inline fields, Obsidian Tasks emoji, Logseq markers and
//! properties, tables exported from other tools), reports every line of
//! plan data it did not use as a warning, and every problem of a refused
//! plan at once.

mod apply;
mod blocks;
mod diagnostics;
mod draft;
mod fields;
mod finish;
mod inline;
mod read;
mod table;
pub mod values;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{ActionStatus, FunnelStage};

pub use diagnostics::{Diagnostic, Refused};

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
    /// 1 (highest) … 5 (lowest); none is normal priority.
    pub priority: Option<i16>,
    /// The day it is planned to be worked on (Obsidian Tasks ⏳, Logseq SCHEDULED).
    pub scheduled: Option<NaiveDate>,
    /// The day it can start (Obsidian Tasks 🛫).
    pub start: Option<NaiveDate>,
    pub line: usize,
}

/// A plan that was read, and what in it was not used.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub plan: PlanDoc,
    pub warnings: Vec<Diagnostic>,
}

/// Reads one plan: the plan and its warnings, or every error it holds
/// (with the warnings found on the way).
pub fn parse_plan(source: &str) -> Result<Parsed, Refused> {
    let mut d = draft::Draft::default();
    for block in blocks::blocks(source) {
        d.block(block);
    }
    d.end();
    let (plan, mut diags) = finish::finish(d);
    diags.attach_text(source);
    match plan {
        Some(plan) if diags.errors.is_empty() => Ok(Parsed {
            plan,
            warnings: diags.warnings,
        }),
        _ => Err(Refused {
            errors: diags.errors,
            warnings: diags.warnings,
        }),
    }
}

impl PlanDoc {
    /// Moves every date by whole weeks (the demo plans are written for
    /// fixed weeks and loaded relative to today), and the ISO week labels
    /// (`2026-W47`) in evidence paths with them.
    pub fn shift_weeks(&mut self, weeks: i64) {
        let by = chrono::Duration::weeks(weeks);
        self.week_start += by;
        self.week_end += by;
        for r in &mut self.results {
            for a in &mut r.actions {
                a.due = a.due.map(|d| d + by);
                a.completed_at = a.completed_at.map(|d| d + by);
                a.scheduled = a.scheduled.map(|d| d + by);
                a.start = a.start.map(|d| d + by);
                a.evidence = a
                    .evidence
                    .take()
                    .map(|e| values::shift_week_labels(&e, weeks));
            }
        }
    }

    /// Every action of the plan, in file order.
    pub fn actions(&self) -> impl Iterator<Item = &ActionDoc> {
        self.results.iter().flat_map(|r| r.actions.iter())
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod parse_tests;

#[cfg(test)]
#[path = "fuzz_tests.rs"]
mod fuzz_tests;

#[cfg(test)]
#[path = "golden_tests.rs"]
mod golden_tests;

#[cfg(test)]
#[path = "roundtrip_tests.rs"]
mod roundtrip_tests;
