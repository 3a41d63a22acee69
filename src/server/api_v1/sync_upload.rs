//! `POST /api/v1/sync/{plans,agents,songs,deliverables}` and
//! `GET /api/v1/sync/files`, scope `sync`: a laptop's files imported by the
//! deployed cockpit (whose database a laptop cannot reach) with exactly the
//! rules of `rpm-cockpit sync` on the server: idempotent by content hash,
//! one transaction per file, warnings and errors with their lines, plans
//! and agent snapshots archived in the lake. `rpm-cockpit sync --to URL`
//! is the client (`server::sync::remote`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::Params;
use crate::model::kinds::Scope;
use crate::server::plan::Diagnostic;
use crate::server::state::AppState;
use crate::server::sync::catalog::{import_bytes, Kind};
use crate::server::sync::files::content_hash;
use crate::server::sync::status::{self, FileStatus};
use crate::server::sync::{FileOutcome, Lake, PlanReport, PlanSync};

/// Which file, and whether only to say what would change.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The file's path as the sender knows it, relative to its folder
    /// (`2026/W48.md`): it identifies the file from then on.
    #[param(pattern = r"^[A-Za-z0-9_-]{1,20}(/[A-Za-z0-9_-]{1,20}){0,2}\.(md|json)$")]
    pub name: String,
    /// Parse and check, report what would be inserted, updated and removed,
    /// change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Read the file even when its content is the one last imported (rows
    /// that match are still not written).
    #[serde(default)]
    pub force: bool,
    /// Plans: treat warnings as errors (a plan with anything the importer
    /// would skip is refused).
    #[serde(default)]
    pub strict: bool,
}

/// What became of one file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Imported {
    /// The name sent.
    pub name: String,
    /// `imported`, `unchanged` (same content as last time: nothing read),
    /// or `refused` (the file is wrong: `errors`; nothing of it written).
    pub outcome: String,
    pub dry_run: bool,
    /// The content hash the server computed (SHA-256, hex).
    pub hash: String,
    /// What was (or would be) written, e.g. "results 1 inserted, …".
    pub changes: Vec<String>,
    /// A plan's counts, when it was read.
    pub report: Option<PlanReport>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
}

/// A 422: the file refused (its errors, with their lines), or a control
/// character in the request itself (`ErrorBody`, from the request path).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // the schema only: the answers are built as either type
pub enum Refused {
    File(Box<Imported>),
    Request(ErrorBody),
}

/// A file the server has synced.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KnownFile {
    pub name: String,
    pub hash: String,
    /// imported, unchanged, refused or failed.
    pub outcome: String,
}

/// Every file synced so far, with the hash of its last content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KnownFiles {
    pub files: Vec<KnownFile>,
}

/// No parameters; any given is refused.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// The files the server knows (scope `sync`): a client sends only those
/// whose content changed.
#[utoipa::path(get, path = "/sync/files", tag = "sync",
    security(("bearer" = [])),
    responses(
        (status = 200, body = KnownFiles),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn known_files(
    token: Bearer,
    State(state): State<AppState>,
    Params(_): Params<NoQuery>,
) -> Result<Json<KnownFiles>, ApiError> {
    token.require(Scope::Sync)?;
    let files = status::list(&state.db)
        .await?
        .into_iter()
        .map(|f| KnownFile {
            name: f.source_path,
            hash: f.content_hash,
            outcome: f.outcome,
        })
        .collect();
    Ok(Json(KnownFiles { files }))
}

/// Imports one weekly plan (markdown, the body as it is on disk).
#[utoipa::path(post, path = "/sync/plans", tag = "sync",
    security(("bearer" = [])), params(Upload),
    request_body(content = String, content_type = "text/markdown",
        description = "The plan file's bytes (UTF-8)"),
    responses(
        (status = 200, description = "imported or unchanged", body = Imported),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "refused: the errors, with their lines", body = Refused)))]
pub async fn plan(
    token: Bearer,
    State(state): State<AppState>,
    Params(upload): Params<Upload>,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    token.require(Scope::Sync)?;
    check_name(&upload.name, ".md")?;
    let lake = lake(&state, upload.dry_run)?;
    let mut plans = PlanSync::new(state.db.clone(), lake, upload.dry_run).await?;
    plans.force = upload.force;
    plans.strict = upload.strict;
    let (result, servers_fault) = plans.upload(&upload.name, &body).await;
    plans.flush_status().await?;
    let (outcome, changes, report) = match result.outcome {
        FileOutcome::Unchanged => ("unchanged", Vec::new(), None),
        FileOutcome::Synced(r) => (
            "imported",
            vec![
                format!("week of {}", r.week_start),
                format!("results {}", r.results),
                format!("actions {}", r.actions),
            ],
            Some(r),
        ),
        FileOutcome::Failed => ("refused", Vec::new(), None),
    };
    if servers_fault {
        // The database or the lake failed, not the file: try again later.
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server could not store this plan just now; try again",
        ));
    }
    let answer = Imported {
        name: upload.name,
        outcome: outcome.into(),
        dry_run: upload.dry_run,
        hash: content_hash(&body),
        changes,
        report,
        warnings: result.warnings,
        errors: result.errors,
    };
    let status = if outcome == "refused" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)))
}

/// Imports agent snapshots (JSON: one object or an array).
#[utoipa::path(post, path = "/sync/agents", tag = "sync",
    security(("bearer" = [])), params(Upload),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, body = Imported),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = Refused)))]
pub async fn agents(
    token: Bearer,
    State(state): State<AppState>,
    Params(upload): Params<Upload>,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    json_file(token, state, upload, body, Kind::Agents).await
}

/// Imports song catalog records (JSON).
#[utoipa::path(post, path = "/sync/songs", tag = "sync",
    security(("bearer" = [])), params(Upload),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, body = Imported),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = Refused)))]
pub async fn songs(
    token: Bearer,
    State(state): State<AppState>,
    Params(upload): Params<Upload>,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    json_file(token, state, upload, body, Kind::Songs).await
}

/// Imports deliverable records (JSON).
#[utoipa::path(post, path = "/sync/deliverables", tag = "sync",
    security(("bearer" = [])), params(Upload),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, body = Imported),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = Refused)))]
pub async fn deliverables(
    token: Bearer,
    State(state): State<AppState>,
    Params(upload): Params<Upload>,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    json_file(token, state, upload, body, Kind::Deliverables).await
}

async fn json_file(
    token: Bearer,
    state: AppState,
    upload: Upload,
    body: Bytes,
    kind: Kind,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    token.require(Scope::Sync)?;
    check_name(&upload.name, ".json")?;
    let hash = content_hash(&body);
    let known = status::list(&state.db)
        .await?
        .into_iter()
        .any(|f| f.source_path == upload.name && f.content_hash == hash && f.outcome != "failed");
    let mut answer = Imported {
        name: upload.name.clone(),
        outcome: "unchanged".into(),
        dry_run: upload.dry_run,
        hash: hash.clone(),
        changes: Vec::new(),
        report: None,
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    if known && !upload.force {
        return Ok((StatusCode::OK, Json(answer)));
    }
    let imported = import_bytes(
        &state.db,
        kind,
        &upload.name,
        &body,
        chrono::Duration::zero(),
        upload.dry_run,
    )
    .await;
    let mut status = StatusCode::OK;
    match imported {
        Ok(counts) => {
            answer.outcome = "imported".into();
            answer.changes = vec![format!("{kind:?} {counts}").to_lowercase()];
            // Every agent sync is kept as a snapshot (spec 1.3).
            if let (Kind::Agents, Some(lake)) = (kind, lake(&state, upload.dry_run)?) {
                let name = upload.name.rsplit('/').next().unwrap_or(&upload.name);
                if let Err(e) = lake
                    .archive_agent_snapshot(chrono::Utc::now(), name, body.to_vec())
                    .await
                {
                    tracing::error!(error = %e, "archiving an agent snapshot");
                    return Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the agents were imported but their snapshot could not be archived; send again",
                    ));
                }
            }
        }
        Err(e) if e.is_servers_fault() => {
            tracing::error!(error = %e, "storing a synced file");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server could not store this file just now; try again",
            ));
        }
        Err(e) => {
            answer.outcome = "refused".into();
            // Line 0: the file as a whole (not JSON's syntax).
            answer.errors = vec![Diagnostic {
                line: e.line(),
                message: e.reason(),
                text: String::new(),
            }];
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    if !upload.dry_run {
        let outcome = if answer.outcome == "refused" {
            "refused"
        } else {
            "imported"
        };
        status::record(
            &state.db,
            &[FileStatus {
                path: upload.name,
                hash,
                outcome,
                warnings: Vec::new(),
                errors: answer.errors.clone(),
            }],
        )
        .await?;
    }
    Ok((status, Json(answer)))
}

/// The deployed lake (none for a dry run).
fn lake(state: &AppState, dry_run: bool) -> Result<Option<Lake>, ApiError> {
    if dry_run {
        return Ok(None);
    }
    Lake::open(
        &state.settings.object_store_url,
        &state.settings.data_dir.join("lake"),
    )
    .map(Some)
    .map_err(|e| {
        tracing::error!(error = %e, "opening the lake");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the data lake is unavailable",
        )
    })
}

/// A name is a relative path of plain segments ending in `extension`.
fn check_name(name: &str, extension: &str) -> Result<(), ApiError> {
    let plain = |c: char| c.is_alphanumeric() || " -_.+@()[]#,".contains(c);
    let ok = !name.is_empty()
        && name.len() <= 300
        && name.ends_with(extension)
        && name
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && s.chars().all(plain));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "name must be a relative path ending in {extension}, of segments made of letters, \
             digits, spaces and - _ . + @ ( ) [ ] # , (no '..', no leading or doubled '/')"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_are_relative_paths_of_plain_segments() {
        for good in ["W48.md", "2026/2026-W48 plan.md", "plans/Week (48).md"] {
            assert!(check_name(good, ".md").is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd.md",
            "../x.md",
            "a//b.md",
            "a/./b.md",
            "plan.txt",
            "a\\b.md",
            "a\u{0}b.md",
            "agents.json",
        ] {
            assert!(check_name(bad, ".md").is_err(), "{bad:?}");
        }
        assert!(check_name("agents/2026-12-02.json", ".json").is_ok());
    }
}
