//! What a sync did, per plan and in total.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::server::plan::Diagnostic;

/// Rows of one kind: inserted, updated, left unchanged, removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Refused: see [`FileResult::errors`].
    Failed,
}

impl FileOutcome {
    /// The word the sync status uses: imported, unchanged or refused.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Synced(_) => "imported",
            Self::Failed => "refused",
        }
    }
}

/// One file's sync: the outcome, and everything said about the file, each
/// at its line (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct FileResult {
    /// The file as the report names it.
    pub file: String,
    pub outcome: FileOutcome,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl FileResult {
    /// Every error and warning, as compilers print them.
    pub fn messages(&self) -> Vec<String> {
        let errors = self.errors.iter().map(|d| d.report(&self.file, "error"));
        let warnings = self
            .warnings
            .iter()
            .map(|d| d.report(&self.file, "warning"));
        errors.chain(warnings).collect()
    }

    /// `file:line: reason` of every error, one per line.
    pub fn error_text(&self) -> String {
        self.errors
            .iter()
            .map(|d| d.at(&self.file))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: u64,
    pub files_unchanged: u64,
    pub files_failed: u64,
    /// Warnings of the files read in this run (unchanged files are not read).
    pub warnings: u64,
    /// Files read in this run that had warnings.
    pub files_warned: u64,
    pub plans: Counts,
    pub results: Counts,
    pub actions: Counts,
}

impl Summary {
    pub fn add(&mut self, result: &FileResult) {
        self.files += 1;
        self.warnings += result.warnings.len() as u64;
        self.files_warned += u64::from(!result.warnings.is_empty());
        match &result.outcome {
            FileOutcome::Unchanged => self.files_unchanged += 1,
            FileOutcome::Failed => self.files_failed += 1,
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
            "files:   {} read, {} unchanged since the last sync, {} failed, {} with warnings ({} warning(s))",
            self.files, self.files_unchanged, self.files_failed, self.files_warned, self.warnings
        )?;
        writeln!(f, "plans:   {}", self.plans)?;
        writeln!(f, "results: {}", self.results)?;
        write!(f, "actions: {}", self.actions)
    }
}
