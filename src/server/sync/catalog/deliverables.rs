//! Deliverables, identified by where they are stored, with
//! DELIVERABLE_PUBLISHED and REVENUE_UPDATE events.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgConnection;

use super::{check, one_row, Record};
use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use crate::model::live::EventKind;
use crate::server::sync::report::Counts;

/// One deliverable; identified by where it is stored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverableRecord {
    #[serde(alias = "deliverable_type")]
    pub r#type: String,
    pub title: String,
    pub description: Option<String>,
    #[serde(alias = "cloud_storage_path")]
    pub storage_path: String,
    #[serde(default = "draft")]
    pub status: String,
    pub revenue_target: Option<f64>,
    pub revenue_actual: Option<f64>,
    /// The action code it came from.
    pub action: Option<String>,
    pub metadata: Option<Value>,
    pub created_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

fn draft() -> String {
    "draft".into()
}

impl DeliverableRecord {
    pub fn validate(&self) -> Result<(), String> {
        check(!self.title.trim().is_empty(), || "title is empty".into())?;
        check(!self.storage_path.trim().is_empty(), || {
            "storage_path is empty".into()
        })?;
        DeliverableKind::parse_as(&self.r#type, "type").map(|_| ())?;
        DeliverableStatus::parse(&self.status).map(|_| ())
    }
}

/// Upserts a deliverable by storage path; appends DELIVERABLE_PUBLISHED
/// when it becomes published, REVENUE_UPDATE when its actual revenue moves.
pub async fn store_deliverable(
    tx: &mut PgConnection,
    d: &DeliverableRecord,
) -> Result<Counts, sqlx::Error> {
    let before = sqlx::query!(
        "select status, revenue_actual::float8 as revenue_actual from deliverables
         where cloud_storage_path = $1 for update",
        &d.storage_path
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|b| (b.status, b.revenue_actual));
    let written = sqlx::query!(
        r#"insert into deliverables as d
             (deliverable_type, title, description, cloud_storage_path, status,
              revenue_target, revenue_actual, action_item_id, metadata, created_at,
              published_at)
         values ($1, $2, $3, $4, $5::text, $6::float8::numeric(12,2), $7::float8::numeric(12,2),
                 -- A carried code: the instance of the week it was published
                 -- (or made) in, else the latest (docs/metrics.md).
                 (select a.id from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
                  where a.action_code = $8
                  order by (coalesce($11::timestamptz, $10::timestamptz, now())::date
                            between p.week_start_date and p.week_end_date) desc,
                           p.week_start_date desc
                  limit 1), $9,
                 coalesce($10, now()),
                 case when $5::text = 'published' then coalesce($11, now()) else $11 end)
         on conflict (cloud_storage_path) do update set
             deliverable_type = excluded.deliverable_type, title = excluded.title,
             description = excluded.description, status = excluded.status,
             revenue_target = excluded.revenue_target,
             revenue_actual = excluded.revenue_actual,
             action_item_id = excluded.action_item_id, metadata = excluded.metadata,
             published_at = case when $11::timestamptz is null and excluded.status = 'published'
                                 then coalesce(d.published_at, excluded.published_at)
                                 else excluded.published_at end
         where (d.deliverable_type, d.title, d.description, d.status, d.revenue_target,
                d.revenue_actual, d.action_item_id, d.metadata)
               is distinct from
               (excluded.deliverable_type, excluded.title, excluded.description,
                excluded.status, excluded.revenue_target, excluded.revenue_actual,
                excluded.action_item_id, excluded.metadata)
            or ($11::timestamptz is not null and d.published_at is distinct from $11)
         returning id, (xmax = 0) as "inserted!""#,
        &d.r#type,
        &d.title,
        d.description.as_deref(),
        &d.storage_path,
        &d.status,
        d.revenue_target,
        d.revenue_actual,
        d.action.as_deref(),
        d.metadata.as_ref(),
        d.created_at as _,
        d.published_at as _
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|w| (w.id, w.inserted));
    if let Some((id, _)) = written {
        let was_published = before
            .as_ref()
            .is_some_and(|b| b.0 == DeliverableStatus::Published.as_str());
        if d.status == DeliverableStatus::Published.as_str() && !was_published {
            event(tx, EventKind::DeliverablePublished, id, d).await?;
        }
        let revenue_before = before.as_ref().and_then(|b| b.1);
        if before.is_some() && revenue_before != d.revenue_actual {
            event(tx, EventKind::RevenueUpdate, id, d).await?;
        }
    }
    Ok(one_row(written.map(|(_, i)| i)))
}

async fn event(
    tx: &mut PgConnection,
    kind: EventKind,
    id: uuid::Uuid,
    d: &DeliverableRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into events (event_type, entity_id, payload) values ($1, $2, $3)",
        kind as _,
        id,
        json!({
            "deliverable_type": d.r#type,
            "title": d.title,
            "status": d.status,
            "revenue_actual": d.revenue_actual,
        })
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Record for DeliverableRecord {
    fn name(&self) -> &str {
        &self.storage_path
    }

    fn validate(&self) -> Result<(), String> {
        DeliverableRecord::validate(self)
    }

    fn shifted(&self, shift: chrono::Duration) -> Self {
        Self {
            created_at: self.created_at.map(|t| t + shift),
            published_at: self.published_at.map(|t| t + shift),
            ..self.clone()
        }
    }

    async fn store(&self, tx: &mut PgConnection) -> Result<Counts, sqlx::Error> {
        store_deliverable(tx, self).await
    }
}
