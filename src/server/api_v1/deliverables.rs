//! `GET /api/v1/deliverables?type=&status=&limit=` and
//! `GET /api/v1/deliverables/{id}` (spec 2.4).

use crate::model::kinds::Scope;
use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::params::{bounded, Params};
use crate::model::panels::{DeliverableFilter, DeliverableItem};
use crate::server::panels::deliverable_list::list;

/// A deliverable in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Deliverable {
    pub id: Uuid,
    /// song, code, document, album or video.
    #[serde(rename = "type")]
    pub kind: DeliverableKind,
    pub title: String,
    /// draft, review, approved or published.
    pub status: DeliverableStatus,
    /// Its URL, else its storage path.
    pub link: String,
    pub revenue_target: Option<f64>,
    pub revenue_actual: Option<f64>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<&DeliverableItem> for Deliverable {
    fn from(d: &DeliverableItem) -> Self {
        Self {
            id: d.id,
            kind: d.kind,
            title: d.title.clone(),
            status: d.status,
            link: d.link.clone(),
            revenue_target: d.revenue_target,
            revenue_actual: d.revenue_actual,
            published_at: d.published_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliverableQuery {
    /// song, code, document, album or video.
    #[serde(rename = "type")]
    #[param(rename = "type", pattern = "^(song|code|document|album|video)$")]
    pub kind: Option<String>,
    /// draft, review, approved or published.
    #[param(pattern = "^(draft|review|approved|published)$")]
    pub status: Option<String>,
    /// Default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliverablePage {
    /// Newest first.
    pub deliverables: Vec<Deliverable>,
    /// How many match in all.
    pub total: u32,
    /// Their revenue in all.
    pub revenue_actual: f64,
}

/// Deliverables, newest first, as the cockpit's deliverables page lists them.
#[utoipa::path(get, path = "/deliverables", tag = "deliverables",
    security(("bearer" = [])), params(DeliverableQuery),
    responses(
        (status = 200, body = DeliverablePage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn deliverables(
    token: Bearer,
    State(db): State<PgPool>,
    Params(q): Params<DeliverableQuery>,
) -> Result<Json<DeliverablePage>, ApiError> {
    token.require(Scope::Read)?;
    let limit = bounded("limit", q.limit, 50, 1, 200)?;
    let filter = DeliverableFilter {
        kind: q.kind,
        status: q.status,
    };
    let found = list(&db, &filter).await?;
    Ok(Json(DeliverablePage {
        deliverables: found
            .items
            .iter()
            .take(limit as usize)
            .map(Deliverable::from)
            .collect(),
        total: found.total,
        revenue_actual: found.revenue_actual,
    }))
}

/// One deliverable in full.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct DeliverableDetail {
    pub id: Uuid,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: DeliverableKind,
    pub description: Option<String>,
    pub status: DeliverableStatus,
    pub cloud_storage_path: String,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    pub revenue_target: Option<f64>,
    pub revenue_actual: Option<f64>,
    /// The action it came from.
    pub action_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/deliverables/{id}", tag = "deliverables",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The deliverable's id")),
    responses(
        (status = 200, body = DeliverableDetail),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn deliverable(
    token: Bearer,
    State(db): State<PgPool>,
    Path(id): Path<String>,
) -> Result<Json<DeliverableDetail>, ApiError> {
    token.require(Scope::Read)?;
    let missing = || ApiError::new(StatusCode::NOT_FOUND, format!("no deliverable {id:?}"));
    let uuid: Uuid = id.parse().map_err(|_| missing())?;
    let found = sqlx::query_as!(
        DeliverableDetail,
        r#"select d.id, d.title, d.deliverable_type as "kind: DeliverableKind", d.description,
                  d.status as "status: DeliverableStatus", d.cloud_storage_path, d.metadata,
                  d.revenue_target::float8 as revenue_target,
                  d.revenue_actual::float8 as revenue_actual, a.action_code as "action_code?",
                  d.created_at as "created_at: DateTime<Utc>",
                  d.published_at as "published_at: DateTime<Utc>"
           from deliverables d left join rpm_action_items a on a.id = d.action_item_id
           where d.id = $1"#,
        uuid
    )
    .fetch_optional(&db)
    .await?;
    found.map(Json).ok_or_else(missing)
}
