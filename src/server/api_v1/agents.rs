//! `POST /api/v1/agents/{name}/heartbeat`: a live agent reports its state.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::auth::Bearer;
use super::error::ApiError;
use crate::model::kinds::Scope;
use crate::server::sync::catalog::{health_band, store_agent, AgentSnapshot};

/// The body. Fields left out keep their last reported value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub status: String,
    pub health_score: Option<i32>,
    /// Action code, or null for none.
    #[serde(default, with = "double_option")]
    pub current_action: Option<Option<String>>,
    pub session_start: Option<DateTime<Utc>>,
    pub total_actions_completed: Option<i32>,
    pub total_hours_worked: Option<f64>,
    #[serde(default, with = "double_option")]
    pub error_log: Option<Option<String>>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
}

/// Tells a missing field (None) from an explicit null (Some(None)).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

type Previous = (
    i32,
    Option<String>,
    Option<DateTime<Utc>>,
    i32,
    f64,
    Option<String>,
    Option<Value>,
);

/// An agent reports its status and health (scope `heartbeat`).
#[utoipa::path(post, path = "/agents/{name}/heartbeat", tag = "agents",
    security(("bearer" = [])), request_body = Heartbeat,
    params(("name" = String, Path, description = "The agent's name")),
    responses(
        (status = 200, description = "the agent as stored", body = Object),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody),
        (status = 415, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn heartbeat(
    token: Bearer,
    State(db): State<PgPool>,
    Path(name): Path<String>,
    body: Result<Json<Heartbeat>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    token.require(Scope::Heartbeat)?;
    let Json(beat) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let mut tx = db.begin().await?;
    let previous: Option<Previous> = sqlx::query!(
        r#"select s.health_score, a.action_code as "action_code?",
                  s.session_start as "session_start: DateTime<Utc>", s.total_actions_completed,
                  s.total_hours_worked::float8 as "hours!", s.error_log, s.metadata
           from agent_status s left join rpm_action_items a on a.id = s.current_action_id
           where s.agent_name = $1"#,
        &name
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|p| {
        (
            p.health_score,
            p.action_code,
            p.session_start,
            p.total_actions_completed,
            p.hours,
            p.error_log,
            p.metadata,
        )
    });
    let p = previous.unwrap_or((100, None, None, 0, 0.0, None, None));
    let snapshot = AgentSnapshot {
        agent_name: name,
        status: beat.status,
        health_score: beat.health_score.unwrap_or(p.0),
        last_heartbeat: None,
        current_action: beat.current_action.unwrap_or(p.1),
        session_start: beat.session_start.or(p.2),
        total_actions_completed: beat.total_actions_completed.unwrap_or(p.3),
        total_hours_worked: beat.total_hours_worked.unwrap_or(p.4),
        error_log: beat.error_log.unwrap_or(p.5),
        metadata: beat.metadata.or(p.6),
    };
    snapshot.validate().map_err(ApiError::invalid)?;
    if let Some(code) = &snapshot.current_action {
        let known = sqlx::query_scalar!(
            r#"select exists(select 1 from rpm_action_items where action_code = $1) as "known!""#,
            code
        )
        .fetch_one(&mut *tx)
        .await?;
        if !known {
            return Err(ApiError::invalid(format!("unknown action code {code:?}")));
        }
    }
    let now = Utc::now();
    store_agent(&mut tx, &snapshot, now).await?;
    tx.commit().await?;
    Ok(Json(json!({
        "agent_name": snapshot.agent_name,
        "status": snapshot.status,
        "health_score": snapshot.health_score,
        "health_band": health_band(snapshot.health_score),
        "current_action": snapshot.current_action,
        "last_heartbeat": now,
    })))
}
