//! `GET /api/v1/analytics/funnel-velocity?week_start=` and
//! `/analytics/completion-trends?period=weekly&weeks=` (spec 2.4).

use axum::extract::State;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::{bounded, Params};
use super::revenue::{plan_for, WeekQuery};
use crate::model::analytics::{bottleneck, Period, StageVelocity};
use crate::model::kinds::Scope;
use crate::server::analytics;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FunnelVelocity {
    pub week_start: NaiveDate,
    /// top, middle, bottom.
    pub funnel_stages: Vec<StageVelocity>,
    /// The stage with the highest bottleneck score, if any is open.
    pub bottleneck: Option<String>,
}

/// Actions entered and completed per funnel stage, days in stage and the
/// bottleneck of a week (the current one when `week_start` is left out).
#[utoipa::path(get, path = "/analytics/funnel-velocity", tag = "analytics",
    security(("bearer" = [])), params(WeekQuery),
    responses(
        (status = 200, body = FunnelVelocity),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn funnel_velocity(
    token: Bearer,
    State(db): State<PgPool>,
    Params(q): Params<WeekQuery>,
) -> Result<Json<FunnelVelocity>, ApiError> {
    token.require(Scope::Read)?;
    let plan = plan_for(&db, q.week_start).await?;
    let stages = analytics::funnel_velocity(&db, plan.week_start_date, Utc::now()).await?;
    Ok(Json(FunnelVelocity {
        week_start: plan.week_start_date,
        bottleneck: bottleneck(&stages).map(|s| s.stage.clone()),
        funnel_stages: stages,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// daily, weekly (the plans' weeks, the default), monthly or quarterly.
    #[param(pattern = "^(daily|weekly|monthly|quarterly)$")]
    pub period: Option<String>,
    /// How many periods, newest last; default 8.
    #[param(minimum = 1, maximum = 156)]
    pub weeks: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletionTrends {
    pub period: String,
    /// Oldest first.
    pub weeks: Vec<Period>,
}

/// Completion and velocity over the last periods.
#[utoipa::path(get, path = "/analytics/completion-trends", tag = "analytics",
    security(("bearer" = [])), params(TrendQuery),
    responses(
        (status = 200, body = CompletionTrends),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn completion_trends(
    token: Bearer,
    State(db): State<PgPool>,
    Params(q): Params<TrendQuery>,
) -> Result<Json<CompletionTrends>, ApiError> {
    token.require(Scope::Read)?;
    let count = bounded("weeks", q.weeks, 8, 1, 156)?;
    let period = q.period.unwrap_or_else(|| "weekly".into());
    let weeks = analytics::periods(&db, &period, count, Utc::now()).await?;
    Ok(Json(CompletionTrends { period, weeks }))
}
