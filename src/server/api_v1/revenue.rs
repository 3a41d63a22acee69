//! `GET /api/v1/rpm/revenue-summary?week_start=` (spec 2.4): the same
//! numbers as the cockpit's revenue panel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::deliverables::Deliverable;
use super::error::{ApiError, ErrorBody};
use super::params::Params;
use crate::model::kinds::Scope;
use crate::model::panels::RevenuePoint;
use crate::server::panels::revenue::revenue;
use crate::server::week::{current_plan, PlanRow};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// The first day of a planned week; the current week when left out.
    pub week_start: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResultRevenue {
    pub result_code: String,
    pub result_text: String,
    pub revenue_target: f64,
    pub revenue_actual: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WeekRevenue {
    pub week_start: NaiveDate,
    pub revenue_target: f64,
    pub revenue_actual: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevenueSummary {
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    /// Sum of the results' targets.
    pub revenue_target: f64,
    /// Earned by the results' deliverables plus catalog items published
    /// in the week.
    pub revenue_actual: f64,
    /// Actual / target in percent, null without a target.
    pub achievement_rate: Option<f64>,
    pub results: Vec<ResultRevenue>,
    /// Earned by deliverables of no action, published in the week.
    pub catalog_actual: f64,
    /// Best earners published in the 8 weeks up to this one.
    pub top_deliverables: Vec<Deliverable>,
    /// The 8 planned weeks up to this one.
    pub trend: Vec<WeekRevenue>,
}

/// The plan starting `week_start`, or the current one.
pub async fn plan_for(db: &PgPool, week_start: Option<NaiveDate>) -> Result<PlanRow, ApiError> {
    let plan = match week_start {
        None => current_plan(db, Utc::now().date_naive()).await?,
        Some(day) => {
            sqlx::query_as!(
                PlanRow,
                r#"select id, week_start_date as "week_start_date: NaiveDate",
                          week_end_date as "week_end_date: NaiveDate", owner, classification
                   from rpm_weekly_plans where week_start_date = $1"#,
                day as _
            )
            .fetch_optional(db)
            .await?
        }
    };
    plan.ok_or_else(|| match week_start {
        Some(day) => ApiError::new(StatusCode::NOT_FOUND, format!("no plan starts on {day}")),
        None => ApiError::new(StatusCode::NOT_FOUND, "no plan has been imported yet"),
    })
}

/// Revenue target against actual for a week.
#[utoipa::path(get, path = "/rpm/revenue-summary", tag = "rpm",
    security(("bearer" = [])), params(WeekQuery),
    responses(
        (status = 200, body = RevenueSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revenue_summary(
    token: Bearer,
    State(db): State<PgPool>,
    Params(q): Params<WeekQuery>,
) -> Result<Json<RevenueSummary>, ApiError> {
    token.require(Scope::Read)?;
    let plan = plan_for(&db, q.week_start).await?;
    let panel = revenue(&db, &plan).await?;
    Ok(Json(RevenueSummary {
        week_start: plan.week_start_date,
        week_end: plan.week_end_date,
        revenue_target: panel.total_target(),
        revenue_actual: panel.total_actual(),
        achievement_rate: panel.achievement().map(|a| (a * 100.0).round() / 100.0),
        results: panel
            .results
            .iter()
            .map(|r| ResultRevenue {
                result_code: r.code.clone(),
                result_text: r.title.clone(),
                revenue_target: r.target,
                revenue_actual: r.actual,
            })
            .collect(),
        catalog_actual: panel.catalog_actual,
        top_deliverables: panel.top.iter().map(Deliverable::from).collect(),
        trend: panel
            .trend
            .iter()
            .map(
                |RevenuePoint {
                     week_start,
                     target,
                     actual,
                 }| WeekRevenue {
                    week_start: *week_start,
                    revenue_target: *target,
                    revenue_actual: *actual,
                },
            )
            .collect(),
    }))
}
