//! The demo week loaded on a first start.

use rpm_cockpit::server::seed::{seed_demo_if_empty, week_start};

use crate::helpers::{today, TestApp};

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_week_is_loaded_once() {
    let app = TestApp::empty().await;
    assert!(seed_demo_if_empty(&app.db, today()).await.unwrap());
    let before = (
        count(&app, "rpm_results").await,
        count(&app, "rpm_action_items").await,
    );
    assert!(!seed_demo_if_empty(&app.db, today()).await.unwrap());
    let after = (
        count(&app, "rpm_results").await,
        count(&app, "rpm_action_items").await,
    );
    assert_eq!(before, after);
    assert_eq!(count(&app, "rpm_weekly_plans").await, 1);
    assert_eq!(before.0, 5);
}

#[tokio::test]
async fn concurrent_first_starts_load_one_demo_week() {
    let app = TestApp::empty().await;
    let (a, b) = tokio::join!(
        seed_demo_if_empty(&app.db, today()),
        seed_demo_if_empty(&app.db, today())
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|s| **s).count(), 1);
    assert_eq!(count(&app, "rpm_weekly_plans").await, 1);
}

#[test]
fn weeks_start_on_monday() {
    let sunday = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    assert_eq!(week_start(sunday), monday);
    assert_eq!(week_start(monday), monday);
}
