//! The request path as a deployment meets it: the Host check, body limits,
//! control characters, timeouts, panics, request ids, client addresses
//! behind proxies and the rate limits on them, a database outage.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use rpm_cockpit::model::Role;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::{startup, tokens};
use tower::ServiceExt;

use crate::helpers::{body_text, TestApp, JESSE};

const ORIGIN: &str = "http://127.0.0.1:3000";

fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

fn demo_sign_in(host: &str) -> Request<Body> {
    Request::post("/auth/demo")
        .header(header::HOST, host)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, format!("http://{host}"))
        .body(Body::from("email=jesse%40example.com"))
        .unwrap()
}

#[tokio::test]
async fn a_request_for_another_host_is_refused_with_421() {
    let app = TestApp::empty().await;
    app.invite(JESSE, Role::Admin).await;
    // A DNS-rebinding page: its own name, our address.
    let response = app.response(demo_sign_in("rebind.evil.example:3000")).await;
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(
        response.headers().get(header::SET_COOKIE).is_none(),
        "no session for it"
    );
    assert!(body_text(response).await.contains("rebind.evil.example"));
    // Our own names pass.
    for host in ["127.0.0.1:3000", "localhost:3000"] {
        let response = app.response(demo_sign_in(host)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{host}");
    }
    // Health answers the platform's probes whatever they name.
    let probe = Request::get("/healthz")
        .header(header::HOST, "10.8.0.4:8080")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.response(probe).await.status(), StatusCode::OK);

    // A deployment answers for its public host only.
    let deployed = TestApp::with_settings(Settings {
        public_url: "https://heritage.com/cockpit".into(),
        ..Settings::from_toml("").unwrap()
    })
    .await;
    let get = |host: &str| {
        Request::get("/cockpit/login")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        deployed.response(get("heritage.com")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        deployed.response(get("127.0.0.1:3000")).await.status(),
        StatusCode::MISDIRECTED_REQUEST
    );
}

#[tokio::test]
async fn a_large_body_gets_413_and_control_characters_get_400_or_422() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let jesse = app.session(Role::Admin).await;
    let token = tokens::create(&app.db, "agent", &["heartbeat".into(), "actions".into()])
        .await
        .unwrap();
    let big = "x".repeat(3 * 1024 * 1024);
    // The API, and a server function, each refuse 3 MB with a reason.
    let heartbeat = Request::post("/api/v1/agents/QA/heartbeat")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"status":"ok","notes":"{big}"}}"#)))
        .unwrap();
    let (status, body) = app.send(heartbeat).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("larger than 1024 KiB"), "{body}");
    let server_fn = Request::post("/api/change_action")
        .header(header::COOKIE, &jesse.0)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("id=x&change=block&reason={big}")))
        .unwrap();
    assert_eq!(app.send(server_fn).await.0, StatusCode::PAYLOAD_TOO_LARGE);

    // NUL in a block reason: 422 naming the field, and nothing changed.
    let action: uuid::Uuid =
        sqlx::query_scalar("select id from rpm_action_items where status <> 'blocked' limit 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let block = Request::post("/api/change_action")
        .header(header::COOKIE, &jesse.0)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "id={action}&change=block&reason=waiting%00on+QA"
        )))
        .unwrap();
    let (status, body) = app.send(block).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("\"reason\\\"") || body.contains("reason"),
        "{body}"
    );
    assert!(body.contains("U+0000"), "{body}");
    let status: String = sqlx::query_scalar("select status from rpm_action_items where id = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(status, "blocked");
    // The same through the API's JSON.
    let block = Request::post(format!("/api/v1/rpm/action-items/{action}/block"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"reason":"bell\u0007"}"#))
        .unwrap();
    let (status, body) = app.send(block).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // NUL in a path segment: 400.
    let history = Request::get("/api/v1/agents/Q%00A/history")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, body) = app.send(history).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("control character"), "{body}");
}

#[tokio::test]
async fn slow_requests_time_out_panics_are_json_and_every_answer_has_a_request_id() {
    let settings = Settings {
        request_timeout_seconds: 1,
        ..Settings::from_toml("").unwrap()
    };
    let app = TestApp::with_settings(settings).await;
    // The extra routes are private, like every route but sign-in and files.
    let vera = app.session(Role::Vip).await;
    let extra = Router::new()
        .route(
            "/test-slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/test-panic",
            get(|| async {
                if true {
                    panic!("a bug");
                }
                "never"
            }),
        );
    let router = startup::router_with(app.state.clone(), extra);
    let call = |path: &str| {
        Request::get(path)
            .header(header::COOKIE, &vera.0)
            .body(Body::empty())
            .unwrap()
    };

    let response = router.clone().oneshot(call("/test-slow")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));

    let response = router.clone().oneshot(call("/test-panic")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let body = body_text(response).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(!json["error"].as_str().unwrap().contains("a bug"), "{body}");

    // A caller's own request id is kept.
    let response = router
        .oneshot(
            Request::get("/healthz")
                .header("x-request-id", "probe-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "probe-42");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_sign_in_budget() {
    let settings = Settings {
        sign_in_per_minute: 2,
        trusted_proxies: vec!["10.0.0.0/8".into()],
        ..Settings::from_toml("").unwrap()
    };
    let app = TestApp::with_settings(settings).await;
    let attempt = |client: &str| {
        let request = Request::get("/login")
            .header("x-forwarded-for", format!("1.2.3.4, {client}"))
            .body(Body::empty())
            .unwrap();
        from_peer(request, "10.1.1.1:40000")
    };
    assert_eq!(app.send(attempt("198.51.100.1")).await.0, StatusCode::OK);
    assert_eq!(app.send(attempt("198.51.100.1")).await.0, StatusCode::OK);
    assert_eq!(
        app.send(attempt("198.51.100.1")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another person behind the same proxy is not locked out.
    assert_eq!(app.send(attempt("198.51.100.2")).await.0, StatusCode::OK);
    // IPv6: the whole /64 is one client; the next /64 another.
    assert_eq!(app.send(attempt("2001:db8:0:1::a")).await.0, StatusCode::OK);
    assert_eq!(app.send(attempt("2001:db8:0:1::b")).await.0, StatusCode::OK);
    assert_eq!(
        app.send(attempt("2001:db8:0:1::c")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(app.send(attempt("2001:db8:0:2::a")).await.0, StatusCode::OK);
    // A peer that is not a trusted proxy cannot pick its address.
    let forged = |n: u8| {
        let request = Request::get("/login")
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .body(Body::empty())
            .unwrap();
        from_peer(request, "192.0.2.50:1234")
    };
    assert_eq!(app.send(forged(1)).await.0, StatusCode::OK);
    assert_eq!(app.send(forged(2)).await.0, StatusCode::OK);
    assert_eq!(app.send(forged(3)).await.0, StatusCode::TOO_MANY_REQUESTS);

    // Signing out is never limited, even for a client over its budget.
    let logout = Request::post("/auth/logout")
        .header("x-forwarded-for", "198.51.100.1")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    let status = app.send(from_peer(logout, "10.1.1.1:40000")).await.0;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(status.is_redirection() || status.is_success(), "{status}");
}

#[tokio::test]
async fn failed_bearer_tokens_do_not_spend_a_good_tokens_budget() {
    let settings = Settings {
        api_per_minute: 3,
        ..Settings::from_toml("").unwrap()
    };
    let app = TestApp::with_settings(settings).await;
    let good = tokens::create(&app.db, "agent", &["heartbeat".into()])
        .await
        .unwrap();
    let beat = |token: &str| {
        let request = Request::post("/api/v1/agents/QA/heartbeat")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"status":"active"}"#))
            .unwrap();
        from_peer(request, "192.0.2.7:5555")
    };
    assert_eq!(app.send(beat(&good)).await.0, StatusCode::OK);
    // Someone on the same address floods bad tokens until refused...
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(app.send(beat(&format!("rpm_bad{n}"))).await.0);
    }
    assert_eq!(statuses[..2], [StatusCode::UNAUTHORIZED; 2], "{statuses:?}");
    assert!(statuses[2..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // ...and the good token still has its own budget (its first request,
    // before it was known good, was counted with its address's).
    for _ in 0..3 {
        assert_eq!(app.send(beat(&good)).await.0, StatusCode::OK);
    }
    let (status, _) = app.send(beat(&good)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "its own limit of 3");
}

#[tokio::test]
async fn a_database_outage_answers_503_and_keeps_the_session() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let vera = app.session(Role::Vip).await;
    // The same cockpit whose database is unreachable.
    let dead = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy("postgres://cockpit@127.0.0.1:1/rpm")
        .unwrap();
    let options = startup::leptos_options(&app.state.settings).unwrap();
    let outage = startup::router(startup::build_state(
        (*app.state.settings).clone(),
        dead,
        options,
    ));
    let page = Request::get("/")
        .header(header::COOKIE, &vera.0)
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let response = outage.clone().oneshot(page).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert!(response.headers().get(header::LOCATION).is_none());
    assert!(
        response.headers().get(header::SET_COOKIE).is_none(),
        "the session cookie is left alone"
    );
    let text = body_text(response).await;
    assert!(
        text.contains("Try again") && !text.contains("Back to sign-in"),
        "{text}"
    );
    let server_fn = Request::post("/api/current_week")
        .header(header::COOKIE, &vera.0)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    let response = outage.oneshot(server_fn).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // The database is back: the same session still works.
    let (status, _) = app.get_as(&vera, "/").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_sign_out_is_not_undone_by_a_request_still_in_flight() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let vera = app.session(Role::Vip).await;
    // A request that records activity and takes a while: its session is
    // written back when it ends.
    let extra = Router::new().route(
        "/test-slow-page",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            "done"
        }),
    );
    let router = startup::router_with(app.state.clone(), extra);
    // Two minutes on: the slow request's activity is due to be written.
    app.state.clock.advance(chrono::Duration::minutes(2));
    let slow = {
        let router = router.clone();
        let cookie = vera.0.clone();
        tokio::spawn(async move {
            router
                .oneshot(
                    Request::get("/test-slow-page")
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = app.sign_out(&vera).await;
    assert!(out.status().is_redirection(), "{}", out.status());
    assert_eq!(slow.await.unwrap(), StatusCode::OK);
    // Still signed out.
    let page = Request::get("/")
        .header(header::COOKIE, &vera.0)
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(page).await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[header::LOCATION], "/login");
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_not_a_sign_in_page() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let vera = app.session(Role::Vip).await;
    // The same cockpit with a pool of one connection, held by someone else.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(500))
        .connect(&app.url)
        .await
        .unwrap();
    let held = pool.acquire().await.unwrap();
    let options = startup::leptos_options(&app.state.settings).unwrap();
    let busy = startup::router(startup::build_state(
        (*app.state.settings).clone(),
        pool.clone(),
        options,
    ));
    let page = || {
        Request::get("/")
            .header(header::COOKIE, &vera.0)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap()
    };
    let response = busy.clone().oneshot(page()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let api = Request::get("/api/v1/rpm/current-week")
        .header(header::AUTHORIZATION, "Bearer rpm_whatever")
        .body(Body::empty())
        .unwrap();
    let response = busy.clone().oneshot(api).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // A connection free again: the page is served.
    drop(held);
    let response = busy.oneshot(page()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_server_functions_error_answer_carries_the_errors_own_status() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let jesse = app.session(Role::Admin).await;
    let call = |body: String| {
        Request::post("/api/change_action")
            .header(header::COOKIE, &jesse.0)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    // Arguments that cannot be read: 400, not 500.
    let (status, body) = app.send(call("id=not-a-uuid&change=block".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("BadRequest"), "{body}");
    // No such action: 404.
    let (status, body) = app
        .send(call(format!(
            "id={}&change=complete&actual_hours=1",
            uuid::Uuid::new_v4()
        )))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // A change the model refuses: 400 with the reason.
    let action: uuid::Uuid =
        sqlx::query_scalar("select id from rpm_action_items where status = 'pending' limit 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (status, body) = app.send(call(format!("id={action}&change=block"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // An old version: 409.
    let (status, body) = app
        .send(call(format!(
            "id={action}&version=-1&change=complete&actual_hours=1"
        )))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}
