//! The Host check: a request must name the cockpit's own host, else 421.
//!
//! A page on another site whose name was pointed at our address (DNS
//! rebinding) sends its own name as `Host`; refusing it keeps such a page
//! from reaching the cockpit as a same-origin caller. A local cockpit also
//! answers to its loopback names (`localhost`, `127.0.0.1`, `[::1]`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::settings::{is_loopback_host, Settings};

/// The host names requests may carry.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    /// The public URL's host, with and without its default port.
    public: Vec<String>,
    loopback: bool,
}

impl AllowedHosts {
    pub fn from_settings(settings: &Settings) -> Self {
        let host = settings.public_host();
        let default_port = if settings.is_https() { ":443" } else { ":80" };
        let mut public = vec![host.clone()];
        match host.strip_suffix(default_port) {
            Some(bare) => public.push(bare.to_string()),
            None if !has_port(&host) => public.push(format!("{host}{default_port}")),
            None => {}
        }
        Self {
            public,
            loopback: settings.is_local(),
        }
    }

    /// Whether a request naming `host` is for us.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        self.public.contains(&host) || (self.loopback && is_loopback_host(&host))
    }
}

fn has_port(host: &str) -> bool {
    if host.starts_with('[') {
        host.contains("]:")
    } else {
        host.contains(':')
    }
}

/// Middleware: 421 for a request naming another host. A request naming
/// none (HTTP/1.0 tools) passes: browsers always name one.
pub async fn check(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let named = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_string())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(std::string::ToString::to_string)
        });
    match named {
        Some(host) if !allowed.allows(&host) => {
            tracing::warn!(host = %host.escape_debug(), "request for another host refused");
            (
                StatusCode::MISDIRECTED_REQUEST,
                Json(json!({
                    "error": format!("this server does not answer for host {host:?}")
                })),
            )
                .into_response()
        }
        _ => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_host_and_local_names_only() {
        let deployed = AllowedHosts::from_settings(&Settings {
            public_url: "https://heritage.com/cockpit".into(),
            site_addr: "0.0.0.0:8080".into(),
            ..Settings::default()
        });
        assert!(deployed.allows("heritage.com"));
        assert!(deployed.allows("Heritage.COM:443"));
        assert!(!deployed.allows("heritage.com:8443"));
        assert!(!deployed.allows("localhost:8080"), "not local");
        assert!(!deployed.allows("rebind.evil.example"));

        let local = AllowedHosts::from_settings(&Settings::default());
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "localhost",
        ] {
            assert!(local.allows(host), "{host}");
        }
        assert!(!local.allows("evil.example:3000"));
        assert!(!local.allows("192.168.1.20:3000"));
    }
}
