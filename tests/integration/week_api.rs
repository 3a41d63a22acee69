//! The `current_week` server function over HTTP, as the browser calls it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::WeekOverview;

use rpm_cockpit::model::Role;

use crate::helpers::{today, TestApp};

fn call() -> Request<Body> {
    Request::post("/api/current_week")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn current_week_returns_the_plan_with_its_results_and_actions() {
    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Vip).await;
    let (status, body) = app.send_as(&me, call()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let week: Option<WeekOverview> = serde_json::from_str(&body).expect("json");
    let week = week.expect("a week");
    assert!(week.week_start <= today() && today() <= week.week_end);
    assert_eq!(week.results.len(), 5);
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from rpm_action_items a
         join rpm_results r on r.id = a.result_id
         join rpm_weekly_plans p on p.id = r.weekly_plan_id
         where p.week_start_date = $1",
    )
    .bind(week.week_start)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(week.total_actions() as i64, stored);
}

#[tokio::test]
async fn current_week_is_null_without_a_plan() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    let (status, body) = app.send_as(&me, call()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.trim(), "null");
}

#[tokio::test]
async fn a_past_week_is_shown_until_the_next_one_is_planned() {
    let last_month = today() - chrono::Days::new(30);
    let app = TestApp::with_demo(last_month).await;
    let me = app.session(Role::Vip).await;
    let (_, body) = app.send_as(&me, call()).await;
    let week: WeekOverview = serde_json::from_str::<Option<WeekOverview>>(&body)
        .unwrap()
        .expect("the latest started week");
    assert!(week.week_start <= last_month && last_month <= week.week_end);
}
