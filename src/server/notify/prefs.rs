//! A person's notification settings: the rules per channel, time zone and
//! quiet hours, webhook, and the browsers subscribed to Web Push; and the
//! admin's list of recent notifications.

use chrono::NaiveTime;
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::notifications::{
    offered, NotificationSettings, OutboxRow, PushDevice, RuleChoice, CHANNELS, PRESETS,
};
use crate::server::auth::users::User;

/// Everything on `user`'s settings page. `push_key`: the cockpit's VAPID
/// public key, when Web Push is on.
pub async fn load(
    db: &PgPool,
    user: &User,
    push_key: Option<String>,
    email_on: bool,
) -> Result<NotificationSettings, AppError> {
    let s = sqlx::query!(
        r#"select s.time_zone as "time_zone!", to_char(s.quiet_start, 'HH24:MI') as quiet_start,
                  to_char(s.quiet_end, 'HH24:MI') as quiet_end, s.webhook_url,
                  s.webhook_preset as "webhook_preset!", s.webhook_sms_to,
                  s.webhook_secret as "webhook_secret!",
                  s.updated_at as "updated_at!: chrono::DateTime<chrono::Utc>"
           from notification_settings_of($1) s"#,
        user.id
    )
    .fetch_one(db)
    .await?;
    let rules = offered(user.role, user.owner_name.is_some());
    let choices = sqlx::query!(
        r#"select r.rule as "rule!", c.channel as "channel!",
                  coalesce(p.enabled, notification_default($2, r.rule)) as "on!"
           from unnest($3::text[]) r(rule)
           cross join unnest($4::text[]) c(channel)
           left join notification_prefs p
                  on p.user_id = $1 and p.rule = r.rule and p.channel = c.channel"#,
        user.id,
        user.role.as_str(),
        &rules.iter().map(ToString::to_string).collect::<Vec<_>>(),
        &CHANNELS.iter().map(ToString::to_string).collect::<Vec<_>>(),
    )
    .fetch_all(db)
    .await?;
    let rules = rules
        .iter()
        .map(|rule| {
            let mut on = [false; 3];
            for (i, channel) in CHANNELS.iter().enumerate() {
                on[i] = choices
                    .iter()
                    .any(|c| c.rule == *rule && c.channel == *channel && c.on);
            }
            RuleChoice {
                rule: rule.to_string(),
                on,
            }
        })
        .collect();
    let devices = sqlx::query_as!(
        PushDevice,
        r#"select id, device, created_at as "created_at!: chrono::DateTime<chrono::Utc>",
                  last_sent_at as "last_sent_at: chrono::DateTime<chrono::Utc>"
           from push_subscriptions where user_id = $1 order by id"#,
        user.id
    )
    .fetch_all(db)
    .await?;
    Ok(NotificationSettings {
        email: user.email.clone(),
        role: user.role,
        rules,
        time_zone: s.time_zone,
        quiet_start: s.quiet_start,
        quiet_end: s.quiet_end,
        webhook_url: s.webhook_url,
        webhook_preset: s.webhook_preset,
        webhook_sms_to: s.webhook_sms_to,
        webhook_secret: s.webhook_secret,
        push_key,
        devices,
        updated_at: s.updated_at,
        email_on,
    })
}

/// Sets every rule offered to `user` on every channel: on when
/// `"rule:channel"` is in `on`, off otherwise. Anything else in `on` is a
/// 400 (nothing is saved).
pub async fn save_rules(db: &PgPool, user: &User, on: &[String]) -> Result<(), AppError> {
    let rules = offered(user.role, user.owner_name.is_some());
    for item in on {
        let known = item
            .split_once(':')
            .is_some_and(|(r, c)| rules.contains(&r) && CHANNELS.contains(&c));
        if !known {
            return Err(AppError::BadRequest(format!(
                "{item:?} is not a rule and channel you can choose"
            )));
        }
    }
    let mut all_rules = Vec::new();
    let mut all_channels = Vec::new();
    let mut enabled = Vec::new();
    for rule in &rules {
        for channel in CHANNELS {
            all_rules.push(rule.to_string());
            all_channels.push(channel.to_string());
            enabled.push(on.iter().any(|o| *o == format!("{rule}:{channel}")));
        }
    }
    let mut tx = db.begin().await?;
    sqlx::query!(
        "insert into notification_prefs (user_id, rule, channel, enabled)
         select $1, r, c, e from unnest($2::text[], $3::text[], $4::bool[]) x(r, c, e)
         on conflict (user_id, rule, channel)
         do update set enabled = excluded.enabled, updated_at = now()",
        user.id,
        &all_rules,
        &all_channels,
        &enabled
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// The time zone (IANA name) and quiet hours ("HH:MM", both or neither).
pub async fn save_schedule(
    db: &PgPool,
    user_id: Uuid,
    time_zone: &str,
    quiet_start: Option<&str>,
    quiet_end: Option<&str>,
) -> Result<(), AppError> {
    let time_zone = time_zone.trim();
    let known = sqlx::query_scalar!(
        r#"select exists(select 1 from pg_timezone_names where name = $1) as "known!""#,
        time_zone
    )
    .fetch_one(db)
    .await?;
    if !known {
        return Err(AppError::BadRequest(format!(
            "{time_zone:?} is not a time zone (an IANA name such as America/Chicago)"
        )));
    }
    let time = |label: &str, v: Option<&str>| -> Result<Option<NaiveTime>, AppError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveTime::parse_from_str(v, "%H:%M")
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("{label} {v:?} is not a time (HH:MM)"))),
        }
    };
    let start = time("quiet hours start", quiet_start)?;
    let end = time("quiet hours end", quiet_end)?;
    if start.is_some() != end.is_some() {
        return Err(AppError::BadRequest(
            "quiet hours need both a start and an end (or neither)".into(),
        ));
    }
    ensure_row(db, user_id).await?;
    sqlx::query!(
        "update notification_settings
         set time_zone = $2, quiet_start = $3, quiet_end = $4, updated_at = now()
         where user_id = $1",
        user_id,
        time_zone,
        start as _,
        end as _
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The webhook: an empty URL removes it. Only public https receivers,
/// unless `allow_private` (SSRF: see `target`).
pub async fn save_webhook(
    db: &PgPool,
    user_id: Uuid,
    url: &str,
    preset: &str,
    sms_to: Option<&str>,
    allow_private: bool,
) -> Result<(), AppError> {
    let url = url.trim();
    let url = if url.is_empty() {
        None
    } else {
        Some(
            super::target::check(url, allow_private)
                .await
                .map_err(|e| AppError::BadRequest(format!("the webhook URL {e}")))?
                .to_string(),
        )
    };
    if !PRESETS.iter().any(|(p, _)| *p == preset) {
        return Err(AppError::BadRequest(format!(
            "unknown webhook preset {preset:?} ({})",
            PRESETS.map(|(p, _)| p).join(", ")
        )));
    }
    let sms_to = sms_to.map(str::trim).filter(|s| !s.is_empty());
    if preset == "twilio" && url.is_some() {
        let number = sms_to.unwrap_or_default();
        let e164 = number
            .strip_prefix('+')
            .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
        if !e164 {
            return Err(AppError::BadRequest(
                "the SMS preset needs the phone number to text, as +15551234567".into(),
            ));
        }
    }
    ensure_row(db, user_id).await?;
    sqlx::query!(
        "update notification_settings
         set webhook_url = $2, webhook_preset = $3, webhook_sms_to = $4, updated_at = now()
         where user_id = $1",
        user_id,
        url,
        preset,
        sms_to
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a browser's push subscription (the same endpoint again updates
/// its keys; an endpoint is one browser, so it moves to whoever subscribed
/// it last).
pub async fn subscribe(
    db: &PgPool,
    user_id: Uuid,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    device: &str,
    allow_private: bool,
) -> Result<i64, AppError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine as _;
    let endpoint = super::target::check(endpoint, allow_private)
        .await
        .map_err(|e| AppError::BadRequest(format!("the push endpoint {e}")))?;
    let key = B64
        .decode(p256dh.trim().trim_end_matches('='))
        .ok()
        .filter(|k| k.len() == 65 && k[0] == 4)
        .ok_or_else(|| {
            AppError::BadRequest("p256dh must be an uncompressed P-256 key, base64url".into())
        })?;
    web_push_native::p256::PublicKey::from_sec1_bytes(&key)
        .map_err(|_| AppError::BadRequest("p256dh is not a point of P-256".into()))?;
    let secret_ok = B64
        .decode(auth.trim().trim_end_matches('='))
        .is_ok_and(|a| a.len() == 16);
    if !secret_ok {
        return Err(AppError::BadRequest(
            "auth must be 16 bytes, base64url".into(),
        ));
    }
    let device: String = device.trim().chars().take(80).collect();
    let id = sqlx::query_scalar!(
        "insert into push_subscriptions (user_id, endpoint, p256dh, auth, device)
         values ($1, $2, $3, $4, $5)
         on conflict (endpoint) do update
         set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
             device = excluded.device, created_at = now()
         returning id",
        user_id,
        endpoint.as_str(),
        p256dh.trim(),
        auth.trim(),
        device
    )
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// Forgets one of the person's browsers (by id, or by its endpoint).
pub async fn unsubscribe(
    db: &PgPool,
    user_id: Uuid,
    id: Option<i64>,
    endpoint: Option<&str>,
) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "delete from push_subscriptions
         where user_id = $1 and (id = $2 or endpoint = $3)",
        user_id,
        id,
        endpoint
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The newest `limit` notifications, for the admin.
pub async fn recent(db: &PgPool, limit: i64) -> Result<Vec<OutboxRow>, AppError> {
    Ok(sqlx::query_as!(
        OutboxRow,
        r#"select n.id, n.created_at as "created_at!: chrono::DateTime<chrono::Utc>",
                  u.display_name as recipient, n.rule, n.channel, n.subject, n.state,
                  n.attempts, n.last_error,
                  n.sent_at as "sent_at: chrono::DateTime<chrono::Utc>",
                  n.next_attempt_at as "next_attempt_at!: chrono::DateTime<chrono::Utc>"
           from notifications n join users u on u.id = n.user_id
           order by n.id desc limit $1"#,
        limit
    )
    .fetch_all(db)
    .await?)
}

async fn touch(tx: &mut sqlx::PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    ensure_row(&mut *tx, user_id).await?;
    sqlx::query!(
        "update notification_settings set updated_at = now() where user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The person's settings row, made with the defaults if missing.
async fn ensure_row<'e>(db: impl sqlx::PgExecutor<'e>, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select (notification_settings_of($1)).user_id as "user_id!""#,
        user_id
    )
    .fetch_one(db)
    .await?;
    Ok(())
}
