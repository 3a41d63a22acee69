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
use crate::model::kinds::Scope;
use crate::model::sync::SyncNote;
use crate::server::sync::status::{list, SyncFile};

/// What a token may see of the sync status: paths relative to the folder
/// all the files share (not the syncing machine's directories), and for a
/// failure of the server's own, no database or lake error text (the admin's
/// Sync page and the server log have it).
fn for_tokens(mut files: Vec<SyncFile>) -> Vec<SyncFile> {
    let dirs = |path: &str| -> Vec<String> {
        let mut parts: Vec<String> = path.split(['/', '\\']).map(String::from).collect();
        parts.pop();
        parts
    };
    let common: Vec<String> = files
        .iter()
        .map(|f| dirs(&f.source_path))
        .fold(None, |acc: Option<Vec<String>>, d| {
            Some(match acc {
                None => d,
                Some(a) => a
                    .into_iter()
                    .zip(d)
                    .take_while(|(x, y)| x == y)
                    .map(|(x, _)| x)
                    .collect(),
            })
        })
        .unwrap_or_default();
    for f in &mut files {
        let parts: Vec<&str> = f.source_path.split(['/', '\\']).collect();
        f.source_path = parts[common.len().min(parts.len() - 1)..].join("/");
        if f.outcome == "failed" {
            f.errors = vec![SyncNote {
                line: 0,
                message:
                    "the server could not store or archive this file; the next sync tries again"
                        .into(),
                text: String::new(),
            }];
        }
    }
    files
}

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
    token.require(Scope::Read)?;
    let files = for_tokens(list(&db).await?);
    Ok(Json(SyncStatus {
        refused: files.iter().filter(|f| f.outcome == "refused").count(),
        failed: files.iter().filter(|f| f.outcome == "failed").count(),
        with_warnings: files.iter().filter(|f| !f.warnings.is_empty()).count(),
        files,
    }))
}
