//! Queries behind the week overview.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{ActionStatus, ActionSummary, FunnelStage, ResultProgress, WeekOverview};

/// A week's plan row.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct PlanRow {
    pub id: Uuid,
    pub week_start_date: NaiveDate,
    pub week_end_date: NaiveDate,
    pub owner: String,
    pub classification: Option<String>,
}

struct ResultRow {
    id: Uuid,
    result_code: String,
    result_text: String,
    purpose: String,
    category: Option<String>,
}

struct ActionRow {
    id: Uuid,
    result_id: Uuid,
    action_code: String,
    action_text: String,
    owner: Option<String>,
    due_date: Option<DateTime<Utc>>,
    funnel_stage: FunnelStage,
    status: ActionStatus,
    carried_from: Option<NaiveDate>,
    carried_to: Option<NaiveDate>,
}

/// The overview of [`current_plan`].
#[tracing::instrument(skip(db), err)]
pub async fn current_week(
    db: &sqlx::PgPool,
    today: NaiveDate,
) -> Result<Option<WeekOverview>, AppError> {
    match plan_once(db, today).await? {
        Some(plan) => Ok(Some(overview(db, plan).await?)),
        None => Ok(None),
    }
}

/// The plans a request has read, by day: the cockpit's page renders the
/// week and five panels, each asking for the same plan. Provided per
/// request (pages and server functions) by the router.
#[derive(Clone, Default, Debug)]
pub struct PlansRead(std::sync::Arc<tokio::sync::Mutex<HashMap<NaiveDate, Option<PlanRow>>>>);

/// [`current_plan`], read once per request: the first caller reads it
/// (the others wait for it), the rest take the copy.
pub async fn plan_once(db: &sqlx::PgPool, today: NaiveDate) -> Result<Option<PlanRow>, AppError> {
    let Some(read) = leptos::prelude::use_context::<PlansRead>() else {
        return current_plan(db, today).await;
    };
    let mut read = read.0.lock().await;
    if let Some(plan) = read.get(&today) {
        return Ok(plan.clone());
    }
    let plan = current_plan(db, today).await?;
    read.insert(today, plan.clone());
    Ok(plan)
}

/// The plan of the week containing `today`; failing that the newest plan
/// that has started; failing that the earliest future one.
pub async fn current_plan(
    db: &sqlx::PgPool,
    today: NaiveDate,
) -> Result<Option<PlanRow>, AppError> {
    // Two index probes; the second runs only when the first finds nothing
    // (no plan has started yet). A union's columns are not known to be
    // non-null: `!` says they are (they are in both tables' rows). Dates
    // and times name their chrono type: sqlx 0.8's macros prefer the `time`
    // crate, which another dependency enables.
    Ok(sqlx::query_as!(
        PlanRow,
        r#"
        (select id as "id!", week_start_date as "week_start_date!: NaiveDate",
                week_end_date as "week_end_date!: NaiveDate", owner as "owner!", classification
         from rpm_weekly_plans where week_start_date <= $1
         order by week_start_date desc limit 1)
        union all
        (select id, week_start_date, week_end_date, owner, classification
         from rpm_weekly_plans where week_start_date > $1
         order by week_start_date asc limit 1)
        limit 1
        "#,
        today as _
    )
    .fetch_optional(db)
    .await?)
}

/// The week of `plan`: its results with their actions.
pub async fn overview(db: &sqlx::PgPool, plan: PlanRow) -> Result<WeekOverview, AppError> {
    let results = results_of(db, plan.id).await?;
    let actions = actions_of(db, plan.id).await?;
    let results = results
        .into_iter()
        .map(|r| ResultProgress {
            actions: actions
                .iter()
                .filter(|a| a.result_id == r.id)
                .map(summary)
                .collect(),
            id: r.id,
            code: r.result_code,
            title: r.result_text,
            purpose: r.purpose,
            category: r.category,
        })
        .collect();
    Ok(WeekOverview {
        plan_id: plan.id,
        week_start: plan.week_start_date,
        week_end: plan.week_end_date,
        owner: plan.owner,
        classification: plan.classification,
        results,
    })
}

async fn results_of(db: impl PgExecutor<'_>, plan_id: Uuid) -> Result<Vec<ResultRow>, AppError> {
    Ok(sqlx::query_as!(
        ResultRow,
        r#"
        select id, result_code, result_text, purpose, category
        from rpm_results
        where weekly_plan_id = $1
        order by priority nulls last, result_code
        "#,
        plan_id
    )
    .fetch_all(db)
    .await?)
}

async fn actions_of(db: impl PgExecutor<'_>, plan_id: Uuid) -> Result<Vec<ActionRow>, AppError> {
    Ok(sqlx::query_as!(
        ActionRow,
        r#"
        select a.id, a.result_id as "result_id!", a.action_code, a.action_text, a.owner,
               a.due_date as "due_date: DateTime<Utc>",
               a.funnel_stage as "funnel_stage: FunnelStage", a.status as "status: ActionStatus",
               rpm_carried_from_week(a.carried_from_id) as "carried_from: NaiveDate",
               rpm_carried_to_week(a.id) as "carried_to: NaiveDate"
        from rpm_action_items a
        join rpm_results r on r.id = a.result_id
        where r.weekly_plan_id = $1
        order by a.due_date nulls last, a.action_code
        "#,
        plan_id
    )
    .fetch_all(db)
    .await?)
}

fn summary(a: &ActionRow) -> ActionSummary {
    ActionSummary {
        id: a.id,
        code: a.action_code.clone(),
        text: a.action_text.clone(),
        owner: a.owner.clone(),
        due_date: a.due_date,
        funnel_stage: a.funnel_stage,
        status: a.status,
        carried_from: a.carried_from,
        carried_to: a.carried_to,
    }
}
