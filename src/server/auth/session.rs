//! Browser sessions: tower-sessions with the PostgreSQL store.
//!
//! The cookie is HttpOnly and SameSite=Lax (Lax, not Strict: the browser
//! must send it on the provider's redirect back to /auth/callback). Over
//! HTTPS it is Secure and named with the `__Host-` prefix. The session id
//! changes at sign-in; sign-out deletes the session. Idle and absolute
//! timeouts are checked by the guard against [`super::clock::Clock`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

use crate::server::settings::Settings;

/// The session key of a signed-in person.
const SIGNED_IN: &str = "signed_in";
/// The session key of a sign-in under way (state, PKCE verifier).
const LOGIN: &str = "login";

/// Who is signed in and since when (unix seconds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: Uuid,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
}

/// A sign-in with the provider, between the redirect and the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginAttempt {
    pub state: String,
    pub pkce_verifier: String,
    /// Where to go after signing in (a local path).
    pub next: String,
}

/// The session cookie's name. Over HTTPS at the root of its host it is
/// `__Host-` prefixed (Secure, `Path=/`, no `Domain`: no other site on the
/// host can set or shadow it). Mounted under a path (`/cockpit`) the
/// cookie's path is that path, which `__Host-` forbids, so it is
/// `__Secure-` prefixed (Secure required). Plain HTTP (this machine only):
/// no prefix, as browsers refuse both without Secure.
pub fn cookie_name(settings: &Settings) -> &'static str {
    match (settings.is_https(), settings.base_path().is_empty()) {
        (true, true) => "__Host-rpm_session",
        (true, false) => "__Secure-rpm_session",
        (false, _) => "rpm_session",
    }
}

/// The session cookie's path: the mount path, `/` at the root.
pub fn cookie_path(settings: &Settings) -> String {
    match settings.base_path() {
        base if base.is_empty() => "/".into(),
        base => base,
    }
}

/// The session layer over the database.
pub fn layer(pool: PgPool, settings: &Settings) -> SessionManagerLayer<super::store::Store> {
    let idle = Duration::minutes(settings.session_idle_minutes.max(1) as i64);
    SessionManagerLayer::new(super::store::Store::new(pool))
        .with_name(cookie_name(settings))
        .with_http_only(true)
        .with_secure(settings.is_https())
        .with_same_site(SameSite::Lax)
        .with_path(cookie_path(settings))
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Deletes expired sessions every hour, for as long as the server runs.
pub fn spawn_cleanup(pool: PgPool) {
    use tower_sessions::ExpiredDeletion;
    tokio::spawn(async move {
        let store = PostgresStore::new(pool);
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions");
            }
        }
    });
}

type Result<T> = std::result::Result<T, tower_sessions::session::Error>;

/// Signs `user_id` in: a new session id (no fixation), the sign-in time.
pub async fn sign_in(session: &Session, user_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    session.remove_value(LOGIN).await?;
    session.cycle_id().await?;
    let at = now.timestamp();
    session
        .insert(
            SIGNED_IN,
            SignedIn {
                user_id,
                signed_in_at: at,
                last_seen_at: at,
            },
        )
        .await
}

/// Ends the session: deleted from the store, cookie removed.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.flush().await
}

pub async fn signed_in(session: &Session) -> Result<Option<SignedIn>> {
    session.get(SIGNED_IN).await
}

/// How often the last-seen time is written, in seconds.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

/// Whether the last-seen time is old enough to be written again.
pub fn needs_touch(seen: &SignedIn, now: DateTime<Utc>) -> bool {
    now.timestamp() - seen.last_seen_at >= TOUCH_EVERY_SECONDS
}

pub async fn touch(session: &Session, mut seen: SignedIn, now: DateTime<Utc>) -> Result<()> {
    seen.last_seen_at = now.timestamp();
    session.insert(SIGNED_IN, seen).await
}

pub async fn start_login(session: &Session, attempt: LoginAttempt) -> Result<()> {
    session.insert(LOGIN, attempt).await
}

/// The sign-in under way, taken out of the session (usable once).
pub async fn take_login(session: &Session) -> Result<Option<LoginAttempt>> {
    session.remove(LOGIN).await
}

/// When a sign-in ends whatever happens (unix seconds): the absolute limit.
pub fn ends_at(seen: &SignedIn, settings: &Settings) -> i64 {
    seen.signed_in_at + settings.session_absolute_hours as i64 * 3600
}

/// Why a stored sign-in is no longer valid, if it is not.
pub fn expired(seen: &SignedIn, now: DateTime<Utc>, settings: &Settings) -> Option<&'static str> {
    let now = now.timestamp();
    let idle = settings.session_idle_minutes as i64 * 60;
    if now >= ends_at(seen, settings) {
        Some("your session reached its maximum length; sign in again")
    } else if now - seen.last_seen_at >= idle {
        Some("your session ended after a period without activity; sign in again")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_bound_at_the_root_and_path_bound_under_a_mount_path() {
        let at = |url: &str| Settings {
            public_url: url.into(),
            ..Settings::default()
        };
        let root = at("https://cockpit.heritage.com");
        assert_eq!(
            (cookie_name(&root), cookie_path(&root).as_str()),
            ("__Host-rpm_session", "/")
        );
        let mounted = at("https://heritage.com/cockpit");
        assert_eq!(
            (cookie_name(&mounted), cookie_path(&mounted).as_str()),
            ("__Secure-rpm_session", "/cockpit")
        );
        let local = at("");
        assert_eq!(
            (cookie_name(&local), cookie_path(&local).as_str()),
            ("rpm_session", "/")
        );
    }

    #[test]
    fn idle_and_absolute_limits_end_a_session() {
        let settings = Settings::default(); // 60 min idle, 12 h absolute
        let start = Utc::now();
        let seen = SignedIn {
            user_id: Uuid::nil(),
            signed_in_at: start.timestamp(),
            last_seen_at: start.timestamp(),
        };
        let at = |minutes: i64| start + chrono::Duration::minutes(minutes);
        assert_eq!(expired(&seen, at(59), &settings), None);
        assert!(expired(&seen, at(60), &settings)
            .unwrap()
            .contains("activity"));
        let busy = SignedIn {
            last_seen_at: at(12 * 60 - 1).timestamp(),
            ..seen
        };
        assert_eq!(expired(&busy, at(12 * 60 - 1), &settings), None);
        assert!(expired(&busy, at(12 * 60), &settings)
            .unwrap()
            .contains("maximum"));
    }
}
