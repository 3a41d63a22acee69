//! The OpenAPI 3 document of /api/v1, generated from the handlers and
//! their types, served at `/api/v1/openapi.json`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::server::state::AppState;

use super::{
    actions, agent_status, agents, analytics, deliverables, error, revenue, rpm, sync_status,
    sync_upload,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "RPM Cockpit API", version = "1",
         description = "Weekly plans, actions, agents, deliverables and analytics. \
                        Every call needs `Authorization: Bearer <token>` with the \
                        scope it names (read, actions, heartbeat, sync)."),
    servers((url = "/api/v1")),
    paths(
        rpm::current_week, rpm::action_items, revenue::revenue_summary,
        actions::complete, actions::block,
        agent_status::agent_list, agent_status::agent_history, agents::heartbeat,
        deliverables::deliverables, deliverables::deliverable,
        analytics::funnel_velocity, analytics::completion_trends,
        sync_status::sync_status,
        sync_upload::known_files, sync_upload::plan, sync_upload::agents,
        sync_upload::songs, sync_upload::deliverables,
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

/// `GET /api/v1/openapi.json` (no token needed). Its server is the API's
/// path under the cockpit's mount path (`/cockpit/api/v1`).
pub async fn document(State(state): State<AppState>) -> Json<Value> {
    let mut doc =
        with_request_path_answers(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default());
    doc["servers"] = json!([{ "url": format!("{}/api/v1", state.settings.base_path()) }]);
    Json(doc)
}

/// The answers any operation may give from the layers in front of it
/// (docs/security.md, "The request path"); an operation's own description
/// of a status is kept.
fn with_request_path_answers(mut doc: Value) -> Value {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    let answers = [
        ("400", error("A control character in the path or a query value")),
        ("413", error("The request body is larger than max_body_kb")),
        ("421", error("The request names another host than the cockpit's")),
        ("422", error("A control character in a text field of the body")),
        (
            "429",
            error("Too many requests for this token (or, without a valid token, from this address): retry after Retry-After seconds"),
        ),
        (
            "503",
            error("The database is briefly unavailable or the request took too long: retry after Retry-After seconds"),
        ),
    ];
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                {
                    for (status, answer) in &answers {
                        responses
                            .entry(status.to_string())
                            .or_insert_with(|| answer.clone());
                    }
                }
            }
        }
    }
    doc
}
