//! The browser's end of live updates: one `EventSource` on `/events`.
//!
//! - The first connection starts at the cursor the page was rendered at
//!   (`<meta name="rpm-cursor">`), so nothing between render and connect
//!   is lost; later ones start at the last event applied. Events at or
//!   below it are dropped, so none is applied twice.
//! - The browser reconnects by itself after a dropped connection (sending
//!   `Last-Event-ID`). iOS drops the stream in the background without an
//!   error, so the page also reconnects whenever it is shown again
//!   (`visibilitychange`, `pageshow`), and after a refused connection.
//! - Every reconnection reloads every panel once (a reload may have failed
//!   while offline); while there is no connection, every 30 s.

use std::cell::{Cell, RefCell};

use futures::future::{AbortHandle, Abortable};
use futures::stream::{select_all, StreamExt};
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::base::at;
use super::live::Live;
use crate::model::live::{LiveEvent, Touches, RESYNC};

/// Reload everything this often while disconnected.
const POLL_MS: u32 = 30_000;
const TICK_MS: u32 = 5_000;

thread_local! {
    /// The newest event applied.
    static APPLIED: Cell<i64> = const { Cell::new(-1) };
    static CURRENT: RefCell<Option<AbortHandle>> = const { RefCell::new(None) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// Whether a connection has opened before on this page.
    static OPENED: Cell<bool> = const { Cell::new(false) };
}

/// Connects once per page.
pub fn start(live: Live) {
    if STARTED.replace(true) {
        return;
    }
    APPLIED.set(rendered_cursor().unwrap_or(-1));
    live.now.set(Some(chrono::Utc::now()));
    connect(live);
    let reconnect = Closure::<dyn Fn()>::new(move || {
        let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
        if visible {
            connect(live);
        }
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", reconnect.as_ref().unchecked_ref());
    let _ =
        window().add_event_listener_with_callback("pageshow", reconnect.as_ref().unchecked_ref());
    let _ = window().add_event_listener_with_callback("online", reconnect.as_ref().unchecked_ref());
    reconnect.forget();
    let mut since_poll = 0;
    let tick = Closure::<dyn FnMut()>::new(move || {
        live.now.set(Some(chrono::Utc::now()));
        since_poll += TICK_MS;
        if live.connected.get_untracked() {
            since_poll = 0;
        } else if since_poll >= POLL_MS {
            since_poll = 0;
            live.reload_for_event(Touches::ALL);
        }
    });
    let _ = window().set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        TICK_MS as i32,
    );
    tick.forget();
}

/// The cursor the server rendered the page at.
fn rendered_cursor() -> Option<i64> {
    document()
        .query_selector("meta[name=rpm-cursor]")
        .ok()
        .flatten()?
        .get_attribute("content")?
        .parse()
        .ok()
}

/// (Re)connects, closing the previous connection.
fn connect(live: Live) {
    let (handle, registration) = AbortHandle::new_pair();
    if let Some(old) = CURRENT.with(|c| c.replace(Some(handle))) {
        old.abort();
    }
    leptos::task::spawn_local(async move {
        let _ = Abortable::new(listen(live), registration).await;
    });
}

async fn listen(live: Live) {
    let after = APPLIED.get();
    let url = if after >= 0 {
        format!("{}?after={after}", at("/events"))
    } else {
        at("/events")
    };
    let Ok(mut source) = EventSource::new(&url) else {
        return;
    };
    let subscriptions: Vec<_> = ["message", RESYNC, "open", "error"]
        .into_iter()
        .filter_map(|kind| source.subscribe(kind).ok())
        .collect();
    let mut events = select_all(subscriptions);
    while let Some(item) = events.next().await {
        match item {
            Ok((kind, event)) => match kind.as_str() {
                "open" => {
                    live.connected.set(true);
                    // Back after a gap (background, offline, a server
                    // restart): reloads that failed meanwhile are retried.
                    if OPENED.replace(true) {
                        live.reload_for_event(Touches::ALL);
                    }
                }
                "error" => live.connected.set(false),
                RESYNC => {
                    if let Ok(id) = event.last_event_id().parse::<i64>() {
                        APPLIED.set(id);
                    }
                    live.connected.set(true);
                    live.reload_for_event(Touches::ALL);
                }
                _ => {
                    live.connected.set(true);
                    let Some(text) = event.data().as_string() else {
                        continue;
                    };
                    let Ok(e) = serde_json::from_str::<LiveEvent>(&text) else {
                        continue;
                    };
                    if e.id > APPLIED.get() {
                        APPLIED.set(e.id);
                        live.reload_for_event(e.touches());
                    }
                }
            },
            // Closed for good (refused, signed out): try again later.
            Err(_) => break,
        }
    }
    live.connected.set(false);
    drop(source);
    let retry = Closure::once_into_js(move || connect(live));
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), 5_000);
}
