//! Notification settings (everyone signed in, their own) and the outbox
//! (admin). Flat arguments, so the page's plain HTML forms post them; each
//! form comes back to the page afterwards.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::notifications::{NotificationSettings, OutboxRow};

/// The caller's own settings.
#[server(endpoint = "notification_settings", client = crate::server_fns::client::PanelClient)]
pub async fn get_notification_settings() -> Result<NotificationSettings, AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    let settings = &c.state.settings;
    let push_key = push_key(settings);
    crate::server::notify::prefs::load(
        &c.state.db,
        &c.viewer.user,
        push_key,
        settings.smtp_url.is_some(),
    )
    .await
}

/// Which rules on which channels: every `"rule:channel"` checked (the form
/// names its boxes `on[0]`, `on[1]`, …); the rest are turned off.
#[server(endpoint = "save_notification_rules")]
pub async fn save_notification_rules(on: Option<Vec<String>>) -> Result<(), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    crate::server::notify::prefs::save_rules(&c.state.db, &c.viewer.user, &on.unwrap_or_default())
        .await?;
    crate::server::request::back_to_the_page_after_a_form();
    Ok(())
}

/// Time zone and quiet hours ("HH:MM"; both empty: none).
#[server(endpoint = "save_notification_schedule")]
pub async fn save_notification_schedule(
    time_zone: String,
    quiet_start: Option<String>,
    quiet_end: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    crate::server::notify::prefs::save_schedule(
        &c.state.db,
        c.viewer.user.id,
        &time_zone,
        quiet_start.as_deref(),
        quiet_end.as_deref(),
    )
    .await?;
    crate::server::request::back_to_the_page_after_a_form();
    Ok(())
}

/// The webhook (an empty URL removes it), its preset and, for SMS, the
/// number to text.
#[server(endpoint = "save_notification_webhook")]
pub async fn save_notification_webhook(
    url: String,
    preset: String,
    sms_to: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    crate::server::notify::prefs::save_webhook(
        &c.state.db,
        c.viewer.user.id,
        &url,
        &preset,
        sms_to.as_deref(),
        c.state.settings.notify_private_targets,
    )
    .await?;
    crate::server::request::back_to_the_page_after_a_form();
    Ok(())
}

/// This browser's push subscription (`PushSubscription.toJSON()`'s
/// endpoint and keys), posted by `public/push.js`.
#[server(endpoint = "push_subscribe")]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
    device: Option<String>,
) -> Result<i64, AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    if push_key(&c.state.settings).is_none() {
        return Err(AppError::Conflict(
            "Web Push is off on this server (no VAPID key)".into(),
        ));
    }
    crate::server::notify::prefs::subscribe(
        &c.state.db,
        c.viewer.user.id,
        &endpoint,
        &p256dh,
        &auth,
        device.as_deref().unwrap_or_default(),
        c.state.settings.notify_private_targets,
    )
    .await
}

/// Forgets one of the caller's browsers, by id (the page's button) or by
/// endpoint (the browser itself, turning push off).
#[server(endpoint = "push_unsubscribe")]
pub async fn push_unsubscribe(id: Option<i64>, endpoint: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::SignedIn).await?;
    let found = crate::server::notify::prefs::unsubscribe(
        &c.state.db,
        c.viewer.user.id,
        id,
        endpoint.as_deref(),
    )
    .await?;
    if !found {
        return Err(AppError::NotFound("no such browser of yours".into()));
    }
    crate::server::request::back_to_the_page_after_a_form();
    Ok(())
}

/// The newest notifications, to everyone (admin).
#[server(endpoint = "recent_notifications", client = crate::server_fns::client::PanelClient)]
pub async fn get_recent_notifications() -> Result<Vec<OutboxRow>, AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::Admin).await?;
    crate::server::notify::prefs::recent(&c.state.db, 50).await
}

/// Sends a notification again, now (admin).
#[server(endpoint = "resend_notification")]
pub async fn resend_notification(id: i64) -> Result<(), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let c = caller(Need::Admin).await?;
    if !crate::server::notify::outbox::requeue(&c.state.db, id).await? {
        return Err(AppError::NotFound(format!("no notification {id}")));
    }
    crate::server::request::back_to_the_page_after_a_form();
    Ok(())
}

#[cfg(feature = "ssr")]
fn push_key(settings: &crate::server::settings::Settings) -> Option<String> {
    use crate::server::notify::push::Vapid;
    let key = settings.vapid_private_key.as_deref()?;
    Vapid::from_base64(key, &settings.vapid_subject)
        .ok()
        .map(|v| v.public_key().to_string())
}
