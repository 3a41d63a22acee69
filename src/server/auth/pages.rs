//! The pages around signing in: /login, the message pages, sign-out.
//! Plain server-rendered HTML: they work without JavaScript and load no
//! application data.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{demo, session, users};
use crate::server::state::AppState;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A same-site path to return to after sign-in; anything else is "/".
/// Browsers drop tabs and line breaks from addresses and read a backslash as
/// `/`, so `/\t/evil.example` would become `//evil.example`: a path with
/// any control character or backslash, or starting `//`, is refused.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.into()
        }
        _ => "/".into(),
    }
}

/// What the pages around signing in need to link the cockpit's files:
/// the mount path and the style sheet's (hashed) address.
pub struct Frame {
    pub base: String,
    pub css: String,
}

impl Frame {
    pub fn of(state: &AppState) -> Self {
        let base = state.settings.base_path();
        Self {
            css: crate::server::site::css_href(&state.leptos_options, &base),
            base,
        }
    }
}

fn document(frame: &Frame, title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<title>{title} · RPM Cockpit</title>
<link rel="stylesheet" href="{css}"><link rel="icon" href="{base}/favicon.svg">
<link rel="manifest" href="{base}/manifest.webmanifest"><link rel="apple-touch-icon" href="{base}/icons/icon-180.png">
</head><body><header class="topbar"><span class="brand">RPM Cockpit</span></header>
<main class="page auth-page">{body}</main></body></html>"#,
        title = escape(title),
        base = escape(&frame.base),
        css = escape(&frame.css),
    )
}

/// A page with a heading and a sentence, and the way back to sign-in.
pub fn message_page(frame: &Frame, status: u16, title: &str, text: &str) -> Response {
    let login = format!("{}/login", frame.base);
    message_page_with(frame, status, title, text, (&login, "Back to sign-in"))
}

/// A message page whose one button is `link` (address, label).
pub fn message_page_with(
    frame: &Frame,
    status: u16,
    title: &str,
    text: &str,
    link: (&str, &str),
) -> Response {
    let body = format!(
        r#"<section class="panel auth"><h1>{}</h1><p class="auth-message">{}</p>
<p><a class="button" href="{}">{}</a></p></section>"#,
        escape(title),
        escape(text),
        escape(link.0),
        escape(link.1)
    );
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(document(frame, title, &body)),
    )
        .into_response()
}

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

/// The cockpit's home page under the mount path `base`.
pub fn home(base: &str) -> String {
    if base.is_empty() {
        "/".into()
    } else {
        base.into()
    }
}

/// Where to go after signing in: `next` (a path from the mount path's
/// root, already checked by [`safe_next`]) under the mount path.
pub fn after_sign_in(base: &str, next: &str) -> String {
    if next == "/" {
        home(base)
    } else {
        format!("{base}{next}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/agents?x=1")), "/agents?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "agents",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\u{0}",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
        );
    }
}
