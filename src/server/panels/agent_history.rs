//! One agent's recent work: actions completed and status changes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::kinds::AgentStatus;
use crate::model::live::EventKind;
use crate::model::panels::{AgentHistory, CompletedAction, StatusChange};

pub async fn history(
    db: &PgPool,
    name: &str,
    days: i64,
    now: DateTime<Utc>,
    stale_after_minutes: i64,
) -> Result<AgentHistory, AppError> {
    let Some(card) = super::agents::cards(db, Some(name)).await?.pop() else {
        return Err(AppError::NotFound(format!("no agent named {name:?}")));
    };
    let since = now - chrono::Duration::days(days);
    // Times are bound `as _` and read with their chrono type named: sqlx
    // 0.8's macros would pick the `time` crate's.
    let completed = sqlx::query_as!(
        CompletedAction,
        r#"select action_code as code, action_text as text,
                  completion_date as "completed_at!: DateTime<Utc>",
                  estimated_hours::float8 as estimated_hours, actual_hours::float8 as actual_hours
           from rpm_action_items
           where owner = $1 and status = 'completed' and completion_date > $2
             and completion_date <= $3
           order by completion_date desc"#,
        name,
        since as _,
        now as _
    )
    .fetch_all(db)
    .await?;
    let changes = sqlx::query_as!(
        StatusChange,
        r#"select created_at as "at: DateTime<Utc>", payload->>'status' as "status!: AgentStatus",
                  (payload->>'health_score')::int as "health_score!"
           from events
           where event_type = $4 and payload->>'agent_name' = $1
             and created_at > $2 and created_at <= $3
           order by created_at desc"#,
        name,
        since as _,
        now as _,
        EventKind::AgentStatusChange as _
    )
    .fetch_all(db)
    .await?;
    Ok(AgentHistory {
        now,
        days,
        stale_after_minutes,
        card,
        completed,
        changes,
    })
}
