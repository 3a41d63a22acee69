//! The song catalog: one row of `suno_songs` per song id.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{check, one_row, Record};
use crate::model::kinds::SongStatus;
use crate::server::sync::report::Counts;

/// One song of the catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SongRecord {
    #[serde(alias = "id")]
    pub song_id: String,
    pub title: String,
    pub genre: Option<String>,
    pub bpm: Option<i32>,
    pub key: Option<String>,
    pub groove: Option<String>,
    #[serde(alias = "duration")]
    pub duration_seconds: Option<i32>,
    #[serde(alias = "album_assignment")]
    pub album: Option<String>,
    #[serde(default = "generated")]
    pub status: String,
    pub revenue_target: Option<f64>,
    pub revenue_actual: Option<f64>,
    #[serde(alias = "cloud_storage_path")]
    pub storage_path: Option<String>,
    pub lyrics: Option<String>,
    #[serde(alias = "prompt_used")]
    pub prompt: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
}

fn generated() -> String {
    "generated".into()
}

impl SongRecord {
    pub fn validate(&self) -> Result<(), String> {
        check(!self.song_id.trim().is_empty(), || {
            "song_id is empty".into()
        })?;
        check(!self.title.trim().is_empty(), || "title is empty".into())?;
        SongStatus::parse(&self.status)?;
        check(self.bpm.is_none_or(|b| b > 0), || {
            "bpm must be positive".into()
        })?;
        check(self.duration_seconds.is_none_or(|d| d >= 0), || {
            "duration_seconds is negative".into()
        })
    }
}

pub async fn store_song(tx: &mut PgConnection, s: &SongRecord) -> Result<Counts, sqlx::Error> {
    let written = sqlx::query_scalar!(
        r#"insert into suno_songs as s
             (song_id, title, genre, bpm, key, groove, duration_seconds, album_assignment,
              status, revenue_target, revenue_actual, cloud_storage_path, lyrics,
              prompt_used, released_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::float8::numeric(12,2),
                 $11::float8::numeric(12,2), $12, $13, $14, $15)
         on conflict (song_id) do update set
             title = excluded.title, genre = excluded.genre, bpm = excluded.bpm,
             key = excluded.key, groove = excluded.groove,
             duration_seconds = excluded.duration_seconds,
             album_assignment = excluded.album_assignment, status = excluded.status,
             revenue_target = excluded.revenue_target,
             revenue_actual = excluded.revenue_actual,
             cloud_storage_path = excluded.cloud_storage_path, lyrics = excluded.lyrics,
             prompt_used = excluded.prompt_used, released_at = excluded.released_at
         where (s.title, s.genre, s.bpm, s.key, s.groove, s.duration_seconds,
                s.album_assignment, s.status, s.revenue_target, s.revenue_actual,
                s.cloud_storage_path, s.lyrics, s.prompt_used, s.released_at)
               is distinct from
               (excluded.title, excluded.genre, excluded.bpm, excluded.key,
                excluded.groove, excluded.duration_seconds, excluded.album_assignment,
                excluded.status, excluded.revenue_target, excluded.revenue_actual,
                excluded.cloud_storage_path, excluded.lyrics, excluded.prompt_used,
                excluded.released_at)
         returning (xmax = 0) as "inserted!""#,
        &s.song_id,
        &s.title,
        s.genre.as_deref(),
        s.bpm,
        s.key.as_deref(),
        s.groove.as_deref(),
        s.duration_seconds,
        s.album.as_deref(),
        &s.status,
        s.revenue_target,
        s.revenue_actual,
        s.storage_path.as_deref(),
        s.lyrics.as_deref(),
        s.prompt.as_deref(),
        s.released_at as _
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(one_row(written))
}

impl Record for SongRecord {
    fn name(&self) -> &str {
        &self.song_id
    }

    fn validate(&self) -> Result<(), String> {
        SongRecord::validate(self)
    }

    fn shifted(&self, shift: chrono::Duration) -> Self {
        Self {
            released_at: self.released_at.map(|t| t + shift),
            ..self.clone()
        }
    }

    async fn store(&self, tx: &mut PgConnection) -> Result<Counts, sqlx::Error> {
        store_song(tx, self).await
    }
}
