//! Section 4: agent health.

use leptos::prelude::*;

use super::common::{panel_error, relative};
use crate::model::panels::{AgentCard, AgentPanel};
use crate::server_fns::panels::get_agents;
use crate::ui::base::at;
use crate::ui::live::use_live;

#[component]
pub fn AgentsPanel() -> impl IntoView {
    let live = use_live();
    let agents = Resource::new(move || live.agents.get(), |_| get_agents());
    view! {
        <section class="panel agents" aria-labelledby="agents-heading">
            <h2 id="agents-heading">"Agent health"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading agents…"</p> }>
                {move || Suspend::new(async move {
                    match agents.await {
                        Ok(panel) if panel.agents.is_empty() => view! { <p class="empty">"No agent has reported yet."</p> }.into_any(),
                        Ok(panel) => {
                            let cards = panel.agents.iter().map(|a| card(&panel, a)).collect_view();
                            view! { <ul class="agent-list">{cards}</ul> }
                            .into_any()
                        }
                        Err(e) => panel_error("agents", e),
                    }
                })}
            </Transition>
        </section>
    }
}

fn card(panel: &AgentPanel, a: &AgentCard) -> impl IntoView {
    let stale = panel.is_stale(a);
    let band = a.band().as_str();
    let status = if stale { "stale" } else { a.status.as_str() };
    let errors = a.error_log.clone().map(|log| {
        view! { <details class="error-log"><summary>"Error log"</summary><pre>{log}</pre></details> }
    });
    let agent_page = format!("/agents/{}", a.name);
    let name = a.name.clone();
    view! {
        <li class=format!("agent-card band-{band}") class:stale=stale data-agent=a.name.clone()>
            <span class="health" aria-label=format!("health {} ({band})", a.health_score)>{a.health_score}</span>
            <a class="agent-name" href=at(&agent_page)>{name}</a>
            <span class="agent-status">{status}" · "{band}</span>
            <span class="agent-meta">
                {a.current_action.clone().unwrap_or_else(|| "no current action".into())}
            </span>
            <span class="agent-meta">"Last heartbeat "<time>{relative(panel.now, a.last_heartbeat)}</time></span>
            {errors}
        </li>
    }
}
