//! The REST API for agents and scripts, under `/api/v1`. Every route
//! authenticates with a bearer token and checks its scope.

mod actions;
mod agents;
mod auth;
mod error;

use axum::routing::post;
use axum::Router;

use super::state::AppState;

pub use auth::Bearer;
pub use error::ApiError;

/// The routes, to be nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agents/{name}/heartbeat", post(agents::heartbeat))
        .route("/rpm/action-items/{id}/complete", post(actions::complete))
        .route("/rpm/action-items/{id}/block", post(actions::block))
}
