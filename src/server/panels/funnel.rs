//! Actions per funnel stage, days per stage, the bottleneck: the week's
//! rows of `rpm_analytics.funnel_velocity` (docs/metrics.md), with the
//! owners holding most of each stage's open actions.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::panels::{FunnelPanel, StageStats};
use crate::model::FunnelStage;
use crate::server::week::PlanRow;

pub async fn funnel(
    db: &PgPool,
    plan: &PlanRow,
    now: DateTime<Utc>,
) -> Result<FunnelPanel, AppError> {
    // A set-returning function's columns are not known to be non-null:
    // `!` says which are.
    let rows = sqlx::query!(
        r#"select f.funnel_stage as "stage!: FunnelStage", f.actions_entered as "actions!",
                  f.actions_completed as "completed!", f.actions_blocked as "blocked!",
                  f.avg_days_in_stage::float8 as avg_days, f.bottleneck_score::float8 as "bottleneck_score!",
                  coalesce((select array_agg(owner order by n desc, owner) from (
                      select a.owner, count(*) n
                      from rpm_action_items a join rpm_results r on r.id = a.result_id
                      where r.weekly_plan_id = $1 and a.funnel_stage = f.funnel_stage
                        and a.status in ('pending', 'in_progress', 'blocked') and a.owner is not null
                      group by a.owner order by n desc, a.owner limit 2) t), '{}') as "owners!"
           from rpm_analytics.funnel_velocity_at($2) f
           where f.week_start = $3
           order by array_position(array['top', 'middle', 'bottom'], f.funnel_stage)"#,
        plan.id,
        now as _,
        plan.week_start_date as _
    )
    .fetch_all(db)
    .await?;
    let stages = rows
        .into_iter()
        .map(|r| StageStats {
            stage: r.stage,
            actions: r.actions as u32,
            completed: r.completed as u32,
            blocked: r.blocked as u32,
            avg_days: r.avg_days,
            bottleneck_score: r.bottleneck_score,
            busiest_owners: r.owners,
        })
        .collect();
    let mut panel = FunnelPanel {
        stages,
        chart: Default::default(),
    };
    panel.chart = crate::server::charts::funnel(&panel);
    Ok(panel)
}
