//! Agent health: the panel's cards and one agent's history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::kinds::AgentStatus;

/// The colour band of a health score (spec 2.3, section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthBand {
    Excellent,
    Good,
    Fair,
    Critical,
}

impl HealthBand {
    pub fn of(score: i32) -> Self {
        match score {
            90.. => Self::Excellent,
            70..=89 => Self::Good,
            50..=69 => Self::Fair,
            _ => Self::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCard {
    pub name: String,
    pub status: AgentStatus,
    pub health_score: i32,
    pub current_action: Option<String>,
    pub last_heartbeat: DateTime<Utc>,
    pub error_log: Option<String>,
}

impl AgentCard {
    pub fn band(&self) -> HealthBand {
        HealthBand::of(self.health_score)
    }
}

/// No heartbeat for longer than `minutes` at `now`.
pub fn is_stale(now: DateTime<Utc>, last_heartbeat: DateTime<Utc>, minutes: i64) -> bool {
    now - last_heartbeat > chrono::Duration::minutes(minutes)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPanel {
    pub now: DateTime<Utc>,
    pub stale_after_minutes: i64,
    pub agents: Vec<AgentCard>,
}

impl AgentPanel {
    /// No heartbeat for longer than the configured limit.
    pub fn is_stale(&self, agent: &AgentCard) -> bool {
        is_stale(self.now, agent.last_heartbeat, self.stale_after_minutes)
    }
}

/// An action an agent completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedAction {
    pub code: String,
    pub text: String,
    pub completed_at: DateTime<Utc>,
    pub estimated_hours: Option<f64>,
    pub actual_hours: Option<f64>,
}

/// A change of an agent's status or health band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub status: AgentStatus,
    pub health_score: i32,
}

/// One agent's last `days` days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentHistory {
    pub now: DateTime<Utc>,
    pub days: i64,
    pub stale_after_minutes: i64,
    pub card: AgentCard,
    pub completed: Vec<CompletedAction>,
    pub changes: Vec<StatusChange>,
}

impl AgentHistory {
    /// Average actual hours of the completed actions that recorded them.
    pub fn avg_hours(&self) -> Option<f64> {
        let hours: Vec<f64> = self
            .completed
            .iter()
            .filter_map(|c| c.actual_hours)
            .collect();
        (!hours.is_empty()).then(|| hours.iter().sum::<f64>() / hours.len() as f64)
    }

    /// Status changes into `error`.
    pub fn error_count(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.status == AgentStatus::Error)
            .count()
    }
}
