//! Inline changes of an action from the cockpit (Jesse only): complete,
//! block, reopen. Flat arguments, so a plain HTML form can post them too.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::action_change::ActionState;

/// `change` is `complete` (with `actual_hours`, optional `evidence_path`),
/// `block` (with `reason`) or `reopen`. `version` is the version the change
/// was based on: if the action changed since, the answer is a 409.
#[server(endpoint = "change_action")]
pub async fn change_action(
    id: Uuid,
    version: Option<i32>,
    change: String,
    actual_hours: Option<f64>,
    evidence_path: Option<String>,
    reason: Option<String>,
) -> Result<ActionState, AppError> {
    use crate::model::action_change::ActionChange;
    use crate::server::auth::caller::{caller, Caller, Need};
    let Caller { viewer, state } = caller(Need::Admin).await?;
    let db = state.db;
    let change = ActionChange::from_form(&change, actual_hours, evidence_path, reason)
        .map_err(AppError::BadRequest)?;
    let state =
        crate::server::actions::apply(&db, id, version, &change, &viewer.user.email).await?;
    crate::server::request::back_to_the_page_after_a_form();
    Ok(state)
}
