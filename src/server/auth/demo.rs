//! The local demo sign-in: pick a seeded person without Google.
//!
//! It exists only when all three hold, and nothing else turns it on:
//! no Google client id is configured, the database is the embedded one,
//! and the server listens on a loopback address.

use std::net::SocketAddr;

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

use super::frame::{message_page, Frame};
use super::sign_in::finish;
use crate::server::settings::Settings;
use crate::server::state::AppState;

/// `Ok` when the demo sign-in may be offered, else why not.
pub fn allowed(settings: &Settings) -> Result<(), &'static str> {
    if settings.google_client_id.is_some() {
        return Err("Google sign-in is configured");
    }
    if settings.database_url.is_some() {
        return Err("the cockpit is not on its embedded database");
    }
    match settings.site_addr.parse::<SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() => Ok(()),
        _ => Err("the server listens beyond this machine"),
    }
}

#[derive(Debug, Deserialize)]
pub struct DemoForm {
    email: String,
}

/// POST /auth/demo: signs in a seeded person, when allowed.
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<DemoForm>,
) -> Response {
    if let Err(why) = allowed(&state.settings) {
        tracing::warn!(reason = why, "demo sign-in refused");
        return message_page(
            &Frame::of(&state),
            403,
            "Demo sign-in is off",
            &format!("The demo sign-in is only for a local cockpit, and {why}."),
        );
    }
    finish(&state, &session, &form.email, "/").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_local_cockpit_on_its_own_database_without_google_offers_it() {
        let local = Settings::default();
        assert_eq!(allowed(&local), Ok(()));
        let ipv6 = Settings {
            site_addr: "[::1]:3000".into(),
            ..Settings::default()
        };
        assert_eq!(allowed(&ipv6), Ok(()));

        let google = Settings {
            google_client_id: Some("id".into()),
            ..Settings::default()
        };
        assert!(allowed(&google).unwrap_err().contains("Google"));
        let external = Settings {
            database_url: Some("postgres://db/x".into()),
            ..Settings::default()
        };
        assert!(allowed(&external).unwrap_err().contains("embedded"));
        for addr in [
            "0.0.0.0:3000",
            "192.168.1.5:3000",
            "[::]:3000",
            "cockpit:3000",
        ] {
            let public = Settings {
                site_addr: addr.into(),
                ..Settings::default()
            };
            assert!(allowed(&public).unwrap_err().contains("beyond"), "{addr}");
        }
    }
}
