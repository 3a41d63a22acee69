//! The outbox's rows as the delivery worker sees them: claimed with
//! `FOR UPDATE SKIP LOCKED` (two instances never hold the same row), then
//! marked sent, failed (tried again later, with exponential backoff) or dead.

use sqlx::PgConnection;
use uuid::Uuid;

/// A due notification, locked by the claiming transaction.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub idempotency_key: String,
    pub user_id: Uuid,
    pub rule: String,
    pub channel: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub attempts: i32,
    pub email: String,
    pub display_name: String,
    pub unsubscribe_token: Uuid,
    pub webhook_url: Option<String>,
    pub webhook_preset: String,
    pub webhook_sms_to: Option<String>,
    pub webhook_secret: String,
    /// Set when the person is in their quiet hours: when those end.
    pub quiet_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Claimed {
    /// A stable id for the message, from the first notification's key: a
    /// message sent again after a crash has the same Message-ID, so the
    /// receiving side can drop the copy.
    pub fn message_key(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.idempotency_key.as_bytes());
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// Locks up to `limit` due notifications, oldest first, skipping those
/// another transaction holds.
pub async fn claim(tx: &mut PgConnection, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        r#"select n.id, n.idempotency_key, n.user_id, n.rule, n.channel, n.subject, n.body,
                  n.link, n.attempts, u.email, u.display_name,
                  s.unsubscribe_token as "unsubscribe_token!", s.webhook_url,
                  s.webhook_preset as "webhook_preset!", s.webhook_sms_to,
                  s.webhook_secret as "webhook_secret!",
                  notification_quiet_until(now(), s.time_zone, s.quiet_start, s.quiet_end)
                      as "quiet_until: chrono::DateTime<chrono::Utc>"
           from notifications n
           join users u on u.id = n.user_id
           cross join lateral notification_settings_of(n.user_id) s
           where n.state in ('queued', 'failed') and n.next_attempt_at <= now()
           order by n.id
           limit $1
           for update of n skip locked"#,
        limit
    )
    .fetch_all(&mut *tx)
    .await
}

/// Sent, in the message of notification `carrier`.
pub async fn mark_sent(
    tx: &mut PgConnection,
    ids: &[i64],
    carrier: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notifications
         set state = 'sent', sent_at = now(), attempts = attempts + 1, sent_with = $2,
             last_error = null
         where id = any($1)",
        ids,
        carrier
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A try failed: dead when `permanent` or out of tries, else tried again
/// after `retry_seconds` × 2^(tries so far).
pub async fn mark_failed(
    tx: &mut PgConnection,
    ids: &[i64],
    reason: &str,
    permanent: bool,
    retry_seconds: u64,
    max_attempts: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notifications
         set attempts = attempts + 1,
             last_error = left($2, 500),
             state = case when $3 or attempts + 1 >= $5 then 'dead' else 'failed' end,
             next_attempt_at = now()
                 + make_interval(secs => $4::float8 * power(2, least(attempts, 16)))
         where id = any($1)",
        ids,
        reason,
        permanent,
        retry_seconds as f64,
        max_attempts
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Not now: the person is in their quiet hours until `until`.
pub async fn defer(
    tx: &mut PgConnection,
    ids: &[i64],
    until: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notifications set next_attempt_at = $2 where id = any($1)",
        ids,
        until as _
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Queues the same notification again (the admin page's resend): a dead
/// or sent one is tried once more, now.
pub async fn requeue(db: &sqlx::PgPool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update notifications
         set state = 'queued', next_attempt_at = now(), attempts = 0, last_error = null,
             sent_with = null, sent_at = null
         where id = $1",
        id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
