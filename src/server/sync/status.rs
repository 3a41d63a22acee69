//! The sync status of each plan file (the hand-off's "record sync status"
//! step): when it was last synced, its content hash, the outcome, and its
//! warnings and errors with their lines. Read by the admin page and
//! `GET /api/v1/sync/status`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool};

pub use crate::model::sync::SyncFile;
use crate::model::sync::SyncNote;
use crate::server::plan::Diagnostic;

/// One file's outcome, to be recorded.
#[derive(Debug, Clone)]
pub struct FileStatus {
    /// Absolute path, as stored in `rpm_weekly_plans.source_path`.
    pub path: String,
    pub hash: String,
    /// imported, unchanged, refused (the file is wrong) or failed (the
    /// database or the lake failed).
    pub outcome: &'static str,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
}

/// Writes a batch of outcomes in one statement. An unchanged file keeps
/// the warnings and errors of the import that read it.
pub async fn record(pool: &PgPool, statuses: &[FileStatus]) -> sqlx::Result<()> {
    if statuses.is_empty() {
        return Ok(());
    }
    let json = |list: &[Diagnostic]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    let paths: Vec<&str> = statuses.iter().map(|s| s.path.as_str()).collect();
    let hashes: Vec<&str> = statuses.iter().map(|s| s.hash.as_str()).collect();
    let outcomes: Vec<&str> = statuses.iter().map(|s| s.outcome).collect();
    let warnings: Vec<String> = statuses.iter().map(|s| json(&s.warnings)).collect();
    let errors: Vec<String> = statuses.iter().map(|s| json(&s.errors)).collect();
    sqlx::query!(
        "insert into plan_sync_status as s
             (source_path, synced_at, content_hash, outcome, warnings, errors, imported_at)
         select u.path, now(), u.hash, u.outcome, u.warnings::jsonb, u.errors::jsonb,
                case when u.outcome = 'imported' then now() end
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
              as u(path, hash, outcome, warnings, errors)
         on conflict (source_path) do update set
             synced_at = excluded.synced_at,
             content_hash = excluded.content_hash,
             outcome = excluded.outcome,
             -- Unchanged: the warnings of the import that read these bytes.
             warnings = case when excluded.outcome = 'unchanged'
                              and s.content_hash = excluded.content_hash then s.warnings
                             else excluded.warnings end,
             errors = case when excluded.outcome = 'unchanged'
                            and s.content_hash = excluded.content_hash then s.errors
                           else excluded.errors end,
             imported_at = coalesce(excluded.imported_at, s.imported_at)",
        &paths as _,
        &hashes as _,
        &outcomes as _,
        &warnings as _,
        &errors as _
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Every file's status: refused or failed first, then those with warnings, then by path.
pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<SyncFile>> {
    use sqlx::types::Json;
    let rows = sqlx::query!(
        r#"select s.source_path, s.synced_at as "synced_at: DateTime<Utc>", s.content_hash,
                  s.outcome, p.week_start_date as "week_start?: NaiveDate",
                  s.imported_at as "imported_at: DateTime<Utc>",
                  s.warnings as "warnings: Json<Vec<SyncNote>>",
                  s.errors as "errors: Json<Vec<SyncNote>>"
           from plan_sync_status s
           left join rpm_weekly_plans p on p.source_path = s.source_path
           order by s.outcome not in ('refused', 'failed'), jsonb_array_length(s.warnings) = 0,
                    s.source_path"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SyncFile {
            source_path: r.source_path,
            synced_at: r.synced_at,
            content_hash: r.content_hash,
            outcome: r.outcome,
            week_start: r.week_start,
            imported_at: r.imported_at,
            warnings: r.warnings.0,
            errors: r.errors.0,
        })
        .collect())
}
