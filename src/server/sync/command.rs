//! `rpm-cockpit sync`: the command line of the importer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use clap::Args;
use sqlx::PgPool;

use super::catalog::{import_file, Kind};
use super::files::json_files;
use super::report::{FileOutcome, Summary};
use super::{plan_files, Lake, PlanSync};
use crate::server::settings::Settings;

/// Import weekly plans (markdown) and agent snapshots, songs and
/// deliverables (JSON) into the database, and archive the plans in the data
/// lake. Idempotent: unchanged files write nothing. Each file is one
/// transaction; a bad file is reported as `file:line: reason` and the others
/// still sync. The exit status is 1 when any file failed.
///
/// With no file or directory given, syncs every plan under `plans_dir`
/// (Leptos.toml). The plan format is described in docs/plan-format.md.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// A plan file to sync (may be repeated).
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Sync every `*.md` plan under DIR, recursively.
    #[arg(long, value_name = "DIR")]
    pub all: Option<PathBuf>,
    /// Agent snapshot JSON: a file, or a directory of `*.json` files.
    #[arg(long, value_name = "PATH")]
    pub agents: Vec<PathBuf>,
    /// Song catalog JSON file(s).
    #[arg(long, value_name = "FILE")]
    pub songs: Vec<PathBuf>,
    /// Deliverables JSON file(s).
    #[arg(long, value_name = "FILE")]
    pub deliverables: Vec<PathBuf>,
    /// Print what would be inserted, updated, left unchanged and removed;
    /// change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep running: re-sync when a file changes, and every
    /// `sync_interval_minutes` (Leptos.toml) in any case.
    #[arg(long)]
    pub watch: bool,
    /// Re-read every plan even when its content hash is unchanged (after a
    /// manual edit of the database, say). Rows that match are still not
    /// written.
    #[arg(long)]
    pub force: bool,
    /// Do not archive plans in the data lake (local sync only: with --to
    /// the deployed cockpit archives into its own lake).
    #[arg(long, conflicts_with = "to")]
    pub no_lake: bool,
    /// Treat warnings as errors: a plan with anything the importer would
    /// skip is refused.
    #[arg(long)]
    pub strict: bool,
    /// Send the files to the deployed cockpit at URL (e.g.
    /// https://heritage.com/cockpit) instead of writing to a database: the
    /// server imports them with these same rules. Needs a token with the
    /// `sync` scope, from RPM_SYNC_TOKEN or --token-file.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// With --to: the file holding the token, readable by its owner only
    /// (default ~/.config/rpm-cockpit/sync-token). Never on the command
    /// line.
    #[arg(long, value_name = "FILE", requires = "to")]
    pub token_file: Option<PathBuf>,
}

impl SyncArgs {
    /// The folder plans are found in, when one is named (or implied).
    pub fn plans_root(&self, settings: &Settings) -> Option<PathBuf> {
        let nothing_named = self.files.is_empty()
            && self.all.is_none()
            && self.agents.is_empty()
            && self.songs.is_empty()
            && self.deliverables.is_empty();
        match (&self.all, nothing_named) {
            (Some(dir), _) => Some(dir.clone()),
            (None, true) => Some(settings.plans_dir.clone()),
            (None, false) => None,
        }
    }

    pub fn plan_paths(&self, settings: &Settings) -> std::io::Result<Vec<PathBuf>> {
        let mut paths = self.files.clone();
        if let Some(dir) = self.plans_root(settings) {
            paths.extend(plan_files(&dir).map_err(|e| {
                std::io::Error::new(e.kind(), format!("reading {}: {e}", dir.display()))
            })?);
        }
        Ok(paths)
    }

    pub fn json_paths(&self) -> std::io::Result<Vec<(Kind, PathBuf)>> {
        let mut out = Vec::new();
        for p in &self.agents {
            if p.is_dir() {
                out.extend(json_files(p)?.into_iter().map(|f| (Kind::Agents, f)));
            } else {
                out.push((Kind::Agents, p.clone()));
            }
        }
        out.extend(self.songs.iter().map(|p| (Kind::Songs, p.clone())));
        out.extend(
            self.deliverables
                .iter()
                .map(|p| (Kind::Deliverables, p.clone())),
        );
        Ok(out)
    }
}

/// Runs the command against an open pool.
pub async fn run(settings: &Settings, pool: &PgPool, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let lake = if args.no_lake || args.dry_run {
        None
    } else {
        Some(Lake::open(
            &settings.object_store_url,
            &settings.data_dir.join("lake"),
        )?)
    };
    let mut plans = PlanSync::new(pool.clone(), lake.clone(), args.dry_run).await?;
    plans.force = args.force;
    plans.strict = args.strict;
    // Taken before each pass: a file changed during a pass triggers the next.
    let mut seen = fingerprint(args, settings);
    let mut failed = pass(pool, &mut plans, lake.as_ref(), args, settings).await?;
    if !args.watch {
        return Ok(exit_code(failed));
    }
    let interval = Duration::from_secs(settings.sync_interval_minutes * 60);
    loop {
        let since = Instant::now();
        eprintln!(
            "watching for changes (full re-sync every {} min; Ctrl-C stops)",
            settings.sync_interval_minutes
        );
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(exit_code(failed)),
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            if since.elapsed() >= interval || fingerprint(args, settings) != seen {
                break;
            }
        }
        seen = fingerprint(args, settings);
        failed = pass(pool, &mut plans, lake.as_ref(), args, settings).await?;
    }
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One pass over everything named; whether anything failed.
async fn pass(
    pool: &PgPool,
    plans: &mut PlanSync,
    lake: Option<&Lake>,
    args: &SyncArgs,
    settings: &Settings,
) -> anyhow::Result<bool> {
    let started = Instant::now();
    let paths = args.plan_paths(settings)?;
    let mut summary = Summary::default();
    for path in &paths {
        let result = plans.file(path).await;
        for message in result.messages() {
            eprintln!("{message}");
        }
        match &result.outcome {
            FileOutcome::Failed => eprintln!(
                "{}: refused ({} error(s)); nothing of it was written",
                path.display(),
                result.errors.len()
            ),
            FileOutcome::Synced(r) if args.dry_run || paths.len() <= 20 => println!(
                "{} (week of {}): results {}; actions {}{}",
                path.display(),
                r.week_start,
                r.results,
                r.actions,
                match result.warnings.len() {
                    0 => String::new(),
                    n => format!("; {n} warning(s)"),
                }
            ),
            _ => {}
        }
        summary.add(&result);
        if summary.files % 100 == 0 && paths.len() > 100 {
            eprintln!("… {}/{} plan files", summary.files, paths.len());
        }
    }
    if let Err(e) = plans.flush_status().await {
        tracing::warn!(error = %e, "could not record the sync status");
    }
    let verb = if args.dry_run { "would be" } else { "" };
    if !paths.is_empty() {
        println!(
            "{summary}{}",
            if args.dry_run {
                "\n(dry run: nothing was changed)"
            } else {
                ""
            }
        );
    }
    let mut failed = summary.files_failed > 0;
    for (kind, path) in args.json_paths()? {
        match import_file(pool, kind, &path, chrono::Duration::zero(), args.dry_run).await {
            Ok(c) => {
                println!("{}: {kind:?} {verb} {c}", path.display());
                // Every agent sync is kept as a snapshot (spec 1.3).
                if let (Kind::Agents, Some(lake)) = (kind, lake) {
                    if let Err(e) = snapshot(lake, &path).await {
                        eprintln!("{}: {e:#}", path.display());
                        failed = true;
                    }
                }
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    println!("sync finished in {:.2} s", started.elapsed().as_secs_f64());
    Ok(failed)
}

/// Copies an imported agent file to
/// `agent-status/snapshots/YYYY/MM/DD/HH-MM-SS_<name>.json`.
async fn snapshot(lake: &Lake, path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "agents.json".into());
    lake.archive_agent_snapshot(chrono::Utc::now(), &name, bytes)
        .await
        .map(|_| ())
}

/// Modification times and sizes of everything watched.
pub fn fingerprint(args: &SyncArgs, settings: &Settings) -> HashMap<PathBuf, (SystemTime, u64)> {
    let mut paths = args.plan_paths(settings).unwrap_or_default();
    paths.extend(
        args.json_paths()
            .unwrap_or_default()
            .into_iter()
            .map(|(_, p)| p),
    );
    paths
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::metadata(Path::new(&p)).ok()?;
            Some((p, (meta.modified().ok()?, meta.len())))
        })
        .collect()
}
