//! The home page: the current week's plan and its progress.

use leptos::prelude::*;

use crate::api::week::current_week;
use crate::model::WeekOverview;
use crate::ui::progress_bar::ProgressBar;
use crate::ui::result_card::ResultCard;

/// Shows the current week: date range, overall completion, each result.
#[component]
pub fn WeekPage() -> impl IntoView {
    let week = Resource::new(|| (), |_| current_week());

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the week…"</p> }>
            {move || Suspend::new(async move {
                match week.await {
                    Ok(Some(week)) => view! { <WeekOverviewView week/> }.into_any(),
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
        </Suspense>
    }
}

#[component]
fn WeekOverviewView(week: WeekOverview) -> impl IntoView {
    let percent = week.percent();
    view! {
        <section class="panel overview" aria-labelledby="week-heading">
            <h1 id="week-heading">"Week of " {week.date_range_label()}</h1>
            <p class="overall">
                <span class="overall-percent">{format!("{percent}% complete")}</span>
                <span class="overall-count">
                    {format!("({}/{} actions)", week.completed_actions(), week.total_actions())}
                </span>
            </p>
            <ProgressBar percent label="Overall completion"/>
            <h2>"Results committed"</h2>
            <ul class="results">
                {week.results.into_iter().map(|result| view! { <ResultCard result/> }).collect_view()}
            </ul>
        </section>
    }
}
