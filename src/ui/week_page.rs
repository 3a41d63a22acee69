//! The cockpit: the week's overview and the six panels of the wireframe.
//! The week and the feed's filters come from the URL (`?week=&owner=&stage=&status=`).

use chrono::NaiveDate;
use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::model::panels::{FeedFilter, OverviewStats};
use crate::model::{ActionStatus, FunnelStage, WeekOverview};
use crate::server_fns::week::current_week;
use crate::ui::base::at;
use crate::ui::defer::deferred;
use crate::ui::live::{use_live, LiveStatus};
use crate::ui::panels::agents::AgentsPanel;
use crate::ui::panels::deliverables::DeliverablesPanelView;
use crate::ui::panels::feed::FeedPanel;
use crate::ui::panels::funnel::FunnelPanelView;
use crate::ui::panels::overview::{overview_stats, OverviewStatsPanel};
use crate::ui::panels::revenue::RevenuePanelView;
use crate::ui::progress_bar::ProgressBar;
use crate::ui::result_card::ResultCard;

/// The whole cockpit.
#[component]
pub fn WeekPage() -> impl IntoView {
    let query = use_query_map();
    let week = Signal::derive(move || {
        query
            .read()
            .get("week")
            .and_then(|w| w.parse::<NaiveDate>().ok())
    });
    let filter = Signal::derive(move || {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.is_empty());
        FeedFilter {
            owner: text("owner"),
            stage: text("stage").and_then(|s| FunnelStage::parse(&s).ok()),
            status: text("status").and_then(|s| ActionStatus::parse(&s).ok()),
        }
    });
    let live = use_live();
    let overview = Resource::new(
        move || (week.get(), live.plan.get()),
        |(week, _)| current_week(week),
    );
    let stats = overview_stats(week);

    view! {
        <div class="cockpit">
            <LiveStatus/>
            <Transition fallback=|| view! { <p class="loading">"Loading the week…"</p> }>
                {move || Suspend::new(async move {
                    let (week, stats) = (overview.await, stats.await);
                    match week {
                        Ok(Some(w)) => view! { <WeekOverviewView w stats/> }.into_any(),
                        Ok(None) => view! {
                            <p class="empty">"No plan yet. Import a weekly plan to see it here."</p>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">{format!("Could not load the week: {e}")}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            // One grid (style/main.css): on a desktop, after the wireframe
            // (§2.5), Results | Revenue, Feed | Agent health, Funnel,
            // Deliverables; on a phone one column, Jesse's own actions
            // first when he has any.
            // Each panel hydrates in its own task, after the week's
            // numbers (ui::defer): no one long task on a phone.
            {deferred(move || view! { <RevenuePanelView week/> })}
            {deferred(move || view! { <FeedPanel week filter/> })}
            {deferred(move || view! { <AgentsPanel/> })}
            {deferred(move || view! { <FunnelPanelView week/> })}
            {deferred(move || view! { <DeliverablesPanelView/> })}
        </div>
    }
}

#[component]
fn WeekOverviewView(
    w: WeekOverview,
    stats: Result<Option<OverviewStats>, AppError>,
) -> impl IntoView {
    let percent = w.percent();
    let prev = w.week_start - chrono::Days::new(7);
    let next = w.week_start + chrono::Days::new(7);
    let heading = w.date_range_label();
    let count = format!("({}/{} actions)", w.completed_actions(), w.total_actions());
    // Read above; the results themselves move to their deferred panel.
    let results = w.results;
    view! {
        <section class="panel overview" aria-labelledby="week-heading">
            <nav class="week-picker" aria-label="Weeks">
                <a class="button" href=at(&format!("/?week={prev}"))>"← Previous"</a>
                <a class="button" href=at("/")>"This week"</a>
                <a class="button" href=at(&format!("/?week={next}"))>"Next →"</a>
            </nav>
            <h1 id="week-heading">"Week of " {heading}</h1>
            <p class="overall">
                <span class="overall-percent">{format!("{percent}% complete")}</span>
                <span class="overall-count">{count}</span>
            </p>
            <ProgressBar percent label="Overall completion"/>
            <OverviewStatsPanel stats/>
        </section>
        {deferred(move || view! {
            <section class="panel results-panel" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results committed"</h2>
                <ul class="results">
                    {results.into_iter().map(|result| view! { <ResultCard result/> }).collect_view()}
                </ul>
            </section>
        })}
    }
}
