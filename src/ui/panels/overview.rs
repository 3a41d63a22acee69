//! Section 1: Jesse's completion and the velocity trend.

use chrono::NaiveDate;
use leptos::prelude::*;

use super::common::{panel_error, sparkline};
use crate::error::AppError;
use crate::model::panels::OverviewStats;
use crate::model::week::percent;
use crate::server_fns::panels::get_overview_stats;
use crate::ui::live::use_live;

/// The velocity figures of a week, reloaded with the plan.
pub type OverviewStatsResource = Resource<Result<Option<OverviewStats>, AppError>>;

/// Made once by the page, not by the panel: the panel sits inside the week
/// heading, which is drawn again whenever the week reloads; a resource of
/// its own would start a second, unmarked fetch each time (see
/// `crate::server_fns::client`).
pub fn overview_stats(week: Signal<Option<NaiveDate>>) -> OverviewStatsResource {
    let live = use_live();
    Resource::new(
        move || (week.get(), live.plan.get()),
        |(week, _)| get_overview_stats(week),
    )
}

/// The stats, once loaded: awaited by the week heading's own `Suspend`
/// rather than a `Transition` of their own, as nothing hydrated before the
/// deferred panels may make one (see `crate::ui::defer`).
#[component]
pub fn OverviewStatsPanel(stats: Result<Option<OverviewStats>, AppError>) -> impl IntoView {
    let body = match stats {
        Ok(Some(s)) => {
            let jesse = percent(s.jesse_completed as usize, s.jesse_total as usize);
            let trend: Vec<f64> = s.trend.iter().map(|w| w.velocity).collect();
            view! {
                <div class="stat" data-stat="jesse">
                    <span class="stat-value">{format!("{jesse}%")}</span>
                    <span class="stat-label">
                        {format!("Jesse's completion ({}/{})", s.jesse_completed, s.jesse_total)}
                    </span>
                </div>
                <div class="stat" data-stat="velocity">
                    <span class="stat-value">{format!("{:.1}", s.velocity)}</span>
                    <span class="stat-label">"actions/day"</span>
                    {sparkline(&trend, format!("Velocity over the last {} weeks", trend.len()))}
                </div>
            }
            .into_any()
        }
        Ok(None) => ().into_any(),
        Err(e) => panel_error("velocity", e),
    };
    view! { <div class="stats" aria-live="polite">{body}</div> }
}
