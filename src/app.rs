//! The HTML shell and the router.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::ui::agent_page::AgentPage;
use crate::ui::base::{at, base};
use crate::ui::chart::provide_charts;
use crate::ui::deliverables_page::DeliverablesPage;
use crate::ui::live::provide_live;
use crate::ui::notifications_page::NotificationsPage;
use crate::ui::songs_page::SongsPage;
use crate::ui::sync_page::SyncPage;
use crate::ui::user_menu::UserMenu;
use crate::ui::week_page::WeekPage;

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy carries this response's nonce.
    #[cfg(feature = "ssr")]
    crate::server::security::headers::page_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                // iOS rewrites numbers and dates into links otherwise, which
                // changes the DOM under the hydrating app.
                <meta name="format-detection" content="telephone=no, date=no, address=no, email=no"/>
                // Live updates start from here: nothing between this render
                // and the browser's first connection is lost.
                <meta name="rpm-cursor" content=rendered_cursor().map(|c| c.to_string()).unwrap_or_default()/>
                // When this page's data was read: a copy opened offline
                // says it is that old.
                <meta name="rpm-rendered" content=chrono::Utc::now().to_rfc3339()/>
                // The path the cockpit is mounted under, for the browser.
                <meta name="rpm-base" content=base()/>
                // The same on every page: written here, by the server only,
                // so the browser has none of them to hydrate.
                <title>"RPM Cockpit"</title>
                <meta name="theme-color" content="#0f172a"/>
                <link rel="icon" href=at("/favicon.svg") type="image/svg+xml"/>
                // Add to Home Screen: the manifest, and the icon iOS reads.
                <link rel="manifest" href=at("/manifest.webmanifest")/>
                <link rel="apple-touch-icon" href=at("/icons/icon-180.png")/>
                <meta name="apple-mobile-web-app-capable" content="yes"/>
                <meta name="apple-mobile-web-app-title" content="Cockpit"/>
                // Standalone on the home screen: the page runs under the
                // status bar (the top bar pads itself by the safe-area inset).
                <meta name="apple-mobile-web-app-status-bar-style" content="black-translucent"/>
                <meta name="mobile-web-app-capable" content="yes"/>
                <AutoReload options=options.clone()/>
                // The style sheet under its hashed name (server-rendered
                // only: the browser never re-renders the head).
                <HashedStylesheet options=options.clone() id="leptos" root=base()/>
                <Hydrate options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Starts the app in the browser once the page has loaded and the browser
/// is idle: the server-rendered page reads (and its forms work) without
/// it, so the wasm never competes with the first paint. Unlike Leptos'
/// `HydrationScripts`, no preload hints in the head: a download that
/// starts before the week's heading is painted counts against it on a
/// slow phone network (Lighthouse's LCP).
#[component]
fn Hydrate(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (js, wasm) = crate::server::site::app_hrefs(&options, &base());
    #[cfg(not(feature = "ssr"))]
    let (js, wasm) = {
        let _ = options;
        (String::new(), String::new())
    };
    // The service worker (public/sw.js) keeps the last page seen, for a
    // home-screen app opened without a network.
    let worker = at("/sw.js");
    // Its scope is the mount path itself (`/cockpit`, which the address
    // after sign-in is), not only what is under `/cockpit/`.
    let scope = match base() {
        b if b.is_empty() => "/".to_string(),
        b => b,
    };
    let script = format!(
        "(function(js,wasm,sw,scope){{\
         const start=()=>{{import(js).then(m=>m.default({{module_or_path:wasm}}).then(()=>setTimeout(m.hydrate)));\
         if('serviceWorker' in navigator)navigator.serviceWorker.register(sw,{{scope}}).catch(()=>{{}});}};\
         const idle=()=>'requestIdleCallback' in window?requestIdleCallback(start,{{timeout:1500}}):setTimeout(start,50);\
         if(document.readyState==='complete')idle();else addEventListener('load',idle,{{once:true}});\
         }})({js:?},{wasm:?},{worker:?},{scope:?})"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// The newest event the server had read when this page was rendered.
fn rendered_cursor() -> Option<i64> {
    #[cfg(feature = "ssr")]
    return crate::server::state().ok().and_then(|s| s.live.latest());
    #[cfg(not(feature = "ssr"))]
    None
}

/// The cockpit application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let _live = provide_live();
    provide_charts();
    // In the browser, once every panel has hydrated (ui::defer): the
    // stream of live updates, and the attribute that tells tests (and
    // curious people) that the page is live.
    #[cfg(feature = "hydrate")]
    crate::ui::defer::when_hydrated(move || {
        crate::ui::live_client::start(_live);
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        // Routes and `<A>` links are written from the mount path's root:
        // the router adds the path (`/songs` is `/cockpit/songs`).
        <Router base=base()>
            <header class="topbar">
                <a class="brand" href=at("/")>"RPM Cockpit"</a>
                <nav class="nav" aria-label="Pages">
                    <a href=at("/deliverables")>"Deliverables"</a>
                    <a href=at("/songs")>"Songs"</a>
                </nav>
                <UserMenu/>
            </header>
            <main class="page">
                // In-order streaming: the shell and the week's heading are
                // sent while the panels below still wait for their queries,
                // and the page is whole and in order without JavaScript
                // (out-of-order streaming would need a script to place it).
                <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=WeekPage ssr=SsrMode::InOrder/>
                    <Route path=StaticSegment("songs") view=SongsPage ssr=SsrMode::InOrder/>
                    <Route path=StaticSegment("deliverables") view=DeliverablesPage ssr=SsrMode::InOrder/>
                    <Route path=(StaticSegment("agents"), ParamSegment("name")) view=AgentPage ssr=SsrMode::InOrder/>
                    <Route path=StaticSegment("sync") view=SyncPage ssr=SsrMode::InOrder/>
                    <Route path=(StaticSegment("settings"), StaticSegment("notifications")) view=NotificationsPage ssr=SsrMode::InOrder/>
                </Routes>
            </main>
        </Router>
    }
}
