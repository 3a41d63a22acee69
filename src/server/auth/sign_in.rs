//! The end of every sign-in (Google's or the local demo's): an invited
//! person gets a session, anyone else the "not invited" page and none.

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::frame::{after_sign_in, message_page, Frame};
use super::{session, users};
use crate::server::state::AppState;

/// Signs in `email` if invited; otherwise the "not invited" page and no
/// session at all.
pub async fn finish(state: &AppState, session: &Session, email: &str, next: &str) -> Response {
    let user = match users::find_by_email(&state.db, email).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "reading the allowlist");
            return unavailable(state);
        }
    };
    let Some(user) = user else {
        let _ = session::sign_out(session).await;
        tracing::info!("sign-in refused: not invited");
        return message_page(
            &Frame::of(state),
            403,
            "Not invited",
            &format!(
                "{email} is not on the cockpit's guest list. Ask Jesse for an invitation, \
                 then sign in again."
            ),
        );
    };
    let signed = async {
        session::sign_in(session, user.id, state.clock.now()).await?;
        users::mark_signed_in(&state.db, user.id)
            .await
            .map_err(|e| {
                tower_sessions::session::Error::Store(
                    tower_sessions::session_store::Error::Backend(e.to_string()),
                )
            })
    };
    if let Err(e) = signed.await {
        tracing::error!(error = %e, "signing in");
        return unavailable(state);
    }
    tracing::info!(role = user.role.as_str(), "signed in");
    Redirect::to(&after_sign_in(&state.settings.base_path(), next)).into_response()
}

fn unavailable(state: &AppState) -> Response {
    message_page(
        &Frame::of(state),
        503,
        "Sign-in unavailable",
        "Try again in a moment.",
    )
}
