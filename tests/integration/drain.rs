//! Health, readiness and draining: `/healthz` needs no database;
//! `/readyz` says why it is not ready; on SIGTERM the process stops being
//! ready, ends every event stream (browsers reconnect elsewhere from their
//! last event id, losing nothing) and exits within `shutdown_seconds`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rpm_cockpit::model::Role;
use sqlx::PgPool;

use crate::helpers::TestApp;
use crate::live_support::{Connect, Server, SseClient};

const SOON: Duration = Duration::from_secs(5);

async fn append(db: &PgPool) -> i64 {
    sqlx::query_scalar("insert into events (event_type) values ('ACTION_UPDATED') returning id")
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn healthz_needs_no_database_and_readyz_says_why_it_is_not_ready() {
    let app = TestApp::empty().await;
    assert_eq!(app.get("/healthz").await, (StatusCode::OK, "ok".into()));
    assert_eq!(app.get("/readyz").await, (StatusCode::OK, "ready".into()));

    // Migrations behind the build: not ready, and the reason says so.
    sqlx::query("update _sqlx_migrations set success = false where version = (select max(version) from _sqlx_migrations)")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, why) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(why.starts_with("migrations not applied"), "{why}");
    sqlx::query("update _sqlx_migrations set success = true")
        .execute(&app.db)
        .await
        .unwrap();

    app.state.drain.start();
    assert_eq!(
        app.get("/readyz").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "draining: shutting down".into()
        )
    );
    assert_eq!(app.get("/healthz").await.0, StatusCode::OK);

    // The database gone: alive, not ready.
    let other = TestApp::empty().await;
    other.db.close().await;
    assert_eq!(other.get("/healthz").await, (StatusCode::OK, "ok".into()));
    assert_eq!(
        other.get("/readyz").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable".into()
        )
    );
}

#[tokio::test]
async fn draining_ends_every_stream_and_the_browsers_resume_elsewhere_without_loss() {
    let app = TestApp::empty().await;
    let cookie = app.session(Role::Vip).await;
    let first = Server::start(&app.url, 0).await;
    let second = Server::start(&app.url, 0).await;
    let mut streams = Vec::new();
    for _ in 0..20 {
        streams.push(
            SseClient::connect(&first.url, Some(&cookie), Connect::default())
                .await
                .unwrap(),
        );
    }
    let seen = append(&app.db).await;
    for s in &mut streams {
        assert_eq!(s.next_data(SOON).await.unwrap().id(), seen);
    }

    first.state.drain.start();
    for s in &mut streams {
        assert!(s.ends_within(SOON).await, "a stream outlived the drain");
    }
    // A browser retrying the draining instance is turned away...
    assert_eq!(
        SseClient::connect(&first.url, Some(&cookie), Connect::default())
            .await
            .err(),
        Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
    );
    // ...and resumes on another from its last event id: nothing is lost.
    let missed = append(&app.db).await;
    let mut resumed = SseClient::connect(
        &second.url,
        Some(&cookie),
        Connect {
            last_event_id: Some(seen),
            ..Connect::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(resumed.next_data(SOON).await.unwrap().id(), missed);
}

#[tokio::test]
async fn sigterm_with_open_streams_exits_within_the_limit() {
    let app = TestApp::empty().await;
    let cookie = app.session(Role::Vip).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(crate::cli::binary())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.url)
        .env("RPM_DATA_DIR", dir.path().join("data"))
        .env("RPM_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RPM_DEMO_DATA", "false")
        .env("RPM_SHUTDOWN_SECONDS", "8")
        .env("RUST_LOG", "warn")
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    crate::helpers::wait_ready(&base).await;
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(
            SseClient::connect(&base, Some(&cookie), Connect::default())
                .await
                .unwrap(),
        );
    }

    let sent = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for s in &mut streams {
        assert!(s.ends_within(SOON).await, "a stream outlived SIGTERM");
    }
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(8), "exited after {took:?}");
    eprintln!(
        "SIGTERM with 50 open streams: exited in {} ms",
        took.as_millis()
    );
}
