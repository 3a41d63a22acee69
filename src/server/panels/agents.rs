//! Agent health cards.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::AppError;
use crate::model::kinds::AgentStatus;
use crate::model::panels::{AgentCard, AgentPanel};

/// Every agent's card, or only the one named `only`.
pub async fn cards(db: &PgPool, only: Option<&str>) -> Result<Vec<AgentCard>, AppError> {
    let rows = sqlx::query!(
        r#"select s.agent_name, s.status as "status: AgentStatus", s.health_score,
                  a.action_code || ' (' || a.action_text || ')' as current_action,
                  s.last_heartbeat as "last_heartbeat: DateTime<Utc>", s.error_log
           from agent_status s left join rpm_action_items a on a.id = s.current_action_id
           where $1::text is null or s.agent_name = $1
           order by s.agent_name"#,
        only
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AgentCard {
            name: r.agent_name,
            status: r.status,
            health_score: r.health_score,
            current_action: r.current_action,
            last_heartbeat: r.last_heartbeat,
            error_log: r.error_log,
        })
        .collect())
}

pub async fn agents(
    db: &PgPool,
    now: DateTime<Utc>,
    stale_after_minutes: i64,
) -> Result<AgentPanel, AppError> {
    Ok(AgentPanel {
        now,
        stale_after_minutes,
        agents: cards(db, None).await?,
    })
}
