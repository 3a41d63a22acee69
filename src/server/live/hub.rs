//! One reader of the events table per server process, fanning out to every
//! connected browser.
//!
//! PostgreSQL `LISTEN rpm_events` wakes the reader (the notification carries
//! only an event id); the reader then reads every event after its cursor.
//! Notifications sent while the listener is reconnecting are lost, so the
//! reader also polls on a timer. Event ids commit in order (see migration
//! `20261123000009_live_updates.sql`), so "every id after the cursor" never skips one
//! that committed late. Each server instance runs its own reader, so every
//! instance behind a load balancer delivers every event.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::model::live::{EventKind, LiveEvent};

/// The notification channel the events table's trigger notifies.
pub const CHANNEL: &str = "rpm_events";
/// The safety-net poll.
const POLL: Duration = Duration::from_secs(2);
/// Events kept for slow subscribers; one further behind gets a resync.
const BUFFER: usize = 1024;

#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    /// The id of the last event broadcast.
    latest: AtomicI64,
    /// Whether the listener is connected (for health and tests).
    listening: AtomicBool,
}

struct Row {
    id: i64,
    event_type: EventKind,
    entity_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<Row> for LiveEvent {
    fn from(r: Row) -> Self {
        LiveEvent {
            id: r.id,
            kind: r.event_type,
            entity_id: r.entity_id,
            at: r.created_at,
        }
    }
}

/// Events after `after`, oldest first, at most `limit`.
pub async fn events_after(
    db: &PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<LiveEvent>, sqlx::Error> {
    let rows = sqlx::query_as!(
        Row,
        r#"select id, event_type as "event_type: EventKind", entity_id,
                  created_at as "created_at: DateTime<Utc>" from events
           where id > $1 order by id limit $2"#,
        after,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(LiveEvent::from).collect())
}

/// The newest event id (0 when there is none).
pub async fn newest_id(db: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select coalesce(max(id), 0) as "newest!" from events"#)
        .fetch_one(db)
        .await
}

impl Hub {
    /// Starts the reader on the current tokio runtime. It stops when the
    /// hub is dropped.
    pub fn start(db: PgPool) -> Arc<Hub> {
        let (sender, _) = broadcast::channel(BUFFER);
        let hub = Arc::new(Hub {
            sender,
            latest: AtomicI64::new(-1),
            listening: AtomicBool::new(false),
        });
        tokio::spawn(run(Arc::downgrade(&hub), db));
        hub
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// The id of the last event broadcast; `None` before the reader has
    /// read the table once.
    pub fn latest(&self) -> Option<i64> {
        Some(self.latest.load(Ordering::Acquire)).filter(|id| *id >= 0)
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// Broadcasts everything after the cursor; returns the new cursor.
    async fn catch_up(&self, db: &PgPool, mut cursor: i64) -> i64 {
        loop {
            let batch = match events_after(db, cursor, 500).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "reading events");
                    return cursor;
                }
            };
            let full = batch.len() == 500;
            for event in batch {
                cursor = event.id;
                self.latest.store(cursor, Ordering::Release);
                // No subscriber is not an error.
                let _ = self.sender.send(Arc::new(event));
            }
            if !full {
                return cursor;
            }
        }
    }
}

async fn run(hub: Weak<Hub>, db: PgPool) {
    let mut cursor = loop {
        match newest_id(&db).await {
            Ok(id) => break id,
            Err(e) => {
                tracing::warn!(error = %e, "events: waiting for the database");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    let Some(h) = hub.upgrade() else { return };
    h.latest.store(cursor, Ordering::Release);
    drop(h);
    let mut listener: Option<PgListener> = None;
    let mut tick = tokio::time::interval(POLL);
    loop {
        if listener.is_none() {
            listener = connect(&db).await;
        }
        let Some(h) = hub.upgrade() else { return };
        h.listening.store(listener.is_some(), Ordering::Relaxed);
        drop(h);
        // Wait for a notification, a dropped connection or the poll; then
        // read. (On a dropped connection, `Ok(None)`, sqlx reconnects at the
        // next call; notifications sent meanwhile are lost, hence the read.)
        match listener.as_mut() {
            Some(l) => tokio::select! {
                n = l.try_recv() => if let Err(e) = n {
                    tracing::warn!(error = %e, "events listener");
                    listener = None;
                },
                _ = tick.tick() => {},
            },
            None => {
                tick.tick().await;
            }
        }
        let Some(h) = hub.upgrade() else { return };
        cursor = h.catch_up(&db, cursor).await;
    }
}

async fn connect(db: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(db).await.ok()?;
    match listener.listen(CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!(error = %e, "events: LISTEN failed");
            None
        }
    }
}
