//! What a chart shows, as plain data. The panels build these from their
//! server-function types; in the browser `ui::chart` draws them with ECharts
//! (through charming). Keeping the description here lets it be tested
//! without a browser and keeps charming out of the server build.

use super::panels::{AgentPanel, FunnelPanel, HealthBand, RevenuePanel};

/// Colours shared with `style/main.css`.
pub mod colors {
    pub const TARGET: &str = "#cbd5e1";
    pub const ACCENT: &str = "#2563eb";
    pub const DONE: &str = "#16a34a";
    pub const BLOCKED: &str = "#dc2626";
    pub const OPEN: &str = "#94a3b8";
    pub const GOOD: &str = "#ca8a04";
    pub const FAIR: &str = "#ea580c";
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub values: Vec<f64>,
    pub color: &'static str,
    /// One colour per value, when the values differ in meaning (health
    /// bands); empty to use `color` for all.
    pub point_colors: Vec<&'static str>,
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
        point_colors: Vec::new(),
    }
}

/// Revenue target against actual, one pair of bars per week.
pub fn revenue_trend(r: &RevenuePanel) -> ChartSpec {
    ChartSpec {
        categories: r
            .trend
            .iter()
            .map(|p| p.week_start.format("%b %-d").to_string())
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

/// Each funnel stage's actions: done, blocked and still open, stacked.
pub fn funnel_stages(f: &FunnelPanel) -> ChartSpec {
    let pick = |g: fn(&super::panels::StageStats) -> u32| -> Vec<f64> {
        f.stages.iter().map(|s| f64::from(g(s))).collect()
    };
    ChartSpec {
        categories: f
            .stages
            .iter()
            .map(|s| s.stage.label().to_string())
            .collect(),
        series: vec![
            series("done", pick(|s| s.completed), colors::DONE),
            series("blocked", pick(|s| s.blocked), colors::BLOCKED),
            series(
                "open",
                pick(|s| s.actions.saturating_sub(s.completed + s.blocked)),
                colors::OPEN,
            ),
        ],
        horizontal: true,
        stacked: true,
        max: None,
        money: false,
    }
}

fn band_color(band: HealthBand) -> &'static str {
    match band {
        HealthBand::Excellent => colors::DONE,
        HealthBand::Good => colors::GOOD,
        HealthBand::Fair => colors::FAIR,
        HealthBand::Critical => colors::BLOCKED,
    }
}

/// Each agent's health score on a 0–100 scale, coloured by band.
pub fn agent_health(p: &AgentPanel) -> ChartSpec {
    let mut health = series(
        "health",
        p.agents.iter().map(|a| f64::from(a.health_score)).collect(),
        colors::DONE,
    );
    health.point_colors = p.agents.iter().map(|a| band_color(a.band())).collect();
    ChartSpec {
        categories: p.agents.iter().map(|a| a.name.clone()).collect(),
        series: vec![health],
        horizontal: true,
        stacked: false,
        max: Some(100.0),
        money: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::panels::{AgentCard, RevenuePoint, StageStats};
    use crate::model::FunnelStage;
    use chrono::{NaiveDate, Utc};

    #[test]
    fn revenue_trend_pairs_target_and_actual_per_week() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let r = RevenuePanel {
            week_start: day(16),
            results: vec![],
            catalog_actual: 0.0,
            top: vec![],
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
        assert_eq!(c.categories, ["Nov 9", "Nov 16"]);
        assert_eq!(c.series[0].name, "target");
        assert_eq!(c.series[0].values, [100.0, 200.0]);
        assert_eq!(c.series[1].values, [40.0, 250.0]);
        assert!(c.money && !c.horizontal && !c.stacked);
    }

    #[test]
    fn funnel_stages_split_into_done_blocked_and_open() {
        let stage = |stage, actions, completed, blocked| StageStats {
            stage,
            actions,
            completed,
            blocked,
            avg_days: None,
            bottleneck_score: 0.0,
            busiest_owners: vec![],
        };
        let f = FunnelPanel {
            stages: vec![
                stage(FunnelStage::Top, 10, 4, 1),
                stage(FunnelStage::Bottom, 3, 3, 0),
            ],
        };
        let c = funnel_stages(&f);
        assert_eq!(
            c.categories,
            [FunnelStage::Top.label(), FunnelStage::Bottom.label()]
        );
        let values: Vec<_> = c.series.iter().map(|s| s.values.clone()).collect();
        assert_eq!(values, [vec![4.0, 3.0], vec![1.0, 0.0], vec![5.0, 0.0]]);
        assert!(c.stacked && c.horizontal);
    }

    #[test]
    fn agent_health_is_coloured_by_band() {
        let card = |name: &str, health_score| AgentCard {
            name: name.into(),
            status: crate::model::kinds::AgentStatus::Active,
            health_score,
            current_action: None,
            last_heartbeat: Utc::now(),
            error_log: None,
        };
        let p = AgentPanel {
            now: Utc::now(),
            stale_after_minutes: 15,
            agents: vec![
                card("QA", 95),
                card("Ops", 72),
                card("Ads", 55),
                card("Mix", 20),
            ],
        };
        let c = agent_health(&p);
        assert_eq!(c.series[0].values, [95.0, 72.0, 55.0, 20.0]);
        assert_eq!(
            c.series[0].point_colors,
            [colors::DONE, colors::GOOD, colors::FAIR, colors::BLOCKED]
        );
        assert_eq!(c.max, Some(100.0));
    }
}
