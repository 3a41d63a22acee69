//! A labelled progress bar.

use leptos::prelude::*;

/// A bar filled to `percent`, readable by screen readers.
#[component]
pub fn ProgressBar(percent: u8, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <div
            class="progress"
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.to_string()
        >
            <div class="progress-fill" style=format!("width: {percent}%")></div>
        </div>
    }
}
