//! Agent snapshots, the song catalog and deliverables, imported from JSON
//! files (shapes in docs/plan-format.md). Each file is one transaction:
//! a bad record changes nothing and is named with its index and id.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgConnection;

use super::report::Counts;
use crate::model::kinds::{AgentStatus, DeliverableKind, DeliverableStatus, SongStatus};
use crate::model::live::EventKind;

/// An agent's state as the agent writes it (one object per file, or a list).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSnapshot {
    #[serde(alias = "name")]
    pub agent_name: String,
    pub status: String,
    #[serde(default = "full_health")]
    pub health_score: i32,
    /// Missing: now.
    pub last_heartbeat: Option<DateTime<Utc>>,
    /// The action code the agent works on.
    pub current_action: Option<String>,
    pub session_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub total_actions_completed: i32,
    #[serde(default)]
    pub total_hours_worked: f64,
    pub error_log: Option<String>,
    pub metadata: Option<Value>,
}

fn full_health() -> i32 {
    100
}

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

/// The records of a JSON file's `bytes` (one object or an array); `shown`
/// names the file in messages.
pub fn records_from<T: DeserializeOwned>(
    shown: &str,
    bytes: &[u8],
) -> Result<Vec<T>, CatalogError> {
    let file = || shown.to_string();
    let text = std::str::from_utf8(bytes).map_err(|_| CatalogError::File {
        file: file(),
        reason: "not UTF-8 text".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| CatalogError::Json {
        file: file(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::from_value(item).map_err(|e| CatalogError::Record {
                file: file(),
                record: format!("{}", i + 1),
                reason: e.to_string(),
            })
        })
        .collect()
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

impl AgentSnapshot {
    pub fn validate(&self) -> Result<(), String> {
        check(!self.agent_name.trim().is_empty(), || {
            "agent_name is empty".into()
        })?;
        AgentStatus::parse(&self.status)?;
        check((0..=100).contains(&self.health_score), || {
            format!("health_score {} is not within 0-100", self.health_score)
        })?;
        // numeric(8,2): anything larger would be a database error.
        check(
            (0.0..1_000_000.0).contains(&self.total_hours_worked),
            || {
                format!(
                    "total_hours_worked {} is not within 0-999999.99",
                    self.total_hours_worked
                )
            },
        )?;
        check(self.total_actions_completed >= 0, || {
            "total_actions_completed is negative".into()
        })?;
        check(self.agent_name.chars().count() <= 100, || {
            "agent_name is longer than 100 characters".into()
        })?;
        // PostgreSQL text and jsonb cannot hold NUL.
        let texts = [
            Some(&self.agent_name),
            self.error_log.as_ref(),
            self.current_action.as_ref(),
        ];
        let metadata_nul = self
            .metadata
            .as_ref()
            .is_some_and(|m| m.to_string().contains("\\u0000"));
        check(
            !metadata_nul && !texts.into_iter().flatten().any(|t| t.contains('\0')),
            || "text must not contain NUL characters".into(),
        )
    }
}

/// The colour band of a health score (spec 2.3): the cockpit's own.
pub fn health_band(score: i32) -> &'static str {
    crate::model::panels::HealthBand::of(score).as_str()
}

/// Upserts an agent; appends AGENT_STATUS_CHANGE when its status or health
/// band changed. Returns the counts of this one row.
pub async fn store_agent(
    tx: &mut PgConnection,
    a: &AgentSnapshot,
    heartbeat: DateTime<Utc>,
) -> Result<Counts, sqlx::Error> {
    let before: Option<(String, i32)> = sqlx::query_as(
        "select status, health_score from agent_status where agent_name = $1 for update",
    )
    .bind(&a.agent_name)
    .fetch_optional(&mut *tx)
    .await?;
    let written: Option<(uuid::Uuid, bool)> = sqlx::query_as(
        "insert into agent_status as s
             (agent_name, status, health_score, last_heartbeat, current_action_id,
              session_start, total_actions_completed, total_hours_worked, error_log, metadata)
         values ($1, $2, $3, $4, (select a.id from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
                  where a.action_code = $5 order by p.week_start_date desc limit 1),
                 $6, $7, $8::numeric(8,2), $9, $10)
         on conflict (agent_name) do update set
             status = excluded.status, health_score = excluded.health_score,
             last_heartbeat = excluded.last_heartbeat,
             current_action_id = excluded.current_action_id,
             session_start = excluded.session_start,
             total_actions_completed = excluded.total_actions_completed,
             total_hours_worked = excluded.total_hours_worked,
             error_log = excluded.error_log, metadata = excluded.metadata
         where (s.status, s.health_score, s.last_heartbeat, s.current_action_id,
                s.session_start, s.total_actions_completed, s.total_hours_worked,
                s.error_log, s.metadata)
               is distinct from
               (excluded.status, excluded.health_score, excluded.last_heartbeat,
                excluded.current_action_id, excluded.session_start,
                excluded.total_actions_completed, excluded.total_hours_worked,
                excluded.error_log, excluded.metadata)
         returning id, xmax = 0",
    )
    .bind(&a.agent_name)
    .bind(&a.status)
    .bind(a.health_score)
    .bind(heartbeat)
    .bind(&a.current_action)
    .bind(a.session_start)
    .bind(a.total_actions_completed)
    .bind(a.total_hours_worked)
    .bind(&a.error_log)
    .bind(&a.metadata)
    .fetch_optional(&mut *tx)
    .await?;
    let changed = match &before {
        None => true,
        Some((status, score)) => {
            *status != a.status || health_band(*score) != health_band(a.health_score)
        }
    };
    if let (Some((id, _)), true) = (written, changed) {
        sqlx::query(
            "insert into events (event_type, entity_id, payload)
             values ($1, $2, $3)",
        )
        .bind(EventKind::AgentStatusChange)
        .bind(id)
        .bind(json!({
            "agent_name": a.agent_name,
            "status": a.status,
            "health_score": a.health_score,
            "health_band": health_band(a.health_score),
            "previous_status": before.as_ref().map(|b| &b.0),
        }))
        .execute(&mut *tx)
        .await?;
    }
    Ok(one_row(written.map(|(_, inserted)| inserted)))
}

fn one_row(written: Option<bool>) -> Counts {
    let mut c = Counts::default();
    match written {
        Some(true) => c.inserted = 1,
        Some(false) => c.updated = 1,
        None => c.unchanged = 1,
    }
    c
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
    let written: Option<(bool,)> = sqlx::query_as(
        "insert into suno_songs as s
             (song_id, title, genre, bpm, key, groove, duration_seconds, album_assignment,
              status, revenue_target, revenue_actual, cloud_storage_path, lyrics,
              prompt_used, released_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::numeric(12,2),
                 $11::numeric(12,2), $12, $13, $14, $15)
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
         returning xmax = 0",
    )
    .bind(&s.song_id)
    .bind(&s.title)
    .bind(&s.genre)
    .bind(s.bpm)
    .bind(&s.key)
    .bind(&s.groove)
    .bind(s.duration_seconds)
    .bind(&s.album)
    .bind(&s.status)
    .bind(s.revenue_target)
    .bind(s.revenue_actual)
    .bind(&s.storage_path)
    .bind(&s.lyrics)
    .bind(&s.prompt)
    .bind(s.released_at)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(one_row(written.map(|(i,)| i)))
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
    let before: Option<(String, Option<f64>)> = sqlx::query_as(
        "select status, revenue_actual::float8 from deliverables
         where cloud_storage_path = $1 for update",
    )
    .bind(&d.storage_path)
    .fetch_optional(&mut *tx)
    .await?;
    let written: Option<(uuid::Uuid, bool)> = sqlx::query_as(
        "insert into deliverables as d
             (deliverable_type, title, description, cloud_storage_path, status,
              revenue_target, revenue_actual, action_item_id, metadata, created_at,
              published_at)
         values ($1, $2, $3, $4, $5, $6::numeric(12,2), $7::numeric(12,2),
                 -- A carried code: the instance of the week it was published
                 -- (or made) in, else the latest (docs/metrics.md).
                 (select a.id from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
                  where a.action_code = $8
                  order by (coalesce($11::timestamptz, $10::timestamptz, now())::date
                            between p.week_start_date and p.week_end_date) desc,
                           p.week_start_date desc
                  limit 1), $9,
                 coalesce($10, now()),
                 case when $5 = 'published' then coalesce($11, now()) else $11 end)
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
         returning id, xmax = 0",
    )
    .bind(&d.r#type)
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.storage_path)
    .bind(&d.status)
    .bind(d.revenue_target)
    .bind(d.revenue_actual)
    .bind(&d.action)
    .bind(&d.metadata)
    .bind(d.created_at)
    .bind(d.published_at)
    .fetch_optional(&mut *tx)
    .await?;
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
    sqlx::query("insert into events (event_type, entity_id, payload) values ($1, $2, $3)")
        .bind(kind)
        .bind(id)
        .bind(json!({
            "deliverable_type": d.r#type,
            "title": d.title,
            "status": d.status,
            "revenue_actual": d.revenue_actual,
        }))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// What a JSON file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Agents,
    Songs,
    Deliverables,
}

impl Kind {
    /// Its name in the sync API's paths (`/api/v1/sync/agents`) and in the
    /// names of files sent there (`agents/qa.json`).
    pub fn folder(self) -> &'static str {
        match self {
            Self::Agents => "agents",
            Self::Songs => "songs",
            Self::Deliverables => "deliverables",
        }
    }
}

/// Records of one file, validated.
enum Records {
    Agents(Vec<AgentSnapshot>),
    Songs(Vec<SongRecord>),
    Deliverables(Vec<DeliverableRecord>),
}

fn validated<T>(
    shown: &str,
    records: Vec<T>,
    validate: impl Fn(&T) -> Result<(), String>,
    name: impl Fn(&T) -> &str,
) -> Result<Vec<T>, CatalogError> {
    for (i, r) in records.iter().enumerate() {
        validate(r).map_err(|reason| CatalogError::Record {
            file: shown.to_string(),
            record: format!("{} ({})", i + 1, name(r)),
            reason,
        })?;
    }
    Ok(records)
}

/// Why a JSON file (agents, songs, deliverables) was not imported.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Unreadable, or not text.
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// Not JSON: where the parser stopped.
    #[error("{file}:{line}:{column}: {reason}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    /// A record of the wrong shape or with a wrong value.
    #[error("{file}: record {record}: {reason}")]
    Record {
        file: String,
        record: String,
        reason: String,
    },
    /// The database failed: the file may be fine; try again.
    #[error("{file}: {source}")]
    Store {
        file: String,
        source: super::store::StoreError,
    },
}

impl CatalogError {
    /// The file is fine; the server failed (try again later).
    pub fn is_servers_fault(&self) -> bool {
        matches!(self, Self::Store { .. })
    }

    /// The 1-based line the error is on; 0 for the whole file.
    pub fn line(&self) -> usize {
        match self {
            Self::Json { line, .. } => *line,
            _ => 0,
        }
    }

    /// The error without the file's name (and line).
    pub fn reason(&self) -> String {
        match self {
            Self::File { reason, .. } => reason.clone(),
            Self::Json { column, reason, .. } => format!("column {column}: {reason}"),
            Self::Record { record, reason, .. } => format!("record {record}: {reason}"),
            Self::Store { source, .. } => source.to_string(),
        }
    }
}

/// Imports one JSON file in one transaction (retried on transient errors).
/// `time_shift` moves every timestamp of the records (the demo data only).
pub async fn import_file(
    pool: &sqlx::PgPool,
    kind: Kind,
    path: &Path,
    time_shift: chrono::Duration,
    dry_run: bool,
) -> Result<Counts, CatalogError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CatalogError::File {
        file: shown.clone(),
        reason: format!("cannot read: {e}"),
    })?;
    import_bytes(pool, kind, &shown, &bytes, time_shift, dry_run).await
}

/// Imports one JSON file's `bytes` (`shown` names it in messages), as
/// [`import_file`] does; also what `POST /api/v1/sync/{kind}` runs.
pub async fn import_bytes(
    pool: &sqlx::PgPool,
    kind: Kind,
    shown: &str,
    bytes: &[u8],
    time_shift: chrono::Duration,
    dry_run: bool,
) -> Result<Counts, CatalogError> {
    let records = match kind {
        Kind::Agents => Records::Agents(validated(
            shown,
            records_from(shown, bytes)?,
            AgentSnapshot::validate,
            |a| &a.agent_name,
        )?),
        Kind::Songs => Records::Songs(validated(
            shown,
            records_from(shown, bytes)?,
            SongRecord::validate,
            |s| &s.song_id,
        )?),
        Kind::Deliverables => Records::Deliverables(validated(
            shown,
            records_from(shown, bytes)?,
            DeliverableRecord::validate,
            |d| &d.storage_path,
        )?),
    };
    let records = &records;
    super::retry::with_retry(shown, || async move {
        let mut tx = pool.begin().await?;
        let mut counts = Counts::default();
        match records {
            Records::Agents(list) => {
                for a in list {
                    let beat = a.last_heartbeat.map_or_else(Utc::now, |t| t + time_shift);
                    let mut a = a.clone();
                    a.session_start = a.session_start.map(|t| t + time_shift);
                    counts.add(store_agent(&mut tx, &a, beat).await?);
                }
            }
            Records::Songs(list) => {
                for s in list {
                    let mut s = s.clone();
                    s.released_at = s.released_at.map(|t| t + time_shift);
                    counts.add(store_song(&mut tx, &s).await?);
                }
            }
            Records::Deliverables(list) => {
                for d in list {
                    let mut d = d.clone();
                    d.created_at = d.created_at.map(|t| t + time_shift);
                    d.published_at = d.published_at.map(|t| t + time_shift);
                    counts.add(store_deliverable(&mut tx, &d).await?);
                }
            }
        }
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(counts)
    })
    .await
    .map_err(|source| CatalogError::Store {
        file: shown.to_string(),
        source,
    })
}
