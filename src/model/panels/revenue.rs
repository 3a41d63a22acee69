//! The revenue panel: targets against actuals, by result and by week.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deliverables::DeliverableItem;

/// Revenue of one result: its target and what its deliverables earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRevenue {
    pub code: String,
    pub title: String,
    pub target: f64,
    pub actual: f64,
}

/// Target and actual of one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenuePoint {
    pub week_start: NaiveDate,
    pub target: f64,
    pub actual: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenuePanel {
    pub week_start: NaiveDate,
    pub results: Vec<ResultRevenue>,
    /// Earned this week by deliverables not tied to a result (songs, albums).
    pub catalog_actual: f64,
    pub top: Vec<DeliverableItem>,
    /// Up to 8 weeks, oldest first.
    pub trend: Vec<RevenuePoint>,
    /// The trend as an ECharts option (written by the server).
    #[serde(default)]
    pub chart: crate::model::chart::ChartOption,
}

impl RevenuePanel {
    pub fn total_target(&self) -> f64 {
        self.results.iter().map(|r| r.target).sum()
    }

    pub fn total_actual(&self) -> f64 {
        self.results.iter().map(|r| r.actual).sum::<f64>() + self.catalog_actual
    }

    /// Actual over target, in percent; `None` without a target.
    pub fn achievement(&self) -> Option<f64> {
        let target = self.total_target();
        (target > 0.0).then(|| self.total_actual() * 100.0 / target)
    }
}
