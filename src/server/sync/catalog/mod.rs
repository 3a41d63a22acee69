//! Agent snapshots, the song catalog and deliverables, imported from JSON
//! files (shapes in docs/plan-format.md). Each file is one transaction:
//! a bad record changes nothing and is named with its index and id. One
//! file per kind, each a [`Record`]: how it is named, checked, moved in
//! time (the demo data) and stored.

mod agents;
mod deliverables;
mod songs;

use std::future::Future;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::PgConnection;

pub use agents::{health_band, store_agent, AgentSnapshot};
pub use deliverables::{store_deliverable, DeliverableRecord};
pub use songs::{store_song, SongRecord};

use super::report::Counts;

/// One kind of record of a JSON file.
pub trait Record: DeserializeOwned + Clone + Send + Sync {
    /// How the record is named in messages (its id).
    fn name(&self) -> &str;
    /// What is wrong with it, if anything.
    fn validate(&self) -> Result<(), String>;
    /// The record with its timestamps moved by `shift` (the demo data).
    fn shifted(&self, shift: chrono::Duration) -> Self;
    /// Writes it (and its events) in `tx`.
    fn store(
        &self,
        tx: &mut PgConnection,
    ) -> impl Future<Output = Result<Counts, sqlx::Error>> + Send;
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

fn one_row(written: Option<bool>) -> Counts {
    let mut c = Counts::default();
    match written {
        Some(true) => c.inserted = 1,
        Some(false) => c.updated = 1,
        None => c.unchanged = 1,
    }
    c
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
    let file = File {
        pool,
        shown,
        time_shift,
        dry_run,
    };
    match kind {
        Kind::Agents => file.import::<AgentSnapshot>(bytes).await,
        Kind::Songs => file.import::<SongRecord>(bytes).await,
        Kind::Deliverables => file.import::<DeliverableRecord>(bytes).await,
    }
}

/// One file being imported.
struct File<'a> {
    pool: &'a sqlx::PgPool,
    shown: &'a str,
    time_shift: chrono::Duration,
    dry_run: bool,
}

impl File<'_> {
    /// Every record checked first (the first bad one refuses the file),
    /// then all stored in one transaction.
    async fn import<R: Record>(&self, bytes: &[u8]) -> Result<Counts, CatalogError> {
        let records: Vec<R> = records_from(self.shown, bytes)?;
        for (i, r) in records.iter().enumerate() {
            r.validate().map_err(|reason| CatalogError::Record {
                file: self.shown.to_string(),
                record: format!("{} ({})", i + 1, r.name()),
                reason,
            })?;
        }
        let records: Vec<R> = records.iter().map(|r| r.shifted(self.time_shift)).collect();
        let (records, pool, dry_run) = (&records, self.pool, self.dry_run);
        super::retry::with_retry(self.shown, || async move {
            let mut tx = pool.begin().await?;
            let mut counts = Counts::default();
            for r in records {
                counts.add(r.store(&mut tx).await?);
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
            file: self.shown.to_string(),
            source,
        })
    }
}
