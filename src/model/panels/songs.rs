//! The song catalog page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::kinds::SongStatus;

/// A song of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Song {
    pub title: String,
    pub album: Option<String>,
    pub genre: Option<String>,
    pub bpm: Option<i32>,
    pub key: Option<String>,
    pub duration_seconds: Option<i32>,
    pub status: SongStatus,
    pub revenue_actual: Option<f64>,
    pub released_at: Option<DateTime<Utc>>,
}

/// The catalog's filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SongFilter {
    pub album: Option<String>,
    pub genre: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SongCatalog {
    pub songs: Vec<Song>,
    /// Every album and genre, for the filters.
    pub albums: Vec<String>,
    pub genres: Vec<String>,
}

/// "3:42".
pub fn duration_label(seconds: i32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
