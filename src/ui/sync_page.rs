//! `/sync` (admin): each plan file's last sync — when, its hash, the
//! outcome, and every warning and error at its line — so that a refused or
//! warned file is seen without reading the server's logs.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::model::sync::{SyncFile, SyncNote};
use crate::server_fns::sync::get_sync_status;
use crate::ui::panels::common::{panel_error, relative};

#[component]
pub fn SyncPage() -> impl IntoView {
    let status = OnceResource::new(get_sync_status());
    view! {
        <section class="panel sync-page" aria-labelledby="sync-heading">
            <h1 id="sync-heading">"Plan sync"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading the sync status…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok((files, now)) => view! { <Files files now/> }.into_any(),
                        Err(e) => panel_error("the sync status", e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Files(files: Vec<SyncFile>, now: DateTime<Utc>) -> impl IntoView {
    let refused = files
        .iter()
        .filter(|f| f.outcome == "refused" || f.outcome == "failed")
        .count();
    let warned = files.iter().filter(|f| !f.warnings.is_empty()).count();
    let summary = format!(
        "{} file(s): {refused} refused, {warned} with warnings",
        files.len()
    );
    let empty = files.is_empty();
    let rows = files
        .into_iter()
        .map(|f| view! { <File f now/> })
        .collect_view();
    view! {
        <p class="sync-summary">{summary}</p>
        {empty.then(|| view! { <p class="empty">"No plan has been synced yet: run "<code>"rpm-cockpit sync --all plans/"</code>"."</p> })}
        <ul class="sync-files">{rows}</ul>
    }
}

#[component]
fn File(f: SyncFile, now: DateTime<Utc>) -> impl IntoView {
    let name = f.name().to_string();
    let week = f
        .week_start
        .map(|w| format!(" · week of {w}"))
        .unwrap_or_default();
    let hash: String = f.content_hash.chars().take(12).collect();
    let open = !f.errors.is_empty() || !f.warnings.is_empty();
    let notes = |kind: &'static str, list: Vec<SyncNote>| {
        list.into_iter()
            .map(|n| {
                let at = if n.line == 0 {
                    name.clone()
                } else {
                    format!("{name}:{}", n.line)
                };
                view! {
                    <li class=format!("sync-note sync-{kind}")>
                        <span class="sync-at">{at}": "{kind}": "</span>{n.message}
                        {(!n.text.is_empty()).then(|| view! { <code class="sync-line">{n.text}</code> })}
                    </li>
                }
            })
            .collect_view()
    };
    let counts = format!(
        "{} error(s), {} warning(s)",
        f.errors.len(),
        f.warnings.len()
    );
    let errors = notes("error", f.errors);
    let warnings = notes("warning", f.warnings);
    view! {
        <li class="sync-file" data-outcome=f.outcome.clone()>
            <details open=open>
                <summary>
                    <span class=format!("sync-outcome outcome-{}", f.outcome)>{f.outcome.clone()}</span>
                    " "<strong class="sync-name">{name.clone()}</strong>
                    <span class="sync-meta">{week}" · "{relative(now, f.synced_at)}" · "<code title=f.content_hash.clone()>{hash}</code>" · "{counts}</span>
                </summary>
                <p class="sync-path">{f.source_path.clone()}</p>
                <ul class="sync-notes">{errors}{warnings}</ul>
            </details>
        </li>
    }
}
