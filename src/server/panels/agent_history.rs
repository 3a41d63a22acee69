//! One agent's recent work: actions completed and status changes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::kinds::AgentStatus;
use crate::model::live::EventKind;
use crate::model::panels::{AgentHistory, CompletedAction, StatusChange};

/// code, text, completed at, estimated and actual hours.
type DoneRow = (String, String, DateTime<Utc>, Option<f64>, Option<f64>);

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
    let done: Vec<DoneRow> = sqlx::query_as(
        "select action_code, action_text, completion_date,
                estimated_hours::float8, actual_hours::float8
         from rpm_action_items
         where owner = $1 and status = 'completed' and completion_date > $2
           and completion_date <= $3
         order by completion_date desc",
    )
    .bind(name)
    .bind(since)
    .bind(now)
    .fetch_all(db)
    .await?;
    let changes: Vec<(DateTime<Utc>, AgentStatus, i32)> = sqlx::query_as(
        "select created_at, payload->>'status', (payload->>'health_score')::int
         from events
         where event_type = $4 and payload->>'agent_name' = $1
           and created_at > $2 and created_at <= $3
         order by created_at desc",
    )
    .bind(name)
    .bind(since)
    .bind(now)
    .bind(EventKind::AgentStatusChange)
    .fetch_all(db)
    .await?;
    Ok(AgentHistory {
        now,
        days,
        stale_after_minutes,
        card,
        completed: done
            .into_iter()
            .map(
                |(code, text, completed_at, estimated_hours, actual_hours)| CompletedAction {
                    code,
                    text,
                    completed_at,
                    estimated_hours,
                    actual_hours,
                },
            )
            .collect(),
        changes: changes
            .into_iter()
            .map(|(at, status, health_score)| StatusChange {
                at,
                status,
                health_score,
            })
            .collect(),
    })
}
