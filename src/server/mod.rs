//! Everything that runs only on the server: settings, the database, the
//! embedded cluster, queries, and the HTTP router.

pub mod actions;
pub mod analytics;
pub mod api_v1;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod clock;
pub mod db;
pub mod drain;
pub mod embedded_pg;
pub mod export;
pub mod live;
pub mod logging;
pub mod notify;
pub mod panels;
pub mod plan;
pub mod report;
pub mod request;
pub mod security;
pub mod service;
pub mod settings;
pub mod site;
pub mod startup;
pub mod state;
pub mod sync;
pub mod tokens;
pub mod week;
pub mod week_cache;

pub use state::{state, AppState};
