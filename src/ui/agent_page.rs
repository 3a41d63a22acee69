//! One agent: its card, the actions it completed in the last 7 days and
//! its status changes.

use leptos::prelude::*;

use leptos_router::hooks::use_params_map;

use crate::model::panels::{is_stale, AgentHistory};
use crate::server_fns::panels::get_agent_history;
use crate::ui::base::at;
use crate::ui::panels::common::{panel_error, relative};

#[component]
pub fn AgentPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let history = Resource::new(name, get_agent_history);
    view! {
        <section class="panel agent-page" aria-labelledby="agent-heading">
            <p><a href=at("/")>"← Cockpit"</a></p>
            <Suspense fallback=|| view! { <p class="loading">"Loading the agent…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(h) => view! { <Body h/> }.into_any(),
                        Err(e) => panel_error("the agent", e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Body(h: AgentHistory) -> impl IntoView {
    let c = &h.card;
    let stale = is_stale(h.now, c.last_heartbeat, h.stale_after_minutes);
    let band = c.band().as_str();
    let avg = h
        .avg_hours()
        .map_or("—".to_string(), |x| format!("{x:.1} h"));
    let done = h
        .completed
        .iter()
        .map(|a| {
            let hours = match (a.estimated_hours, a.actual_hours) {
                (Some(e), Some(x)) => format!(" · {x:.1} h of {e:.1} h estimated"),
                (None, Some(x)) => format!(" · {x:.1} h"),
                _ => String::new(),
            };
            view! {
                <li class="feed-card action-completed">
                    <span class="status-dot">"✓"</span>
                    <span class="feed-text"><strong>{a.code.clone()}</strong>" "{a.text.clone()}</span>
                    <span class="feed-meta">{relative(h.now, a.completed_at)}{hours}</span>
                </li>
            }
        })
        .collect_view();
    let changes = h
        .changes
        .iter()
        .map(|s| view! { <li>{format!("{} · health {}", s.status, s.health_score)}" · "{relative(h.now, s.at)}</li> })
        .collect_view();
    view! {
        <h1 id="agent-heading">{c.name.clone()}</h1>
        <div class=format!("agent-card band-{band}") class:stale=stale>
            <span class="health">{c.health_score}</span>
            <span class="agent-status">{if stale { "stale" } else { c.status.as_str() }}" · "{band}</span>
            <span class="agent-meta">{c.current_action.clone().unwrap_or_else(|| "no current action".into())}</span>
            <span class="agent-meta">"Last heartbeat "{relative(h.now, c.last_heartbeat)}</span>
        </div>
        <div class="revenue-totals">
            <div class="stat" data-stat="completed"><span class="stat-value">{h.completed.len()}</span><span class="stat-label">{format!("actions in {} days", h.days)}</span></div>
            <div class="stat" data-stat="avg-hours"><span class="stat-value">{avg}</span><span class="stat-label">"average actual"</span></div>
            <div class="stat" data-stat="errors"><span class="stat-value">{h.error_count()}</span><span class="stat-label">"errors"</span></div>
        </div>
        <h2>"Completed"</h2>
        <ul class="feed-list">{done}</ul>
        <p class="empty feed-empty">"Nothing completed in these days."</p>
        <h2>"Status changes"</h2>
        <ul class="changes">{changes}</ul>
        {c.error_log.clone().map(|log| view! { <h2>"Error log"</h2><pre class="error-log">{log}</pre> })}
    }
}
