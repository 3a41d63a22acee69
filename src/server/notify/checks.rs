//! What no single change causes, found by looking: an action past its due
//! date, an agent whose heartbeat stopped. Each is told once (the
//! idempotency key names the action and its due date, the agent and its
//! last heartbeat); two instances checking at once enqueue it once.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

/// How far back an overdue action is still news: a new installation with
/// a year of history does not mail the year's misses.
const OVERDUE_HORIZON_DAYS: i64 = 7;

/// Enqueues the actions that became overdue and the agents that went
/// stale; returns how many causes were found (not how many rows written).
pub async fn run(
    db: &PgPool,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> Result<i64, sqlx::Error> {
    let overdue = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select notify_enqueue('action_overdue',
                   'overdue:' || a.id || ':' || a.due_date,
                   'Overdue: ' || a.action_code || ' ' || a.action_text,
                   coalesce(a.owner, 'Nobody') || '''s action ' || a.action_code || ' was due '
                       || to_char(a.due_date at time zone 'UTC', 'Dy DD Mon') || '.',
                   '/', null, a.owner)
               from rpm_action_items a
               where a.due_date < $1::timestamptz and a.due_date >= $1::timestamptz - make_interval(days => $2)
                 and a.status not in ('completed', 'cancelled', 'deferred')
           ) x"#,
        now as _,
        OVERDUE_HORIZON_DAYS as i32
    )
    .fetch_one(db)
    .await?;
    let stale = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select notify_enqueue('agent_health',
                   'stale:' || s.agent_name || ':' || s.last_heartbeat,
                   'Agent ' || s.agent_name || ' has gone quiet',
                   'No heartbeat from ' || s.agent_name || ' since '
                       || to_char(s.last_heartbeat at time zone 'UTC', 'Dy DD Mon HH24:MI') || ' UTC.',
                   '/agents/' || s.agent_name, null)
               from agent_status s
               where s.last_heartbeat < $1::timestamptz - make_interval(secs => $2)
                 and s.last_heartbeat >= $1::timestamptz - make_interval(days => $3)
                 and s.status <> 'offline'
           ) x"#,
        now as _,
        stale_after.num_seconds() as f64,
        OVERDUE_HORIZON_DAYS as i32
    )
    .fetch_one(db)
    .await?;
    Ok(overdue + stale)
}
