//! The sync status of each plan file, as the admin page and
//! `GET /api/v1/sync/status` show it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One warning or error of a file, at its line (0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SyncNote {
    pub line: usize,
    pub message: String,
    /// The line as written (trimmed, at most 200 characters).
    #[serde(default)]
    pub text: String,
}

/// A plan file's last sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct SyncFile {
    /// The file's absolute path where the sync ran.
    pub source_path: String,
    pub synced_at: DateTime<Utc>,
    /// sha256 of the file (with the format version), hex.
    pub content_hash: String,
    /// imported, unchanged, refused (the file is wrong) or failed (the
    /// database or the lake failed).
    pub outcome: String,
    /// The week the file holds, when it was ever imported.
    pub week_start: Option<NaiveDate>,
    /// The last time its content was imported.
    pub imported_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub warnings: Vec<SyncNote>,
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub errors: Vec<SyncNote>,
}

impl SyncFile {
    /// The file's name, without its directories.
    pub fn name(&self) -> &str {
        self.source_path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&self.source_path)
    }
}
