//! The demo data set (demo/, written by scripts/gen-plans.py), loaded
//! through the importer on a first start. The files are dated around
//! [`DEMO_NOW`]; plans move by whole weeks so that the last demo week is the
//! current one, and heartbeats and publication times move by the exact
//! distance to now.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::catalog::{import_file, Kind};
use super::files::json_files;
use super::{plan_files, Lake, PlanSync};

/// The moment the demo files were written for.
pub const DEMO_NOW: &str = "2026-11-20T15:00:00Z";

/// Monday of the week containing a day (the parser's rule).
pub use crate::server::plan::values::monday_of as week_start;

/// Loads the demo set unless a plan exists; whether it did. Concurrent
/// first starts load it once.
pub async fn load_demo_if_empty(
    pool: &PgPool,
    dir: &Path,
    lake: Option<Lake>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let mut lock = pool.acquire().await?;
    sqlx::query!("select pg_advisory_lock(7172001)")
        .execute(&mut *lock)
        .await?;
    let loaded = load(pool, dir, lake, now).await;
    sqlx::query_scalar!("select pg_advisory_unlock(7172001)")
        .fetch_one(&mut *lock)
        .await?;
    loaded
}

async fn load(
    pool: &PgPool,
    dir: &Path,
    lake: Option<Lake>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let has_plan =
        sqlx::query_scalar!(r#"select exists(select 1 from rpm_weekly_plans) as "any!""#)
            .fetch_one(pool)
            .await?;
    if has_plan {
        return Ok(false);
    }
    let demo_now: DateTime<Utc> = DEMO_NOW.parse().expect("DEMO_NOW is a valid instant");
    let weeks = (week_start(now.date_naive()) - week_start(demo_now.date_naive())).num_weeks();
    let plans = plan_files(&dir.join("plans"))
        .with_context(|| format!("reading the demo plans in {}", dir.display()))?;
    let mut sync = PlanSync::new(pool.clone(), lake, false).await?;
    sync.shift_weeks = weeks;
    sync.adjust = Some(Box::new(move |plan| as_of(plan, now)));
    let summary = sync.files(&plans).await;
    anyhow::ensure!(
        summary.files_failed == 0,
        "{} demo plan(s) failed to load",
        summary.files_failed
    );
    let shift = now - demo_now;
    let jobs = json_files(&dir.join("agents"))?
        .into_iter()
        .map(|p| (Kind::Agents, p))
        .chain([
            (Kind::Songs, dir.join("songs.json")),
            (Kind::Deliverables, dir.join("deliverables.json")),
        ]);
    for (kind, path) in jobs {
        import_file(pool, kind, &path, shift, false).await?;
    }
    load_users(pool, &dir.join("users.json")).await?;
    tracing::info!(
        plans = summary.files,
        actions = summary.actions.inserted,
        "loaded the demo data set"
    );
    Ok(true)
}

/// The demo files are written as of a Friday afternoon ([`DEMO_NOW`]);
/// loaded earlier in the week, what they record after `now` has not
/// happened yet. Such an action is still in progress: no completion, no
/// actual hours, no evidence.
pub fn as_of(plan: &mut crate::server::plan::PlanDoc, now: DateTime<Utc>) {
    use crate::model::ActionStatus;
    for r in &mut plan.results {
        for a in &mut r.actions {
            if a.completed_at.is_some_and(|at| at > now) {
                a.status = ActionStatus::InProgress;
                a.completed_at = None;
                a.actual_hours = None;
                a.evidence = None;
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct DemoUser {
    email: String,
    display_name: String,
    role: String,
    owner_name: Option<String>,
}

/// The demo people (for the local demo sign-in); someone already invited
/// keeps their role.
async fn load_users(pool: &PgPool, path: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let people: Vec<DemoUser> =
        serde_json::from_str(&text).with_context(|| format!("in {}", path.display()))?;
    for p in people {
        let role = crate::model::Role::parse(&p.role)?;
        sqlx::query!(
            "insert into users (email, display_name, role, owner_name) values ($1, $2, $3, $4)
             on conflict (lower(email)) do nothing",
            &p.email,
            &p.display_name,
            role as _,
            p.owner_name.as_deref()
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
