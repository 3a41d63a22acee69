//! Every deliverable, newest first, filtered by kind and status.

use sqlx::PgPool;

use super::deliverables::{item_columns, ItemRow};
use crate::error::AppError;
use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use crate::model::panels::{DeliverableFilter, DeliverableList};

pub async fn list(db: &PgPool, filter: &DeliverableFilter) -> Result<DeliverableList, AppError> {
    let kind = filter
        .kind
        .as_deref()
        .map(DeliverableKind::parse)
        .transpose()
        .map_err(AppError::BadRequest)?;
    let status = filter
        .status
        .as_deref()
        .map(DeliverableStatus::parse)
        .transpose()
        .map_err(AppError::BadRequest)?;
    let matching = "($1::text is null or deliverable_type = $1)
                    and ($2::text is null or status = $2)";
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "select {} from deliverables where {matching}
         order by coalesce(published_at, created_at) desc, id limit $3",
        item_columns()
    ))
    .bind(kind)
    .bind(status)
    .bind(i64::from(DeliverableList::LIMIT))
    .fetch_all(db)
    .await?;
    let (total, revenue_actual): (i64, f64) = sqlx::query_as(&format!(
        "select count(*), coalesce(sum(revenue_actual), 0)::float8
         from deliverables where {matching}"
    ))
    .bind(kind)
    .bind(status)
    .fetch_one(db)
    .await?;
    Ok(DeliverableList {
        items: rows.into_iter().map(ItemRow::item).collect(),
        total: total as u32,
        revenue_actual,
    })
}
