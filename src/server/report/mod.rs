//! The weekly digest (issue 20, docs/notifications.md): a week's completion,
//! its results and their progress, revenue against target, the blocked
//! actions, the top deliverables and the funnel's bottleneck. It goes out
//! as an email with the charts as images to every VIP (Friday 17:00 in the
//! plan owner's time zone), and as a PDF to the lake at
//! `analytics/reports/weekly/YYYY-Www-summary.pdf`; `rpm-cockpit report
//! weekly [--week 2026-W48]` makes one on demand.

pub mod email;
pub mod render;
pub mod svg;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::ActionStatus;

/// One result's line.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultLine {
    pub code: String,
    pub title: String,
    pub completed: u32,
    pub total: u32,
    pub target: f64,
    pub actual: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlockedLine {
    pub code: String,
    pub text: String,
    pub owner: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliverableLine {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub revenue: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageLine {
    pub stage: String,
    pub actions: u32,
    pub completed: u32,
    pub blocked: u32,
    pub score: f64,
}

/// Everything the digest says about one week.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyReport {
    /// "2026-W48".
    pub week: String,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub owner: String,
    /// Actions done, of those not cancelled.
    pub completed: u32,
    pub total: u32,
    pub results: Vec<ResultLine>,
    pub revenue_target: f64,
    pub revenue_actual: f64,
    pub blocked: Vec<BlockedLine>,
    pub deliverables: Vec<DeliverableLine>,
    pub stages: Vec<StageLine>,
    /// The stage with the highest bottleneck score, if any is above 0.
    pub bottleneck: Option<String>,
    pub generated_at: DateTime<Utc>,
}

impl WeeklyReport {
    pub fn completion_pct(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (f64::from(self.completed) * 100.0 / f64::from(self.total)).round() as u32
        }
    }

    /// Where the PDF goes in the lake.
    pub fn lake_path(&self) -> String {
        format!("analytics/reports/weekly/{}-summary.pdf", self.week)
    }
}

/// "2026-W48" of a date's ISO week.
pub fn iso_week(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of "2026-W48" (also "2026-w48", "2026W48").
pub fn parse_iso_week(text: &str) -> Result<NaiveDate, AppError> {
    let bad = || AppError::BadRequest(format!("{text:?} is not an ISO week; write it as 2026-W48"));
    let upper = text.trim().to_ascii_uppercase();
    let (year, week) = upper.split_once('W').ok_or_else(bad)?;
    let year: i32 = year.trim_end_matches('-').parse().map_err(|_| bad())?;
    let week: u32 = week.parse().map_err(|_| bad())?;
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)
}

/// The report of the plan whose week starts on `monday` (a plan's week may
/// start on another day: the plan whose week holds `monday`'s ISO week).
pub async fn gather(
    db: &PgPool,
    monday: NaiveDate,
    now: DateTime<Utc>,
) -> Result<WeeklyReport, AppError> {
    let week = iso_week(monday);
    let sunday = monday + chrono::Duration::days(6);
    let plan = sqlx::query_as!(
        crate::server::week::PlanRow,
        r#"select id, week_start_date as "week_start_date: NaiveDate",
                  week_end_date as "week_end_date: NaiveDate", owner, classification
           from rpm_weekly_plans
           where week_start_date between $1::date and $2::date
           order by week_start_date limit 1"#,
        monday as _,
        sunday as _
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(|| AppError::NotFound(format!("no plan for {week}")))?;
    let overview = crate::server::week::overview(db, plan.clone()).await?;
    let revenue = crate::server::panels::revenue::revenue(db, &plan).await?;
    let funnel = crate::server::panels::funnel::funnel(db, &plan, now).await?;
    let blocked = sqlx::query_as!(
        BlockedLine,
        r#"select a.action_code as code, a.action_text as text, a.owner,
                  a.blocker_description as reason
           from rpm_action_items a join rpm_results r on r.id = a.result_id
           where r.weekly_plan_id = $1 and a.status = 'blocked'
           order by a.action_code"#,
        plan.id
    )
    .fetch_all(db)
    .await?;
    let counts = |actions: &[crate::model::ActionSummary]| {
        let live: Vec<_> = actions
            .iter()
            .filter(|a| a.status != ActionStatus::Cancelled)
            .collect();
        let done = live
            .iter()
            .filter(|a| a.status == ActionStatus::Completed)
            .count();
        (done as u32, live.len() as u32)
    };
    let results: Vec<ResultLine> = overview
        .results
        .iter()
        .map(|r| {
            let (completed, total) = counts(&r.actions);
            let money = revenue.results.iter().find(|m| m.code == r.code);
            ResultLine {
                code: r.code.clone(),
                title: r.title.clone(),
                completed,
                total,
                target: money.map_or(0.0, |m| m.target),
                actual: money.map_or(0.0, |m| m.actual),
            }
        })
        .collect();
    let stages: Vec<StageLine> = funnel
        .stages
        .iter()
        .map(|s| StageLine {
            stage: s.stage.as_str().to_string(),
            actions: s.actions,
            completed: s.completed,
            blocked: s.blocked,
            score: s.bottleneck_score,
        })
        .collect();
    let bottleneck = stages
        .iter()
        .filter(|s| s.score > 0.0)
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .map(|s| s.stage.clone());
    Ok(WeeklyReport {
        week,
        week_start: plan.week_start_date,
        week_end: plan.week_end_date,
        owner: plan.owner.clone(),
        completed: results.iter().map(|r| r.completed).sum(),
        total: results.iter().map(|r| r.total).sum(),
        revenue_target: revenue.total_target(),
        revenue_actual: revenue.total_actual(),
        results,
        blocked,
        deliverables: revenue
            .top
            .iter()
            .map(|d| DeliverableLine {
                title: d.title.clone(),
                kind: d.kind.as_str().to_string(),
                status: d.status.as_str().to_string(),
                revenue: d.revenue_actual.unwrap_or(0.0),
            })
            .collect(),
        stages,
        bottleneck,
        generated_at: now,
    })
}

/// The report as files: the PDF, and each chart as a PNG for the email.
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// (content id, PNG bytes): results, revenue, funnel.
    pub charts: Vec<(&'static str, Vec<u8>)>,
}

pub fn render_all(report: &WeeklyReport) -> anyhow::Result<Rendered> {
    let pdf = render::pdf(&svg::page(report))?;
    let charts = svg::charts(report)
        .into_iter()
        .map(|(id, chart)| Ok((id, render::png(&chart, 2.0)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Rendered { pdf, charts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_are_read_and_written_alike() {
        let monday = parse_iso_week("2026-W48").unwrap();
        assert_eq!(monday, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(iso_week(monday), "2026-W48");
        assert_eq!(iso_week(monday + chrono::Duration::days(6)), "2026-W48");
        assert_eq!(parse_iso_week("2026w48").unwrap(), monday);
        // 2027-01-01 is a Friday of 2026's week 53.
        assert_eq!(
            iso_week(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            "2026-W53"
        );
        for bad in ["2026-48", "W48", "2026-W54", "2026-W0", "last week"] {
            assert!(parse_iso_week(bad).is_err(), "{bad}");
        }
    }
}
