//! `POST /api/v1/agents/{name}/heartbeat` and its bearer tokens.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::server::tokens;
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn beat(token: Option<&str>, agent: &str, body: &str) -> Request<Body> {
    let mut request = Request::post(format!("/api/v1/agents/{agent}/heartbeat"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    request.body(Body::from(body.to_string())).unwrap()
}

async fn token(app: &TestApp, name: &str, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    tokens::create(&app.db, name, &scopes).await.unwrap()
}

fn error_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_heartbeat_without_a_valid_token_is_refused_and_writes_nothing() {
    let app = TestApp::empty().await;
    let read_only = token(&app, "reader", &["read"]).await;
    let revoked = token(&app, "old", &["heartbeat"]).await;
    assert!(tokens::revoke(&app.db, "old").await.unwrap());
    let body = r#"{"status": "active"}"#;
    let cases = [
        (
            None,
            StatusCode::UNAUTHORIZED,
            "missing Authorization: Bearer <token>",
        ),
        (
            Some("rpm_nonsense"),
            StatusCode::UNAUTHORIZED,
            "unknown or revoked token",
        ),
        (
            Some(revoked.as_str()),
            StatusCode::UNAUTHORIZED,
            "unknown or revoked token",
        ),
        (
            Some(read_only.as_str()),
            StatusCode::FORBIDDEN,
            "this token lacks the \"heartbeat\" scope",
        ),
    ];
    for (t, status, reason) in cases {
        let (got, text) = app.send(beat(t, "QA", body)).await;
        assert_eq!((got, error_of(&text).as_str()), (status, reason));
    }
    let agents: i64 = sqlx::query_scalar("select count(*) from agent_status")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(agents, 0);
}

#[tokio::test]
async fn heartbeats_record_the_agent_and_keep_what_they_leave_out() {
    let app = TestApp::empty().await;
    let t = token(&app, "qa agent", &["heartbeat"]).await;
    let (status, text) = app
        .send(beat(
            Some(&t),
            "QA",
            r#"{"status": "active", "health_score": 93, "metadata": {"cpu_percent": 12}}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let got: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["health_band"], "excellent");

    let (status, _) = app
        .send(beat(
            Some(&t),
            "QA",
            r#"{"status": "error", "error_log": "disk full"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let row: (String, i32, Option<String>, Value) = sqlx::query_as(
        "select status, health_score, error_log, metadata from agent_status where agent_name = 'QA'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "error".into(),
            93,
            Some("disk full".into()),
            json!({"cpu_percent": 12})
        )
    );
    // First sight and the change to error: two status events.
    let events: i64 =
        sqlx::query_scalar("select count(*) from events where event_type = 'AGENT_STATUS_CHANGE'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(events, 2);
    let used: bool = sqlx::query_scalar(
        "select last_used_at is not null from api_tokens where name = 'qa agent'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(used);
}

#[tokio::test]
async fn bad_heartbeats_get_a_reason() {
    let app = TestApp::empty().await;
    let t = token(&app, "agent", &["heartbeat"]).await;
    let cases = [
        (
            r#"{"status": "sleeping"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown status \"sleeping\" (active, idle, error or offline)",
        ),
        (
            r#"{"status": "active", "health_score": 140}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "health_score 140 is not within 0-100",
        ),
        // Found by schemathesis: a value the column cannot hold was a 503.
        (
            r#"{"status": "active", "total_hours_worked": 9182831829008406.0}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "total_hours_worked 9182831829008406 is not within 0-999999.99",
        ),
        (
            r#"{"status": "active", "error_log": "a\u0000b"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "field \"error_log\" contains a control character (U+0000)",
        ),
        (
            r#"{"status": "active", "current_action": "NOPE-001"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown action code \"NOPE-001\"",
        ),
    ];
    for (body, status, reason) in cases {
        let (got, text) = app.send(beat(Some(&t), "QA", body)).await;
        assert_eq!((got, error_of(&text).as_str()), (status, reason), "{body}");
    }
    let (got, text) = app.send(beat(Some(&t), "QA", "{not json")).await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{text}");
    assert!(error_of(&text).contains("JSON"), "{text}");
    let (got, text) = app
        .send(beat(
            Some(&t),
            "QA",
            r#"{"status": "active", "mood": "great"}"#,
        ))
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&text).contains("unknown field `mood`"), "{text}");
}

#[tokio::test]
async fn tokens_are_stored_hashed_with_their_scopes() {
    let app = TestApp::empty().await;
    let t = token(&app, "sync job", &["sync", "read"]).await;
    assert!(t.starts_with("rpm_") && t.len() == 68, "{t}");
    let stored: (String, Vec<String>) =
        sqlx::query_as("select token_hash, scopes from api_tokens where name = 'sync job'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_ne!(stored.0, t);
    assert_eq!(stored.0.len(), 64);
    assert_eq!(stored.1, ["sync", "read"]);
    let unknown = tokens::create(&app.db, "x", &["admin".to_string()]).await;
    assert!(unknown
        .unwrap_err()
        .to_string()
        .contains("unknown scope \"admin\""));
    let twice = tokens::create(&app.db, "sync job", &["read".to_string()]).await;
    assert!(twice.unwrap_err().to_string().contains("exists already"));
}
