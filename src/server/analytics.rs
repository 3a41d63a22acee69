//! The analytics of spec 1.2 as PostgreSQL computes them: the functions
//! and snapshots of migration 10 (formulas: docs/metrics.md), read by the
//! cockpit and the API alike, and their hourly refresh.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::analytics::{Period, PlanWeek, StageVelocity, PERIODS};

pub use crate::server::panels::overview::elapsed_days;

/// The seven tables of spec 1.2, as snapshots in schema `rpm_analytics`.
pub const TABLES: [&str; 7] = [
    "action_completion_metrics",
    "revenue_correlation",
    "agent_performance",
    "funnel_velocity",
    "rpm_plan_effectiveness",
    "deliverable_metrics",
    "suno_album_analytics",
];

/// The week starting `week_start`, as of `as_of`.
pub async fn plan_effectiveness(
    db: &PgPool,
    week_start: NaiveDate,
    as_of: DateTime<Utc>,
) -> Result<PlanWeek, AppError> {
    // A function's columns are not known to be non-null: `!` says which are
    // (docs/metrics.md); rates are null for a week with nothing to rate.
    sqlx::query_as!(
        PlanWeek,
        r#"select week_start as "week_start!: NaiveDate", total_results as "total_results!",
                  results_achieved as "results_achieved!", total_actions as "total_actions!",
                  actions_completed as "actions_completed!",
                  on_time_completion_rate::float8 as on_time_completion_rate,
                  jesse_completion_rate::float8 as jesse_completion_rate,
                  team_completion_rate::float8 as team_completion_rate,
                  avg_cycle_time_days::float8 as avg_cycle_time_days,
                  velocity_score::float8 as "velocity_score!"
           from rpm_analytics.rpm_plan_effectiveness_at($2) where week_start = $1"#,
        week_start as _,
        as_of as _
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(|| AppError::NotFound(format!("no plan starts on {week_start}")))
}

/// The three funnel stages of the week starting `week_start`, top first.
pub async fn funnel_velocity(
    db: &PgPool,
    week_start: NaiveDate,
    as_of: DateTime<Utc>,
) -> Result<Vec<StageVelocity>, AppError> {
    Ok(sqlx::query_as!(
        StageVelocity,
        r#"select funnel_stage as "stage!", actions_entered as "actions_entered!",
                  actions_completed as "actions_completed!", actions_blocked as "actions_blocked!",
                  avg_days_in_stage::float8 as avg_days,
                  bottleneck_score::float8 as "bottleneck_score!",
                  completion_rate::float8 as completion_rate
           from rpm_analytics.funnel_velocity_at($2) where week_start = $1
           order by array_position(array['top', 'middle', 'bottom'], funnel_stage)"#,
        week_start as _,
        as_of as _
    )
    .fetch_all(db)
    .await?)
}

/// The newest `count` periods of `kind` that have started by `as_of`,
/// oldest first.
pub async fn periods(
    db: &PgPool,
    kind: &str,
    count: i64,
    as_of: DateTime<Utc>,
) -> Result<Vec<Period>, AppError> {
    if !PERIODS.contains(&kind) {
        return Err(AppError::BadRequest(format!(
            "unknown period {kind:?}; expected one of {}",
            PERIODS.join(", ")
        )));
    }
    Ok(sqlx::query_as!(
        Period,
        r#"select week_start as "week_start!: NaiveDate", period_end as "period_end!: NaiveDate",
                  total_actions as "total_actions!", completed_actions as "completed_actions!",
                  completion_rate, velocity_score as "velocity_score!",
                  revenue_target as "revenue_target!", revenue_actual as "revenue_actual!",
                  jesse_completion_rate
           from (
               select period_start as week_start, period_end, total_actions, completed_actions,
                      completion_rate::float8 as completion_rate,
                      velocity_score::float8 as velocity_score,
                      revenue_target::float8 as revenue_target,
                      revenue_actual::float8 as revenue_actual,
                      jesse_completion_rate::float8 as jesse_completion_rate
               from rpm_analytics.dna_periods_at($1, $3)
               where period_start <= rpm_analytics.utc_day($3)
               order by period_start desc limit $2) p
           order by week_start"#,
        kind,
        count,
        as_of as _
    )
    .fetch_all(db)
    .await?)
}

/// Refreshes the snapshots and rolls `rpm_dna_periods` up; returns how
/// long it took.
pub async fn refresh(db: &PgPool) -> Result<Duration, AppError> {
    let started = Instant::now();
    let mut tx = db.begin().await?;
    refresh_in(&mut tx).await?;
    tx.commit().await?;
    Ok(started.elapsed())
}

/// The refresh itself, in the caller's transaction: a background job, so
/// the per-connection statement timeout (meant for requests) is lifted.
async fn refresh_in(tx: &mut sqlx::PgConnection) -> Result<(), AppError> {
    sqlx::query!("set local statement_timeout = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("select rpm_analytics.refresh()")
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into rpm_analytics.refresh_state (id, refreshed_at) values (1, now())
         on conflict (id) do update set refreshed_at = excluded.refreshed_at"
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The scheduled refresh of one instance among several: skipped (`None`)
/// while another instance refreshes, or when one did within the last half
/// interval.
pub async fn scheduled_refresh(db: &PgPool, every: Duration) -> Result<Option<Duration>, AppError> {
    let started = Instant::now();
    let mut tx = db.begin().await?;
    let mine = sqlx::query_scalar!(r#"select pg_try_advisory_xact_lock(7172003) as "mine!""#)
        .fetch_one(&mut *tx)
        .await?;
    if !mine {
        return Ok(None);
    }
    let recent = sqlx::query_scalar!(
        r#"select exists (select 1 from rpm_analytics.refresh_state
                          where refreshed_at > now() - make_interval(secs => $1)) as "recent!""#,
        every.as_secs_f64() / 2.0
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent {
        return Ok(None);
    }
    refresh_in(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(started.elapsed()))
}

/// Refreshes every `every` (the first time `every` after start) for as
/// long as the server runs.
pub fn spawn_refresh(db: PgPool, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            match scheduled_refresh(&db, every).await {
                Ok(Some(took)) => {
                    tracing::info!(ms = took.as_millis() as u64, "analytics refreshed");
                }
                Ok(None) => tracing::debug!("analytics refreshed by another instance"),
                Err(e) => {
                    tracing::warn!(error = %e, "analytics refresh failed; next try in an hour");
                }
            }
        }
    });
}
