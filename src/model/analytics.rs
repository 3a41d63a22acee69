//! Analytics shared by the server, the API and the cockpit (formulas:
//! docs/metrics.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One week's plan, as `rpm_analytics.rpm_plan_effectiveness` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PlanWeek {
    pub week_start: NaiveDate,
    pub total_results: i64,
    pub results_achieved: i64,
    pub total_actions: i64,
    pub actions_completed: i64,
    pub on_time_completion_rate: Option<f64>,
    pub jesse_completion_rate: Option<f64>,
    pub team_completion_rate: Option<f64>,
    pub avg_cycle_time_days: Option<f64>,
    pub velocity_score: f64,
}

impl PlanWeek {
    /// Completed / all actions in percent; `None` without actions.
    pub fn completion_rate(&self) -> Option<f64> {
        rate(self.actions_completed, self.total_actions)
    }
}

/// One funnel stage of one week, as `rpm_analytics.funnel_velocity` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct StageVelocity {
    /// top, middle or bottom.
    pub stage: String,
    pub actions_entered: i64,
    pub actions_completed: i64,
    pub actions_blocked: i64,
    /// Average days in the stage; null for an empty stage.
    pub avg_days: Option<f64>,
    /// Average days x share still open: higher is more of a bottleneck.
    pub bottleneck_score: f64,
    pub completion_rate: Option<f64>,
}

/// The bottleneck: the stage with the highest positive score.
pub fn bottleneck(stages: &[StageVelocity]) -> Option<&StageVelocity> {
    highest_score(stages, |s| s.bottleneck_score)
}

/// The item with the highest positive `score` (the bottleneck rule, for the
/// API's stages and the cockpit's alike).
pub fn highest_score<T>(items: &[T], score: impl Fn(&T) -> f64) -> Option<&T> {
    items
        .iter()
        .filter(|s| score(s) > 0.0)
        .max_by(|a, b| score(a).total_cmp(&score(b)))
}

/// One period of `rpm_dna_periods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Period {
    /// The period's first day (named so for the spec's weekly trend).
    pub week_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total_actions: i64,
    pub completed_actions: i64,
    pub completion_rate: Option<f64>,
    /// Actions completed within the period per elapsed day.
    pub velocity_score: f64,
    pub revenue_target: f64,
    pub revenue_actual: f64,
    pub jesse_completion_rate: Option<f64>,
}

/// The periods rpm_dna_periods rolls up.
pub const PERIODS: [&str; 4] = ["daily", "weekly", "monthly", "quarterly"];

/// `100 * part / whole` rounded to two decimals; `None` for an empty whole.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round2(part as f64 * 100.0 / whole as f64))
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The week's completion expected at its end if the pace so far holds:
/// `completed + completed / elapsed * (days - elapsed)`, at most all
/// actions, in percent; `None` without actions.
pub fn forecast_percent(
    completed: i64,
    total: i64,
    elapsed_days: i64,
    week_days: i64,
) -> Option<f64> {
    if total <= 0 {
        return None;
    }
    let elapsed = elapsed_days.clamp(1, week_days.max(1));
    let velocity = completed as f64 / elapsed as f64;
    let expected = completed as f64 + velocity * (week_days - elapsed).max(0) as f64;
    Some(round2(expected.min(total as f64) * 100.0 / total as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_percentages_with_two_decimals() {
        assert_eq!(rate(1, 3), Some(33.33));
        assert_eq!(rate(2, 3), Some(66.67));
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(4, 4), Some(100.0));
    }

    #[test]
    fn the_forecast_extends_the_pace_to_the_week_end() {
        // 3 of 20 done after 2 of 7 days: 1.5 a day, 3 + 1.5 * 5 = 10.5.
        assert_eq!(forecast_percent(3, 20, 2, 7), Some(52.5));
        // A fast week cannot pass 100 %.
        assert_eq!(forecast_percent(10, 12, 1, 7), Some(100.0));
        // Once the week is over, the forecast is the result.
        assert_eq!(forecast_percent(9, 12, 7, 7), Some(75.0));
        // Nothing done yet: nothing forecast.
        assert_eq!(forecast_percent(0, 12, 3, 7), Some(0.0));
        assert_eq!(forecast_percent(0, 0, 3, 7), None);
    }

    fn stage(name: &str, score: f64) -> StageVelocity {
        StageVelocity {
            stage: name.into(),
            actions_entered: 1,
            actions_completed: 0,
            actions_blocked: 0,
            avg_days: Some(1.0),
            bottleneck_score: score,
            completion_rate: Some(0.0),
        }
    }

    #[test]
    fn the_bottleneck_is_the_highest_positive_score() {
        let stages = [
            stage("top", 0.5),
            stage("middle", 2.25),
            stage("bottom", 1.0),
        ];
        assert_eq!(bottleneck(&stages).unwrap().stage, "middle");
        let clear = [stage("top", 0.0), stage("middle", 0.0)];
        assert!(bottleneck(&clear).is_none());
    }
}
