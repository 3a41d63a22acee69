//! The server-rendered home page.

use axum::http::StatusCode;

use rpm_cockpit::model::Role;

use crate::helpers::{today, TestApp};

#[tokio::test]
async fn home_page_renders_the_current_week_on_the_server() {
    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Admin).await;
    let (status, html) = app.get_as(&me, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Week of "), "no week heading in {html}");
    for code in ["R1", "R2", "R3", "R4", "R5"] {
        assert!(html.contains(&format!(">{code}<")), "result {code} missing");
    }
    assert!(html.contains("Overall completion"));
    assert!(html.contains(r#"role="progressbar""#));
    // The hydration scripts are there for the browser to take over.
    assert!(html.contains("/pkg/rpm-cockpit.js"), "no hydration script");
}

#[tokio::test]
async fn home_page_says_so_when_there_is_no_plan() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    let (status, html) = app.get_as(&me, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No plan yet"), "{html}");
}

#[tokio::test]
async fn overall_completion_counts_completed_actions_from_the_database() {
    let app = TestApp::with_demo(today()).await;
    sqlx::query("update rpm_action_items set status = 'completed', completion_date = now()")
        .execute(&app.db)
        .await
        .unwrap();
    let me = app.session(Role::Vip).await;
    let (_, html) = app.get_as(&me, "/").await;
    assert!(html.contains("100% complete"), "expected 100% in {html}");
}

#[tokio::test]
async fn health_check_reports_a_reachable_database() {
    let app = TestApp::empty().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn readiness_reports_an_unreachable_database_and_liveness_does_not() {
    let app = TestApp::empty().await;
    app.db.close().await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // Alive: a database outage must not make the platform restart us.
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    let (status, _) = app.get_as(&me, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
