//! Section 2: the live action feed, with filters kept in the URL.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::common::{panel_error, relative};
use crate::error::AppError;
use crate::model::action_change::ActionChange;
use crate::model::live::Touches;
use crate::model::panels::{ActionFeed, FeedFilter, FeedItem, FeedSection};
use crate::model::{ActionStatus, FunnelStage};
use crate::server_fns::actions::ChangeAction;
use crate::server_fns::panels::get_action_feed;
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
    // would take a message inside the card with it. Without JavaScript the
    // refusal comes back in the address (`__err`, `__path`); it is shown
    // here once, and hidden from the cards' server actions, which would
    // each take it for their own.
    let refused = use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == <ChangeAction as leptos::server_fn::ServerFn>::PATH)
        .map(|e| {
            not_saved(&leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err()))
        });
    provide_context(leptos::server::ServerActionError::new("", ""));
    let notice = Notice(RwSignal::new(refused));
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

/// How many actions a section shows before "Show all".
const SHOWN: usize = 4;

#[component]
fn FeedView(feed: ActionFeed, filter: FeedFilter, week: Option<NaiveDate>) -> impl IntoView {
    let now = feed.now;
    let can_edit = feed.can_edit;
    let card = |item: &FeedItem| view! { <FeedCard item=item.clone() now can_edit/> };
    let section_view = |section: FeedSection| {
        let items = feed.section(section);
        let count = items.len();
        let shown = items.iter().take(SHOWN).map(|i| card(i)).collect_view();
        // The rest behind "Show all": a <details>, so it opens without
        // JavaScript too, and the cards inside keep their controls.
        let rest = (count > SHOWN).then(|| {
            let rest = items.iter().skip(SHOWN).map(|i| card(i)).collect_view();
            view! {
                <details class="show-all">
                    <summary>{format!("Show all {count}")}</summary>
                    <ul class="feed-list">{rest}</ul>
                </details>
            }
        });
        view! {
            <div class="feed-section" data-section=section.key() data-count=count>
                <h3>{section.title()}{(count > 0).then(|| view! { " "<span class="count">{count}</span> })}</h3>
                <ul class="feed-list">{shown}</ul>
                <p class="empty feed-empty">{section.empty()}</p>
                {rest}
            </div>
        }
    };
    // Jesse's own open actions first, above the filters: on a phone they
    // are what he opens the cockpit for.
    let yours = feed
        .yours
        .is_some()
        .then(|| section_view(FeedSection::Yours));
    let sections = FeedSection::ALL
        .into_iter()
        .filter(|s| *s != FeedSection::Yours)
        .map(section_view)
        .collect_view();
    view! {
        {yours}
        <FilterForm owners=feed.owners.clone() filter week/>
        {sections}
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

/// Which inline form a card has open: "complete" or "block".
type OpenForm = Option<&'static str>;

/// Complete, block or reopen, inline, for Jesse: one server action per
/// card, its forms posted as plain HTML forms. With JavaScript the change
/// shows at once (rolled back if the server refuses it); without it, the
/// browser posts the form, the server redirects back to the page, and
/// "Complete" and "Block" open their forms through the address
/// (`?open=CODE.complete`).
#[component]
fn ActionControls(shown: RwSignal<FeedItem>) -> impl IntoView {
    let live = use_live();
    let notice = expect_context::<Notice>().0;
    let change = ServerAction::<ChangeAction>::new();
    let code = shown.with_untracked(|i| i.code.clone());
    let query = use_query_map();
    let form = RwSignal::new(
        opened_in_address(&query.read_untracked(), &code)
            .filter(|which| can_open(which, shown.with_untracked(|i| i.status))),
    );
    // The card as it was before the change in flight.
    let before = StoredValue::new(None::<FeedItem>);
    Effect::new(move |_| {
        let Some(input) = change.input().get() else {
            return;
        };
        let Ok(wanted) = ActionChange::from_form(
            &input.change,
            input.actual_hours,
            input.evidence_path.clone(),
            input.reason.clone(),
        ) else {
            return;
        };
        before.set_value(Some(shown.get_untracked()));
        shown.update(|i| show_change(i, &wanted));
        form.set(None);
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(state)) => {
            notice.set(None);
            shown.update(|i| i.version = state.version);
        }
        Some(Err(e)) => {
            if let Some(b) = before.get_value() {
                shown.set(b);
            }
            let conflict = matches!(e, AppError::Conflict(_));
            notice.set(Some(not_saved(&e)));
            if conflict {
                live.bump(Touches {
                    plan: true,
                    agents: false,
                    money: false,
                });
            }
        }
        None => {}
    });
    let busy = change.pending();
    let status = move || shown.with(|i| i.status);
    let open = move |which: &'static str| {
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            form.set(Some(which));
        }
    };
    let code = StoredValue::new(code);
    let opener = move |which: &'static str, label: &'static str| {
        view! {
            <OpenerForm code=code.get_value() which>
                <button type="submit" class="button" disabled=busy on:click=open(which)>{label}</button>
            </OpenerForm>
        }
    };
    view! {
        <div class="action-controls">
            <Show when=move || form.get().is_none()>
                <div class="action-buttons">
                    <Show when=move || can_open("complete", status())>
                        {opener("complete", "Complete")}
                    </Show>
                    <Show when=move || can_open("block", status())>
                        {opener("block", "Block")}
                    </Show>
                    <Show when=move || matches!(status(), ActionStatus::Completed | ActionStatus::Blocked | ActionStatus::Cancelled | ActionStatus::Deferred)>
                        <ChangeForm action=change shown change="reopen" class="reopen-form">
                            <button type="submit" class="button" disabled=busy>"Reopen"</button>
                        </ChangeForm>
                    </Show>
                </div>
            </Show>
            <Show when=move || form.get() == Some("complete")>
                <ChangeForm action=change shown change="complete" class="action-form">
                    <label>"Actual hours"<input type="number" name="actual_hours" inputmode="decimal" min="0" max="999" step="0.25" required/></label>
                    <label>"Evidence link (optional)"<input type="text" name="evidence_path" inputmode="url"/></label>
                    <button type="submit" class="button primary">"Mark complete"</button>
                    <CancelLink form/>
                </ChangeForm>
            </Show>
            <Show when=move || form.get() == Some("block")>
                <ChangeForm action=change shown change="block" class="action-form">
                    <label>"Why is it blocked?"<input type="text" name="reason" required/></label>
                    <button type="submit" class="button primary">"Mark blocked"</button>
                    <CancelLink form/>
                </ChangeForm>
            </Show>
        </div>
    }
}

/// The form opened through the address, if it is this card's.
fn opened_in_address(query: &leptos_router::params::ParamsMap, code: &str) -> OpenForm {
    let (card, which) = query.get_str("open")?.rsplit_once('.')?;
    match which {
        "complete" if card == code => Some("complete"),
        "block" if card == code => Some("block"),
        _ => None,
    }
}

/// Whether an action in `status` offers the form `which`.
fn can_open(which: &str, status: ActionStatus) -> bool {
    use ActionStatus::*;
    match which {
        "complete" => !matches!(status, Completed | Cancelled),
        "block" => !matches!(status, Completed | Blocked | Cancelled),
        _ => false,
    }
}

/// Shows `change` on the card before the server has confirmed it.
fn show_change(item: &mut FeedItem, change: &ActionChange) {
    match change {
        ActionChange::Complete { evidence_path, .. } => {
            item.status = ActionStatus::Completed;
            item.completed_at = Some(chrono::Utc::now());
            item.evidence = evidence_path.clone().or(item.evidence.take());
        }
        ActionChange::Block { reason } => {
            item.status = ActionStatus::Blocked;
            item.blocker = Some(reason.clone());
        }
        ActionChange::Reopen => {
            item.status = ActionStatus::InProgress;
            item.blocker = None;
        }
    }
}

fn not_saved(e: &AppError) -> String {
    if matches!(e, AppError::Conflict(_)) {
        format!("Not saved: {e}. Showing the current state.")
    } else {
        format!("Not saved: {e}")
    }
}

/// A form posting `change` for the card's action to [`change_action`]:
/// what `<ActionForm>` renders, addressed under the mount path
/// (`ActionForm` posts to the bare `/api/…` path, which a cockpit mounted
/// at `/cockpit` does not serve), and dispatching the same server action.
#[component]
fn ChangeForm(
    action: ServerAction<ChangeAction>,
    shown: RwSignal<FeedItem>,
    change: &'static str,
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use leptos::form::FromFormData;
            match ChangeAction::from_event(&ev) {
                Ok(input) => {
                    action.dispatch(input);
                }
                Err(e) => leptos::logging::error!("the change form: {e:?}"),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = action;
    };
    let id = shown.with_untracked(|i| i.id.to_string());
    view! {
        <form class=class method="post" action=at(<ChangeAction as leptos::server_fn::ServerFn>::PATH) on:submit=on_submit>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=move || shown.with(|i| i.version.to_string())/>
            <input type="hidden" name="change" value=change/>
            {children()}
        </form>
    }
}

/// Opens a card's form: a link to the same page with `open=CODE.which`
/// (the other parameters kept) without JavaScript; with it, the button's
/// click opens the form in place.
#[component]
fn OpenerForm(code: String, which: &'static str, children: Children) -> impl IntoView {
    let query = use_query_map();
    let kept = the_page_alone(query.get_untracked())
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k.to_string() value=v/> })
        .collect_view();
    view! {
        <form class="opener" method="get" action=at("/")>
            {kept}
            <input type="hidden" name="open" value=format!("{code}.{which}")/>
            {children()}
        </form>
    }
}

/// Closes the open form: back to the page without `open` (without
/// JavaScript), in place with it.
#[component]
fn CancelLink(form: RwSignal<OpenForm>) -> impl IntoView {
    let query = use_query_map();
    let href = move || {
        at(&format!(
            "/{}",
            the_page_alone(query.get()).to_query_string()
        ))
    };
    view! {
        <a class="button" role="button" href=href on:click=move |ev| {
            ev.prevent_default();
            form.set(None);
        }>"Cancel"</a>
    }
}

/// The page's own parameters (week, filters), without an open form or a
/// refusal carried back by a form posted without JavaScript.
fn the_page_alone(mut query: leptos_router::params::ParamsMap) -> leptos_router::params::ParamsMap {
    for key in ["open", "__err", "__path"] {
        query.remove(key);
    }
    query
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
