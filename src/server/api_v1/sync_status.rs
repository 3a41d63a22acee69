//! `GET /api/v1/sync/status`: each plan file's last sync — time, content
//! hash, outcome and its warnings and errors with line numbers (the
//! hand-off's "record sync status" step).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::Params;
use crate::server::sync::status::{list, SyncFile};

/// No parameters; any given is refused.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStatus {
    /// Refused and failed files first, then those with warnings, then by path.
    pub files: Vec<SyncFile>,
    pub refused: usize,
    /// Files whose last sync failed for a reason of the server's (the
    /// database or the lake), not of the file.
    pub failed: usize,
    pub with_warnings: usize,
}

#[utoipa::path(get, path = "/sync/status", tag = "sync",
    security(("bearer" = [])),
    responses(
        (status = 200, body = SyncStatus),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn sync_status(
    token: Bearer,
    State(db): State<PgPool>,
    Params(_): Params<NoQuery>,
) -> Result<Json<SyncStatus>, ApiError> {
    token.require("read")?;
    let files = list(&db).await?;
    Ok(Json(SyncStatus {
        refused: files.iter().filter(|f| f.outcome == "refused").count(),
        failed: files.iter().filter(|f| f.outcome == "failed").count(),
        with_warnings: files.iter().filter(|f| !f.warnings.is_empty()).count(),
        files,
    }))
}
