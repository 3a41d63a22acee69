//! The song catalog, filtered.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::kinds::SongStatus;
use crate::model::panels::{Song, SongCatalog, SongFilter};

struct Row {
    title: String,
    album_assignment: Option<String>,
    genre: Option<String>,
    bpm: Option<i32>,
    key: Option<String>,
    duration_seconds: Option<i32>,
    status: SongStatus,
    revenue_actual: Option<f64>,
    released_at: Option<DateTime<Utc>>,
}

pub async fn catalog(db: &PgPool, filter: &SongFilter) -> Result<SongCatalog, AppError> {
    let rows = sqlx::query_as!(
        Row,
        r#"select title, album_assignment, genre, bpm, key, duration_seconds,
                  status as "status: SongStatus", revenue_actual::float8 as revenue_actual,
                  released_at as "released_at: DateTime<Utc>"
           from suno_songs
           where ($1::text is null or album_assignment = $1)
             and ($2::text is null or genre = $2)
             and ($3::text is null or status = $3)
           order by album_assignment nulls last, released_at nulls last, title"#,
        filter.album.as_deref(),
        filter.genre.as_deref(),
        filter.status.as_deref()
    )
    .fetch_all(db)
    .await?;
    let albums: Vec<String> = sqlx::query_scalar!(
        r#"select distinct album_assignment as "album!" from suno_songs
           where album_assignment is not null order by 1"#
    )
    .fetch_all(db)
    .await?;
    let genres: Vec<String> = sqlx::query_scalar!(
        r#"select distinct genre as "genre!" from suno_songs where genre is not null order by 1"#
    )
    .fetch_all(db)
    .await?;
    Ok(SongCatalog {
        songs: rows
            .into_iter()
            .map(|r| Song {
                title: r.title,
                album: r.album_assignment,
                genre: r.genre,
                bpm: r.bpm,
                key: r.key,
                duration_seconds: r.duration_seconds,
                status: r.status,
                revenue_actual: r.revenue_actual,
                released_at: r.released_at,
            })
            .collect(),
        albums,
        genres,
    })
}
