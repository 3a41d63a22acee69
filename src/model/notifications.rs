//! A person's notification settings and the admin's view of the outbox, as
//! the settings page shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

/// The channels, in the order the page shows them.
pub const CHANNELS: [&str; 3] = ["email", "webhook", "push"];

/// The webhook's body shapes.
pub const PRESETS: [(&str, &str); 5] = [
    ("generic", "Generic JSON"),
    ("slack", "Slack"),
    ("google_chat", "Google Chat"),
    ("discord", "Discord"),
    ("twilio", "SMS (Twilio)"),
];

/// Every rule, with what it tells: (rule, label).
pub const RULES: [(&str, &str); 8] = [
    ("action_blocked", "An action is blocked"),
    ("action_overdue", "An action is overdue (told once)"),
    (
        "agent_health",
        "An agent turns critical or its heartbeat stops",
    ),
    ("sync_problem", "A plan sync is refused or has warnings"),
    (
        "bottleneck_moved",
        "The funnel's bottleneck moves to another stage",
    ),
    ("result_completed", "A result is completed"),
    ("deliverable_published", "A deliverable is published"),
    (
        "weekly_digest",
        "The weekly summary (Friday afternoon, with charts and a PDF)",
    ),
];

/// The rules that can reach a person of `role` at all: the admin hears of
/// everything; others of their own actions (when they own actions) and of
/// the week's results and deliverables.
pub fn offered(role: Role, owns_actions: bool) -> Vec<&'static str> {
    RULES
        .iter()
        .map(|(rule, _)| *rule)
        .filter(|rule| match *rule {
            "action_blocked" | "action_overdue" => role == Role::Admin || owns_actions,
            "agent_health" | "sync_problem" | "bottleneck_moved" => role == Role::Admin,
            "weekly_digest" => role != Role::Team,
            _ => true,
        })
        .collect()
}

pub fn rule_label(rule: &str) -> &'static str {
    RULES
        .iter()
        .find(|(r, _)| *r == rule)
        .map_or("(unknown rule)", |(_, l)| *l)
}

/// One rule's row of the grid: on or off per channel (the person's choice,
/// or the role's default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleChoice {
    pub rule: String,
    /// email, webhook, push: in the order of `CHANNELS`.
    pub on: [bool; 3],
}

/// A browser that receives Web Push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushDevice {
    pub id: i64,
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// Everything on a person's settings page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub email: String,
    pub role: Role,
    pub rules: Vec<RuleChoice>,
    pub time_zone: String,
    /// "HH:MM", both or neither.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_preset: String,
    pub webhook_sms_to: Option<String>,
    /// Shown to its person only: what their receiver checks signatures with.
    pub webhook_secret: String,
    /// The cockpit's VAPID public key; `None` when Web Push is off here.
    pub push_key: Option<String>,
    pub devices: Vec<PushDevice>,
    pub updated_at: DateTime<Utc>,
    /// Whether an email relay is configured (email waits in the outbox
    /// without one).
    pub email_on: bool,
}

/// One notification, for the admin's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub recipient: String,
    pub rule: String,
    pub channel: String,
    pub subject: String,
    /// queued, failed, sent or dead.
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_offered_the_rules_that_can_reach_it() {
        assert_eq!(offered(Role::Admin, false).len(), RULES.len());
        assert_eq!(
            offered(Role::Vip, false),
            ["result_completed", "deliverable_published", "weekly_digest"]
        );
        assert_eq!(
            offered(Role::Team, true),
            [
                "action_blocked",
                "action_overdue",
                "result_completed",
                "deliverable_published"
            ]
        );
        assert_eq!(
            rule_label("sync_problem"),
            "A plan sync is refused or has warnings"
        );
    }
}
