//! `GET /api/v1/agents/status` and `/agents/{name}/history?days=` (spec
//! 2.4): the cockpit's agent cards and agent page, as JSON.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::{bounded, Params};
use crate::model::kinds::Scope;
use crate::model::panels::{is_stale, AgentCard, HealthBand};
use crate::server::panels::{agent_history, agents};
use crate::server::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentStatus {
    pub name: String,
    pub status: crate::model::kinds::AgentStatus,
    pub health_score: i32,
    /// excellent (>= 90), good (70-89), fair (50-69) or critical.
    pub health_band: String,
    pub current_action: Option<String>,
    pub last_heartbeat: DateTime<Utc>,
    /// No heartbeat within the configured limit.
    pub stale: bool,
    pub error_log: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentList {
    pub agents: Vec<AgentStatus>,
    pub stale_after_minutes: i64,
}

fn status(card: AgentCard, now: DateTime<Utc>, stale_after_minutes: i64) -> AgentStatus {
    AgentStatus {
        stale: is_stale(now, card.last_heartbeat, stale_after_minutes),
        health_band: HealthBand::of(card.health_score).as_str().to_string(),
        name: card.name,
        status: card.status,
        health_score: card.health_score,
        current_action: card.current_action,
        last_heartbeat: card.last_heartbeat,
        error_log: card.error_log,
    }
}

/// Every agent's latest heartbeat and health.
#[utoipa::path(get, path = "/agents/status", tag = "agents",
    security(("bearer" = [])),
    responses(
        (status = 200, body = AgentList),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn agent_list(
    token: Bearer,
    State(state): State<AppState>,
) -> Result<Json<AgentList>, ApiError> {
    token.require(Scope::Read)?;
    let now = Utc::now();
    let stale_after = state.settings.agent_stale_after_minutes as i64;
    let cards = agents::cards(&state.db, None).await?;
    Ok(Json(AgentList {
        agents: cards
            .into_iter()
            .map(|c| status(c, now, stale_after))
            .collect(),
        stale_after_minutes: stale_after,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Default 7.
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Completed {
    pub action_code: String,
    pub action_text: String,
    pub completed_at: DateTime<Utc>,
    pub estimated_hours: Option<f64>,
    pub actual_hours: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub status: crate::model::kinds::AgentStatus,
    pub health_score: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentHistory {
    pub agent: AgentStatus,
    pub days: i64,
    /// Newest first.
    pub actions_completed: Vec<Completed>,
    /// Average actual hours of those actions, null without any.
    pub avg_completion_time: Option<f64>,
    /// Status changes to `error` in the period.
    pub error_count: usize,
    pub status_changes: Vec<Change>,
}

/// One agent's last days: completed actions and status changes.
#[utoipa::path(get, path = "/agents/{name}/history", tag = "agents",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The agent's name"), HistoryQuery),
    responses(
        (status = 200, body = AgentHistory),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn agent_history(
    token: Bearer,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Params(q): Params<HistoryQuery>,
) -> Result<Json<AgentHistory>, ApiError> {
    token.require(Scope::Read)?;
    let days = bounded("days", q.days, 7, 1, 90)?;
    let now = Utc::now();
    let stale_after = state.settings.agent_stale_after_minutes as i64;
    let h = agent_history::history(&state.db, &name, days, now, stale_after).await?;
    let hours: Vec<f64> = h.completed.iter().filter_map(|c| c.actual_hours).collect();
    Ok(Json(AgentHistory {
        avg_completion_time: (!hours.is_empty())
            .then(|| (hours.iter().sum::<f64>() / hours.len() as f64 * 100.0).round() / 100.0),
        error_count: h
            .changes
            .iter()
            .filter(|c| c.status == crate::model::kinds::AgentStatus::Error)
            .count(),
        agent: status(h.card, now, stale_after),
        days,
        actions_completed: h
            .completed
            .into_iter()
            .map(|c| Completed {
                action_code: c.code,
                action_text: c.text,
                completed_at: c.completed_at,
                estimated_hours: c.estimated_hours,
                actual_hours: c.actual_hours,
            })
            .collect(),
        status_changes: h
            .changes
            .into_iter()
            .map(|c| Change {
                at: c.at,
                status: c.status,
                health_score: c.health_score,
            })
            .collect(),
    }))
}
