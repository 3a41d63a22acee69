//! Section 3: revenue targets against actuals.

use chrono::NaiveDate;
use leptos::prelude::*;

use super::common::{money, panel_error};
use crate::model::chart::revenue_trend;
use crate::model::panels::RevenuePanel;
use crate::server_fns::panels::get_revenue;
use crate::ui::chart::{plain_bars, Chart};
use crate::ui::live::use_live;

#[component]
pub fn RevenuePanelView(week: Signal<Option<NaiveDate>>) -> impl IntoView {
    let live = use_live();
    let revenue = Resource::new(
        move || (week.get(), live.plan.get(), live.money.get()),
        |(week, _, _)| get_revenue(week),
    );
    view! {
        <section class="panel revenue" aria-labelledby="revenue-heading">
            <h2 id="revenue-heading">"Revenue"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading revenue…"</p> }>
                {move || Suspend::new(async move {
                    match revenue.await {
                        Ok(Some(r)) => view! { <RevenueBody r/> }.into_any(),
                        Ok(None) => view! { <p class="empty">"No plan yet."</p> }.into_any(),
                        Err(e) => panel_error("revenue", e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RevenueBody(r: RevenuePanel) -> impl IntoView {
    let achievement = r
        .achievement()
        .map_or("no target".to_string(), |a| format!("{a:.0}%"));
    let rows = r
        .results
        .iter()
        .map(|x| {
            view! {
                <tr>
                    <th scope="row">{x.code.clone()}" "<span class="muted">{x.title.clone()}</span></th>
                    <td>{money(x.target)}</td>
                    <td>{money(x.actual)}</td>
                </tr>
            }
        })
        .collect_view();
    let top = r
        .top
        .iter()
        .map(|d| {
            view! {
                <li><span class="kind">{d.kind.as_str()}</span>" "{d.title.clone()}" "
                    <strong>{money(d.revenue_actual.unwrap_or(0.0))}</strong></li>
            }
        })
        .collect_view();
    view! {
        <div class="revenue-totals">
            <div class="stat" data-stat="target"><span class="stat-value">{money(r.total_target())}</span><span class="stat-label">"target"</span></div>
            <div class="stat" data-stat="actual"><span class="stat-value">{money(r.total_actual())}</span><span class="stat-label">"actual"</span></div>
            <div class="stat" data-stat="achievement"><span class="stat-value">{achievement}</span><span class="stat-label">"achieved"</span></div>
        </div>
        <table class="revenue-table">
            <thead><tr><th scope="col">"Result"</th><th scope="col">"Target"</th><th scope="col">"Actual"</th></tr></thead>
            <tbody>
                {rows}
                <tr><th scope="row">"Songs and albums"</th><td>"—"</td><td>{money(r.catalog_actual)}</td></tr>
            </tbody>
        </table>
        <h3>"Last 8 weeks"</h3>
        <Chart id="revenue-chart" option=r.chart.clone() label="Revenue target and actual, last 8 weeks".into()>
            {plain_bars(&revenue_trend(&r))}
        </Chart>
        <h3>"Top deliverables"</h3>
        <ol class="top-deliverables">{top}</ol>
    }
}
