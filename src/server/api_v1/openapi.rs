//! The OpenAPI 3 document of /api/v1, generated from the handlers and
//! their types, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    actions, agent_status, agents, analytics, deliverables, error, revenue, rpm, sync_status,
};

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
        sync_status::sync_status,
    ),
    components(schemas(error::ErrorBody, crate::model::ActionStatus, crate::model::FunnelStage)),
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
pub async fn document() -> Json<Value> {
    Json(with_rate_limit(
        serde_json::to_value(ApiDoc::openapi()).unwrap_or_default(),
    ))
}

/// Every operation may answer 429: the API is rate-limited per address
/// (`api_per_minute`).
fn with_rate_limit(mut doc: Value) -> Value {
    let too_many = json!({
        "description": "Too many requests from this address: retry after Retry-After seconds",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                {
                    responses.insert("429".into(), too_many.clone());
                }
            }
        }
    }
    doc
}
