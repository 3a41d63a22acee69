//! One committed result: its progress, and on demand its purpose and actions.

use leptos::prelude::*;

use crate::model::{ActionStatus, ResultProgress};
use crate::ui::progress_bar::ProgressBar;

/// A result with a toggle that shows its purpose and action items.
#[component]
pub fn ResultCard(result: ResultProgress) -> impl IntoView {
    let open = RwSignal::new(false);
    let percent = result.percent();
    let summary = format!(
        "{} of {} actions · {percent}%",
        result.completed(),
        result.counted()
    );
    let panel_id = format!("result-{}", result.code.to_lowercase());
    let title = result.title.clone();
    let purpose = result.purpose.clone();
    let actions = result.actions.clone();

    view! {
        <li class="result-card">
            <div class="result-head">
                <span class="result-code">{result.code.clone()}</span>
                <h3 class="result-title">{result.title.clone()}</h3>
                <span class="result-summary">{summary}</span>
            </div>
            <ProgressBar percent label=format!("{title} progress")/>
            <button
                class="toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls=panel_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Hide actions" } else { "Show actions" }}
            </button>
            <Show when=move || open.get()>
                <div class="result-detail" id=panel_id.clone()>
                    <p class="purpose">
                        <strong>"Why: "</strong>
                        {purpose.clone()}
                    </p>
                    <ul class="action-list">
                        {actions
                            .iter()
                            .map(|a| {
                                let status = a.status;
                                view! {
                                    <li class=format!("action action-{}", status.as_str())>
                                        <span class="status-dot" aria-hidden="true">
                                            {status_icon(status)}
                                        </span>
                                        <span class="action-text">{a.text.clone()}</span>
                                        <span class="action-meta">
                                            {a.owner.clone().unwrap_or_else(|| "unassigned".into())}
                                            " · "
                                            {status.label()}
                                            {carried_note(a.carried_from, a.carried_to)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            </Show>
        </li>
    }
}

fn status_icon(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Completed => "✓",
        ActionStatus::InProgress => "•",
        ActionStatus::Blocked => "!",
        ActionStatus::Pending => "○",
        ActionStatus::Deferred => "»",
        ActionStatus::Cancelled => "✕",
    }
}

/// " · carried from the week of Nov 16", " · carried to the week of Nov 30".
pub fn carried_note(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Option<String> {
    let day = |d: chrono::NaiveDate| d.format("%b %-d").to_string();
    match (from, to) {
        (_, Some(to)) => Some(format!(" · carried to the week of {}", day(to))),
        (Some(from), None) => Some(format!(" · carried from the week of {}", day(from))),
        (None, None) => None,
    }
}
