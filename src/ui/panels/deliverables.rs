//! Section 5: deliverables and the album release.

use leptos::prelude::*;

use super::common::{money, panel_error};
use crate::model::panels::{DeliverablesPanel, ALBUM_GOAL};
use crate::server_fns::panels::get_deliverables;
use crate::ui::base::at;
use crate::ui::live::use_live;

#[component]
pub fn DeliverablesPanelView() -> impl IntoView {
    let live = use_live();
    let data = Resource::new(move || live.money.get(), |_| get_deliverables());
    view! {
        <section class="panel deliverables" aria-labelledby="deliverables-heading">
            <h2 id="deliverables-heading">"Deliverables (last 7 days)"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading deliverables…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <Body d/> }.into_any(),
                        Err(e) => panel_error("deliverables", e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Body(d: DeliverablesPanel) -> impl IntoView {
    let latest = d
        .latest
        .iter()
        .map(|x| {
            let revenue = x.revenue_actual.map(money).unwrap_or_else(|| "no revenue yet".into());
            view! {
                <li><span class="kind">{x.kind.as_str()}</span>" "<a href=x.link.clone() rel="noopener">{x.title.clone()}</a>" · "{revenue}</li>
            }
        })
        .collect_view();
    let albums = d
        .albums
        .iter()
        .map(|a| view! { <li>{a.album.clone()}" "<span class="muted">{format!("{}/{} released", a.released, a.songs)}</span></li> })
        .collect_view();
    view! {
        <div class="revenue-totals">
            <div class="stat" data-stat="songs"><span class="stat-value">{d.songs_7d}</span><span class="stat-label">"songs released"</span></div>
            <div class="stat" data-stat="documents"><span class="stat-value">{d.documents_7d}</span><span class="stat-label">"docs published"</span></div>
            <div class="stat" data-stat="code"><span class="stat-value">{d.code_7d}</span><span class="stat-label">"code deployments"</span></div>
        </div>
        <h3>"Latest"</h3>
        <ul class="latest">{latest}</ul>
        <h3>{format!("Albums: {} of {ALBUM_GOAL} released", d.albums_released)}</h3>
        <ul class="albums">{albums}</ul>
        <p><a class="more" href=at("/deliverables")>"All deliverables →"</a></p>
    }
}
