//! Cross-site request forgery: every state-changing request that a browser
//! could send with our cookie must come from our own pages.
//!
//! `Sec-Fetch-Site: same-origin` passes; any other `Sec-Fetch-Site` is
//! refused. Browsers that do not send it are judged by `Origin`, which must
//! be ours. A mutation with neither header is refused. The layer is on the
//! browser's routes only: the bearer-token API (/api/v1) is not under it,
//! since browsers never attach its credentials on their own.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::state::AppState;

/// Why the request is refused, if it is.
pub fn refusal(method: &Method, headers: &HeaderMap, origin: &str) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return (site != "same-origin")
            .then(|| format!("cross-site request refused (Sec-Fetch-Site: {site})"));
    }
    match text(header::ORIGIN.as_str()) {
        Some(o) if o == origin || host_matches(o, text(header::HOST.as_str())) => None,
        Some(o) => Some(format!("cross-origin request refused (Origin: {o})")),
        None => Some("request refused: a change needs an Origin header".into()),
    }
}

/// `Origin` names the host the request was sent to.
fn host_matches(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest == host)
}

/// Middleware refusing cross-site mutations with 403.
pub async fn same_origin_mutations(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let origin = state.settings.public_origin();
    match refusal(request.method(), request.headers(), &origin) {
        None => next.run(request).await,
        Some(reason) => {
            tracing::warn!(path = request.uri().path(), %reason, "CSRF check");
            (StatusCode::FORBIDDEN, Json(json!({ "error": reason }))).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const ORIGIN: &str = "https://cockpit.example.com";

    #[test]
    fn same_origin_passes_and_everything_else_is_refused() {
        let post = Method::POST;
        let ok = |h| refusal(&post, &h, ORIGIN).is_none();
        assert!(ok(headers(&[("sec-fetch-site", "same-origin")])));
        assert!(ok(headers(&[("origin", ORIGIN)])));
        assert!(ok(headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!ok(headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", ORIGIN)
        ])));
        assert!(!ok(headers(&[("sec-fetch-site", "same-site")])));
        assert!(!ok(headers(&[("origin", "https://evil.example")])));
        assert!(!ok(headers(&[("origin", "null")])));
        assert!(!ok(headers(&[])), "no Origin at all");
        assert!(!ok(headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
    }

    #[test]
    fn reads_are_not_checked() {
        let none = HeaderMap::new();
        assert!(refusal(&Method::GET, &none, ORIGIN).is_none());
        assert!(refusal(&Method::POST, &none, ORIGIN).is_some());
    }
}
