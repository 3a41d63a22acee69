//! Section 6: the full funnel, its bottleneck and what to do about it.

use chrono::NaiveDate;
use leptos::prelude::*;

use super::common::panel_error;
use crate::model::panels::FunnelPanel;
use crate::server_fns::panels::get_funnel;
use crate::ui::chart::Chart;
use crate::ui::live::use_live;

#[component]
pub fn FunnelPanelView(week: Signal<Option<NaiveDate>>) -> impl IntoView {
    let live = use_live();
    let funnel = Resource::new(
        move || (week.get(), live.plan.get()),
        |(week, _)| get_funnel(week),
    );
    view! {
        <section class="panel funnel" aria-labelledby="funnel-heading">
            <h2 id="funnel-heading">"Full funnel"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading the funnel…"</p> }>
                {move || Suspend::new(async move {
                    match funnel.await {
                        Ok(Some(f)) => view! { <Body f/> }.into_any(),
                        Ok(None) => view! { <p class="empty">"No plan yet."</p> }.into_any(),
                        Err(e) => panel_error("the funnel", e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Body(f: FunnelPanel) -> impl IntoView {
    let bottleneck = f.bottleneck().map(|s| s.stage);
    let stages = f
        .stages
        .iter()
        .map(|s| {
            let days = s.avg_days.map_or("—".into(), |d| format!("{d:.1} days"));
            view! {
                <li class="stage" class:bottleneck=bottleneck == Some(s.stage) data-stage=s.stage.as_str()>
                    <span class="stage-name">{s.stage.label()}</span>
                    <span class="stat-value">{s.actions}" actions"</span>
                    <span class="stat-label">{format!("{} done · {} blocked · {days}", s.completed, s.blocked)}</span>
                </li>
            }
        })
        .collect_view();
    let headline = f.bottleneck().map(|s| {
        format!(
            "Bottleneck: {} ({:.1} days avg)",
            s.stage.label(),
            s.avg_days.unwrap_or(0.0)
        )
    });
    let label = f
        .stages
        .iter()
        .map(|s| format!("{} {}", s.stage.label(), s.actions))
        .collect::<Vec<_>>()
        .join(", ");
    let plain = plain_funnel(&f, bottleneck);
    view! {
        <Chart id="funnel-chart" option=f.chart.clone() label=format!("Funnel, actions per stage: {label}")>
            {plain}
        </Chart>
        <ol class="stages">{stages}</ol>
        <p class="funnel-completion">{format!("Funnel completion: {}%", f.completion_percent())}</p>
        {headline.map(|h| view! { <p class="bottleneck-line">{h}</p> })}
        <p class="recommendation">"Recommendation: "{f.recommendation()}</p>
    }
}

/// The funnel as plain HTML: one centred band per stage, as wide as its
/// share of the actions (what shows until ECharts draws the diagram).
fn plain_funnel(f: &FunnelPanel, bottleneck: Option<crate::model::FunnelStage>) -> impl IntoView {
    let most = f.stages.iter().map(|s| s.actions).max().unwrap_or(0).max(1);
    let bands = f
        .stages
        .iter()
        .map(|s| {
            let width = 30.0 + 70.0 * f64::from(s.actions) / f64::from(most);
            view! {
                <li class="plain-band" class:bottleneck=bottleneck == Some(s.stage) style=format!("width: {width:.0}%")>
                    {format!("{}: {}", s.stage.label(), s.actions)}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="plain-funnel">{bands}</ol> }
}
