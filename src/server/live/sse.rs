//! `GET /events`: the live-update stream of a signed-in browser, as
//! server-sent events.
//!
//! - each event has its id; `retry:` asks for a reconnect after 2 s;
//!   a `ping` event every 15 s on an idle stream keeps proxies from closing
//!   it and tells the browser the stream is alive (a comment would be
//!   invisible to it);
//! - a reconnecting browser sends `Last-Event-ID` and gets every event after
//!   it from the events table; a first connection passes the cursor its
//!   page was rendered at as `?after=`, so nothing between render and
//!   connect is lost;
//! - a client too far behind (more than [`REPLAY_LIMIT`] events, or lagging
//!   the broadcast) gets one `resync` event: reload everything;
//! - never buffered: not compressed, `X-Accel-Buffering: no`;
//! - it ends when its sign-in does (see [`super::access`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tower_sessions::Session;

use super::access::Access;
use super::hub::{events_after, newest_id};
use crate::model::live::{LiveEvent, PING, PING_SECONDS, RESYNC};
use crate::server::auth::guard::Viewer;
use crate::server::auth::session::{ends_at, signed_in};
use crate::server::state::AppState;
use axum::http::StatusCode;

/// Replayed at most; further behind, a client resyncs.
pub const REPLAY_LIMIT: i64 = 500;

#[derive(Deserialize)]
pub struct Params {
    after: Option<i64>,
}

pub async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    session: Session,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if state.drain.is_draining() {
        // Shutting down: the browser retries, and reaches another instance.
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down, try again").into_response();
    }
    let Some(access) = access(&state, &viewer, &session).await else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the backlog: whatever commits after the
    // read arrives by broadcast (duplicates are dropped by id).
    let receiver = state.live.subscribe();
    let after = match last_event_id.or(params.after) {
        Some(after) => after.max(0),
        None => match state.live.latest() {
            Some(latest) => latest,
            None => match newest_id(&state.db).await {
                Ok(id) => id,
                Err(e) => return unavailable(e),
            },
        },
    };
    let start = match events_after(&state.db, after, REPLAY_LIMIT + 1).await {
        Ok(backlog) if backlog.len() as i64 > REPLAY_LIMIT => Start::Resync,
        Ok(backlog) => Start::Replay(backlog.into()),
        Err(e) => return unavailable(e),
    };
    let db = state.db.clone();
    let draining = Box::pin(state.drain.started());
    let stream = stream(start, after, receiver, db, access, draining);
    let mut response = Sse::new(stream)
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(PING_SECONDS))
                .event(Event::default().event(PING).data("{}")),
        )
        .into_response();
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// What the stream re-checks: the viewer's session as the guard saw it.
async fn access(state: &AppState, viewer: &Viewer, session: &Session) -> Option<Access> {
    let session_id = session.id()?.to_string();
    let seen = signed_in(session).await.ok()??;
    let every = Duration::from_secs(state.settings.live_recheck_seconds.max(1));
    Some(Access {
        clock: state.clock.clone(),
        user_id: viewer.user.id,
        session_id,
        ends_at: ends_at(&seen, &state.settings),
        every,
        next: tokio::time::Instant::now() + every,
    })
}

enum Start {
    Replay(VecDeque<LiveEvent>),
    Resync,
}

struct Cursor {
    hello: bool,
    backlog: VecDeque<LiveEvent>,
    resync: bool,
    sent: i64,
    receiver: broadcast::Receiver<Arc<LiveEvent>>,
    db: sqlx::PgPool,
    access: Access,
    /// Resolves when the server starts draining: the stream ends, and the
    /// browser reconnects (to another instance) from its last event id.
    draining: Draining,
}

type Draining = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

fn message(e: &LiveEvent) -> Event {
    Event::default()
        .id(e.id.to_string())
        .data(serde_json::to_string(e).unwrap_or_default())
}

fn stream(
    start: Start,
    after: i64,
    receiver: broadcast::Receiver<Arc<LiveEvent>>,
    db: sqlx::PgPool,
    access: Access,
    draining: Draining,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let (backlog, behind) = match start {
        Start::Replay(backlog) => (backlog, false),
        Start::Resync => (VecDeque::new(), true),
    };
    let cursor = Cursor {
        hello: true,
        backlog,
        resync: behind,
        sent: after,
        receiver,
        db,
        access,
        draining,
    };
    stream::unfold(cursor, |mut c| async move {
        if c.hello {
            c.hello = false;
            let hello = Event::default()
                .retry(Duration::from_secs(2))
                .comment("connected");
            return Some((Ok(hello), c));
        }
        if c.resync {
            c.resync = false;
            return Some((Ok(resync(&mut c).await), c));
        }
        if let Some(e) = c.backlog.pop_front() {
            c.sent = e.id;
            return Some((Ok(message(&e)), c));
        }
        loop {
            let received = tokio::select! {
                received = c.receiver.recv() => received,
                () = &mut c.draining => return None,
                () = tokio::time::sleep_until(c.access.next) => {
                    if c.access.still_allowed(&c.db).await {
                        continue;
                    }
                    return None;
                }
            };
            match received {
                Ok(e) if e.id <= c.sent => continue,
                Ok(e) => {
                    c.sent = e.id;
                    return Some((Ok(message(&e)), c));
                }
                Err(RecvError::Lagged(_)) => return Some((Ok(resync(&mut c).await), c)),
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

/// Tells the client to reload everything; it goes on from the newest event.
async fn resync(c: &mut Cursor) -> Event {
    let newest = newest_id(&c.db).await.unwrap_or(c.sent);
    c.sent = c.sent.max(newest);
    Event::default()
        .event(RESYNC)
        .id(c.sent.to_string())
        .data("{}")
}

fn unavailable(e: sqlx::Error) -> Response {
    tracing::warn!(error = %e, "events stream: database unavailable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "database unavailable, try again",
    )
        .into_response()
}
