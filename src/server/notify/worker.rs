//! The delivery worker: woken by `NOTIFY rpm_notifications` (and every
//! `notify_poll_ms` anyway), it claims the due notifications, sends each
//! person's burst as one message, and records the outcome in the same
//! transaction that holds the rows' locks. Another instance skips the
//! locked rows, so no notification is sent by two instances. A process
//! that dies between the relay's answer and the commit sends that message
//! again after its restart, with the same Message-ID.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::checks;
use super::email::Mailer;
use super::outbox::{self, Claimed};
use super::push::Pusher;
use super::webhook::Webhooks;
use crate::server::settings::Settings;

/// Notifications claimed per transaction.
const BATCH: i64 = 200;

/// How often the overdue and stale checks run.
const CHECK_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Worker {
    db: PgPool,
    mailer: Option<Mailer>,
    webhooks: Webhooks,
    push: Pusher,
    /// Where the weekly digest's PDF goes (analytics/reports/weekly/).
    lake: Option<std::sync::Arc<crate::server::sync::lake::Lake>>,
    retry_seconds: u64,
    max_attempts: i32,
    batch: i64,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Notifications claimed.
    pub claimed: usize,
    /// Messages sent (a burst to one person is one message).
    pub messages: usize,
    pub sent: usize,
    pub failed: usize,
    /// Held back by quiet hours.
    pub deferred: usize,
}

impl Worker {
    /// A worker for the email relay (if any) and webhooks.
    pub fn new(db: PgPool, mailer: Option<Mailer>, settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            db: db.clone(),
            mailer,
            webhooks: Webhooks::from_settings(settings)?,
            push: Pusher::from_settings(db.clone(), settings)?,
            lake: crate::server::sync::lake::Lake::open(
                &settings.object_store_url,
                &settings.data_dir.join("lake"),
            )
            .map(std::sync::Arc::new)
            .map_err(|e| tracing::warn!(error = %e, "the digest's PDF will not be kept"))
            .ok(),
            retry_seconds: settings.notify_retry_seconds,
            max_attempts: settings.notify_max_attempts.max(1),
            batch: BATCH,
        })
    }

    /// Claims at most `batch` notifications per pass.
    #[must_use]
    pub fn with_batch(mut self, batch: i64) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// One pass over what is due now.
    pub async fn deliver_once(&self) -> Result<Pass, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let rows = outbox::claim(&mut tx, self.batch).await?;
        let mut pass = Pass {
            claimed: rows.len(),
            ..Pass::default()
        };
        // Each week's digest is gathered and drawn once per pass.
        let mut digests = std::collections::HashMap::new();
        for burst in bursts(rows) {
            let ids: Vec<i64> = burst.iter().map(|c| c.id).collect();
            let first = &burst[0];
            if let Some(until) = first.quiet_until {
                outbox::defer(&mut tx, &ids, until).await?;
                pass.deferred += ids.len();
                continue;
            }
            let outcome = match (first.channel.as_str(), &self.mailer) {
                ("email", Some(mailer)) if first.rule == "weekly_digest" => {
                    match self.digest(&mut digests, first).await {
                        Ok((report, rendered)) => {
                            mailer.send_digest(first, &report, &rendered).await
                        }
                        Err(e) => Err(e),
                    }
                }
                ("email", Some(mailer)) => mailer.send(&burst).await,
                ("email", None) => {
                    // No relay here: left queued for an instance with one.
                    outbox::defer(
                        &mut tx,
                        &ids,
                        chrono::Utc::now() + chrono::Duration::minutes(5),
                    )
                    .await?;
                    pass.deferred += ids.len();
                    continue;
                }
                ("webhook", _) => self.webhooks.send(&burst).await,
                ("push", _) => self.push.send(&burst).await,
                (other, _) => Err(super::email::SendError::permanent(format!(
                    "the {other} channel is not available on this server"
                ))),
            };
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut tx, &ids, first.id).await?;
                    pass.messages += 1;
                    pass.sent += ids.len();
                }
                Err(e) => {
                    tracing::warn!(
                        channel = %first.channel,
                        notifications = ids.len(),
                        permanent = e.permanent,
                        error = %e.reason,
                        "notification not sent"
                    );
                    outbox::mark_failed(
                        &mut tx,
                        &ids,
                        &e.reason,
                        e.permanent,
                        self.retry_seconds,
                        self.max_attempts,
                    )
                    .await?;
                    pass.failed += ids.len();
                }
            }
        }
        tx.commit().await?;
        Ok(pass)
    }

    /// The digest a notification is about (its key is `digest:YYYY-Www:…`),
    /// gathered and drawn once per pass; its PDF is kept in the lake.
    async fn digest(
        &self,
        made: &mut std::collections::HashMap<String, Digest>,
        row: &Claimed,
    ) -> Result<Digest, super::email::SendError> {
        use super::email::SendError;
        use crate::server::report;
        let week = checks::digest_week(&row.idempotency_key).to_string();
        if let Some(done) = made.get(&week) {
            return Ok(done.clone());
        }
        let monday =
            report::parse_iso_week(&week).map_err(|e| SendError::permanent(e.to_string()))?;
        let gathered = report::gather(&self.db, monday, chrono::Utc::now())
            .await
            .map_err(|e| SendError::transient(format!("the digest of {week}: {e}")))?;
        let rendered = report::render_all(&gathered)
            .map_err(|e| SendError::permanent(format!("the digest of {week}: {e}")))?;
        if let Some(lake) = &self.lake {
            if let Err(e) = lake
                .put_if_changed(&gathered.lake_path(), rendered.pdf.clone())
                .await
            {
                tracing::warn!(error = %e, week, "the digest's PDF was not kept in the lake");
            }
        }
        let done = (std::sync::Arc::new(gathered), std::sync::Arc::new(rendered));
        made.insert(week, done.clone());
        Ok(done)
    }

    /// Passes until nothing due is left in one.
    pub async fn deliver_all(&self) -> Result<Pass, sqlx::Error> {
        let mut total = Pass::default();
        loop {
            let pass = self.deliver_once().await?;
            total.claimed += pass.claimed;
            total.messages += pass.messages;
            total.sent += pass.sent;
            total.failed += pass.failed;
            total.deferred += pass.deferred;
            if (pass.claimed as i64) < self.batch {
                return Ok(total);
            }
        }
    }
}

/// A week's digest, gathered and drawn.
type Digest = (
    std::sync::Arc<crate::server::report::WeeklyReport>,
    std::sync::Arc<crate::server::report::Rendered>,
);

/// Each person's notifications on one channel, oldest first: one message.
/// A digest by email is a message of its own.
pub fn bursts(rows: Vec<Claimed>) -> Vec<Vec<Claimed>> {
    let mut out: Vec<Vec<Claimed>> = Vec::new();
    let alone = |c: &Claimed| c.rule == "weekly_digest" && c.channel == "email";
    for row in rows {
        match out.iter_mut().find(|b| {
            b[0].user_id == row.user_id
                && b[0].channel == row.channel
                && !alone(&b[0])
                && !alone(&row)
        }) {
            Some(burst) => burst.push(row),
            None => out.push(vec![row]),
        }
    }
    out
}

/// Runs the checks and the delivery worker for as long as the server runs
/// (email only with a relay).
pub fn spawn(db: PgPool, settings: &Settings) -> anyhow::Result<()> {
    let mailer = Mailer::from_settings(settings)?;
    match &mailer {
        Some(m) => tracing::info!(relay = %m.relay, "notification email on"),
        None => tracing::info!(
            "notification email off (no RPM_SMTP_URL): notifications wait in the outbox"
        ),
    }
    let worker = Worker::new(db.clone(), mailer, settings)?;
    if worker.push.vapid().is_none() {
        tracing::info!("Web Push off (no RPM_VAPID_PRIVATE_KEY)");
    }
    let poll = Duration::from_millis(settings.notify_poll_ms.max(50));
    let stale_after = chrono::Duration::minutes(settings.agent_stale_after_minutes as i64);
    let digest_at = settings.weekly_digest()?;
    tokio::spawn(async move {
        let mut listener = match PgListener::connect_with(&db).await {
            Ok(mut l) => match l.listen("rpm_notifications").await {
                Ok(()) => Some(l),
                Err(e) => {
                    tracing::warn!(error = %e, "notifications: not listening; polling only");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "notifications: not listening; polling only");
                None
            }
        };
        let mut last_check: Option<tokio::time::Instant> = None;
        // Until the server closes its pool (shutdown).
        while !db.is_closed() {
            if last_check.is_none_or(|t| t.elapsed() >= CHECK_EVERY) {
                last_check = Some(tokio::time::Instant::now());
                if let Err(e) = checks::run(&db, chrono::Utc::now(), stale_after).await {
                    tracing::warn!(error = %e, "notification checks failed");
                }
                if let Some(at) = digest_at {
                    if let Err(e) = checks::digest_due(&db, chrono::Utc::now(), at).await {
                        tracing::warn!(error = %e, "the weekly digest check failed");
                    }
                }
            }
            if let Err(e) = worker.deliver_all().await {
                tracing::warn!(error = %e, "notification delivery failed");
            }
            match &mut listener {
                Some(l) => {
                    tokio::select! {
                        woke = l.recv() => if let Err(e) = woke {
                            tracing::warn!(error = %e, "notifications: listener lost");
                            tokio::time::sleep(poll).await;
                        },
                        () = tokio::time::sleep(poll) => {}
                    }
                }
                None => tokio::time::sleep(poll).await,
            }
        }
    });
    Ok(())
}
