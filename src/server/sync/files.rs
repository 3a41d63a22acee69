//! Syncing plan files: read, skip when unchanged, parse, store in one
//! transaction (retried on transient errors), archive in the data lake.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::lake::Lake;
use super::report::{FileOutcome, Summary};
use super::retry::with_retry;
use super::store::{store_plan, Source, StoreError};
use crate::server::plan::parse_plan;

/// Bumped whenever the parser reads the same file differently, so that a
/// new version re-imports files whose bytes did not change.
pub const FORMAT_VERSION: &str = "rpm-plan-format-1";

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
    /// Source path -> hash, as last imported.
    known: HashMap<String, String>,
}

impl PlanSync {
    pub async fn new(pool: PgPool, lake: Option<Lake>, dry_run: bool) -> sqlx::Result<Self> {
        let mut sync = Self {
            pool,
            lake,
            dry_run,
            shift_weeks: 0,
            force: false,
            known: HashMap::new(),
        };
        sync.reload_known().await?;
        Ok(sync)
    }

    async fn reload_known(&mut self) -> sqlx::Result<()> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select source_path, source_hash from rpm_weekly_plans
             where source_path is not null and source_hash is not null",
        )
        .fetch_all(&self.pool)
        .await?;
        self.known = rows.into_iter().collect();
        Ok(())
    }

    /// Syncs one file; `shown` is how messages name it.
    pub async fn file(&mut self, path: &Path) -> FileOutcome {
        let shown = path.display().to_string();
        let fail = |reason: String| FileOutcome::Failed(format!("{shown}: {reason}"));
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return fail(format!("cannot read: {e}")),
        };
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let source = Source {
            path: absolute.display().to_string(),
            hash: content_hash(&bytes),
        };
        if !self.force && self.known.get(&source.path) == Some(&source.hash) {
            return FileOutcome::Unchanged;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return fail("not UTF-8 text".into());
        };
        let mut plan = match parse_plan(text) {
            Ok(plan) => plan,
            Err(e) => return FileOutcome::Failed(e.at(&shown)),
        };
        if self.shift_weeks != 0 {
            plan.shift_weeks(self.shift_weeks);
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan.md".into());
        let (pool, lake, dry_run) = (&self.pool, self.lake.as_ref(), self.dry_run);
        let outcome = with_retry(&shown, || async {
            let mut tx = pool.begin().await?;
            let report = store_plan(&mut tx, &plan, &source).await?;
            if dry_run {
                tx.rollback().await?;
                return Ok(report);
            }
            if let Some(lake) = lake {
                // Before the commit: if the lake fails, the plan is not
                // marked as imported and the next run tries again.
                lake.archive_plan(&plan, &file_name, &bytes)
                    .await
                    .map_err(StoreError::Lake)?;
            }
            tx.commit().await?;
            Ok(report)
        })
        .await;
        match outcome {
            Ok(report) => {
                if !dry_run {
                    self.known.insert(source.path, source.hash);
                }
                FileOutcome::Synced(report)
            }
            Err(StoreError::Plan(e)) => FileOutcome::Failed(e.at(&shown)),
            Err(e) => fail(e.to_string()),
        }
    }

    /// Syncs files in order, printing failures and progress to stderr.
    pub async fn files(&mut self, paths: &[PathBuf]) -> Summary {
        let mut summary = Summary::default();
        let started = Instant::now();
        let mut last_progress = Instant::now();
        for (i, path) in paths.iter().enumerate() {
            let outcome = self.file(path).await;
            if let FileOutcome::Failed(message) = &outcome {
                eprintln!("{message}");
            }
            summary.add(&outcome);
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
        summary
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
