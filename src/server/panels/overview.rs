//! Jesse's completion, velocity and its week-over-week trend.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::panels::{OverviewStats, WeekPoint};
use crate::server::week::PlanRow;

/// Days of the week elapsed at `now`: 1 on its Monday, 7 once it is over.
pub fn elapsed_days(start: NaiveDate, end: NaiveDate, now: DateTime<Utc>) -> i64 {
    let today = now.date_naive().clamp(start, end);
    (today - start).num_days() + 1
}

pub async fn stats(
    db: &PgPool,
    plan: &PlanRow,
    now: DateTime<Utc>,
) -> Result<OverviewStats, AppError> {
    let jesse = sqlx::query!(
        r#"select count(*) filter (where a.status = 'completed') as "completed!", count(*) as "total!"
           from rpm_action_items a join rpm_results r on r.id = a.result_id
           where r.weekly_plan_id = $1 and a.owner ilike 'jesse%' and a.status <> 'cancelled'"#,
        plan.id
    )
    .fetch_one(db)
    .await?;
    let (jesse_completed, jesse_total) = (jesse.completed, jesse.total);
    let weeks = sqlx::query!(
        r#"select p.week_start_date as "start!: NaiveDate", p.week_end_date as "end!: NaiveDate",
                  count(a.id) filter (where a.status = 'completed') as "completed!",
                  count(a.id) filter (where a.status <> 'cancelled') as "total!"
           from (select * from rpm_weekly_plans where week_start_date <= $1
                 order by week_start_date desc limit 8) p
           left join rpm_results r on r.weekly_plan_id = p.id
           left join rpm_action_items a on a.result_id = r.id
           group by p.id, p.week_start_date, p.week_end_date
           order by p.week_start_date"#,
        plan.week_start_date as _
    )
    .fetch_all(db)
    .await?;
    let trend: Vec<WeekPoint> = weeks
        .into_iter()
        .map(|w| WeekPoint {
            week_start: w.start,
            completed: w.completed as u32,
            total: w.total as u32,
            velocity: round1(w.completed as f64 / elapsed_days(w.start, w.end, now) as f64),
        })
        .collect();
    let velocity = trend.last().map_or(0.0, |w| w.velocity);
    Ok(OverviewStats {
        jesse_completed: jesse_completed as u32,
        jesse_total: jesse_total as u32,
        velocity,
        trend,
    })
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
