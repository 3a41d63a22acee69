//! Protections around every request: who the client is, the Host check,
//! what a request may carry, CSRF, security headers, rate limits.

pub mod client;
pub mod csrf;
pub mod headers;
pub mod host;
pub mod input;
pub mod rate_limit;
