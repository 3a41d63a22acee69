//! Agent snapshots: what an agent writes about itself, stored in
//! `agent_status`, with an AGENT_STATUS_CHANGE event when its status or
//! health band changes.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgConnection;

use super::{check, one_row, Record};
use crate::model::kinds::AgentStatus;
use crate::model::live::EventKind;
use crate::server::sync::report::Counts;

/// An agent's state as the agent writes it (one object per file, or a list).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSnapshot {
    #[serde(alias = "name")]
    pub agent_name: String,
    pub status: String,
    #[serde(default = "full_health")]
    pub health_score: i32,
    /// Missing: now.
    pub last_heartbeat: Option<DateTime<Utc>>,
    /// The action code the agent works on.
    pub current_action: Option<String>,
    pub session_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub total_actions_completed: i32,
    #[serde(default)]
    pub total_hours_worked: f64,
    pub error_log: Option<String>,
    pub metadata: Option<Value>,
}

fn full_health() -> i32 {
    100
}

impl AgentSnapshot {
    pub fn validate(&self) -> Result<(), String> {
        check(!self.agent_name.trim().is_empty(), || {
            "agent_name is empty".into()
        })?;
        AgentStatus::parse(&self.status)?;
        check((0..=100).contains(&self.health_score), || {
            format!("health_score {} is not within 0-100", self.health_score)
        })?;
        // numeric(8,2): anything larger would be a database error.
        check(
            (0.0..1_000_000.0).contains(&self.total_hours_worked),
            || {
                format!(
                    "total_hours_worked {} is not within 0-999999.99",
                    self.total_hours_worked
                )
            },
        )?;
        check(self.total_actions_completed >= 0, || {
            "total_actions_completed is negative".into()
        })?;
        check(self.agent_name.chars().count() <= 100, || {
            "agent_name is longer than 100 characters".into()
        })?;
        // PostgreSQL text and jsonb cannot hold NUL.
        let texts = [
            Some(&self.agent_name),
            self.error_log.as_ref(),
            self.current_action.as_ref(),
        ];
        let metadata_nul = self
            .metadata
            .as_ref()
            .is_some_and(|m| m.to_string().contains("\\u0000"));
        check(
            !metadata_nul && !texts.into_iter().flatten().any(|t| t.contains('\0')),
            || "text must not contain NUL characters".into(),
        )
    }
}

/// The colour band of a health score (spec 2.3): the cockpit's own.
pub fn health_band(score: i32) -> &'static str {
    crate::model::panels::HealthBand::of(score).as_str()
}

/// Upserts an agent; appends AGENT_STATUS_CHANGE when its status or health
/// band changed. Returns the counts of this one row.
pub async fn store_agent(
    tx: &mut PgConnection,
    a: &AgentSnapshot,
    heartbeat: DateTime<Utc>,
) -> Result<Counts, sqlx::Error> {
    let before = sqlx::query!(
        "select status, health_score from agent_status where agent_name = $1 for update",
        &a.agent_name
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|b| (b.status, b.health_score));
    let written = sqlx::query!(
        r#"insert into agent_status as s
             (agent_name, status, health_score, last_heartbeat, current_action_id,
              session_start, total_actions_completed, total_hours_worked, error_log, metadata)
         values ($1, $2, $3, $4, (select a.id from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
                  where a.action_code = $5 order by p.week_start_date desc limit 1),
                 $6, $7, $8::float8::numeric(8,2), $9, $10)
         on conflict (agent_name) do update set
             status = excluded.status, health_score = excluded.health_score,
             last_heartbeat = excluded.last_heartbeat,
             current_action_id = excluded.current_action_id,
             session_start = excluded.session_start,
             total_actions_completed = excluded.total_actions_completed,
             total_hours_worked = excluded.total_hours_worked,
             error_log = excluded.error_log, metadata = excluded.metadata
         where (s.status, s.health_score, s.last_heartbeat, s.current_action_id,
                s.session_start, s.total_actions_completed, s.total_hours_worked,
                s.error_log, s.metadata)
               is distinct from
               (excluded.status, excluded.health_score, excluded.last_heartbeat,
                excluded.current_action_id, excluded.session_start,
                excluded.total_actions_completed, excluded.total_hours_worked,
                excluded.error_log, excluded.metadata)
         returning id, (xmax = 0) as "inserted!""#,
        &a.agent_name,
        &a.status,
        a.health_score,
        heartbeat as _,
        a.current_action.as_deref(),
        a.session_start as _,
        a.total_actions_completed,
        a.total_hours_worked,
        a.error_log.as_deref(),
        a.metadata.as_ref()
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|w| (w.id, w.inserted));
    let changed = match &before {
        None => true,
        Some((status, score)) => {
            *status != a.status || health_band(*score) != health_band(a.health_score)
        }
    };
    if let (Some((id, _)), true) = (written, changed) {
        sqlx::query!(
            "insert into events (event_type, entity_id, payload) values ($1, $2, $3)",
            EventKind::AgentStatusChange as _,
            id,
            json!({
                "agent_name": a.agent_name,
                "status": a.status,
                "health_score": a.health_score,
                "health_band": health_band(a.health_score),
                "previous_status": before.as_ref().map(|b| &b.0),
            })
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(one_row(written.map(|(_, inserted)| inserted)))
}

impl Record for AgentSnapshot {
    fn name(&self) -> &str {
        &self.agent_name
    }

    fn validate(&self) -> Result<(), String> {
        AgentSnapshot::validate(self)
    }

    /// A snapshot without a heartbeat time is stored as beating now.
    fn shifted(&self, shift: chrono::Duration) -> Self {
        Self {
            last_heartbeat: Some(self.last_heartbeat.map_or_else(Utc::now, |t| t + shift)),
            session_start: self.session_start.map(|t| t + shift),
            ..self.clone()
        }
    }

    async fn store(&self, tx: &mut PgConnection) -> Result<Counts, sqlx::Error> {
        let beat = self.last_heartbeat.unwrap_or_else(Utc::now);
        store_agent(tx, self, beat).await
    }
}
