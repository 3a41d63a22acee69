//! The song catalog: every song, filtered by album, genre and status (kept
//! in the URL; a plain GET form, so it works without JavaScript).

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::model::kinds::SongStatus;
use crate::model::panels::{duration_label, SongCatalog, SongFilter};
use crate::server_fns::panels::get_songs;
use crate::ui::base::at;
use crate::ui::panels::common::{money, panel_error};

#[component]
pub fn SongsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Signal::derive(move || {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.is_empty());
        SongFilter {
            album: text("album"),
            genre: text("genre"),
            status: text("status"),
        }
    });
    let catalog = Resource::new(move || filter.get(), get_songs);
    view! {
        <section class="panel songs" aria-labelledby="songs-heading">
            <h1 id="songs-heading">"Song catalog"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading songs…"</p> }>
                {move || Suspend::new(async move {
                    match catalog.await {
                        Ok(c) => view! { <Catalog c filter=filter.get_untracked()/> }.into_any(),
                        Err(e) => panel_error("the catalog", e),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn options(values: &[String], chosen: &Option<String>) -> impl IntoView {
    values
        .iter()
        .map(|v| view! { <option value=v.clone() selected=chosen.as_deref() == Some(v.as_str())>{v.clone()}</option> })
        .collect_view()
}

#[component]
fn Catalog(c: SongCatalog, filter: SongFilter) -> impl IntoView {
    let statuses: Vec<String> = SongStatus::ALL
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    let count = c.songs.len();
    let rows = c
        .songs
        .into_iter()
        .map(|s| {
            let detail = [
                s.genre.clone(),
                s.bpm.map(|b| format!("{b} BPM")),
                s.key.clone(),
                s.duration_seconds.map(duration_label),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            let status = s.status.as_str();
            let earned = s.revenue_actual.map(|r| format!(" · {}", money(r)));
            view! {
                <li class="song" data-status=status>
                    <span class="song-title">{s.title}</span>
                    <span class="feed-meta">{s.album.unwrap_or_default()}" · "{detail}</span>
                    <span class="feed-meta">{s.status.as_str()}{earned}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <Form method="GET" action=at("/songs") attr:class="filters">
            <label>"Album"<select name="album"><option value="">"All albums"</option>{options(&c.albums, &filter.album)}</select></label>
            <label>"Genre"<select name="genre"><option value="">"All genres"</option>{options(&c.genres, &filter.genre)}</select></label>
            <label>"Status"<select name="status"><option value="">"Any status"</option>{options(&statuses, &filter.status)}</select></label>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <p class="song-count">{format!("{count} songs")}</p>
        <ul class="song-list feed-list">{rows}</ul>
    }
}
