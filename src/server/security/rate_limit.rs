//! Per-client rate limits (a fixed one-minute window per address) for
//! sign-in and the API. Over the limit: 429 with Retry-After.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::state::AppState;

const WINDOW: Duration = Duration::from_secs(60);

/// Counts requests per client address in one-minute windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` if `client` may go on at `now`, else the seconds to wait.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(client).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(wait.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

/// The two limits the server applies.
#[derive(Debug)]
pub struct Limits {
    pub sign_in: RateLimiter,
    pub api: RateLimiter,
}

/// Middleware: sign-in paths and /api/v1 count against their limits.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let limiter = if path.starts_with("/auth/") {
        &state.limits.sign_in
    } else if path.starts_with("/api/v1/") {
        &state.limits.api
    } else {
        return next.run(request).await;
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match limiter.check(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            Json(json!({ "error": format!("too many requests; try again in {wait} s") })),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_the_limit_waits_for_the_next_window_and_others_do_not() {
        let limiter = RateLimiter::new(3);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(a, t0), Ok(()));
        }
        let wait = limiter.check(a, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, 40);
        assert_eq!(
            limiter.check(b, t0),
            Ok(()),
            "another client is not limited"
        );
        assert_eq!(limiter.check(a, t0 + WINDOW), Ok(()), "a new window");
    }
}
