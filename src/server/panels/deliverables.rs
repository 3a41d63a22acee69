//! Recent deliverables and the album release.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use crate::model::panels::{AlbumProgress, DeliverableItem, DeliverablesPanel};

#[derive(sqlx::FromRow)]
pub struct ItemRow {
    id: Uuid,
    deliverable_type: DeliverableKind,
    title: String,
    status: DeliverableStatus,
    link: String,
    revenue_actual: Option<f64>,
    revenue_target: Option<f64>,
    published_at: Option<DateTime<Utc>>,
}

impl ItemRow {
    pub fn item(self) -> DeliverableItem {
        DeliverableItem {
            id: self.id,
            kind: self.deliverable_type,
            title: self.title,
            status: self.status,
            link: self.link,
            revenue_actual: self.revenue_actual,
            revenue_target: self.revenue_target,
            published_at: self.published_at,
        }
    }
}

/// The columns of [`ItemRow`]; the link is a URL from the metadata when
/// there is one, else the storage path.
pub fn item_columns() -> &'static str {
    "id, deliverable_type, title, status,
     coalesce(metadata->>'url', cloud_storage_path) as link,
     revenue_actual::float8 as revenue_actual, revenue_target::float8 as revenue_target,
     published_at"
}

pub async fn deliverables(db: &PgPool, now: DateTime<Utc>) -> Result<DeliverablesPanel, AppError> {
    let week = sqlx::query!(
        r#"select count(*) filter (where deliverable_type = 'song') as "songs!",
                  count(*) filter (where deliverable_type = 'document') as "documents!",
                  count(*) filter (where deliverable_type = 'code') as "code!"
           from deliverables
           where status = 'published' and published_at > $1::timestamptz - interval '7 days'
             and published_at <= $1"#,
        now as _
    )
    .fetch_one(db)
    .await?;
    let (songs_7d, documents_7d, code_7d) = (week.songs, week.documents, week.code);
    let latest: Vec<ItemRow> = sqlx::query_as(&format!(
        "select {} from deliverables where status = 'published' and published_at <= $1
         order by published_at desc limit 6",
        item_columns()
    ))
    .bind(now)
    .fetch_all(db)
    .await?;
    let albums = sqlx::query!(
        r#"select album_assignment as "album!", count(*) as "songs!",
                  count(*) filter (where status = 'released') as "released!"
           from suno_songs where album_assignment is not null
           group by album_assignment order by album_assignment"#
    )
    .fetch_all(db)
    .await?;
    let albums_released = sqlx::query_scalar!(
        r#"select count(*) as "released!" from deliverables
           where deliverable_type = 'album' and status = 'published' and published_at <= $1"#,
        now as _
    )
    .fetch_one(db)
    .await?;
    Ok(DeliverablesPanel {
        songs_7d: songs_7d as u32,
        documents_7d: documents_7d as u32,
        code_7d: code_7d as u32,
        latest: latest.into_iter().map(ItemRow::item).collect(),
        albums: albums
            .into_iter()
            .map(|a| AlbumProgress {
                album: a.album,
                songs: a.songs as u32,
                released: a.released as u32,
            })
            .collect(),
        albums_released: albums_released as u32,
    })
}
