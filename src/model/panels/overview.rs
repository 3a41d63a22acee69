//! The numbers beside the week overview: velocity and the rest.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One week's completion, for the velocity sparkline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekPoint {
    pub week_start: NaiveDate,
    pub completed: u32,
    pub total: u32,
    /// Completed actions per day of the week so far.
    pub velocity: f64,
}

/// The numbers beside the week overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewStats {
    pub jesse_completed: u32,
    pub jesse_total: u32,
    /// Completed actions per elapsed day of this week.
    pub velocity: f64,
    /// Up to 8 weeks, oldest first, this week last.
    pub trend: Vec<WeekPoint>,
}
