//! Protections around every request: CSRF, security headers, rate limits.

pub mod csrf;
pub mod headers;
pub mod rate_limit;
