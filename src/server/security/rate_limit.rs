//! Rate limits (GCRA, with `governor`), each layered on the routes it
//! concerns: sign-in attempts per client network; API requests per token,
//! with requests whose token is missing, unknown or not yet seen valid
//! counted per client network apart. Signing out is never limited. Over a
//! limit: 429 with Retry-After and a JSON reason.

use std::collections::HashSet;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::client::Client;

/// Keys kept before stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// A per-key limit of `per_minute` requests.
#[derive(Debug)]
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    pub fn per_minute(n: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// `Ok` when `key` may go on, else the whole seconds to wait (≥ 1).
    pub fn check(&self, key: &K) -> Result<(), u64> {
        if self.limiter.len() > SWEEP_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

/// A token's fingerprint: the limiter never keeps tokens themselves.
type TokenKey = [u8; 32];

/// The server's limits.
#[derive(Debug)]
pub struct Limits {
    pub sign_in: KeyedLimit<Option<IpAddr>>,
    /// Per token already seen valid.
    pub api_token: KeyedLimit<TokenKey>,
    /// Per client network, for requests without a token seen valid.
    pub api_unverified: KeyedLimit<Option<IpAddr>>,
    /// Tokens that have been answered with something other than 401.
    known_good: Mutex<HashSet<TokenKey>>,
}

impl Limits {
    pub fn new(sign_in_per_minute: u32, api_per_minute: u32) -> Self {
        Self {
            sign_in: KeyedLimit::per_minute(sign_in_per_minute),
            api_token: KeyedLimit::per_minute(api_per_minute),
            api_unverified: KeyedLimit::per_minute(api_per_minute),
            known_good: Mutex::default(),
        }
    }

    fn is_known_good(&self, key: &TokenKey) -> bool {
        self.known_good
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(key)
    }

    fn remember_good(&self, key: TokenKey) {
        let mut known = self
            .known_good
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.len() >= SWEEP_ABOVE {
            known.clear();
        }
        known.insert(key);
    }
}

fn too_many(wait: u64) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, wait.to_string())],
        Json(json!({ "error": format!("too many requests; try again in {wait} s") })),
    )
        .into_response()
}

/// Layer of the sign-in routes: attempts per client network.
pub async fn sign_in(
    State(limits): State<Arc<Limits>>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    match limits.sign_in.check(&client.network()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait),
    }
}

/// Layer of /api/v1: a token seen valid spends its own budget; any other
/// request spends its client network's, so bad tokens never crowd out good
/// ones.
pub async fn api(
    State(limits): State<Arc<Limits>>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    let token: Option<TokenKey> = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| Sha256::digest(v.as_bytes()).into());
    let checked = match token {
        Some(key) if limits.is_known_good(&key) => limits.api_token.check(&key),
        _ => limits.api_unverified.check(&client.network()),
    };
    if let Err(wait) = checked {
        return too_many(wait);
    }
    let response = next.run(request).await;
    if let Some(key) = token {
        if response.status() != StatusCode::UNAUTHORIZED {
            limits.remember_good(key);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_limit_waits_and_other_keys_do_not() {
        let limit = KeyedLimit::per_minute(3);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            assert_eq!(limit.check(&a), Ok(()));
        }
        let wait = limit.check(&a).unwrap_err();
        assert!((1..=20).contains(&wait), "one request per 20 s: {wait}");
        assert_eq!(limit.check(&b), Ok(()), "another client is not limited");
    }
}
