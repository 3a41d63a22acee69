//! Around every request: the log span (method, path, request id, trace), a
//! panic answered as a 500 with a JSON reason, and `Retry-After` on every
//! 503.

use std::any::Any;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};

use super::auth::guard::RETRY_AFTER_SECONDS;

/// The request's span: paths only (query strings — the sign-in callback's
/// code and state — stay out of the logs), the request id, and the
/// platform's trace id when there is one.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let trace = trace_id(request.headers()).unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %id,
            trace = %trace,
        )
    }
}

pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http().make_span_with(RequestSpan)
}

/// The trace id from Cloud Run's `X-Cloud-Trace-Context: TRACE/SPAN;o=1`
/// or W3C `traceparent: 00-TRACE-SPAN-01`.
pub fn trace_id(headers: &HeaderMap) -> Option<String> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let id = text("x-cloud-trace-context")
        .and_then(|v| v.split('/').next())
        .or_else(|| text("traceparent").and_then(|v| v.split('-').nth(1)))?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

/// A handler panicked: logged with its message, answered 500 in JSON.
pub fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "error": "something went wrong on the server; it has been logged" })),
    )
        .into_response()
}

/// Every 503 tells the client when to try again.
pub async fn retry_after_when_unavailable(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    response
}

/// The status of a server function's error answer, decided once for every
/// server function: leptos answers each error 500 with the
/// `serverfnerror` header and the [`AppError`](crate::error::AppError) as
/// JSON; this gives it the error's own status (403, 404, 409, 422, 503, …).
/// A page that fails to render keeps its own status (no such header), and
/// a form posted without JavaScript keeps its redirect (not a 500).
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // An encoded error is a few hundred bytes.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Some(status) = serde_json::from_slice::<crate::error::AppError>(&bytes)
        .ok()
        .and_then(|e| StatusCode::from_u16(e.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// After a form posted without JavaScript (the browser asks for HTML): back
/// to the page it came from, with the form it had open (`open=…`) closed.
/// Leptos would send it back to the page as it was; a refusal still goes
/// back with the form open and the reason (`__err`), as leptos does it.
pub fn back_to_the_page_after_a_form() {
    use leptos::prelude::use_context;
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    let wants_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let Some(mut page) = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
    else {
        return;
    };
    if !wants_html {
        return;
    }
    let kept: Vec<(String, String)> = page
        .query_pairs()
        .filter(|(k, _)| !matches!(k.as_ref(), "open" | "__err" | "__path"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    page.set_query(None);
    if !kept.is_empty() {
        page.query_pairs_mut().extend_pairs(kept);
    }
    leptos_axum::redirect(page.as_str());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_from_cloud_run_and_w3c_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-cloud-trace-context",
            "105445AA7843BC8BF206B12000100000/1;o=1".parse().unwrap(),
        );
        assert_eq!(
            trace_id(&h).as_deref(),
            Some("105445aa7843bc8bf206b12000100000")
        );
        let mut h = HeaderMap::new();
        h.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            trace_id(&h).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        let mut h = HeaderMap::new();
        h.insert("x-cloud-trace-context", "not-a-trace".parse().unwrap());
        assert_eq!(trace_id(&h), None);
    }
}
