//! Integration tests: the real router against a real PostgreSQL, a fresh
//! database per test. One binary, so the cluster starts once.

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
