//! What a request may carry: a body no larger than the limit (else 413),
//! and no NUL or other control character in a path segment, a query value
//! (else 400) or a text field of a form or JSON body (else 422). Each
//! answer is JSON with the reason. PostgreSQL refuses NUL in text, so
//! without this a NUL in a block reason became a 500.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{json, Value};

/// The largest body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn refuse(status: StatusCode, reason: String) -> Response {
    (status, Json(json!({ "error": reason }))).into_response()
}

/// A character no text field or path may hold: C0 controls and DEL, except
/// tab and line breaks in bodies (a reason may span lines).
fn forbidden(c: char, in_body: bool) -> bool {
    (c.is_control() && c as u32 <= 0x7f) && !(in_body && matches!(c, '\t' | '\n' | '\r'))
}

fn first_forbidden(text: &str, in_body: bool) -> Option<char> {
    text.chars().find(|c| forbidden(*c, in_body))
}

fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The path and query, percent-decoded.
pub fn check_target(path: &str, query: Option<&str>) -> Result<(), String> {
    for segment in path.split('/') {
        let decoded = percent_decode(segment);
        if let Some(c) = first_forbidden(&decoded, false) {
            return Err(format!(
                "the path contains a control character ({})",
                describe(c)
            ));
        }
    }
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if let Some(c) = first_forbidden(&key, false).or(first_forbidden(&value, false)) {
            return Err(format!(
                "query parameter {key:?} contains a control character ({})",
                describe(c)
            ));
        }
    }
    Ok(())
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text fields of a form or JSON body.
pub fn check_body(content_type: &str, body: &[u8]) -> Result<(), String> {
    let named = |field: &str, c: char| {
        format!(
            "field {field:?} contains a control character ({})",
            describe(c)
        )
    };
    if content_type.starts_with("application/x-www-form-urlencoded") {
        for (key, value) in url::form_urlencoded::parse(body) {
            if let Some(c) = first_forbidden(&key, true).or(first_forbidden(&value, true)) {
                return Err(named(&key, c));
            }
        }
    } else if content_type.starts_with("application/json") {
        // Not JSON at all: the handler says what is wrong with it.
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            return check_json(&value, "");
        }
    } else if content_type.starts_with("text/") {
        if let Some(c) = std::str::from_utf8(body)
            .ok()
            .and_then(|t| first_forbidden(t, true))
        {
            return Err(format!(
                "the body contains a control character ({})",
                describe(c)
            ));
        }
    }
    Ok(())
}

fn check_json(value: &Value, at: &str) -> Result<(), String> {
    let named = |field: &str, c: char| {
        let field = if field.is_empty() { "(body)" } else { field };
        format!(
            "field {field:?} contains a control character ({})",
            describe(c)
        )
    };
    match value {
        Value::String(s) => match first_forbidden(s, true) {
            Some(c) => Err(named(at, c)),
            None => Ok(()),
        },
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_json(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().try_for_each(|(k, v)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            match first_forbidden(k, false) {
                Some(c) => Err(named(&path, c)),
                None => check_json(v, &path),
            }
        }),
        _ => Ok(()),
    }
}

/// Middleware: the body read once under the limit, then checked.
pub async fn check(State(limit): State<Arc<BodyLimit>>, request: Request, next: Next) -> Response {
    if let Err(reason) = check_target(request.uri().path(), request.uri().query()) {
        return refuse(StatusCode::BAD_REQUEST, reason);
    }
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {} KiB", limit.0 / 1024),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.0 as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match Limited::new(body, limit.0).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return too_large(),
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {e}"),
            )
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if let Err(reason) = check_body(&content_type, &bytes) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, reason);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_paths_and_queries_are_refused() {
        assert!(check_target("/api/v1/agents/QA/history", Some("days=7")).is_ok());
        assert!(check_target("/api/v1/agents/Q%20A/history", None).is_ok());
        let err = check_target("/api/v1/agents/Q%00A/history", None).unwrap_err();
        assert!(err.contains("U+0000"), "{err}");
        assert!(check_target("/a%0Ab", None).is_err(), "a line break");
        assert!(check_target("/", Some("owner=QA%00")).is_err());
        assert!(check_target("/", Some("a+b=c%2Bd")).is_ok());
        assert!(check_target("/a&b=c+d%41", None).is_ok());
    }

    #[test]
    fn form_and_json_text_fields_name_the_field() {
        let err =
            check_body("application/x-www-form-urlencoded", b"id=1&reason=a%00b").unwrap_err();
        assert!(
            err.contains("\"reason\"") && err.contains("U+0000"),
            "{err}"
        );
        assert!(check_body("application/x-www-form-urlencoded", b"reason=line%0Aline").is_ok());
        let err = check_body(
            "application/json",
            br#"{"status":"ok","details":{"notes":["fine","bad\u0007"]}}"#,
        )
        .unwrap_err();
        assert!(
            err.contains("details.notes[1]") && err.contains("U+0007"),
            "{err}"
        );
        assert!(check_body("application/json", br#"{"reason":"tab\tand\nnewline"}"#).is_ok());
        assert!(
            check_body("application/json", b"not json \x00").is_ok(),
            "the handler's job"
        );
        assert!(check_body("text/plain", b"a\x00b").is_err());
        assert!(check_body("application/octet-stream", b"\x00\x01").is_ok());
    }
}
