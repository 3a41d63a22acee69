//! The state shared by routes and server functions.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

use super::clock::Clock;
use super::security::rate_limit::Limits;
use super::settings::Settings;
use crate::error::AppError;

/// Built once at start-up and given to every handler.
#[derive(FromRef, Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    pub settings: Arc<Settings>,
    /// The time sessions are judged by (moved forward only by tests).
    pub clock: Arc<Clock>,
    pub limits: Arc<Limits>,
    /// Live updates: the events table, fanned out.
    pub live: Arc<super::live::Hub>,
    /// The API's current week between changes.
    pub week_cache: Arc<super::week_cache::WeekCache>,
    /// Set on SIGTERM / SIGINT: not ready, event streams end.
    pub drain: Arc<super::drain::Drain>,
}

/// The state, from inside a server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server-function context");
        AppError::Internal
    })
}
