//! Section 2: the live action feed, with filters kept in the URL.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Form;

use super::common::{panel_error, relative};
use crate::api::panels::get_action_feed;
use crate::model::panels::{ActionFeed, FeedFilter, FeedItem};
use crate::model::{ActionStatus, FunnelStage};

#[component]
pub fn FeedPanel(week: Signal<Option<NaiveDate>>, filter: Signal<FeedFilter>) -> impl IntoView {
    let feed = Resource::new(
        move || (week.get(), filter.get()),
        |(week, filter)| get_action_feed(week, filter),
    );
    view! {
        <section class="panel feed" aria-labelledby="feed-heading">
            <h2 id="feed-heading">"Live action feed"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading actions…"</p> }>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(Some(feed)) => view! { <FeedView feed filter=filter.get_untracked() week=week.get_untracked()/> }.into_any(),
                        Ok(None) => view! { <p class="empty">"No plan, no actions."</p> }.into_any(),
                        Err(e) => panel_error("the action feed", e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FeedView(feed: ActionFeed, filter: FeedFilter, week: Option<NaiveDate>) -> impl IntoView {
    let now = feed.now;
    let section =
        |title: &'static str, key: &'static str, items: Vec<&FeedItem>, empty: &'static str| {
            let rows = items
                .into_iter()
                .map(|item| view! { <FeedCard item=item.clone() now/> })
                .collect_view();
            view! {
                <div class="feed-section" data-section=key>
                    <h3>{title}</h3>
                    <ul class="feed-list">{rows}</ul>
                    <p class="empty feed-empty">{empty}</p>
                </div>
            }
        };
    view! {
        <FilterForm owners=feed.owners.clone() filter week/>
        {section("Completed in the last 24 hours", "completed", feed.recently_completed(), "Nothing completed in the last 24 hours.")}
        {section("In progress", "in_progress", feed.with_status(ActionStatus::InProgress), "Nothing in progress.")}
        {section("Blocked", "blocked", feed.with_status(ActionStatus::Blocked), "Nothing blocked.")}
        {section("Due in the next 7 days", "due", feed.due_soon(), "Nothing due in the next 7 days.")}
    }
}

#[component]
fn FeedCard(item: FeedItem, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let icon = match item.status {
        ActionStatus::Completed => "✓",
        ActionStatus::InProgress => "▶",
        ActionStatus::Blocked => "!",
        ActionStatus::Pending => "·",
    };
    let when = match (item.completed_at, item.due_date) {
        (Some(done), _) if item.status == ActionStatus::Completed => relative(now, done),
        (_, Some(due)) => format!("due {}", relative(now, due)),
        _ => String::new(),
    };
    let meta = format!(
        "{} · {} · {}",
        item.owner.clone().unwrap_or_else(|| "no owner".into()),
        item.funnel_stage.label(),
        item.result_code
    );
    view! {
        <li class=format!("feed-card action-{}", item.status.as_str()) data-code=item.code.clone()>
            <span class="status-dot" aria-label=item.status.label()>{icon}</span>
            <span class="feed-text"><strong>{item.code.clone()}</strong>" "{item.text.clone()}</span>
            <span class="feed-meta">{meta}" · "<time>{when}</time></span>
            {item.blocker.clone().map(|b| view! { <span class="blocker">"Blocked: "{b}</span> })}
            {item.evidence.clone().map(|e| view! { <span class="evidence">"Evidence: "{e}</span> })}
        </li>
    }
}

/// A plain GET form: the filters live in the URL, survive reloads, can be
/// shared, and work without JavaScript (with it, the router navigates).
#[component]
fn FilterForm(owners: Vec<String>, filter: FeedFilter, week: Option<NaiveDate>) -> impl IntoView {
    let owner_options = owners
        .into_iter()
        .map(|o| {
            let selected = filter.owner.as_deref() == Some(o.as_str());
            view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
        })
        .collect_view();
    let stage_options = FunnelStage::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=filter.stage == Some(s)>{s.label()}</option> })
        .collect_view();
    let status_options = ActionStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=filter.status == Some(s)>{s.label()}</option> })
        .collect_view();
    view! {
        <Form method="GET" action="/" attr:class="filters">
            {week.map(|w| view! { <input type="hidden" name="week" value=w.to_string()/> })}
            <label>"Owner"<select name="owner"><option value="">"Everyone"</option>{owner_options}</select></label>
            <label>"Stage"<select name="stage"><option value="">"All stages"</option>{stage_options}</select></label>
            <label>"Status"<select name="status"><option value="">"Any status"</option>{status_options}</select></label>
            <button type="submit" class="button">"Filter"</button>
        </Form>
    }
}
