//! The one guard: who is asking, checked on the server for every page,
//! server function and session-authenticated route.
//!
//! [`require_sign_in`] runs in front of the whole router: pages answer an
//! anonymous visitor with a redirect to /login, server functions and other
//! routes with 401. Handlers and server functions then take the [`Viewer`]
//! (the middleware stored it; nothing is read twice); server functions
//! check the role with [`super::caller::caller`].

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

use super::session;
use super::users::{self, User};
use crate::model::Role;
use crate::server::state::AppState;

/// The signed-in person making this request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// Why a request has no viewer.
#[derive(Debug)]
pub struct Rejection {
    reason: &'static str,
    /// A browser asking for a page: send it to the sign-in page.
    page: bool,
    /// The mount path, for the sign-in page's address.
    base: String,
    /// The style sheet's address, for the 503 page.
    css: String,
    /// The session store or the database failed: nobody knows who this is,
    /// so 503 and try again; the session is kept, never a sign-in page.
    unavailable: bool,
}

/// Seconds a client is asked to wait when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u64 = 5;

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.unavailable {
            // Retry-After is added to every 503 by the router's layer
            // (`request::retry_after_when_unavailable`).
            if self.page {
                // Still signed in: the way on is this page again, not sign-in.
                let frame = super::frame::Frame {
                    base: self.base.clone(),
                    css: self.css.clone(),
                };
                let mut page = super::frame::message_page_with(
                    &frame,
                    503,
                    "The cockpit is briefly unavailable",
                    "Its database cannot be reached just now. You are still signed in; \
                     this page will work again in a few seconds.",
                    ("", "Try again"),
                );
                page.headers_mut().insert(
                    header::REFRESH,
                    axum::http::HeaderValue::from(RETRY_AFTER_SECONDS),
                );
                return page;
            }
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": self.reason })),
            )
                .into_response();
        }
        if self.page {
            Redirect::to(&format!("{}/login", self.base)).into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": self.reason })),
            )
                .into_response()
        }
    }
}

/// A server-function call a live event caused (the browser's
/// `server_fns::client::PanelClient` marks them).
fn is_live_reload(parts: &Parts) -> bool {
    parts
        .headers
        .get(crate::server_fns::client::LIVE_RELOAD_HEADER)
        .is_some_and(|v| v == "1")
}

fn wants_page(parts: &Parts) -> bool {
    parts.method == Method::GET
        && parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let page = wants_page(parts);
        let super::frame::Frame { base, css } = super::frame::Frame::of(state);
        let reject = |reason| Rejection {
            reason,
            page,
            base: base.clone(),
            css: css.clone(),
            unavailable: false,
        };
        let failed = |e: tower_sessions::session::Error| {
            tracing::error!(error = %e, "session store");
            Rejection {
                reason: "the session store is unavailable; try again shortly",
                page,
                base: base.clone(),
                css: css.clone(),
                unavailable: true,
            }
        };
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| reject("no session layer"))?;
        let Some(seen) = session::signed_in(&session).await.map_err(failed)? else {
            return Err(reject("sign in first"));
        };
        let now = state.clock.now();
        if let Some(why) = session::expired(&seen, now, &state.settings) {
            session::sign_out(&session).await.map_err(failed)?;
            return Err(reject(why));
        }
        let user = users::find_by_id(&state.db, seen.user_id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading the signed-in user");
                Rejection {
                    reason: "the database is unavailable; try again shortly",
                    page,
                    base: base.clone(),
                    css: css.clone(),
                    unavailable: true,
                }
            })?;
        let Some(user) = user else {
            // Removed from the allowlist since signing in.
            session::sign_out(&session).await.map_err(failed)?;
            return Err(reject("you are no longer invited"));
        };
        // Activity is written at most once a minute, not on every request;
        // a panel reloading for a live event is not the viewer's activity.
        if session::needs_touch(&seen, now) && !is_live_reload(parts) {
            session::touch(&session, seen, now).await.map_err(failed)?;
        }
        let viewer = Viewer { user };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// Middleware of the private routes (pages, server functions, `/events`,
/// the not-found page): a signed-in viewer, or the way to sign in. The
/// sign-in flow and the site's files are routes without it.
pub async fn require_sign_in(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match Viewer::from_request_parts(&mut parts, &state).await {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(rejection) => rejection.into_response(),
    }
}
