//! Revenue targets against what deliverables earned.

use chrono::NaiveDate;
use sqlx::PgPool;

use super::deliverables::{item_columns, ItemRow};
use crate::error::AppError;
use crate::model::panels::{ResultRevenue, RevenuePanel, RevenuePoint};
use crate::server::week::PlanRow;

pub async fn revenue(db: &PgPool, plan: &PlanRow) -> Result<RevenuePanel, AppError> {
    let results = sqlx::query_as!(
        ResultRevenue,
        r#"select r.result_code as code, r.result_text as title,
                  coalesce(r.revenue_target, 0)::float8 as "target!",
                  coalesce((select sum(d.revenue_actual) from deliverables d
                            join rpm_action_items a on a.id = d.action_item_id
                            where a.result_id = r.id), 0)::float8 as "actual!"
           from rpm_results r where r.weekly_plan_id = $1
           order by r.priority nulls last, r.result_code"#,
        plan.id
    )
    .fetch_all(db)
    .await?;
    let (from, to) = (plan.week_start_date, plan.week_end_date);
    let catalog_actual = sqlx::query_scalar!(
        r#"select coalesce(sum(revenue_actual), 0)::float8 as "actual!" from deliverables
           where action_item_id is null and published_at >= $1::date
             and published_at < $2::date + 1"#,
        from as _,
        to as _
    )
    .fetch_one(db)
    .await?;
    let top: Vec<ItemRow> = sqlx::query_as(&format!(
        "select {} from deliverables
         where revenue_actual > 0 and published_at >= $1::date - 49 and published_at < $2::date + 1
         order by revenue_actual desc limit 5",
        item_columns()
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    let trend = sqlx::query_as!(
        RevenuePoint,
        r#"select p.week_start_date as "week_start!: NaiveDate",
                  coalesce((select sum(r.revenue_target) from rpm_results r
                            where r.weekly_plan_id = p.id), 0)::float8 as "target!",
                  coalesce((select sum(d.revenue_actual) from deliverables d
                            where d.published_at >= p.week_start_date
                              and d.published_at < p.week_end_date + 1), 0)::float8 as "actual!"
           from (select * from rpm_weekly_plans where week_start_date <= $1
                 order by week_start_date desc limit 8) p
           order by p.week_start_date"#,
        from as _
    )
    .fetch_all(db)
    .await?;
    let mut panel = RevenuePanel {
        week_start: from,
        results,
        catalog_actual,
        top: top.into_iter().map(ItemRow::item).collect(),
        trend,
        chart: Default::default(),
    };
    panel.chart = crate::server::charts::bars(&crate::model::chart::revenue_trend(&panel));
    Ok(panel)
}
