//! An open event stream re-checks the sign-in it was opened with: the
//! stream ends once the person is removed from the allowlist, signs out
//! (the session row is gone), lets the session lapse, or reaches the
//! absolute session limit. Checked every `live_recheck_seconds` per stream
//! (one indexed query), not per event: 1,000 streams at the default 30 s
//! cost about 33 queries a second, whatever the event rate.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::Instant;
use uuid::Uuid;

use crate::server::clock::Clock;

pub struct Access {
    pub clock: Arc<Clock>,
    pub user_id: Uuid,
    pub session_id: String,
    /// The absolute session limit (unix seconds).
    pub ends_at: i64,
    pub every: Duration,
    /// When to check next.
    pub next: Instant,
}

impl Access {
    /// Whether the stream may go on; schedules the next check. A database
    /// error keeps the stream (the pages' own requests are checked anyway).
    pub async fn still_allowed(&mut self, db: &PgPool) -> bool {
        self.next = Instant::now() + self.every;
        if self.clock.now().timestamp() >= self.ends_at {
            return false;
        }
        let allowed = sqlx::query_scalar!(
            r#"select exists (select 1 from users where id = $1)
                  and exists (select 1 from tower_sessions.session
                              where id = $2 and expiry_date > now()) as "allowed!""#,
            self.user_id,
            &self.session_id
        )
        .fetch_one(db)
        .await;
        match allowed {
            Ok(allowed) => allowed,
            Err(e) => {
                tracing::warn!(error = %e, "events stream: re-checking the session");
                true
            }
        }
    }
}
