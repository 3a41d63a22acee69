//! The browser's end of live updates: one `EventSource` on `/events`.
//!
//! - The first connection starts at the cursor the page was rendered at
//!   (`<meta name="rpm-cursor">`), so nothing between render and connect
//!   is lost; later ones start at the last event applied. Events at or
//!   below it are dropped, so none is applied twice.
//! - The browser reconnects by itself after a dropped connection (sending
//!   `Last-Event-ID`). A connection is replaced only when it is really
//!   down: closed for good (refused, signed out); silent although a ping
//!   was due (the server pings an idle stream every 15 s) — what iOS leaves
//!   behind after the page was in the background; or silent since the
//!   network went away (`offline`). Showing the page again
//!   (`visibilitychange`, `pageshow`) and `online` check; a healthy stream
//!   is kept.
//! - Every reconnection, and coming back online, reloads every panel once
//!   (a reload may have failed while offline: an open stream can go on
//!   delivering events while the page's own requests fail); while there is
//!   no connection, every 30 s.
//!
//! The state is one `StoredValue` owned by the app; listeners, the ticker
//! and a pending retry are removed when the app is (`on_cleanup`).

use std::time::Duration;

use futures::future::{AbortHandle, Abortable};
use futures::stream::{select_all, StreamExt};
use gloo_net::eventsource::futures::EventSource;
use leptos::ev;
use leptos::prelude::*;

use super::base::at;
use super::live::Live;
use crate::model::live::{LiveEvent, Touches, PING, PING_SECONDS, RESYNC};

/// Reload everything this often while disconnected.
const POLL: Duration = Duration::from_secs(30);
const TICK: Duration = Duration::from_secs(5);
/// After a connection closed for good.
const RETRY: Duration = Duration::from_secs(5);
/// An open stream silent for longer than this missed a ping: it is dead.
const SILENT_MS: f64 = (PING_SECONDS + 10) as f64 * 1000.0;

/// What the page knows about its connection.
struct Connection {
    /// The newest event applied.
    applied: i64,
    /// Whether a connection has opened before on this page.
    opened: bool,
    /// Stops the current connection's listener (and closes its stream).
    current: Option<AbortHandle>,
    /// A reconnection waiting after a connection closed for good.
    retry: Option<TimeoutHandle>,
    /// The current connection ended and will not come back by itself.
    closed: bool,
    /// When the stream last said anything (opened, an event, a ping), in
    /// milliseconds since the epoch.
    heard: f64,
    /// When the network went away (`offline`), until the stream is heard
    /// from again or replaced.
    offline_since: Option<f64>,
    /// The network went away since the last `online`.
    was_offline: bool,
    /// Time without a connection since the last reload.
    offline_for: Duration,
}

/// The live client: `Copy`, so every callback holds its own handle.
#[derive(Clone, Copy)]
struct Client {
    live: Live,
    state: StoredValue<Connection, LocalStorage>,
}

/// Connects the page's [`Live`] to the server; call once, in the browser.
pub fn start(live: Live) {
    let client = Client {
        live,
        state: StoredValue::new_local(Connection {
            applied: rendered_cursor().unwrap_or(-1),
            opened: false,
            current: None,
            retry: None,
            closed: false,
            heard: js_sys::Date::now(),
            offline_since: None,
            was_offline: false,
            offline_for: Duration::ZERO,
        }),
    };
    live.now.set(Some(chrono::Utc::now()));
    live.rendered.set(rendered_at());
    client.connect();
    let check = move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            client.reconnect_if_down();
        }
    };
    let listeners = [
        window_event_listener(ev::visibilitychange, move |_| check()),
        window_event_listener(ev::pageshow, move |_| check()),
        window_event_listener(ev::online, move |_| {
            client.back_online();
            check();
        }),
        window_event_listener(ev::offline, move |_| client.went_offline()),
    ];
    let ticker = set_interval_with_handle(move || client.tick(), TICK).ok();
    on_cleanup(move || {
        for listener in listeners {
            listener.remove();
        }
        if let Some(ticker) = ticker {
            ticker.clear();
        }
        client.stop();
    });
}

/// When the server rendered the page.
fn rendered_at() -> Option<chrono::DateTime<chrono::Utc>> {
    document()
        .query_selector("meta[name=rpm-rendered]")
        .ok()
        .flatten()?
        .get_attribute("content")?
        .parse()
        .ok()
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

impl Client {
    fn with<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> Option<R> {
        self.state.try_update_value(f)
    }

    /// (Re)connects, closing the previous connection and forgetting a
    /// pending retry (which would otherwise close this one).
    fn connect(self) {
        let (handle, registration) = AbortHandle::new_pair();
        let started = self.with(|c| {
            if let Some(old) = c.current.replace(handle) {
                old.abort();
            }
            if let Some(retry) = c.retry.take() {
                retry.clear();
            }
            c.closed = false;
            c.heard = js_sys::Date::now();
            c.offline_since = None;
        });
        if started.is_some() {
            leptos::task::spawn_local(async move {
                let _ = Abortable::new(self.listen(), registration).await;
            });
        }
    }

    fn stop(self) {
        self.with(|c| {
            if let Some(current) = c.current.take() {
                current.abort();
            }
            if let Some(retry) = c.retry.take() {
                retry.clear();
            }
        });
    }

    /// Whether the connection is down: closed for good, an open stream that
    /// stopped talking (its pings stopped), or one not heard from since the
    /// network went away.
    fn down(self) -> bool {
        self.with(|c| {
            c.closed
                || js_sys::Date::now() - c.heard > SILENT_MS
                || c.offline_since.is_some_and(|t| c.heard <= t)
        })
        .unwrap_or(false)
    }

    /// The device lost its network: said at once ("offline since …"); a
    /// stream that still talks says "live" again.
    fn went_offline(self) {
        self.with(|c| {
            c.offline_since = Some(js_sys::Date::now());
            c.was_offline = true;
        });
        self.live.set_connected(false);
    }

    /// Reloads what may have failed to load while the network was away.
    fn back_online(self) {
        if self.with(|c| std::mem::take(&mut c.was_offline)) == Some(true) {
            self.live.reload_for_event(Touches::ALL);
        }
    }

    fn reconnect_if_down(self) {
        if self.down() {
            self.live.set_connected(false);
            self.connect();
        }
    }

    /// Every few seconds: "updated … ago", a dead stream replaced, and
    /// while offline, a reload every [`POLL`].
    fn tick(self) {
        self.live.now.set(Some(chrono::Utc::now()));
        self.reconnect_if_down();
        let connected = self.live.connected.get_untracked();
        let poll = self.with(|c| {
            if connected {
                c.offline_for = Duration::ZERO;
                return false;
            }
            c.offline_for += TICK;
            let due = c.offline_for >= POLL;
            if due {
                c.offline_for = Duration::ZERO;
            }
            due
        });
        if poll == Some(true) {
            self.live.reload_for_event(Touches::ALL);
        }
    }

    fn heard(self) {
        self.with(|c| {
            c.heard = js_sys::Date::now();
            c.offline_since = None;
        });
    }

    async fn listen(self) {
        let Some(after) = self.with(|c| c.applied) else {
            return;
        };
        let url = if after >= 0 {
            format!("{}?after={after}", at("/events"))
        } else {
            at("/events")
        };
        let live = self.live;
        if let Ok(mut source) = EventSource::new(&url) {
            let subscriptions: Vec<_> = ["message", RESYNC, PING, "open", "error"]
                .into_iter()
                .filter_map(|kind| source.subscribe(kind).ok())
                .collect();
            let mut events = select_all(subscriptions);
            while let Some(item) = events.next().await {
                // Closed for good (refused, signed out): try again later.
                let Ok((kind, event)) = item else { break };
                if kind != "error" {
                    self.heard();
                    live.set_connected(true);
                }
                match kind.as_str() {
                    "open" => {
                        // Back after a gap (background, offline, a server
                        // restart): reloads that failed meanwhile are retried.
                        if self.with(|c| std::mem::replace(&mut c.opened, true)) == Some(true) {
                            live.reload_for_event(Touches::ALL);
                        }
                    }
                    // The browser reconnects by itself.
                    "error" => live.set_connected(false),
                    PING => {}
                    RESYNC => {
                        if let Ok(id) = event.last_event_id().parse::<i64>() {
                            self.with(|c| c.applied = id);
                        }
                        live.reload_for_event(Touches::ALL);
                    }
                    _ => {
                        let Some(e) = event
                            .data()
                            .as_string()
                            .and_then(|text| serde_json::from_str::<LiveEvent>(&text).ok())
                        else {
                            continue;
                        };
                        let new = self.with(|c| {
                            let new = e.id > c.applied;
                            c.applied = c.applied.max(e.id);
                            new
                        });
                        if new == Some(true) {
                            live.reload_for_event(e.touches());
                        }
                    }
                }
            }
        }
        live.set_connected(false);
        let retry = set_timeout_with_handle(move || self.connect(), RETRY).ok();
        self.with(|c| {
            c.closed = true;
            c.retry = retry;
        });
    }
}
