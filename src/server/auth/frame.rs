//! The frame of the pages around signing in (plain server-rendered HTML,
//! no application data): the document, message pages, and where to go
//! after signing in.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

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

pub fn document(frame: &Frame, title: &str, body: &str) -> String {
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
