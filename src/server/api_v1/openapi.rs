//! The OpenAPI 3 document of /api/v1, generated from the handlers and
//! their types, served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{actions, agent_status, agents, analytics, deliverables, error, revenue, rpm};

#[derive(OpenApi)]
#[openapi(
    info(title = "RPM Cockpit API", version = "1",
         description = "Weekly plans, actions, agents, deliverables and analytics. \
                        Every call needs `Authorization: Bearer <token>` with the \
                        scope it names (read, actions, heartbeat)."),
    servers((url = "/api/v1")),
    paths(
        rpm::current_week, rpm::action_items, revenue::revenue_summary,
        actions::complete, actions::block,
        agent_status::agent_list, agent_status::agent_history, agents::heartbeat,
        deliverables::deliverables, deliverables::deliverable,
        analytics::funnel_velocity, analytics::completion_trends,
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/v1/openapi.json` (no token needed).
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
