//! Live updates in the page: counters that panels' resources depend on
//! (bumped by events from `GET /events`), the connection indicator, and
//! "last updated". The connection itself lives in `live_client` (browser
//! only), which the app starts; this module does not depend on it.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::model::live::Touches;
use crate::ui::panels::common::relative;

/// Shared by every panel of the page.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// Plans, results, actions.
    pub plan: RwSignal<u32>,
    pub agents: RwSignal<u32>,
    /// Revenue and deliverables.
    pub money: RwSignal<u32>,
    /// Server-sent events are flowing.
    pub connected: RwSignal<bool>,
    /// When the connection was lost, while it is: the page keeps showing
    /// what it last loaded, marked "offline since …".
    pub lost: RwSignal<Option<DateTime<Utc>>>,
    /// When the server rendered this page (`<meta name="rpm-rendered">`):
    /// a page that never connects (opened without a network, from the
    /// service worker's copy) is offline since then.
    pub rendered: RwSignal<Option<DateTime<Utc>>>,
    /// Events have flowed at some point on this page.
    was_up: RwSignal<bool>,
    /// The last time data was (re)loaded because of an event or a poll.
    pub updated: RwSignal<Option<DateTime<Utc>>>,
    /// Ticks every few seconds, for "updated … ago".
    pub now: RwSignal<Option<DateTime<Utc>>>,
}

impl Live {
    fn new() -> Self {
        Self {
            plan: RwSignal::new(0),
            agents: RwSignal::new(0),
            money: RwSignal::new(0),
            connected: RwSignal::new(false),
            lost: RwSignal::new(None),
            rendered: RwSignal::new(None),
            was_up: RwSignal::new(false),
            updated: RwSignal::new(None),
            now: RwSignal::new(None),
        }
    }

    /// Says whether events are flowing. Losing a connection that was up
    /// starts "offline since" now; failing to connect at all, since the
    /// page was rendered (what it shows is that old).
    pub fn set_connected(&self, up: bool) {
        if up {
            self.lost.set(None);
            self.was_up.set(true);
        } else if self.lost.get_untracked().is_none() {
            if self.connected.get_untracked() {
                self.lost.set(Some(Utc::now()));
            } else if !self.was_up.get_untracked() {
                self.lost
                    .set(Some(self.rendered.get_untracked().unwrap_or_else(Utc::now)));
            }
        }
        self.connected.set(up);
    }

    /// Reloads the panels a live event (or the return of the connection)
    /// touches: the reloads are not the viewer's activity.
    pub fn reload_for_event(&self, touches: Touches) {
        crate::server_fns::client::marking_reloads(|| self.bump(touches));
    }

    /// Reloads the panels `touches` names.
    pub fn bump(&self, touches: Touches) {
        let add = |s: RwSignal<u32>| s.update(|n| *n = n.wrapping_add(1));
        if touches.plan {
            add(self.plan);
        }
        if touches.agents {
            add(self.agents);
        }
        if touches.money {
            add(self.money);
        }
        self.updated.set(Some(Utc::now()));
    }
}

/// Creates the page's live state.
pub fn provide_live() -> Live {
    let live = Live::new();
    provide_context(live);
    live
}

/// The page's live state, provided by the app ([`provide_live`]): a panel
/// outside it is a bug, not a page that silently never updates.
pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// "● Live · updated 2 minutes ago"; once a connection is lost, "Offline
/// since 10:42 · updated …": what is on screen stays, with its age.
#[component]
pub fn LiveStatus() -> impl IntoView {
    let live = use_live();
    let state = move || {
        if live.connected.get() {
            "live"
        } else if live.lost.get().is_some() {
            "offline"
        } else {
            "connecting"
        }
    };
    let text = move || {
        let link = if live.connected.get() {
            "Live".to_string()
        } else if let Some(lost) = live.lost.get() {
            format!("Offline since {}", clock_time(lost))
        } else if live.now.get().is_some() {
            "Reconnecting…".to_string()
        } else {
            "Connecting…".to_string()
        };
        match (live.updated.get(), live.now.get()) {
            (Some(at), Some(now)) => format!("{link} · updated {}", relative(now, at)),
            _ => link,
        }
    };
    view! {
        <p class="live-status" data-state=state role="status" aria-live="polite">
            <span class="live-dot" aria-hidden="true"></span>
            <span class="live-text">{text}</span>
        </p>
    }
}

/// The time of day in the viewer's own time zone (the browser's), "10:42".
fn clock_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M").to_string()
}
