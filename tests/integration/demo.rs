//! The demo data set, loaded through the importer on a first start.

use chrono::{Datelike, Utc};
use rpm_cockpit::server::sync::demo::{load_demo_if_empty, week_start};

use crate::helpers::{count, demo_dir, today, TestApp};

#[tokio::test]
async fn the_demo_set_is_loaded_once_with_its_history() {
    let app = TestApp::empty().await;
    let now = Utc::now();
    assert!(load_demo_if_empty(&app.db, &demo_dir(), None, now)
        .await
        .unwrap());
    let counts = (
        count(&app.db, "rpm_weekly_plans").await,
        count(&app.db, "rpm_results").await,
        count(&app.db, "rpm_action_items").await,
        count(&app.db, "suno_songs").await,
    );
    assert!(!load_demo_if_empty(&app.db, &demo_dir(), None, now)
        .await
        .unwrap());
    assert_eq!(counts.0, 12);
    // Every demo plan is recorded as imported, with nothing skipped.
    let status: Vec<(String, i32, i32)> = sqlx::query_as(
        "select outcome, jsonb_array_length(warnings), jsonb_array_length(errors)
         from plan_sync_status order by source_path",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(status, vec![("imported".to_string(), 0, 0); 12]);
    assert_eq!(counts.1, 60);
    assert!((300..=420).contains(&counts.2), "{} actions", counts.2);
    assert!(counts.3 >= 60);
    assert_eq!(count(&app.db, "rpm_action_items").await, counts.2);
    // Every stage and status, several owners including Jesse.
    let kinds: (i64, i64, i64, bool) = sqlx::query_as(
        "select count(distinct funnel_stage), count(distinct status), count(distinct owner),
                bool_or(owner = 'Jesse')
         from rpm_action_items",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((kinds.0, kinds.1, kinds.3), (3, 4, true));
    assert!(kinds.2 >= 6, "{} owners", kinds.2);
    let albums: i64 = sqlx::query_scalar("select count(distinct album_assignment) from suno_songs")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(albums >= 5);
    let revenue: f64 = sqlx::query_scalar(
        "select sum(revenue_actual)::float8 from deliverables where status = 'published'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(revenue > 0.0);
}

#[tokio::test]
async fn the_last_demo_week_is_the_current_week_and_heartbeats_are_recent() {
    let app = TestApp::with_demo(today()).await;
    let last: chrono::NaiveDate =
        sqlx::query_scalar("select max(week_start_date) from rpm_weekly_plans")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(last, week_start(today()));
    assert_eq!(last.weekday(), chrono::Weekday::Mon);
    // Dates inside each plan moved with it.
    let outside: i64 = sqlx::query_scalar(
        "select count(*) from rpm_action_items a
         join rpm_results r on r.id = a.result_id
         join rpm_weekly_plans p on p.id = r.weekly_plan_id
         where a.due_date::date not between p.week_start_date and p.week_end_date",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(outside, 0);
    // Loaded for today, the demo's "now" is the moment of loading: Artifacts
    // beat within a minute of it, Voice three hours before (stale).
    let ages: Vec<(String, f64)> = sqlx::query_as(
        "select agent_name, extract(epoch from ($1 - last_heartbeat))::float8 / 60
         from agent_status order by agent_name",
    )
    .bind(Utc::now())
    .fetch_all(&app.db)
    .await
    .unwrap();
    let age = |n: &str| ages.iter().find(|(a, _)| a == n).unwrap().1;
    assert!(age("Artifacts") < 1.0, "{ages:?}");
    assert!(age("Voice") > 180.0, "{ages:?}");
}

#[tokio::test]
async fn concurrent_first_starts_load_the_demo_once() {
    let app = TestApp::empty().await;
    let now = Utc::now();
    let dir = demo_dir();
    let (a, b) = tokio::join!(
        load_demo_if_empty(&app.db, &dir, None, now),
        load_demo_if_empty(&app.db, &dir, None, now)
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|s| **s).count(), 1);
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 12);
}

#[tokio::test]
async fn loaded_early_in_the_week_the_demo_holds_nothing_from_the_future() {
    use rpm_cockpit::server::plan::parse_plan;
    // The demo files are written as of a Friday afternoon (DEMO_NOW, week
    // of 2026-11-16); load them on that week's Tuesday morning.
    let tuesday = chrono::DateTime::parse_from_rfc3339("2026-11-17T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let written =
        parse_plan(&std::fs::read_to_string(demo_dir().join("plans/2026-W47.md")).unwrap())
            .unwrap()
            .plan;
    let later: Vec<&str> = written
        .actions()
        .filter(|a| a.completed_at.is_some_and(|at| at > tuesday))
        .map(|a| a.code.as_str())
        .collect();
    let done_by_friday = written
        .actions()
        .filter(|a| a.status == rpm_cockpit::model::ActionStatus::Completed)
        .count() as i64;
    assert!(
        later.len() >= 3,
        "the demo week should finish work after Tuesday: {later:?}"
    );

    let app = TestApp::empty().await;
    load_demo_if_empty(&app.db, &demo_dir(), None, tuesday)
        .await
        .unwrap();
    let future: i64 =
        sqlx::query_scalar("select count(*) from rpm_action_items where completion_date > $1")
            .bind(tuesday)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(future, 0);
    let (completed, still_open): (i64, Vec<String>) = sqlx::query_as(
        "select count(*) filter (where a.status = 'completed'),
                coalesce(array_agg(a.action_code order by a.action_code)
                         filter (where a.action_code = any($1) and a.status = 'in_progress'
                                 and a.actual_hours is null and a.evidence_path is null), '{}')
         from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
         where p.week_start_date = '2026-11-16'",
    )
    .bind(&later)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(completed, done_by_friday - later.len() as i64);
    let mut later_sorted: Vec<String> = later.iter().map(|s| s.to_string()).collect();
    later_sorted.sort();
    assert_eq!(still_open, later_sorted);
}
