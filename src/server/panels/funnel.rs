//! Actions per funnel stage, days per stage, the bottleneck: the week's
//! rows of `rpm_analytics.funnel_velocity` (docs/metrics.md), with the
//! owners holding most of each stage's open actions.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::panels::{FunnelPanel, StageStats};
use crate::model::FunnelStage;
use crate::server::week::PlanRow;

/// stage, actions, completed, blocked, average days, bottleneck score,
/// busiest owners.
type Row = (FunnelStage, i64, i64, i64, Option<f64>, f64, Vec<String>);

pub async fn funnel(
    db: &PgPool,
    plan: &PlanRow,
    now: DateTime<Utc>,
) -> Result<FunnelPanel, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select f.funnel_stage, f.actions_entered, f.actions_completed, f.actions_blocked,
                f.avg_days_in_stage, f.bottleneck_score,
                coalesce((select array_agg(owner order by n desc, owner) from (
                    select a.owner, count(*) n
                    from rpm_action_items a join rpm_results r on r.id = a.result_id
                    where r.weekly_plan_id = $1 and a.funnel_stage = f.funnel_stage
                      and a.status in ('pending', 'in_progress', 'blocked') and a.owner is not null
                    group by a.owner order by n desc, a.owner limit 2) t), '{}')
         from rpm_analytics.funnel_velocity_at($2) f
         where f.week_start = $3
         order by array_position(array['top', 'middle', 'bottom'], f.funnel_stage)",
    )
    .bind(plan.id)
    .bind(now)
    .bind(plan.week_start_date)
    .fetch_all(db)
    .await?;
    let stages = rows
        .into_iter()
        .map(
            |(stage, actions, completed, blocked, avg_days, bottleneck_score, owners)| {
                Ok(StageStats {
                    stage,
                    actions: actions as u32,
                    completed: completed as u32,
                    blocked: blocked as u32,
                    avg_days,
                    bottleneck_score,
                    busiest_owners: owners,
                })
            },
        )
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(FunnelPanel { stages })
}
