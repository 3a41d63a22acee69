//! Integration tests: the real router against a real PostgreSQL, a fresh
//! database per test. One binary, so the cluster starts once.

// The crate's style lints (Cargo.toml [lints]) came after these tests were
// written; their assertions stay as they were (issue 18).
#![allow(
    clippy::cast_lossless,
    clippy::redundant_closure_for_method_calls,
    clippy::semicolon_if_nothing_returned
)]

mod access;
mod agents_api;
mod analytics;
mod api_v1;
mod catalog;
mod cli;
mod demo;
mod drain;
mod export;
mod fake_google;
mod helpers;
mod home_page;
mod lake;
mod lake_remote;
mod live;
mod live_support;
mod mounted;
mod notify;
mod notify_settings;
mod panels;
mod plans_as_written;
mod production;
mod remote_sync;
mod request_path;
mod schema;
mod sign_in;
mod site_files;
mod sync;
mod week_api;
