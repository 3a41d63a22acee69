//! Deliverables: the panel, the album progress and the list page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use uuid::Uuid;

/// A deliverable, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableItem {
    pub id: Uuid,
    pub kind: DeliverableKind,
    pub title: String,
    pub status: DeliverableStatus,
    pub link: String,
    pub revenue_actual: Option<f64>,
    pub revenue_target: Option<f64>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumProgress {
    pub album: String,
    pub songs: u32,
    pub released: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverablesPanel {
    /// Published in the last 7 days, by kind.
    pub songs_7d: u32,
    pub documents_7d: u32,
    pub code_7d: u32,
    pub latest: Vec<DeliverableItem>,
    pub albums: Vec<AlbumProgress>,
    /// Albums published of the 21-album release.
    pub albums_released: u32,
}

/// The album release the catalog works towards.
pub const ALBUM_GOAL: u32 = 21;

/// The deliverables list page's filters (kept in the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverableFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableList {
    /// Newest first, at most [`DeliverableList::LIMIT`].
    pub items: Vec<DeliverableItem>,
    /// How many match the filter in all.
    pub total: u32,
    pub revenue_actual: f64,
}

impl DeliverableList {
    pub const LIMIT: u32 = 200;
}
