//! The REST API for agents and scripts, under `/api/v1`. Every route
//! authenticates with a bearer token and checks its scope.

mod actions;
mod agent_status;
mod agents;
mod analytics;
mod auth;
mod deliverables;
mod error;
mod openapi;
mod params;
mod revenue;
mod rpm;
mod sync_status;
pub mod sync_upload;

use axum::routing::{get, post};
use axum::Router;

use super::state::AppState;

pub use auth::Bearer;
pub use error::ApiError;
pub use openapi::ApiDoc;

/// The routes, to be nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/rpm/current-week", get(rpm::current_week))
        .route("/rpm/action-items", get(rpm::action_items))
        .route("/rpm/revenue-summary", get(revenue::revenue_summary))
        .route("/agents/status", get(agent_status::agent_list))
        .route("/agents/{name}/history", get(agent_status::agent_history))
        .route("/deliverables", get(deliverables::deliverables))
        .route("/deliverables/{id}", get(deliverables::deliverable))
        .route(
            "/analytics/funnel-velocity",
            get(analytics::funnel_velocity),
        )
        .route(
            "/analytics/completion-trends",
            get(analytics::completion_trends),
        )
        .route("/sync/status", get(sync_status::sync_status))
        .route("/sync/files", get(sync_upload::known_files))
        .route("/sync/plans", post(sync_upload::plan))
        .route("/sync/agents", post(sync_upload::agents))
        .route("/sync/songs", post(sync_upload::songs))
        .route("/sync/deliverables", post(sync_upload::deliverables))
        .route("/agents/{name}/heartbeat", post(agents::heartbeat))
        .route("/rpm/action-items/{id}/complete", post(actions::complete))
        .route("/rpm/action-items/{id}/block", post(actions::block))
}
