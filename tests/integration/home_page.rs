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

/// The page streams in order: the shell and the week's heading go out
/// while a slow panel is still waiting for its query, and the rest
/// follows when it answers (a browser paints the heading at once; without
/// JavaScript the page is still whole, in order).
#[tokio::test]
async fn the_week_heading_is_sent_before_a_slow_panel_answers() {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use std::time::Duration;

    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Vip).await;
    // The agents panel's table is locked: its query waits.
    let mut lock = app.db.begin().await.unwrap();
    sqlx::query("lock table agent_status in access exclusive mode")
        .execute(&mut *lock)
        .await
        .unwrap();
    let request = Request::get("/")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, &me.0)
        .body(Body::empty())
        .unwrap();
    let response = app.response(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut html = String::new();
    while !html.contains("Week of ") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("the heading within 5 s, while the agents panel waits")
            .expect("a frame before the end")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            html.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(!html.contains("agent-card"), "the agents panel came early");
    assert!(!html.contains("</html>"), "the page ended early");
    lock.rollback().await.unwrap();
    while let Some(frame) = tokio::time::timeout(Duration::from_secs(10), body.frame())
        .await
        .expect("the rest once the lock is gone")
    {
        if let Ok(data) = frame.unwrap().into_data() {
            html.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(html.contains("agent-card"), "no agents in the end");
    assert!(html.contains("</html>"));
}

/// The week's plan is read once per request, however many panels ask:
/// every panel of one page shows the same plan.
#[tokio::test]
async fn a_request_reads_the_plan_once() {
    use rpm_cockpit::server::week::{plan_once, PlansRead};

    let app = TestApp::with_demo(today()).await;
    let owner = leptos::prelude::Owner::new();
    owner.set();
    leptos::prelude::provide_context(PlansRead::default());
    let first = plan_once(&app.db, today()).await.unwrap().expect("a plan");
    // Gone from the database: the request goes on with what it read.
    sqlx::query("update rpm_weekly_plans set week_start_date = week_start_date + 3650, week_end_date = week_end_date + 3650 where id = $1")
        .bind(first.id)
        .execute(&app.db)
        .await
        .unwrap();
    let again = plan_once(&app.db, today())
        .await
        .unwrap()
        .expect("the same plan");
    assert_eq!(again.id, first.id);
    // Another request (no context here) reads the database again.
    drop(owner);
    let other = leptos::prelude::Owner::new();
    other.set();
    let fresh = plan_once(&app.db, today()).await.unwrap();
    assert_ne!(fresh.map(|p| p.id), Some(first.id));
}
