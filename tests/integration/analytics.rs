//! The analytics of spec 1.2 (migration 10) on a fixture small enough to
//! compute by hand; the numbers below are worked out in the comments and
//! in docs/metrics.md.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::helpers::TestApp;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Three weeks after the fixture's week: everything in it is final.
fn as_of() -> DateTime<Utc> {
    at("2026-01-20T00:00:00Z")
}

/// The week of Jan 5-11, 2026: three results, six actions, three
/// deliverables, three songs and one agent's status changes.
async fn fixture(db: &PgPool) {
    sqlx::raw_sql(
        r#"
        insert into rpm_weekly_plans (id, week_start_date, week_end_date, owner)
        values ('00000000-0000-0000-0000-00000000000a', '2026-01-05', '2026-01-11', 'Jesse');
        insert into rpm_results (id, weekly_plan_id, result_code, result_text, purpose, priority, revenue_target) values
          ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', 'R1', 'Ship the album', 'Revenue', 1, 1000),
          ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000a', 'R2', 'Fix the build', 'Speed', 2, null),
          ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-00000000000a', 'R3', 'Write the plan', 'Focus', 3, null);
        insert into rpm_action_items (id, result_id, action_code, action_text, owner, due_date, funnel_stage,
                                      status, completion_date, estimated_hours, actual_hours,
                                      blocker_description, created_at) values
          ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'A1', 'a1', 'Jesse',
           '2026-01-07T00:00Z', 'top', 'completed', '2026-01-06T12:00Z', 2, 3, null, '2026-01-05T00:00Z'),
          ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000001', 'A2', 'a2', 'Jesse',
           '2026-01-08T00:00Z', 'middle', 'pending', null, 4, null, null, '2026-01-05T00:00Z'),
          ('00000000-0000-0000-0000-0000000000a3', '00000000-0000-0000-0000-000000000001', 'A3', 'a3', 'QA',
           '2026-01-08T00:00Z', 'middle', 'completed', '2026-01-09T00:00Z', 2, 1, null, '2026-01-05T00:00Z'),
          ('00000000-0000-0000-0000-0000000000a4', '00000000-0000-0000-0000-000000000002', 'A4', 'a4', 'Jesse',
           '2026-01-10T00:00Z', 'bottom', 'blocked', null, 1, null, 'waiting', '2026-01-05T00:00Z'),
          ('00000000-0000-0000-0000-0000000000a5', '00000000-0000-0000-0000-000000000002', 'A5', 'a5', 'QA',
           '2026-01-07T00:00Z', 'middle', 'completed', '2026-01-07T00:00Z', 1, 1, null, '2026-01-05T00:00Z'),
          ('00000000-0000-0000-0000-0000000000a6', '00000000-0000-0000-0000-000000000003', 'A6', 'a6', 'Jesse',
           null, 'top', 'completed', '2026-01-05T12:00Z', null, 0.5, null, '2026-01-05T00:00Z');
        insert into deliverables (action_item_id, deliverable_type, title, cloud_storage_path, status,
                                  revenue_target, revenue_actual, created_at, published_at) values
          ('00000000-0000-0000-0000-0000000000a1', 'code', 'D1', 'lake/d1', 'published', 500, 400,
           '2026-01-05T00:00Z', '2026-01-06T12:00Z'),
          ('00000000-0000-0000-0000-0000000000a3', 'document', 'D2', 'lake/d2', 'published', null, 350,
           '2026-01-05T00:00Z', '2026-01-10T00:00Z'),
          (null, 'song', 'D3', 'lake/d3', 'published', 100, 50, '2026-01-02T00:00Z', '2026-01-08T00:00Z');
        insert into suno_songs (song_id, title, genre, bpm, duration_seconds, album_assignment, status,
                                revenue_target, revenue_actual, created_at) values
          ('s1', 'S1', 'soul', 90, 180, 'Heritage Vol 1', 'released', 100, 40, '2026-01-01T00:00Z'),
          ('s2', 'S2', 'soul', 100, 240, 'Heritage Vol 1', 'mastered', null, null, '2026-01-01T00:00Z'),
          ('s3', 'S3', 'funk', 120, 200, 'Heritage Vol 1', 'generated', null, null, '2026-01-01T00:00Z');
        insert into agent_status (agent_name, status, health_score) values ('QA', 'active', 90);
        insert into events (event_type, payload, created_at) values
          ('AGENT_STATUS_CHANGE', '{"agent_name": "QA", "status": "active", "health_score": 95}', '2026-01-06T06:00Z'),
          ('AGENT_STATUS_CHANGE', '{"agent_name": "QA", "status": "idle", "health_score": 80}', '2026-01-06T18:00Z'),
          ('AGENT_STATUS_CHANGE', '{"agent_name": "QA", "status": "error", "health_score": 40}', '2026-01-07T06:00Z'),
          ('AGENT_STATUS_CHANGE', '{"agent_name": "QA", "status": "active", "health_score": 90}', '2026-01-07T12:00Z');
        "#,
    )
    .execute(db)
    .await
    .unwrap();
}

async fn app() -> TestApp {
    let app = TestApp::empty().await;
    fixture(&app.db).await;
    app
}

type Stage = (String, i64, i64, i64, Option<f64>, f64, Option<f64>);

#[tokio::test]
async fn funnel_velocity_days_in_stage_and_the_bottleneck() {
    let app = app().await;
    let rows: Vec<Stage> = sqlx::query_as(
        "select funnel_stage, actions_entered, actions_completed, actions_blocked,
                avg_days_in_stage, bottleneck_score, completion_rate
         from rpm_analytics.funnel_velocity_at($1) where week_start = '2026-01-05'
         order by array_position(array['top', 'middle', 'bottom'], funnel_stage)",
    )
    .bind(as_of())
    .fetch_all(&app.db)
    .await
    .unwrap();
    // Days from Mon 00:00 to completion, open ones to the week's end (7):
    // A1 1.5, A6 0.5 (top); A2 7, A3 4, A5 2 (middle); A4 7 (bottom).
    assert_eq!(
        rows,
        vec![
            ("top".into(), 2, 2, 0, Some(1.0), 0.0, Some(100.0)),
            // 13 / 3 = 4.33 days; 4.333 x 1 open of 3 = 1.44.
            ("middle".into(), 3, 2, 0, Some(4.33), 1.44, Some(66.67)),
            ("bottom".into(), 1, 0, 1, Some(7.0), 7.0, Some(0.0)),
        ]
    );
    let api = rpm_cockpit::server::analytics::funnel_velocity(&app.db, day("2026-01-05"), as_of())
        .await
        .unwrap();
    assert_eq!(
        rpm_cockpit::model::analytics::bottleneck(&api)
            .unwrap()
            .stage,
        "bottom"
    );
}

#[tokio::test]
async fn plan_effectiveness_of_the_week() {
    let app = app().await;
    let week =
        rpm_cockpit::server::analytics::plan_effectiveness(&app.db, day("2026-01-05"), as_of())
            .await
            .unwrap();
    assert_eq!(
        (week.total_results, week.results_achieved),
        (3, 1),
        "only R3 is all done"
    );
    assert_eq!((week.total_actions, week.actions_completed), (6, 4));
    assert_eq!(week.completion_rate(), Some(66.67));
    // Completed with a due date: A1 and A5 on time, A3 a day late.
    assert_eq!(week.on_time_completion_rate, Some(66.67));
    // Jesse: A1, A6 of A1, A2, A4, A6; the team: A3, A5 of A3, A5.
    assert_eq!(week.jesse_completion_rate, Some(50.0));
    assert_eq!(week.team_completion_rate, Some(100.0));
    // (1.5 + 4 + 2 + 0.5) / 4 days from the week's start.
    assert_eq!(week.avg_cycle_time_days, Some(2.0));
    // 4 completed over 7 elapsed days.
    assert_eq!(week.velocity_score, 0.57);
}

type Completion = (
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

#[tokio::test]
async fn action_completion_metrics_and_estimation_accuracy() {
    let app = app().await;
    let qa: Completion = sqlx::query_as(
        "select total_actions, completed_actions, completion_rate, avg_hours_to_complete,
                blocked_actions, avg_estimated_hours, avg_actual_hours, estimation_accuracy
         from rpm_analytics.action_completion_metrics_at($1)
         where date = '2026-01-08' and owner = 'QA' and funnel_stage = 'middle'",
    )
    .bind(as_of())
    .fetch_one(&app.db)
    .await
    .unwrap();
    // A3: planned Mon 00:00, completed Fri 00:00 = 96 h; 1 h for 2 estimated.
    assert_eq!(
        qa,
        (
            1,
            1,
            Some(100.0),
            Some(96.0),
            0,
            Some(2.0),
            Some(1.0),
            Some(0.5)
        )
    );
    // A6 has no due date: it counts on its week's first day.
    let a6: (String, i64) = sqlx::query_as(
        "select owner, total_actions from rpm_analytics.action_completion_metrics_at($1)
         where date = '2026-01-05'",
    )
    .bind(as_of())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(a6, ("Jesse".into(), 1));
    let accuracy: Vec<(String, i64, Option<f64>)> = sqlx::query_as(
        "select owner, actions_measured, accuracy
         from rpm_analytics.estimation_accuracy_at($1) order by owner",
    )
    .bind(as_of())
    .fetch_all(&app.db)
    .await
    .unwrap();
    // Jesse: A1 only (A6 has no estimate): 3 / 2. QA: (1 + 1) / (2 + 1).
    assert_eq!(
        accuracy,
        vec![
            ("Jesse".into(), 1, Some(1.5)),
            ("QA".into(), 2, Some(0.667))
        ]
    );
}

#[tokio::test]
async fn revenue_correlation_and_deliverable_metrics() {
    let app = app().await;
    type Correlation = (
        String,
        i64,
        i64,
        Option<f64>,
        f64,
        f64,
        Option<f64>,
        Option<f64>,
    );
    let results: Vec<Correlation> = sqlx::query_as(
        "select result_text, action_items_completed, action_items_total, completion_rate,
                    revenue_target::float8, revenue_actual::float8, revenue_achievement_rate,
                    profit_margin
             from rpm_analytics.revenue_correlation_at($1) order by result_text",
    )
    .bind(as_of())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        results,
        vec![
            (
                "Fix the build".into(),
                1,
                2,
                Some(50.0),
                0.0,
                0.0,
                None,
                None
            ),
            // D1 400 + D2 350 of 1000.
            (
                "Ship the album".into(),
                2,
                3,
                Some(66.67),
                1000.0,
                750.0,
                Some(75.0),
                None
            ),
            (
                "Write the plan".into(),
                1,
                1,
                Some(100.0),
                0.0,
                0.0,
                None,
                None
            ),
        ]
    );
    type DayMetrics = (NaiveDate, i64, i64, f64, f64, Option<f64>, Option<f64>);
    let songs: Vec<DayMetrics> = sqlx::query_as(
        "select date, deliverables_created, deliverables_published, revenue_target::float8,
                revenue_actual::float8, revenue_achievement_rate, avg_time_to_publish_days
         from rpm_analytics.deliverable_metrics_at($1)
         where deliverable_type = 'song' order by date",
    )
    .bind(as_of())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        songs,
        vec![
            (day("2026-01-02"), 1, 0, 0.0, 0.0, None, None),
            // Created Jan 2, published Jan 8: 6 days; 50 of 100.
            (day("2026-01-08"), 0, 1, 100.0, 50.0, Some(50.0), Some(6.0)),
        ]
    );
}

#[tokio::test]
async fn album_analytics_and_agent_performance() {
    let app = app().await;
    let album: (NaiveDate, String, i64, i64, i64, f64, f64, String, f64, f64) = sqlx::query_as(
        "select date, album_name, songs_generated, songs_mastered, songs_released,
                total_duration_minutes, avg_bpm, genre_distribution,
                revenue_target::float8, revenue_actual::float8
         from rpm_analytics.suno_album_analytics_at($1)",
    )
    .bind(as_of())
    .fetch_one(&app.db)
    .await
    .unwrap();
    // 620 s = 10.33 min; (90 + 100 + 120) / 3 = 103.3 bpm.
    assert_eq!(
        album,
        (
            day("2026-01-20"),
            "Heritage Vol 1".into(),
            3,
            2,
            1,
            10.33,
            103.3,
            r#"{"funk": 1, "soul": 2}"#.into(),
            100.0,
            40.0
        )
    );
    type Perf = (
        NaiveDate,
        i64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        i64,
        f64,
        f64,
        Option<f64>,
    );
    let qa: Vec<Perf> = sqlx::query_as(
        "select date, actions_completed, avg_completion_time_hours, health_score_avg,
                health_score_min, error_count, idle_time_hours, active_time_hours,
                utilization_rate
         from rpm_analytics.agent_performance_at($1)
         where agent_name = 'QA' and date in ('2026-01-06', '2026-01-07') order by date",
    )
    .bind(as_of())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        qa,
        vec![
            // Active 06-18 h, idle from 18 h: 12 h and 6 h.
            (
                day("2026-01-06"),
                0,
                None,
                Some(87.5),
                Some(80.0),
                0,
                6.0,
                12.0,
                Some(66.67)
            ),
            // Idle to 6 h, error 6-12 h, active from 12 h; A5 done (1 h).
            (
                day("2026-01-07"),
                1,
                Some(1.0),
                Some(65.0),
                Some(40.0),
                1,
                6.0,
                12.0,
                Some(66.67)
            ),
        ]
    );
}

#[tokio::test]
async fn dna_periods_roll_up_and_the_snapshots_refresh() {
    let app = app().await;
    let weekly = rpm_cockpit::server::analytics::periods(&app.db, "weekly", 8, as_of())
        .await
        .unwrap();
    assert_eq!(weekly.len(), 1);
    let w = &weekly[0];
    assert_eq!(
        (w.week_start, w.period_end),
        (day("2026-01-05"), day("2026-01-11"))
    );
    assert_eq!(
        (w.total_actions, w.completed_actions, w.completion_rate),
        (6, 4, Some(66.67))
    );
    assert_eq!(w.velocity_score, 0.57);
    // R1's target; D1 400 + D2 350 + D3 50 published in the week.
    assert_eq!((w.revenue_target, w.revenue_actual), (1000.0, 800.0));
    assert_eq!(w.jesse_completion_rate, Some(50.0));
    let monthly = rpm_cockpit::server::analytics::periods(&app.db, "monthly", 8, as_of())
        .await
        .unwrap();
    // 4 completed over the 20 days of January elapsed.
    assert_eq!(
        (monthly[0].week_start, monthly[0].velocity_score),
        (day("2026-01-01"), 0.2)
    );
    let unknown = rpm_cockpit::server::analytics::periods(&app.db, "yearly", 8, as_of()).await;
    assert!(unknown.is_err());

    sqlx::query("select rpm_analytics.refresh($1)")
        .bind(as_of())
        .execute(&app.db)
        .await
        .unwrap();
    let stored: Vec<(String, i32, i32, f64)> = sqlx::query_as(
        "select period_type, total_actions, completed_actions, completion_rate::float8
         from rpm_dna_periods where period_start = '2026-01-05T00:00Z' order by period_type",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        stored.contains(&("weekly".into(), 6, 4, 66.67)),
        "{stored:?}"
    );
    for table in rpm_cockpit::server::analytics::TABLES {
        let rows: i64 = sqlx::query_scalar(&format!("select count(*) from rpm_analytics.{table}"))
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(rows > 0, "{table} is empty after the refresh");
    }
    // Twice is fine: the roll-up updates in place.
    sqlx::query("select rpm_analytics.refresh($1)")
        .bind(as_of())
        .execute(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn of_several_instances_one_refreshes_per_interval() {
    use rpm_cockpit::server::analytics::scheduled_refresh;
    let app = app().await;
    let hour = std::time::Duration::from_secs(3600);
    // Another instance is refreshing right now: this one skips.
    let mut other = app.db.begin().await.unwrap();
    let held: bool = sqlx::query_scalar("select pg_try_advisory_xact_lock(7172003)")
        .fetch_one(&mut *other)
        .await
        .unwrap();
    assert!(held);
    assert_eq!(scheduled_refresh(&app.db, hour).await.unwrap(), None);
    other.rollback().await.unwrap();
    // Free: this one refreshes and records when...
    assert!(scheduled_refresh(&app.db, hour).await.unwrap().is_some());
    let recorded: i64 = sqlx::query_scalar(
        "select count(*) from rpm_analytics.refresh_state where refreshed_at > now() - interval '1 minute'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
    // ...so the next instance's tick within the interval skips.
    assert_eq!(scheduled_refresh(&app.db, hour).await.unwrap(), None);
    // With a short interval, half of it later, it refreshes again.
    let short = std::time::Duration::from_millis(400);
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert!(scheduled_refresh(&app.db, short).await.unwrap().is_some());
}
