//! `POST /api/v1/rpm/action-items/{id}/complete` and `/block` (spec 2.4):
//! the same change as the cockpit's inline buttons, for agents and scripts.
//! An optional `version` makes the change conditional, as in the cockpit;
//! without it, completing a completed action is still a 409. The answer is
//! `{ "success": true, "action": {...} }`, as in the spec.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::auth::Bearer;
use super::error::ApiError;
use crate::error::AppError;
use crate::model::action_change::{ActionChange, ActionState};
use crate::model::kinds::Scope;

/// The answer to a change.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Changed {
    pub success: bool,
    pub action: ActionState,
}
use crate::server::actions;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Complete {
    pub actual_hours: f64,
    pub evidence_path: Option<String>,
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub blocker_description: String,
    pub version: Option<i32>,
}

fn action_id(id: &str) -> Result<Uuid, ApiError> {
    id.parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, format!("no action {id:?}")))
}

fn api_error(e: AppError) -> ApiError {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let status = match status {
        StatusCode::BAD_REQUEST => StatusCode::UNPROCESSABLE_ENTITY,
        s => s,
    };
    ApiError::new(status, e.to_string())
}

async fn change(
    token: &Bearer,
    db: &PgPool,
    id: &str,
    version: Option<i32>,
    change: ActionChange,
) -> Result<Json<Changed>, ApiError> {
    token.require(Scope::Actions)?;
    let id = action_id(id)?;
    let actor = format!("token:{}", token.0.name);
    actions::apply(db, id, version, &change, &actor)
        .await
        .map(|action| {
            Json(Changed {
                success: true,
                action,
            })
        })
        .map_err(api_error)
}

/// Complete an action (scope `actions`).
#[utoipa::path(post, path = "/rpm/action-items/{id}/complete", tag = "rpm",
    security(("bearer" = [])), request_body = Complete,
    params(("id" = uuid::Uuid, Path, description = "The action's id")),
    responses(
        (status = 200, body = Changed),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, description = "changed since that version, or already completed", body = super::error::ErrorBody),
        (status = 415, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn complete(
    token: Bearer,
    State(db): State<PgPool>,
    Path(id): Path<String>,
    body: Result<Json<Complete>, JsonRejection>,
) -> Result<Json<Changed>, ApiError> {
    let Json(c) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let evidence_path = c.evidence_path;
    let actual_hours = c.actual_hours;
    change(
        &token,
        &db,
        &id,
        c.version,
        ActionChange::Complete {
            actual_hours,
            evidence_path,
        },
    )
    .await
}

/// Block an action with its reason (scope `actions`).
#[utoipa::path(post, path = "/rpm/action-items/{id}/block", tag = "rpm",
    security(("bearer" = [])), request_body = Block,
    params(("id" = uuid::Uuid, Path, description = "The action's id")),
    responses(
        (status = 200, body = Changed),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody),
        (status = 415, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn block(
    token: Bearer,
    State(db): State<PgPool>,
    Path(id): Path<String>,
    body: Result<Json<Block>, JsonRejection>,
) -> Result<Json<Changed>, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let reason = b.blocker_description;
    change(&token, &db, &id, b.version, ActionChange::Block { reason }).await
}
