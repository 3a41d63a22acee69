//! What a chart shows, as plain data: the server turns it into an ECharts
//! option with charming (`server::charts`) and sends that with the panel
//! ([`ChartOption`]); the page draws its numbers as plain HTML bars until
//! ECharts draws the option. Neither charming nor its serializers are in
//! the browser's bundle.

use serde::{Deserialize, Serialize};

use super::panels::RevenuePanel;

/// An ECharts option as JSON, written on the server (charming) and given to
/// ECharts in the browser as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChartOption(pub String);

/// Colours shared with `style/main.css`.
pub mod colors {
    pub const TARGET: &str = "#cbd5e1";
    pub const ACCENT: &str = "#2563eb";
    pub const BLOCKED: &str = "#dc2626";
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub values: Vec<f64>,
    pub color: &'static str,
}

/// A bar chart: one bar per category and series.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub categories: Vec<String>,
    pub series: Vec<ChartSeries>,
    /// Bars run left to right, categories top to bottom.
    pub horizontal: bool,
    /// Series stack on one bar instead of standing side by side.
    pub stacked: bool,
    /// Fixed top of the value axis (100 for scores).
    pub max: Option<f64>,
    /// Values are dollars.
    pub money: bool,
}

fn series(name: &str, values: Vec<f64>, color: &'static str) -> ChartSeries {
    ChartSeries {
        name: name.into(),
        values,
        color,
    }
}

/// Revenue target against actual, one pair of bars per week.
pub fn revenue_trend(r: &RevenuePanel) -> ChartSpec {
    ChartSpec {
        categories: r
            .trend
            .iter()
            // "11/9": eight of them fit a phone's width whole ("Nov 9" was
            // cut to "Nov…").
            .map(|p| p.week_start.format("%-m/%-d").to_string())
            .collect(),
        series: vec![
            series(
                "target",
                r.trend.iter().map(|p| p.target).collect(),
                colors::TARGET,
            ),
            series(
                "actual",
                r.trend.iter().map(|p| p.actual).collect(),
                colors::ACCENT,
            ),
        ],
        horizontal: false,
        stacked: false,
        max: None,
        money: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::panels::RevenuePoint;
    use chrono::NaiveDate;

    #[test]
    fn revenue_trend_pairs_target_and_actual_per_week() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let r = RevenuePanel {
            week_start: day(16),
            results: vec![],
            catalog_actual: 0.0,
            top: vec![],
            chart: Default::default(),
            trend: vec![
                RevenuePoint {
                    week_start: day(9),
                    target: 100.0,
                    actual: 40.0,
                },
                RevenuePoint {
                    week_start: day(16),
                    target: 200.0,
                    actual: 250.0,
                },
            ],
        };
        let c = revenue_trend(&r);
        assert_eq!(c.categories, ["11/9", "11/16"]);
        assert_eq!(c.series[0].name, "target");
        assert_eq!(c.series[0].values, [100.0, 200.0]);
        assert_eq!(c.series[1].values, [40.0, 250.0]);
        assert!(c.money && !c.horizontal && !c.stacked);
    }
}
