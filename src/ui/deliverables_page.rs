//! Every deliverable, newest first, filtered by kind and status (kept in the
//! URL; a plain GET form, so it works without JavaScript).

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::model::kinds::{DeliverableKind, DeliverableStatus};
use crate::model::panels::{DeliverableFilter, DeliverableList};
use crate::server_fns::panels::get_deliverable_list;
use crate::ui::base::at;
use crate::ui::live::use_live;
use crate::ui::panels::common::{money, panel_error};

#[component]
pub fn DeliverablesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Signal::derive(move || {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.is_empty());
        DeliverableFilter {
            kind: text("kind"),
            status: text("status"),
        }
    });
    let live = use_live();
    let list = Resource::new(
        move || (filter.get(), live.money.get()),
        |(f, _)| get_deliverable_list(f),
    );
    view! {
        <section class="panel deliverable-page" aria-labelledby="deliverable-list-heading">
            <h1 id="deliverable-list-heading">"Deliverables"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading deliverables…"</p> }>
                {move || Suspend::new(async move {
                    let chosen = filter.get_untracked();
                    match list.await {
                        Ok(list) => view! { <Listing list chosen/> }.into_any(),
                        Err(e) => view! { <Filters chosen/>{panel_error("deliverables", e)} }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn options(values: impl Iterator<Item = &'static str>, chosen: &Option<String>) -> impl IntoView {
    values
        .map(|v| view! { <option value=v selected=chosen.as_deref() == Some(v)>{v}</option> })
        .collect_view()
}

#[component]
fn Filters(chosen: DeliverableFilter) -> impl IntoView {
    view! {
        <Form method="GET" action=at("/deliverables") attr:class="filters">
            <label>"Kind"<select name="kind"><option value="">"All kinds"</option>{options(DeliverableKind::ALL.iter().map(|k| k.as_str()), &chosen.kind)}</select></label>
            <label>"Status"<select name="status"><option value="">"Any status"</option>{options(DeliverableStatus::ALL.iter().map(|s| s.as_str()), &chosen.status)}</select></label>
            <button type="submit" class="button">"Filter"</button>
        </Form>
    }
}

#[component]
fn Listing(list: DeliverableList, chosen: DeliverableFilter) -> impl IntoView {
    let shown = list.items.len();
    let count = if shown as u32 == list.total {
        format!(
            "{} deliverables · {} earned",
            list.total,
            money(list.revenue_actual)
        )
    } else {
        format!(
            "Newest {shown} of {} deliverables · {} earned",
            list.total,
            money(list.revenue_actual)
        )
    };
    let rows = list
        .items
        .into_iter()
        .map(|d| {
            // "published Oct 26, 2026", or the status alone.
            let state = match d.published_at {
                Some(t) => format!("{} {}", d.status, t.format("%b %-d, %Y")),
                None => d.status.to_string(),
            };
            let revenue = match (d.revenue_actual, d.revenue_target) {
                (Some(a), Some(t)) => format!("{} of {}", money(a), money(t)),
                (Some(a), None) => money(a),
                (None, Some(t)) => format!("target {}", money(t)),
                (None, None) => "no revenue".into(),
            };
            let (kind, status) = (d.kind.as_str(), d.status.as_str());
            view! {
                <li class="deliverable" data-kind=kind data-status=status>
                    <a class="deliverable-title" href=d.link rel="noopener">{d.title}</a>
                    <span class="feed-meta"><span class="kind">{kind}</span>" · "{state}</span>
                    <span class="feed-meta">{revenue}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <Filters chosen/>
        <p class="deliverable-count">{count}</p>
        <ul class="deliverable-list feed-list">{rows}</ul>
    }
}
