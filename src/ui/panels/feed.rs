//! Section 2: the live action feed, with filters kept in the URL.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Form;

use super::common::{panel_error, relative};
use crate::api::actions::change_action;
use crate::api::panels::get_action_feed;
use crate::error::AppError;
use crate::model::live::Touches;
use crate::model::panels::{ActionFeed, FeedFilter, FeedItem};
use crate::model::{ActionStatus, FunnelStage};
use crate::ui::base::at;
use crate::ui::live::use_live;

/// The feed's message about the last inline change.
#[derive(Clone, Copy)]
struct Notice(RwSignal<Option<String>>);

#[component]
pub fn FeedPanel(week: Signal<Option<NaiveDate>>, filter: Signal<FeedFilter>) -> impl IntoView {
    let live = use_live();
    let feed = Resource::new(
        move || (week.get(), filter.get(), live.plan.get()),
        |(week, filter, _)| get_action_feed(week, filter),
    );
    // A refused change is said here: the feed reloads right after, which
    // would take a message inside the card with it.
    let notice = Notice(RwSignal::new(None));
    provide_context(notice);
    view! {
        <section class="panel feed" aria-labelledby="feed-heading">
            <h2 id="feed-heading">"Live action feed"</h2>
            {move || notice.0.get().map(|m| view! { <p class="error notice" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="loading">"Loading actions…"</p> }>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(Some(feed)) => view! { <FeedView feed filter=filter.get_untracked() week=week.get_untracked()/> }.into_any(),
                        Ok(None) => view! { <p class="empty">"No plan, no actions."</p> }.into_any(),
                        Err(e) => panel_error("the action feed", e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FeedView(feed: ActionFeed, filter: FeedFilter, week: Option<NaiveDate>) -> impl IntoView {
    let now = feed.now;
    let can_edit = feed.can_edit;
    let section =
        |title: &'static str, key: &'static str, items: Vec<&FeedItem>, empty: &'static str| {
            let rows = items
                .into_iter()
                .map(|item| view! { <FeedCard item=item.clone() now can_edit/> })
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
fn FeedCard(item: FeedItem, now: chrono::DateTime<chrono::Utc>, can_edit: bool) -> impl IntoView {
    // What the card shows: the server's item, or an inline change not yet
    // confirmed (rolled back if the server refuses it).
    let shown = RwSignal::new(item);
    let card = move || {
        let item = shown.get();
        let icon = match item.status {
            ActionStatus::Completed => "✓",
            ActionStatus::InProgress => "▶",
            ActionStatus::Blocked => "!",
            ActionStatus::Pending => "·",
            ActionStatus::Deferred => "»",
            ActionStatus::Cancelled => "✕",
        };
        let when = match (item.completed_at, item.due_date) {
            (Some(done), _) if item.status == ActionStatus::Completed => relative(now, done),
            (_, Some(due)) => format!("due {}", relative(now, due)),
            _ => String::new(),
        };
        let meta = format!(
            "{} · {} · {}{}",
            item.owner.clone().unwrap_or_else(|| "no owner".into()),
            item.funnel_stage.label(),
            item.result_code,
            crate::ui::result_card::carried_note(item.carried_from, item.carried_to)
                .unwrap_or_default()
        );
        view! {
            <span class="status-dot" aria-label=item.status.label()>{icon}</span>
            <span class="feed-text"><strong>{item.code.clone()}</strong>" "{item.text.clone()}</span>
            <span class="feed-meta">{meta}{(!when.is_empty()).then(|| view! { " · "<time>{when}</time> })}</span>
            {item.blocker.clone().map(|b| view! { <span class="blocker">"Blocked: "{b}</span> })}
            {item.evidence.clone().map(|e| view! { <span class="evidence">"Evidence: "{e}</span> })}
        }
    };
    let class = move || format!("feed-card action-{}", shown.with(|i| i.status.as_str()));
    let code = shown.with_untracked(|i| i.code.clone());
    view! {
        <li class=class data-code=code>
            {card}
            // A row carried to a later week keeps its week's state: it is changed there.
            {(can_edit && shown.with_untracked(|i| i.carried_to.is_none()))
                .then(|| view! { <ActionControls shown/> })}
        </li>
    }
}

/// Complete, block or reopen, inline, for Jesse.
#[component]
fn ActionControls(shown: RwSignal<FeedItem>) -> impl IntoView {
    let live = use_live();
    let notice = use_context::<Notice>()
        .map(|n| n.0)
        .unwrap_or_else(|| RwSignal::new(None));
    let form = RwSignal::new(None::<&'static str>);
    let hours = RwSignal::new(String::new());
    let evidence = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move |change: &'static str| {
        let before = shown.get_untracked();
        let hours_value = hours.get_untracked().trim().parse::<f64>().ok();
        if change == "complete" && hours_value.is_none() {
            message.set(Some("Enter the hours it took.".into()));
            return;
        }
        let why = reason.get_untracked().trim().to_string();
        if change == "block" && why.is_empty() {
            message.set(Some("Say why it is blocked.".into()));
            return;
        }
        let link = Some(evidence.get_untracked().trim().to_string()).filter(|l| !l.is_empty());
        // Optimistic: show the change now.
        shown.update(|i| match change {
            "complete" => {
                i.status = ActionStatus::Completed;
                i.completed_at = Some(chrono::Utc::now());
                i.evidence = link.clone().or(i.evidence.take());
            }
            "block" => {
                i.status = ActionStatus::Blocked;
                i.blocker = Some(why.clone());
            }
            _ => {
                i.status = ActionStatus::InProgress;
                i.blocker = None;
            }
        });
        form.set(None);
        message.set(None);
        busy.set(true);
        let (id, version) = (before.id, before.version);
        leptos::task::spawn_local(async move {
            let result = change_action(
                id,
                Some(version),
                change.to_string(),
                hours_value,
                link,
                Some(why),
            )
            .await;
            busy.set(false);
            match result {
                Ok(state) => {
                    notice.set(None);
                    shown.update(|i| i.version = state.version);
                }
                Err(e) => {
                    shown.set(before);
                    let conflict = matches!(e, AppError::Conflict(_));
                    notice.set(Some(if conflict {
                        format!("Not saved: {e}. Showing the current state.")
                    } else {
                        format!("Not saved: {e}")
                    }));
                    if conflict {
                        live.bump(Touches {
                            plan: true,
                            agents: false,
                            money: false,
                        });
                    }
                }
            }
        });
    };
    let status = move || shown.with(|i| i.status);
    view! {
        <div class="action-controls">
            <Show when=move || form.get().is_none()>
                <div class="action-buttons">
                    <Show when=move || !matches!(status(), ActionStatus::Completed | ActionStatus::Cancelled)>
                        <button type="button" class="button" disabled=busy on:click=move |_| form.set(Some("complete"))>"Complete"</button>
                    </Show>
                    <Show when=move || !matches!(status(), ActionStatus::Completed | ActionStatus::Blocked | ActionStatus::Cancelled)>
                        <button type="button" class="button" disabled=busy on:click=move |_| form.set(Some("block"))>"Block"</button>
                    </Show>
                    <Show when=move || matches!(status(), ActionStatus::Completed | ActionStatus::Blocked | ActionStatus::Cancelled | ActionStatus::Deferred)>
                        <button type="button" class="button" disabled=busy on:click=move |_| send("reopen")>"Reopen"</button>
                    </Show>
                </div>
            </Show>
            <Show when=move || form.get() == Some("complete")>
                <form class="action-form" on:submit=move |ev| { ev.prevent_default(); send("complete") }>
                    <label>"Actual hours"<input type="number" inputmode="decimal" min="0" max="999" step="0.25" required bind:value=hours/></label>
                    <label>"Evidence link (optional)"<input type="text" inputmode="url" bind:value=evidence/></label>
                    <button type="submit" class="button primary">"Mark complete"</button>
                    <button type="button" class="button" on:click=move |_| form.set(None)>"Cancel"</button>
                </form>
            </Show>
            <Show when=move || form.get() == Some("block")>
                <form class="action-form" on:submit=move |ev| { ev.prevent_default(); send("block") }>
                    <label>"Why is it blocked?"<input type="text" required bind:value=reason/></label>
                    <button type="submit" class="button primary">"Mark blocked"</button>
                    <button type="button" class="button" on:click=move |_| form.set(None)>"Cancel"</button>
                </form>
            </Show>
            {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </div>
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
        <Form method="GET" action=at("/") attr:class="filters">
            {week.map(|w| view! { <input type="hidden" name="week" value=w.to_string()/> })}
            <label>"Owner"<select name="owner"><option value="">"Everyone"</option>{owner_options}</select></label>
            <label>"Stage"<select name="stage"><option value="">"All stages"</option>{stage_options}</select></label>
            <label>"Status"<select name="status"><option value="">"Any status"</option>{status_options}</select></label>
            <button type="submit" class="button">"Filter"</button>
        </Form>
    }
}
