//! Syncing plan files: read, skip when unchanged, parse, store in one
//! transaction (retried on transient errors), archive in the data lake.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::lake::Lake;
use super::report::{FileOutcome, FileResult, Summary};
use super::retry::with_retry;
use super::status::{record, FileStatus};
use super::store::{store_plan, Source, StoreError};
use crate::server::plan::{parse_plan, Diagnostic, PlanDoc};

/// A change made to each plan before it is stored.
pub type Adjust = Box<dyn Fn(&mut PlanDoc) + Send + Sync>;

/// Bumped whenever the parser reads the same file differently, so that a
/// new version re-imports files whose bytes did not change.
pub const FORMAT_VERSION: &str = "rpm-plan-format-2";

/// sha256 of the format version and the file's bytes, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT_VERSION.as_bytes());
    hasher.update([0]);
    hasher.update(bytes);
    hex(&hasher.finalize())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Syncs plan files into one database (and optionally a lake).
pub struct PlanSync {
    pool: PgPool,
    lake: Option<Lake>,
    dry_run: bool,
    /// Whole-week shift applied to every date (the demo data only).
    pub shift_weeks: i64,
    /// Read files even when their hash says they did not change.
    pub force: bool,
    /// Refuse a file that has warnings, as if they were errors.
    pub strict: bool,
    /// A change to each plan before it is stored (the demo data's "as of now").
    pub adjust: Option<Adjust>,
    /// Source path -> hash, as last imported.
    known: HashMap<String, String>,
    /// Outcomes not yet written to the sync status.
    status: Vec<FileStatus>,
}

impl PlanSync {
    pub async fn new(pool: PgPool, lake: Option<Lake>, dry_run: bool) -> sqlx::Result<Self> {
        let mut sync = Self {
            pool,
            lake,
            dry_run,
            shift_weeks: 0,
            force: false,
            strict: false,
            adjust: None,
            known: HashMap::new(),
            status: Vec::new(),
        };
        sync.reload_known().await?;
        Ok(sync)
    }

    async fn reload_known(&mut self) -> sqlx::Result<()> {
        let rows = sqlx::query!(
            r#"select source_path as "path!", source_hash as "hash!" from rpm_weekly_plans
               where source_path is not null and source_hash is not null"#
        )
        .fetch_all(&self.pool)
        .await?;
        self.known = rows.into_iter().map(|r| (r.path, r.hash)).collect();
        Ok(())
    }

    /// Syncs one file and records its sync status (unless a dry run).
    pub async fn file(&mut self, path: &Path) -> FileResult {
        let (result, status) = self.read_and_store(path).await;
        if let (false, Some(status)) = (self.dry_run, status) {
            self.status.push(status);
            // Written in batches (and at the end of every pass): a statement
            // per file would cost a cold sync of 1,000 plans a second.
            if self.status.len() >= 200 {
                if let Err(e) = self.flush_status().await {
                    tracing::warn!(error = %e, "could not record the sync status");
                }
            }
        }
        result
    }

    /// Writes the sync status of the files synced since the last flush.
    pub async fn flush_status(&mut self) -> sqlx::Result<()> {
        let pending = std::mem::take(&mut self.status);
        record(&self.pool, &pending).await
    }

    async fn read_and_store(&mut self, path: &Path) -> (FileResult, Option<FileStatus>) {
        let shown = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let result = FileResult {
                    file: shown,
                    outcome: FileOutcome::Failed,
                    errors: vec![Diagnostic::whole_file(format!("cannot read: {e}"))],
                    warnings: Vec::new(),
                };
                return (result, None);
            }
        };
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan.md".into());
        self.store_bytes(&shown, absolute.display().to_string(), &file_name, &bytes)
            .await
    }

    /// Syncs a plan sent over the API (`POST /api/v1/sync/plans`): `name` is
    /// its path as the sender knows it, which identifies it from then on.
    /// Exactly the rules of a local file; records its sync status. Also
    /// says whether a failure was the server's own (the database or the
    /// lake), not the file's.
    pub async fn upload(&mut self, name: &str, bytes: &[u8]) -> (FileResult, bool) {
        let file_name = name.rsplit('/').next().unwrap_or(name).to_string();
        let (result, status) = self
            .store_bytes(name, name.to_string(), &file_name, bytes)
            .await;
        let servers_fault = status.as_ref().is_some_and(|s| s.outcome == "failed");
        if let (false, Some(status)) = (self.dry_run, status) {
            self.status.push(status);
        }
        (result, servers_fault)
    }

    /// Parses and stores one plan's `bytes`; `shown` names it in messages,
    /// `source_path` identifies it (idempotency, sync status), `file_name`
    /// is its name in the lake.
    async fn store_bytes(
        &mut self,
        shown: &str,
        source_path: String,
        file_name: &str,
        bytes: &[u8],
    ) -> (FileResult, Option<FileStatus>) {
        let shown = shown.to_string();
        let mut result = FileResult {
            file: shown.clone(),
            outcome: FileOutcome::Failed,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let source = Source {
            path: source_path,
            hash: content_hash(bytes),
        };
        let status = |result: &FileResult| FileStatus {
            path: source.path.clone(),
            hash: source.hash.clone(),
            outcome: result.outcome.as_str(),
            warnings: result.warnings.clone(),
            errors: result.errors.clone(),
        };
        if !self.force && self.known.get(&source.path) == Some(&source.hash) {
            result.outcome = FileOutcome::Unchanged;
            let s = status(&result);
            return (result, Some(s));
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            result.errors.push(Diagnostic::whole_file("not UTF-8 text"));
            let s = status(&result);
            return (result, Some(s));
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut plan = match parse_plan(text) {
            Ok(parsed) => {
                result.warnings = parsed.warnings;
                parsed.plan
            }
            Err(refused) => {
                result.errors = refused.errors;
                result.warnings = refused.warnings;
                let s = status(&result);
                return (result, Some(s));
            }
        };
        if self.strict && !result.warnings.is_empty() {
            result.errors = std::mem::take(&mut result.warnings);
            for e in &mut result.errors {
                e.message = format!("{} (--strict)", e.message);
            }
            let s = status(&result);
            return (result, Some(s));
        }
        if self.shift_weeks != 0 {
            plan.shift_weeks(self.shift_weeks);
        }
        if let Some(adjust) = &self.adjust {
            adjust(&mut plan);
        }
        let (pool, dry_run) = (&self.pool, self.dry_run);
        let outcome = with_retry(&shown, || async {
            let mut tx = pool.begin().await?;
            let report = store_plan(&mut tx, &plan, &source).await?;
            if dry_run {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
            Ok(report)
        })
        .await;
        // The archive is written after the commit, outside the transaction:
        // its event lock would otherwise make every live change wait for
        // the object store. If the lake fails, the plan stays imported but
        // its hash is forgotten, so the next run archives it again.
        let outcome = match (outcome, self.lake.as_ref()) {
            (Ok(report), Some(lake)) if !dry_run => {
                match lake.archive_plan(&plan, file_name, bytes).await {
                    Ok(_) => Ok(report),
                    Err(e) => {
                        forget_hash(pool, &source.path).await;
                        Err(StoreError::Lake(e))
                    }
                }
            }
            (outcome, _) => outcome,
        };
        match outcome {
            Ok(report) => {
                if !dry_run {
                    self.known.insert(source.path.clone(), source.hash.clone());
                }
                result.outcome = FileOutcome::Synced(report);
            }
            Err(StoreError::Plan(errors)) => result.errors = errors,
            Err(e) => {
                result.errors.push(Diagnostic::whole_file(e.to_string()));
                // Not the file's fault: the database or the lake failed.
                let mut s = status(&result);
                s.outcome = "failed";
                return (result, Some(s));
            }
        }
        let s = status(&result);
        (result, Some(s))
    }

    /// Syncs files in order, printing failures and progress to stderr.
    pub async fn files(&mut self, paths: &[PathBuf]) -> Summary {
        let mut summary = Summary::default();
        let started = Instant::now();
        let mut last_progress = Instant::now();
        for (i, path) in paths.iter().enumerate() {
            let result = self.file(path).await;
            for message in result.messages() {
                eprintln!("{message}");
            }
            summary.add(&result);
            if last_progress.elapsed() >= Duration::from_secs(2) {
                eprintln!(
                    "… {}/{} files in {:.1} s",
                    i + 1,
                    paths.len(),
                    started.elapsed().as_secs_f64()
                );
                last_progress = Instant::now();
            }
        }
        if let Err(e) = self.flush_status().await {
            tracing::warn!(error = %e, "could not record the sync status");
        }
        summary
    }
}

/// Makes the next run import `path` again (its archive failed).
async fn forget_hash(pool: &PgPool, path: &str) {
    let forgotten = sqlx::query!(
        "update rpm_weekly_plans set source_hash = null where source_path = $1",
        path
    )
    .execute(pool)
    .await;
    if let Err(e) = forgotten {
        tracing::warn!(error = %e, "could not mark the plan for a new archive");
    }
}

/// The `*.md` files under `dir`, recursively, in name order.
pub fn plan_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The `*.json` files directly in `dir`, in name order.
pub fn json_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    found.sort();
    Ok(found)
}
