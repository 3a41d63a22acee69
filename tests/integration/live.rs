//! Inline changes and live updates: conflict-safe completes, the events
//! stream over real HTTP, replay after a server restart, two instances,
//! a PostgreSQL restart, late committers and resync.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::action_change::{ActionChange, ActionState};
use rpm_cockpit::model::Role;
use rpm_cockpit::server::actions;
use rpm_cockpit::server::auth::users;
use rpm_cockpit::server::embedded_pg::EmbeddedPostgres;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::tokens;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{today, Cookie, TestApp, VERA};
use crate::live_support::{Connect, Server, SseClient};

const SOON: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(700);

/// A pending action of the demo week, with its version.
async fn pending_action(db: &PgPool) -> (Uuid, i32) {
    sqlx::query_as(
        "select id, version from rpm_action_items where status = 'pending'
         order by action_code limit 1",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// Appends one event, as any writer would.
async fn append(db: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("insert into events (event_type) values ($1) returning id")
        .bind(kind)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The cockpit's own inline change, as the browser posts it.
async fn change(app: &TestApp, who: &Cookie, body: String) -> (StatusCode, String) {
    let request = Request::post("/api/change_action")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::from(body))
        .unwrap();
    app.send_as(who, request).await
}

#[tokio::test]
async fn jesse_completes_blocks_and_reopens_and_others_may_not() {
    let app = TestApp::with_demo(today()).await;
    let jesse = app.session(Role::Admin).await;
    let vera = app.session(Role::Vip).await;
    let (id, version) = pending_action(&app.db).await;

    let (status, text) = change(
        &app,
        &vera,
        format!("id={id}&version={version}&change=block&reason=x"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");

    let (status, text) = change(
        &app,
        &jesse,
        format!("id={id}&version={version}&change=block&reason=+"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("needs a reason"), "{text}");

    let (status, text) = change(
        &app,
        &jesse,
        format!("id={id}&version={version}&change=block&reason=waiting+on+the+mix"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let blocked: ActionState = serde_json::from_str(&text).unwrap();
    assert_eq!(blocked.version, version + 1);
    assert_eq!(blocked.blocker.as_deref(), Some("waiting on the mix"));

    // Based on the old version: refused, nothing written.
    let (status, text) = change(
        &app,
        &jesse,
        format!("id={id}&version={version}&change=reopen"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("changed since version"), "{text}");

    let v = blocked.version;
    let (status, text) = change(
        &app,
        &jesse,
        format!("id={id}&version={v}&change=complete&actual_hours=2.5&evidence_path=https%3A%2F%2Fexample.com%2Fmix"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let row: (String, f64, Option<String>, Option<String>, bool) = sqlx::query_as(
        "select status, actual_hours::float8, evidence_path, blocker_description,
                completion_date is not null
         from rpm_action_items where id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "completed".into(),
            2.5,
            Some("https://example.com/mix".into()),
            None,
            true
        )
    );

    let kinds: Vec<String> =
        sqlx::query_scalar("select event_type from events where entity_id = $1 order by id")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(kinds, ["ACTION_BLOCKED", "ACTION_COMPLETED"]);
}

#[tokio::test]
async fn concurrent_completes_of_one_action_have_exactly_one_winner() {
    let app = TestApp::with_demo(today()).await;
    let (id, version) = pending_action(&app.db).await;
    let complete = ActionChange::Complete {
        actual_hours: 1.0,
        evidence_path: None,
    };
    // With the version the UI read, and without one (the REST API).
    let attempts = (0..8).map(|i| {
        let db = app.db.clone();
        let change = complete.clone();
        tokio::spawn(async move {
            let based_on = (i % 2 == 0).then_some(version);
            actions::apply(&db, id, based_on, &change, "test").await
        })
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results
        .iter()
        .filter(|r| r.as_ref().unwrap().is_ok())
        .count();
    let conflicts = results
        .iter()
        .filter(|r| {
            matches!(
                r.as_ref().unwrap(),
                Err(rpm_cockpit::error::AppError::Conflict(_))
            )
        })
        .count();
    assert_eq!((wins, conflicts), (1, 7));
    let (completions, new_version): (i64, i32) = sqlx::query_as(
        "select (select count(*) from events where entity_id = $1 and event_type = 'ACTION_COMPLETED'),
                (select version from rpm_action_items where id = $1)",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((completions, new_version), (1, version + 1));
}

#[tokio::test]
async fn the_rest_api_completes_and_blocks_with_the_same_rules() {
    let app = TestApp::with_demo(today()).await;
    let token = tokens::create(&app.db, "agent", &["actions".to_string()])
        .await
        .unwrap();
    let read_only = tokens::create(&app.db, "reader", &["read".to_string()])
        .await
        .unwrap();
    let (id, _) = pending_action(&app.db).await;
    let post = |path: String, token: &str, body: &'static str| {
        Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let complete = format!("/api/v1/rpm/action-items/{id}/complete");
    let (status, _) = app
        .send(post(complete.clone(), &read_only, r#"{"actual_hours": 1}"#))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, text) = app
        .send(post(complete.clone(), &token, r#"{"actual_hours": -1}"#))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let (status, text) = app
        .send(post(
            complete.clone(),
            &token,
            r#"{"actual_hours": 3, "evidence_path": "gs://bucket/e.txt"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(state["success"], true);
    assert_eq!(state["action"]["status"], "completed");
    assert_eq!(state["action"]["evidence_path"], "gs://bucket/e.txt");
    let (status, text) = app
        .send(post(complete, &token, r#"{"actual_hours": 3}"#))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("already completed"), "{text}");

    let (other, _) = pending_action(&app.db).await;
    let block = format!("/api/v1/rpm/action-items/{other}/block");
    let (status, text) = app
        .send(post(
            block.clone(),
            &token,
            r#"{"blocker_description": ""}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let (status, text) = app
        .send(post(
            block,
            &token,
            r#"{"blocker_description": "waiting on legal"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = app
        .send(post(
            format!("/api/v1/rpm/action-items/{}/block", Uuid::nil()),
            &token,
            r#"{"blocker_description": "x"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_change_reaches_a_connected_browser_over_an_unbuffered_stream() {
    let app = TestApp::with_demo(today()).await;
    let server = Server::start(&app.url, 0).await;
    let vera = app.session(Role::Vip).await;
    let jesse = app.session(Role::Admin).await;

    let refused = SseClient::connect(&server.url, None, Connect::default()).await;
    assert_eq!(refused.err(), Some(reqwest::StatusCode::UNAUTHORIZED));

    let how = Connect {
        accept_encoding: Some("br, gzip"),
        ..Connect::default()
    };
    let mut client = SseClient::connect(&server.url, Some(&vera), how)
        .await
        .unwrap();
    let h = &client.response_headers;
    assert_eq!(h["content-type"], "text/event-stream");
    assert!(h.get("content-encoding").is_none(), "never compressed");
    assert_eq!(h["x-accel-buffering"], "no");
    let hello = client.next(SOON).await.expect("greeting");
    assert_eq!(hello.retry.as_deref(), Some("2000"));

    let (id, version) = pending_action(&app.db).await;
    let started = std::time::Instant::now();
    let (status, text) = change(
        &app,
        &jesse,
        format!("id={id}&version={version}&change=complete&actual_hours=1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let event = client.next_data(SOON).await.expect("the completion");
    let took = started.elapsed();
    let data = event.json();
    assert_eq!(data["kind"], "ACTION_COMPLETED");
    assert_eq!(data["entity_id"], id.to_string());
    assert_eq!(data["id"].as_i64(), Some(event.id()));
    assert!(took < Duration::from_secs(1), "delivered in {took:?}");
}

#[tokio::test]
async fn a_restarted_server_replays_what_a_client_missed_and_nothing_twice() {
    let app = TestApp::empty().await;
    let vera = app.session(Role::Vip).await;
    let first = Server::start(&app.url, 0).await;
    let port = first.addr.port();
    let mut client = SseClient::connect(&first.url, Some(&vera), Connect::default())
        .await
        .unwrap();
    let e1 = append(&app.db, "ACTION_UPDATED").await;
    assert_eq!(client.next_data(SOON).await.unwrap().id(), e1);

    first.stop();
    assert!(
        client.next(SOON).await.is_none(),
        "the stream ends with the server"
    );
    let e2 = append(&app.db, "ACTION_COMPLETED").await;
    let e3 = append(&app.db, "AGENT_STATUS_CHANGE").await;

    let second = Server::start(&app.url, port).await;
    // What a browser does: reconnect with the last id it saw.
    let how = Connect {
        last_event_id: Some(e1),
        ..Connect::default()
    };
    let mut client = SseClient::connect(&second.url, Some(&vera), how)
        .await
        .unwrap();
    let mut ids = vec![];
    while let Some(e) = client.next_data(QUIET).await {
        ids.push(e.id());
    }
    assert_eq!(ids, [e2, e3], "missed events replayed in order, none twice");
    let e4 = append(&app.db, "REVENUE_UPDATE").await;
    assert_eq!(client.next_data(SOON).await.unwrap().id(), e4);
}

#[tokio::test]
async fn two_instances_on_one_database_both_deliver_every_event() {
    let app = TestApp::empty().await;
    let vera = app.session(Role::Vip).await;
    let (a, b) = (
        Server::start(&app.url, 0).await,
        Server::start(&app.url, 0).await,
    );
    let mut on_a = SseClient::connect(&a.url, Some(&vera), Connect::default())
        .await
        .unwrap();
    let mut on_b = SseClient::connect(&b.url, Some(&vera), Connect::default())
        .await
        .unwrap();
    let mut written = vec![];
    for kind in [
        "ACTION_COMPLETED",
        "ACTION_BLOCKED",
        "AGENT_STATUS_CHANGE",
        "REVENUE_UPDATE",
        "DELIVERABLE_PUBLISHED",
    ] {
        written.push(append(&app.db, kind).await);
    }
    for client in [&mut on_a, &mut on_b] {
        let mut got = vec![];
        while got.len() < written.len() {
            got.push(client.next_data(SOON).await.expect("every event").id());
        }
        assert_eq!(got, written);
        assert!(client.next_data(QUIET).await.is_none(), "nothing more");
    }
}

#[tokio::test]
async fn an_event_that_commits_late_is_not_skipped() {
    let app = TestApp::empty().await;
    let vera = app.session(Role::Vip).await;
    let server = Server::start(&app.url, 0).await;
    let mut client = SseClient::connect(&server.url, Some(&vera), Connect::default())
        .await
        .unwrap();

    // A writer takes an id and holds its transaction open…
    let mut slow = app.db.begin().await.unwrap();
    let late: i64 = sqlx::query_scalar(
        "insert into events (event_type) values ('ACTION_UPDATED') returning id",
    )
    .fetch_one(&mut *slow)
    .await
    .unwrap();
    // …while another writer wants to append: it waits for the first.
    let db = app.db.clone();
    let quick = tokio::spawn(async move { append(&db, "ACTION_COMPLETED").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !quick.is_finished(),
        "a later writer waits for the earlier one to commit"
    );
    assert!(client.next_data(Duration::from_millis(300)).await.is_none());
    slow.commit().await.unwrap();
    let next = quick.await.unwrap();
    assert!(next > late);
    assert_eq!(client.next_data(SOON).await.unwrap().id(), late);
    assert_eq!(client.next_data(SOON).await.unwrap().id(), next);
}

#[tokio::test]
async fn a_client_too_far_behind_is_told_to_resync() {
    let app = TestApp::empty().await;
    let vera = app.session(Role::Vip).await;
    let server = Server::start(&app.url, 0).await;
    sqlx::query(
        "insert into events (event_type) select 'ACTION_UPDATED' from generate_series(1, 600)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let newest: i64 = sqlx::query_scalar("select max(id) from events")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let how = Connect {
        after: Some(0),
        ..Connect::default()
    };
    let mut client = SseClient::connect(&server.url, Some(&vera), how)
        .await
        .unwrap();
    let first = client.next_data(SOON).await.unwrap();
    assert_eq!(first.event.as_deref(), Some("resync"));
    assert_eq!(first.id(), newest, "goes on from the newest event");
    let next = append(&app.db, "ACTION_COMPLETED").await;
    assert_eq!(client.next_data(SOON).await.unwrap().id(), next);

    // Close behind: replayed, not resynced.
    let how = Connect {
        after: Some(newest - 3),
        ..Connect::default()
    };
    let mut client = SseClient::connect(&server.url, Some(&vera), how)
        .await
        .unwrap();
    let mut got = vec![];
    for _ in 0..4 {
        got.push(client.next_data(SOON).await.unwrap().id());
    }
    assert_eq!(got, [newest - 2, newest - 1, newest, next]);
}

#[tokio::test]
async fn a_postgresql_restart_under_a_connected_client_loses_nothing() {
    // A cluster of its own: the shared test cluster must not restart.
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pg = EmbeddedPostgres::new(dir.path(), port).expect("PostgreSQL binaries");
    pg.start().expect("start");
    pg.ensure_database("cockpit").await.unwrap();
    let url = pg.url("cockpit");
    let app = TestApp::on_database(url.clone(), Settings::from_toml("").unwrap()).await;
    let vera = app.session(Role::Vip).await;
    let server = Server::start(&url, 0).await;
    let mut client = SseClient::connect(&server.url, Some(&vera), Connect::default())
        .await
        .unwrap();
    let e1 = append(&app.db, "ACTION_UPDATED").await;
    assert_eq!(client.next_data(SOON).await.unwrap().id(), e1);

    pg.stop().expect("stop");
    pg.start().expect("start again");
    // Right after the restart, before the listener is back: only the
    // safety-net poll can see this one.
    let mut written = vec![];
    for _ in 0..3 {
        written.push(loop {
            match sqlx::query_scalar::<_, i64>(
                "insert into events (event_type) values ('ACTION_COMPLETED') returning id",
            )
            .fetch_one(&app.db)
            .await
            {
                Ok(id) => break id,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        });
    }
    let mut got = vec![];
    while got.len() < written.len() {
        got.push(
            client
                .next_data(Duration::from_secs(10))
                .await
                .expect("delivered after the restart")
                .id(),
        );
    }
    assert_eq!(got, written, "every event, in order, once");
    assert!(client.next_data(QUIET).await.is_none());
    drop(server);
    pg.stop().unwrap();
}

#[tokio::test]
async fn an_open_stream_ends_when_its_sign_in_does() {
    let app = TestApp::empty().await;
    let removed = app.session(Role::Vip).await;
    let signed_out = app.session(Role::Team).await;
    let staying = app.session(Role::Admin).await;
    let mut settings = Settings::from_toml("").unwrap();
    settings.live_recheck_seconds = 1;
    let server = Server::start_with(&app.url, 0, settings).await;
    let connect = |cookie: Cookie| {
        let url = server.url.clone();
        async move {
            SseClient::connect(&url, Some(&cookie), Connect::default())
                .await
                .unwrap()
        }
    };
    let mut removed_stream = connect(removed).await;
    let mut signed_out_stream = connect(signed_out.clone()).await;
    let mut staying_stream = connect(staying.clone()).await;
    let e1 = append(&app.db, "ACTION_UPDATED").await;
    for stream in [
        &mut removed_stream,
        &mut signed_out_stream,
        &mut staying_stream,
    ] {
        assert_eq!(stream.next_data(SOON).await.unwrap().id(), e1);
    }

    assert!(users::remove(&app.db, VERA).await.unwrap());
    assert_eq!(
        app.sign_out(&signed_out).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(removed_stream.ends_within(SOON).await, "removed: ends");
    assert!(
        signed_out_stream.ends_within(SOON).await,
        "signed out: ends"
    );

    // A valid sign-in outlives several re-checks.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let e2 = append(&app.db, "ACTION_UPDATED").await;
    assert_eq!(staying_stream.next_data(SOON).await.unwrap().id(), e2);

    // ...until the absolute session limit.
    server.state.clock.advance(chrono::Duration::hours(12));
    assert!(
        staying_stream.ends_within(SOON).await,
        "absolute limit: ends"
    );
    // And the browser's reconnect is refused.
    let again = SseClient::connect(&server.url, Some(&staying), Connect::default()).await;
    assert_eq!(again.err(), Some(reqwest::StatusCode::UNAUTHORIZED));
}

/// The browser cannot see comments; an idle stream sends `ping` events so
/// that a page can tell a live stream from one that died silently (iOS
/// after the background), and reconnect only then.
#[tokio::test]
async fn an_idle_stream_says_it_is_alive_with_a_ping_the_browser_can_see() {
    let app = TestApp::empty().await;
    let server = Server::start(&app.url, 0).await;
    let vera = app.session(Role::Vip).await;
    let mut client = SseClient::connect(&server.url, Some(&vera), Connect::default())
        .await
        .unwrap();
    client.next(SOON).await.expect("greeting");
    assert!(client.pings.is_empty());
    // Nothing happens for longer than the ping interval (15 s).
    assert!(client.next(Duration::from_secs(17)).await.is_none());
    let ping = client.pings.first().expect("a ping within 17 s");
    // It carries data (an event without data is never dispatched) and no
    // id, so the browser's Last-Event-ID is untouched.
    assert_eq!(ping.data, "{}");
    assert_eq!(ping.id, None);
    let id = append(&app.db, "ACTION_UPDATED").await;
    assert_eq!(client.next_data(SOON).await.expect("the event").id(), id);
}
