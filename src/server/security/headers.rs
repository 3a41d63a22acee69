//! Security headers on every response, and the Content-Security-Policy of
//! the cockpit's pages.
//!
//! Pages get a policy with the per-response nonce Leptos puts on its inline
//! hydration scripts, plus `'wasm-unsafe-eval'` for the WebAssembly. WebKit
//! (every iOS browser, and Safari) refuses to instantiate WebAssembly under
//! `'wasm-unsafe-eval'` alone (leptos-rs/leptos#4465), so for WebKit user
//! agents the policy also carries `'unsafe-eval'`; the response then varies
//! by User-Agent. Everything else (sign-in pages, JSON, files) gets a policy
//! that runs no script at all.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::server::state::AppState;

/// For responses that set none: no scripts, our own styles and images.
const STATIC_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Whether the browser is WebKit, which needs `'unsafe-eval'` for wasm.
pub fn is_webkit(user_agent: &str) -> bool {
    let ios = ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|d| user_agent.contains(d));
    let safari = user_agent.contains("Safari/")
        && user_agent.contains("Version/")
        && !["Chrome/", "Chromium/", "Edg/", "Firefox/"]
            .iter()
            .any(|b| user_agent.contains(b));
    ios || safari
}

/// The policy of a hydrating page.
pub fn page_policy(nonce: &str, user_agent: &str, reload: Option<&str>) -> String {
    let eval = if is_webkit(user_agent) {
        " 'unsafe-eval'"
    } else {
        ""
    };
    // `cargo leptos watch` reloads the page over a WebSocket of its own.
    let connect = reload.map(|r| format!(" {r}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{eval}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{connect}; \
         font-src 'self'; object-src 'none'; manifest-src 'self'; worker-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Sets the page's policy and caching on the Leptos response; called while
/// the shell renders (the nonce exists only then).
pub fn page_headers() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let user_agent = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        })
        .unwrap_or_default();
    let reload = std::env::var("LEPTOS_WATCH").ok().map(|_| {
        let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
        format!("ws://127.0.0.1:{port} ws://localhost:{port}")
    });
    let policy = page_policy(&nonce, &user_agent, reload.as_deref());
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
    response.insert_header(header::VARY, HeaderValue::from_static("User-Agent, Cookie"));
    // A page shows one person's view: never stored by shared caches.
    response.insert_header(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Middleware: the headers every response carries.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    set_default(headers, header::CONTENT_SECURITY_POLICY, STATIC_POLICY);
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, header::X_FRAME_OPTIONS, "DENY");
    set_default(headers, header::REFERRER_POLICY, "same-origin");
    set_default(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set_default(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if state.settings.is_https() {
        set_default(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const IPHONE_CHROME: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1";
    const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn webkit_browsers_get_unsafe_eval_and_others_do_not() {
        for ua in [IPHONE, IPHONE_CHROME, MAC_SAFARI] {
            assert!(page_policy("n", ua, None).contains("'unsafe-eval'"), "{ua}");
        }
        for ua in [CHROME, FIREFOX, ""] {
            assert!(
                !page_policy("n", ua, None).contains("'unsafe-eval'"),
                "{ua}"
            );
        }
    }

    #[test]
    fn the_page_policy_allows_only_our_nonce_and_no_framing() {
        let p = page_policy("abc123", CHROME, None);
        assert!(
            p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"),
            "{p}"
        );
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert!(!p.contains("script-src 'self' 'unsafe-inline'"), "{p}");
    }
}
