//! `GET /api/v1/rpm/current-week` and `/rpm/action-items` (spec 2.4).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, QueryBuilder};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::{bounded, Params};
use crate::model::analytics::forecast_percent;
use crate::model::kinds::Scope;
use crate::model::{ActionStatus, FunnelStage};
use crate::server::analytics;
use crate::server::live::hub::newest_id;
use crate::server::week::current_plan;
use crate::server::week_cache::{Encoding, WeekCache};

/// An action item as the API shows it.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct ActionItem {
    pub id: Uuid,
    pub action_code: String,
    pub action_text: String,
    pub result_code: String,
    pub week_start: NaiveDate,
    pub owner: Option<String>,
    pub due_date: Option<DateTime<Utc>>,
    /// top, middle or bottom.
    pub funnel_stage: String,
    /// pending, in_progress, blocked, completed, deferred or cancelled.
    pub status: String,
    pub completion_date: Option<DateTime<Utc>>,
    pub estimated_hours: Option<f64>,
    pub actual_hours: Option<f64>,
    /// Action codes this one waits for.
    #[schema(value_type = Option<Vec<String>>)]
    pub dependencies: Option<serde_json::Value>,
    pub blocker_description: Option<String>,
    pub evidence_path: Option<String>,
    /// 1 (highest) to 5 (lowest); null is normal priority.
    pub priority: Option<i16>,
    /// The day it is planned to be worked on.
    pub scheduled_date: Option<NaiveDate>,
    /// The day it can start.
    pub start_date: Option<NaiveDate>,
    /// The week it was carried from (the same code, unfinished there).
    pub carried_from_week: Option<NaiveDate>,
    /// The week it was carried to: this row keeps the state its own week
    /// left it in, and changes are made on the later one.
    pub carried_to_week: Option<NaiveDate>,
    /// Send it back with a change to make the change conditional.
    pub version: i32,
}

const ACTION_SELECT: &str = "select a.id, a.action_code, a.action_text, r.result_code,
        p.week_start_date as week_start, a.owner, a.due_date, a.funnel_stage, a.status,
        a.completion_date, a.estimated_hours::float8 as estimated_hours,
        a.actual_hours::float8 as actual_hours, a.dependencies, a.blocker_description,
        a.evidence_path, a.priority, a.scheduled_date, a.start_date,
        rpm_carried_from_week(a.carried_from_id) as carried_from_week,
        rpm_carried_to_week(a.id) as carried_to_week,
        a.version
    from rpm_action_items a
    join rpm_results r on r.id = a.result_id
    join rpm_weekly_plans p on p.id = r.weekly_plan_id";

/// A result of the week with its progress.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct ResultItem {
    pub id: Uuid,
    pub result_code: String,
    pub result_text: String,
    /// Why it matters.
    pub purpose: String,
    pub category: Option<String>,
    pub actions_total: i64,
    pub actions_completed: i64,
    /// Percent, null without actions.
    pub completion_rate: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CurrentWeek {
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub owner: String,
    pub classification: Option<String>,
    /// Completed / all actions but the cancelled ones, in percent (null
    /// without actions).
    pub completion_rate: Option<f64>,
    pub actions_total: i64,
    pub actions_completed: i64,
    /// Jesse's own completion, in percent.
    pub jesse_completion_rate: Option<f64>,
    /// Actions completed per elapsed day.
    pub velocity_score: f64,
    /// Completion expected by the week's end at the current velocity.
    pub forecast_completion_rate: Option<f64>,
    pub results: Vec<ResultItem>,
    pub actions: Vec<ActionItem>,
}

/// The plan of the current week: its results, every action, completion,
/// velocity and the forecast.
#[utoipa::path(get, path = "/rpm/current-week", tag = "rpm",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CurrentWeek),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "no plan imported yet", body = ErrorBody)))]
pub async fn current_week(
    token: Bearer,
    State(db): State<PgPool>,
    State(cache): State<Arc<WeekCache>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    token.require(Scope::Read)?;
    let event = newest_id(&db).await?;
    let accept = headers.get(header::ACCEPT_ENCODING);
    let encoding = Encoding::negotiate(accept.and_then(|v| v.to_str().ok()));
    let body = cache
        .get_or_build(event, encoding, || async {
            let week = build_current_week(&db, Utc::now()).await?;
            serde_json::to_vec(&week).map(Bytes::from).map_err(|_| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "could not encode the week",
                )
            })
        })
        .await?;
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(name) = encoding.header() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    Ok(response)
}

async fn build_current_week(db: &PgPool, now: DateTime<Utc>) -> Result<CurrentWeek, ApiError> {
    let plan = current_plan(db, now.date_naive())
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no plan has been imported yet"))?;
    let results = sqlx::query_as!(
        ResultItem,
        r#"select r.id, r.result_code, r.result_text, r.purpose, r.category,
                  count(a.id) filter (where a.status <> 'cancelled') as "actions_total!",
                  count(a.id) filter (where a.status = 'completed') as "actions_completed!",
                  rpm_analytics.pct(count(a.id) filter (where a.status = 'completed'),
                                    count(a.id) filter (where a.status <> 'cancelled'))::float8
                      as completion_rate
           from rpm_results r left join rpm_action_items a on a.result_id = r.id
           where r.weekly_plan_id = $1
           group by r.id order by r.priority nulls last, r.result_code"#,
        plan.id
    )
    .fetch_all(db)
    .await?;
    let actions: Vec<ActionItem> = sqlx::query_as(&format!(
        "{ACTION_SELECT} where r.weekly_plan_id = $1
         order by a.due_date nulls last, a.action_code"
    ))
    .bind(plan.id)
    .fetch_all(db)
    .await?;
    let week = analytics::plan_effectiveness(db, plan.week_start_date, now).await?;
    let elapsed = analytics::elapsed_days(plan.week_start_date, plan.week_end_date, now);
    let days = (plan.week_end_date - plan.week_start_date).num_days() + 1;
    Ok(CurrentWeek {
        week_start: plan.week_start_date,
        week_end: plan.week_end_date,
        owner: plan.owner,
        classification: plan.classification,
        completion_rate: week.completion_rate(),
        actions_total: week.total_actions,
        actions_completed: week.actions_completed,
        jesse_completion_rate: week.jesse_completion_rate,
        velocity_score: week.velocity_score,
        forecast_completion_rate: forecast_percent(
            week.actions_completed,
            week.total_actions,
            elapsed,
            days,
        ),
        results,
        actions,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    #[param(value_type = Option<ActionStatus>)]
    pub status: Option<String>,
    /// Exactly as in the plan, e.g. `Jesse`.
    pub owner: Option<String>,
    #[param(value_type = Option<FunnelStage>)]
    pub funnel_stage: Option<String>,
    /// Only the plan of the week starting that day.
    pub week_start: Option<NaiveDate>,
    /// Default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionPage {
    /// Newest due date first.
    pub actions: Vec<ActionItem>,
    pub limit: i64,
    pub offset: i64,
    /// The offset of the next page, null on the last.
    pub next_offset: Option<i64>,
}

/// Action items of every week (or of one), filtered, a page at a time.
#[utoipa::path(get, path = "/rpm/action-items", tag = "rpm",
    security(("bearer" = [])), params(ActionQuery),
    responses(
        (status = 200, body = ActionPage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn action_items(
    token: Bearer,
    State(db): State<PgPool>,
    Params(q): Params<ActionQuery>,
) -> Result<Json<ActionPage>, ApiError> {
    token.require(Scope::Read)?;
    let status = q.status.as_deref().map(ActionStatus::parse).transpose()?;
    let stage = q
        .funnel_stage
        .as_deref()
        .map(FunnelStage::parse)
        .transpose()?;
    let limit = bounded("limit", q.limit, 50, 1, 500)?;
    let offset = bounded("offset", q.offset, 0, 0, 1_000_000)?;
    let mut sql = QueryBuilder::new(ACTION_SELECT);
    sql.push(" where true");
    if let Some(s) = status {
        sql.push(" and a.status = ").push_bind(s.as_str());
    }
    if let Some(o) = &q.owner {
        sql.push(" and a.owner = ").push_bind(o);
    }
    if let Some(s) = stage {
        sql.push(" and a.funnel_stage = ").push_bind(s.as_str());
    }
    if let Some(w) = q.week_start {
        sql.push(" and p.week_start_date = ").push_bind(w);
    }
    sql.push(" order by a.due_date desc nulls last, a.action_code, a.id limit ")
        .push_bind(limit + 1)
        .push(" offset ")
        .push_bind(offset);
    let mut actions: Vec<ActionItem> = sql.build_query_as().fetch_all(&db).await?;
    let more = actions.len() as i64 > limit;
    actions.truncate(limit as usize);
    Ok(Json(ActionPage {
        actions,
        limit,
        offset,
        next_offset: more.then_some(offset + limit),
    }))
}
