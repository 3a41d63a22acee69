//! /login and sign-out. Plain server-rendered HTML (see [`super::frame`]):
//! they work without JavaScript and load no application data.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::frame::{document, escape, home, safe_next, Frame};
use super::{demo, session, users};
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// GET /login: Google, or the marked demo sign-in on a local cockpit.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let base = state.settings.base_path();
    if let Ok(Some(_)) = session::signed_in(&session).await {
        return Redirect::to(&home(&base)).into_response();
    }
    let next = safe_next(query.next.as_deref());
    let mut body = String::from(
        r#"<section class="panel auth"><h1>Sign in</h1>
<p>The cockpit is for invited people only.</p>"#,
    );
    if state.settings.google_client_id.is_some() {
        body.push_str(&format!(
            r#"<p><a class="button primary" href="{}/auth/google?next={}">Sign in with Google</a></p>"#,
            escape(&base),
            escape(&urlencode(&next))
        ));
    }
    match demo::allowed(&state.settings) {
        Ok(()) => body.push_str(&demo_section(&state).await),
        Err(_) if state.settings.google_client_id.is_none() => body.push_str(
            r#"<p class="auth-message">Sign-in is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.</p>"#,
        ),
        Err(_) => {}
    }
    body.push_str("</section>");
    (
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(document(&Frame::of(&state), "Sign in", &body)),
    )
        .into_response()
}

async fn demo_section(state: &AppState) -> String {
    let people = users::list(&state.db).await.unwrap_or_default();
    let mut html = String::from(
        r#"<div class="demo-sign-in" data-demo="true"><h2>Demo sign-in <span class="badge">local only</span></h2>
<p>Google sign-in is not configured and this cockpit runs on this machine only, so you may pick a person. A deployed cockpit never shows this.</p><ul class="demo-people">"#,
    );
    for user in people {
        html.push_str(&format!(
            r#"<li><form method="post" action="{base}/auth/demo"><input type="hidden" name="email" value="{email}"><button type="submit" class="button">{name} <span class="role">{role}</span></button></form></li>"#,
            email = escape(&user.email),
            name = escape(&user.display_name),
            role = user.role.as_str(),
            base = escape(&state.settings.base_path()),
        ));
    }
    html.push_str("</ul></div>");
    html
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// POST /auth/logout: the session is deleted, the cookie removed.
pub async fn logout(State(state): State<AppState>, session: Session) -> Response {
    if let Err(e) = session::sign_out(&session).await {
        tracing::error!(error = %e, "signing out");
    }
    Redirect::to(&format!("{}/login", state.settings.base_path())).into_response()
}
