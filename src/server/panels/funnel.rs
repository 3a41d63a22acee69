//! Actions per funnel stage, days per stage, the bottleneck.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::overview::round1;
use crate::error::AppError;
use crate::model::panels::{FunnelPanel, StageStats};
use crate::model::FunnelStage;
use crate::server::week::PlanRow;

/// stage, actions, completed, blocked, average days, busiest owners.
type Row = (String, i64, i64, i64, Option<f64>, Vec<String>);

pub async fn funnel(
    db: &PgPool,
    plan: &PlanRow,
    now: DateTime<Utc>,
) -> Result<FunnelPanel, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "with a as (
            select a.funnel_stage, a.status, a.owner,
                   extract(epoch from least(coalesce(a.completion_date, $2), $2)
                                      - $3::date::timestamptz) / 86400.0 as days
            from rpm_action_items a join rpm_results r on r.id = a.result_id
            where r.weekly_plan_id = $1)
         select s.stage, count(a.status), count(*) filter (where a.status = 'completed'),
                count(*) filter (where a.status = 'blocked'),
                avg(greatest(a.days, 0))::float8,
                coalesce((select array_agg(owner order by n desc, owner) from (
                    select o.owner, count(*) n from a o
                    where o.funnel_stage = s.stage and o.status <> 'completed' and o.owner is not null
                    group by o.owner order by n desc, o.owner limit 2) t), '{}')
         from unnest(array['top', 'middle', 'bottom']) with ordinality s(stage, i)
         left join a on a.funnel_stage = s.stage
         group by s.stage, s.i order by s.i",
    )
    .bind(plan.id)
    .bind(now)
    .bind(plan.week_start_date)
    .fetch_all(db)
    .await?;
    let stages = rows
        .into_iter()
        .map(|(stage, actions, completed, blocked, avg_days, owners)| {
            Ok(StageStats {
                stage: FunnelStage::parse(&stage)?,
                actions: actions as u32,
                completed: completed as u32,
                blocked: blocked as u32,
                avg_days: avg_days.map(round1),
                busiest_owners: owners,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(FunnelPanel { stages })
}
