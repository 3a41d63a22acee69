//! Complete, block and reopen an action: one transaction that checks the
//! version the change was based on, updates the action and appends its
//! event. Used by the cockpit's server functions and the REST API alike.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::action_change::{ActionChange, ActionState};
use crate::model::ActionStatus;

struct Row {
    id: Uuid,
    action_code: String,
    status: ActionStatus,
    version: i32,
    actual_hours: Option<f64>,
    evidence_path: Option<String>,
    blocker_description: Option<String>,
}

impl Row {
    fn state(self) -> Result<ActionState, AppError> {
        Ok(ActionState {
            id: self.id,
            code: self.action_code,
            status: self.status,
            version: self.version,
            actual_hours: self.actual_hours,
            evidence_path: self.evidence_path,
            blocker: self.blocker_description,
        })
    }
}

/// The action as it is now.
pub async fn current(db: &PgPool, id: Uuid) -> Result<ActionState, AppError> {
    let row = sqlx::query_as!(
        Row,
        r#"select id, action_code, status as "status: ActionStatus", version,
                  actual_hours::float8 as actual_hours, evidence_path, blocker_description
           from rpm_action_items where id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?;
    row.ok_or_else(|| AppError::NotFound(format!("no action {id}")))?
        .state()
}

/// Applies `change` to action `id`. With `based_on`, the change applies
/// only to that version of the action (409 otherwise); without, only if the
/// change still makes sense (a second completion is a 409 too).
pub async fn apply(
    db: &PgPool,
    id: Uuid,
    based_on: Option<i32>,
    change: &ActionChange,
    actor: &str,
) -> Result<ActionState, AppError> {
    change.validate().map_err(AppError::BadRequest)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query_as!(
        Row,
        r#"select id, action_code, status as "status: ActionStatus", version,
                  actual_hours::float8 as actual_hours, evidence_path, blocker_description
           from rpm_action_items where id = $1 for update"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let before = row
        .ok_or_else(|| AppError::NotFound(format!("no action {id}")))?
        .state()?;
    // A week's figures stay what they were once its action was carried on.
    let carried_to = sqlx::query_scalar!(
        r#"select rpm_carried_to_week($1) as "week: chrono::NaiveDate""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(week) = carried_to {
        return Err(AppError::Conflict(format!(
            "{} was carried to the week of {week}: change it there",
            before.code
        )));
    }
    if let Some(v) = based_on.filter(|v| *v != before.version) {
        return Err(AppError::Conflict(format!(
            "{} changed since version {v}: it is now {} (version {})",
            before.code,
            before.status.as_str(),
            before.version
        )));
    }
    let status = change
        .next_status(before.status)
        .map_err(|why| AppError::Conflict(format!("{}: {why}", before.code)))?;
    let (hours, evidence, reason) = match change {
        ActionChange::Complete {
            actual_hours,
            evidence_path,
        } => (
            Some(*actual_hours),
            evidence_path.clone().filter(|p| !p.trim().is_empty()),
            None,
        ),
        ActionChange::Block { reason } => (None, None, Some(reason.trim().to_string())),
        ActionChange::Reopen => (None, None, None),
    };
    let after = sqlx::query_as!(
        Row,
        r#"update rpm_action_items set
               status = $2::text,
               completion_date = case when $2::text = 'completed' then now() end,
               actual_hours = coalesce($3::float8::numeric, actual_hours),
               evidence_path = coalesce($4, evidence_path),
               blocker_description = case when $2::text = 'blocked' then $5 end
           where id = $1
           returning id, action_code, status as "status: ActionStatus", version,
                     actual_hours::float8 as actual_hours, evidence_path, blocker_description"#,
        id,
        status as _,
        hours,
        evidence,
        reason
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = after.state()?;
    sqlx::query!(
        "insert into events (event_type, entity_id, payload) values ($1, $2, $3)",
        change.event_type() as _,
        id,
        json!({
            "action_code": after.code,
            "status": after.status.as_str(),
            "previous_status": before.status.as_str(),
            "version": after.version,
            "actor": actor,
        })
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(after)
}
