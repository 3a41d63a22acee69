//! What a sync did, per plan and in total.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

/// Rows of one kind: inserted, updated, left unchanged, removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
}

impl Counts {
    pub fn changed(&self) -> bool {
        self.inserted + self.updated + self.removed > 0
    }

    pub fn add(&mut self, other: Counts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inserted, {} updated, {} unchanged, {} removed",
            self.inserted, self.updated, self.unchanged, self.removed
        )
    }
}

/// One plan's sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanReport {
    pub week_start: NaiveDate,
    pub plans: Counts,
    pub results: Counts,
    pub actions: Counts,
}

impl PlanReport {
    pub fn changed(&self) -> bool {
        self.plans.changed() || self.results.changed() || self.actions.changed()
    }
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    /// Same content as last imported: nothing read into the database.
    Unchanged,
    Synced(PlanReport),
    /// `file:line: reason` (or `file: reason`).
    Failed(String),
}

/// The totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: u64,
    pub files_unchanged: u64,
    pub files_failed: u64,
    pub plans: Counts,
    pub results: Counts,
    pub actions: Counts,
}

impl Summary {
    pub fn add(&mut self, outcome: &FileOutcome) {
        self.files += 1;
        match outcome {
            FileOutcome::Unchanged => self.files_unchanged += 1,
            FileOutcome::Failed(_) => self.files_failed += 1,
            FileOutcome::Synced(r) => {
                self.plans.add(r.plans);
                self.results.add(r.results);
                self.actions.add(r.actions);
            }
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "files:   {} read, {} unchanged since the last sync, {} failed",
            self.files, self.files_unchanged, self.files_failed
        )?;
        writeln!(f, "plans:   {}", self.plans)?;
        writeln!(f, "results: {}", self.results)?;
        write!(f, "actions: {}", self.actions)
    }
}
