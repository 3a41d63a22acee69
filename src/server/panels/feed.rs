//! The week's actions for the live feed.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::panels::{ActionFeed, FeedFilter, FeedItem};
use crate::model::{ActionStatus, FunnelStage};
use crate::server::week::PlanRow;

struct Row {
    id: Uuid,
    action_code: String,
    action_text: String,
    result_code: String,
    owner: Option<String>,
    funnel_stage: FunnelStage,
    status: ActionStatus,
    due_date: Option<DateTime<Utc>>,
    completion_date: Option<DateTime<Utc>>,
    blocker_description: Option<String>,
    evidence_path: Option<String>,
    carried_from: Option<chrono::NaiveDate>,
    carried_to: Option<chrono::NaiveDate>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// The week's actions that pass `filter`; `only_owner` narrows them to a
/// team member's own.
pub async fn feed(
    db: &PgPool,
    plan: &PlanRow,
    filter: &FeedFilter,
    only_owner: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ActionFeed, AppError> {
    let rows = sqlx::query_as!(
        Row,
        r#"select a.id, a.action_code, a.action_text, r.result_code, a.owner,
                  a.funnel_stage as "funnel_stage: FunnelStage", a.status as "status: ActionStatus",
                  a.due_date as "due_date: DateTime<Utc>",
                  a.completion_date as "completion_date: DateTime<Utc>",
                  a.blocker_description, a.evidence_path,
                  rpm_carried_from_week(a.carried_from_id) as "carried_from: chrono::NaiveDate",
                  rpm_carried_to_week(a.id) as "carried_to: chrono::NaiveDate",
                  a.version, a.updated_at as "updated_at: DateTime<Utc>"
           from rpm_action_items a join rpm_results r on r.id = a.result_id
           where r.weekly_plan_id = $1 and ($2::text is null or a.owner = $2)
           order by a.due_date nulls last, a.action_code"#,
        plan.id,
        only_owner
    )
    .fetch_all(db)
    .await?;
    let mut owners: Vec<String> = rows.iter().filter_map(|r| r.owner.clone()).collect();
    owners.sort();
    owners.dedup();
    let items = rows
        .into_iter()
        .map(|r| FeedItem {
            id: r.id,
            code: r.action_code,
            text: r.action_text,
            result_code: r.result_code,
            owner: r.owner,
            funnel_stage: r.funnel_stage,
            status: r.status,
            due_date: r.due_date,
            completed_at: r.completion_date,
            blocker: r.blocker_description,
            evidence: r.evidence_path,
            carried_from: r.carried_from,
            carried_to: r.carried_to,
            version: r.version,
            changed_at: Some(r.updated_at),
        })
        .filter(|item| filter.admits(item))
        .collect();
    Ok(ActionFeed {
        now,
        items,
        owners,
        can_edit: false,
        yours: None,
    })
}
