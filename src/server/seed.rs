//! A small, realistic demo week so a first start is never empty.
//!
//! Loaded only when the database holds no plan at all, in one transaction.
//! Dates are relative to the week containing `today`.

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use sqlx::PgPool;

/// (code, title, purpose, category, revenue target)
const RESULTS: &[(&str, &str, &str, &str, f64)] = &[
    (
        "R1",
        "Boot System Fixed",
        "Every agent session starts clean, so no hour is lost to a broken boot.",
        "ARCH",
        0.0,
    ),
    (
        "R2",
        "Cloud RPM Infrastructure",
        "One source of truth for plans, so VIPs see progress without asking.",
        "ARCH",
        60000.0,
    ),
    (
        "R3",
        "21 Album Release",
        "The catalog earns only once it is released and in front of listeners.",
        "DELIVER",
        75000.0,
    ),
    (
        "R4",
        "Time Estimation Protocol",
        "Honest estimates make every later plan believable.",
        "PLAN",
        0.0,
    ),
    (
        "R5",
        "Heritage.com VIP Cockpit",
        "Stakeholders trust what they can watch live.",
        "DEV",
        40000.0,
    ),
];

/// (result, code, text, owner, due day 0-6, stage, status, est h, actual h, blocker)
type Action = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    &'static str,
    &'static str,
    f64,
    Option<f64>,
    Option<&'static str>,
);

const ACTIONS: &[Action] = &[
    (
        "R1",
        "ARCH-BOOT-001a",
        "Fix the boot script's environment check",
        "Jesse",
        0,
        "bottom",
        "completed",
        2.0,
        Some(1.5),
        None,
    ),
    (
        "R1",
        "ARCH-BOOT-001b",
        "Verify the boot on a clean machine",
        "QA",
        1,
        "bottom",
        "completed",
        1.0,
        Some(1.0),
        None,
    ),
    (
        "R1",
        "ARCH-BOOT-001c",
        "Voice greeting implementation",
        "Artifacts",
        2,
        "middle",
        "in_progress",
        3.0,
        None,
        None,
    ),
    (
        "R2",
        "CLOUD-001a",
        "Create the transactional schema",
        "Artifacts",
        1,
        "middle",
        "completed",
        4.0,
        Some(5.0),
        None,
    ),
    (
        "R2",
        "CLOUD-001b",
        "Set up the analytics warehouse",
        "Planning",
        3,
        "middle",
        "in_progress",
        6.0,
        None,
        None,
    ),
    (
        "R2",
        "CLOUD-001c",
        "Data lake buckets and lifecycle rules",
        "Planning",
        3,
        "top",
        "pending",
        2.0,
        None,
        None,
    ),
    (
        "R2",
        "CLOUD-001d",
        "API authentication for agents",
        "Research",
        4,
        "middle",
        "blocked",
        3.0,
        None,
        Some("Waiting for the OAuth client to be approved"),
    ),
    (
        "R3",
        "ALBUM-021a",
        "Master the first six songs",
        "Artifacts",
        2,
        "bottom",
        "completed",
        6.0,
        Some(7.5),
        None,
    ),
    (
        "R3",
        "ALBUM-021b",
        "Write liner notes and credits",
        "Jesse",
        4,
        "top",
        "pending",
        2.0,
        None,
        None,
    ),
    (
        "R3",
        "ALBUM-021c",
        "Submit the album to distribution",
        "ExecMon",
        5,
        "bottom",
        "pending",
        1.0,
        None,
        None,
    ),
    (
        "R4",
        "TIME-EST-001a",
        "Record estimated vs actual hours for a week",
        "Jesse",
        5,
        "top",
        "in_progress",
        1.0,
        None,
        None,
    ),
    (
        "R4",
        "TIME-EST-001b",
        "Publish the estimation accuracy report",
        "Research",
        6,
        "top",
        "pending",
        2.0,
        None,
        None,
    ),
    (
        "R5",
        "VIP-COCKPIT-001a",
        "Weekly overview page",
        "Artifacts",
        2,
        "middle",
        "completed",
        4.0,
        Some(3.5),
        None,
    ),
    (
        "R5",
        "VIP-COCKPIT-001b",
        "Live action feed",
        "Artifacts",
        4,
        "middle",
        "pending",
        5.0,
        None,
        None,
    ),
];

/// (name, status, health, minutes since heartbeat)
const AGENTS: &[(&str, &str, i32, i64)] = &[
    ("Artifacts", "active", 98, 0),
    ("QA", "active", 95, 1),
    ("Planning", "active", 92, 2),
    ("Research", "error", 78, 6),
    ("ExecMon", "idle", 96, 1),
];

/// Monday of the week containing `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// Loads the demo week unless a plan exists; returns whether it did.
#[tracing::instrument(skip(db), err)]
pub async fn seed_demo_if_empty(db: &PgPool, today: NaiveDate) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    // Serialise concurrent first starts: only one of them seeds.
    sqlx::query("select pg_advisory_xact_lock(7172001)")
        .execute(&mut *tx)
        .await?;
    let has_plan: bool = sqlx::query_scalar("select exists(select 1 from rpm_weekly_plans)")
        .fetch_one(&mut *tx)
        .await?;
    if has_plan {
        return Ok(false);
    }
    let start = week_start(today);
    let end = start + Days::new(6);
    let plan_id: uuid::Uuid = sqlx::query_scalar(
        r#"
        insert into rpm_weekly_plans (week_start_date, week_end_date, owner, classification, version, metadata)
        values ($1, $2, 'Jesse CEO', 'TIER 1 ABSOLUTE STANDARD', 'demo', '{"source": "demo"}')
        returning id
        "#,
    )
    .bind(start)
    .bind(end)
    .fetch_one(&mut *tx)
    .await?;

    for (priority, (code, title, purpose, category, revenue)) in RESULTS.iter().enumerate() {
        sqlx::query(
            r#"
            insert into rpm_results (weekly_plan_id, result_code, result_text, purpose, priority, category, revenue_target)
            values ($1, $2, $3, $4, $5, $6, nullif($7, 0)::numeric)
            "#,
        )
        .bind(plan_id)
        .bind(code)
        .bind(title)
        .bind(purpose)
        .bind(priority as i32 + 1)
        .bind(category)
        .bind(revenue)
        .execute(&mut *tx)
        .await?;
    }

    for (result, code, text, owner, day, stage, status, est, actual, blocker) in ACTIONS {
        let due = Utc.from_utc_datetime(&(start + Days::new(*day)).and_hms_opt(17, 0, 0).unwrap());
        sqlx::query(
            r#"
            insert into rpm_action_items
                (result_id, action_code, action_text, owner, due_date, funnel_stage, status,
                 completion_date, estimated_hours, actual_hours, blocker_description, dependencies)
            select r.id, $2, $3, $4, $5, $6, $7,
                   case when $7 = 'completed' then $5 - interval '3 hours' end,
                   $8::numeric, $9::numeric, $10, '[]'::jsonb
            from rpm_results r
            where r.weekly_plan_id = $1 and r.result_code = $11
            "#,
        )
        .bind(plan_id)
        .bind(code)
        .bind(text)
        .bind(owner)
        .bind(due)
        .bind(stage)
        .bind(status)
        .bind(est)
        .bind(actual)
        .bind(blocker)
        .bind(result)
        .execute(&mut *tx)
        .await?;
    }

    for (name, status, health, minutes) in AGENTS {
        sqlx::query(
            r#"
            insert into agent_status (agent_name, status, health_score, last_heartbeat, session_start)
            values ($1, $2, $3, now() - make_interval(mins => $4::int), now() - interval '4 hours')
            on conflict (agent_name) do nothing
            "#,
        )
        .bind(name)
        .bind(status)
        .bind(health)
        .bind(*minutes as i32)
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query(
        r#"
        update rpm_weekly_plans p
        set completion_rate = (
            select round(100.0 * count(*) filter (where a.status = 'completed') / nullif(count(*), 0), 2)
            from rpm_action_items a join rpm_results r on r.id = a.result_id
            where r.weekly_plan_id = p.id)
        where p.id = $1
        "#,
    )
    .bind(plan_id)
    .execute(&mut *tx)
    .await?;

    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            week_start(sunday),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        assert_eq!(week_start(monday), monday);
    }

    #[test]
    fn every_demo_action_belongs_to_a_demo_result_and_codes_are_unique() {
        let mut codes: Vec<_> = ACTIONS.iter().map(|a| a.1).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ACTIONS.len());
        for a in ACTIONS {
            assert!(RESULTS.iter().any(|r| r.0 == a.0), "{} has no result", a.1);
            assert_eq!(
                a.6 == "blocked",
                a.9.is_some(),
                "{}: blocked iff reason",
                a.1
            );
        }
    }
}
