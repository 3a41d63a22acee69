//! Who may do what: every page, server function and API route, asked by
//! anonymous, team, vip, admin and an API token; CSRF refusals; security
//! headers; rate limits.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::{Role, WeekOverview};
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::tokens;

use crate::helpers::{body_text, today, Cookie, TestApp, JESSE};

const ORIGIN: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Team,
    Vip,
    Admin,
    Token,
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::Team, Who::Vip, Who::Admin, Who::Token];
const SIGNED_IN: &[Who] = &[Who::Team, Who::Vip, Who::Admin];
/// The whole dashboard: team members see only their own actions.
const FULL_VIEW: &[Who] = &[Who::Vip, Who::Admin];

struct Endpoint {
    method: &'static str,
    path: &'static str,
    kind: &'static str,
    /// Who may succeed (2xx); everyone else must be refused.
    allowed: &'static [Who],
    body: &'static str,
    content_type: &'static str,
    accept: &'static str,
}

/// A server function that reads.
const fn read(path: &'static str, allowed: &'static [Who]) -> Endpoint {
    Endpoint {
        method: "POST",
        path,
        kind: "read",
        allowed,
        body: "",
        content_type: "application/x-www-form-urlencoded",
        accept: "application/json",
    }
}

/// A page, for everyone signed in.
const fn page(path: &'static str) -> Endpoint {
    Endpoint {
        method: "GET",
        path,
        kind: "page",
        allowed: SIGNED_IN,
        body: "",
        content_type: "text/plain",
        accept: "text/html",
    }
}

/// Every route that reads or changes data. A new server function that is
/// not listed here fails `every_server_function_is_in_the_matrix`.
const ENDPOINTS: &[Endpoint] = &[
    page("/"),
    read("/api/current_week", SIGNED_IN),
    read("/api/who_am_i", SIGNED_IN),
    read("/api/overview_stats", FULL_VIEW),
    read("/api/action_feed", SIGNED_IN),
    read("/api/revenue_panel", FULL_VIEW),
    read("/api/agent_panel", FULL_VIEW),
    read("/api/deliverables_panel", FULL_VIEW),
    read("/api/funnel_panel", FULL_VIEW),
    read("/api/song_catalog", FULL_VIEW),
    page("/songs"),
    read("/api/deliverable_list", FULL_VIEW),
    page("/deliverables"),
    page("/agents/QA"),
    Endpoint {
        body: "name=QA",
        ..read("/api/agent_history", FULL_VIEW)
    },
    page("/events"),
    read("/api/sync_status", &[Who::Admin]),
    page("/sync"),
    // Notification settings: everyone their own; the outbox the admin's.
    page("/settings/notifications"),
    read("/api/notification_settings", SIGNED_IN),
    Endpoint {
        kind: "change",
        allowed: SIGNED_IN,
        body: "",
        ..read("/api/save_notification_rules", &[])
    },
    Endpoint {
        kind: "change",
        allowed: SIGNED_IN,
        body: "time_zone=UTC",
        ..read("/api/save_notification_schedule", &[])
    },
    Endpoint {
        kind: "change",
        allowed: SIGNED_IN,
        body: "url=&preset=generic",
        ..read("/api/save_notification_webhook", &[])
    },
    // Web Push is off in this app (no VAPID key): 409 to the signed in.
    Endpoint {
        kind: "change",
        body: "endpoint=https%3A%2F%2F8.8.8.8%2Fp&p256dh=x&auth=y",
        ..read("/api/push_subscribe", &[])
    },
    // Nobody has a browser subscribed: 404 to the signed in.
    Endpoint {
        kind: "change",
        body: "id=1",
        ..read("/api/push_unsubscribe", &[])
    },
    read("/api/recent_notifications", &[Who::Admin]),
    // No notification 0: 404 to the admin, 403 to the rest.
    Endpoint {
        kind: "change",
        body: "id=0",
        ..read("/api/resend_notification", &[])
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/sync/status",
        kind: "read",
        allowed: &[Who::Token],
        body: "",
        content_type: "text/plain",
        accept: "application/json",
    },
    Endpoint {
        kind: "change",
        allowed: &[Who::Admin],
        body: "id={action}&change=block&reason=matrix",
        ..read("/api/change_action", &[])
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/rpm/action-items/{action}/complete",
        kind: "change",
        allowed: &[Who::Token],
        body: r#"{"actual_hours": 1.5}"#,
        content_type: "application/json",
        accept: "application/json",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/agents/QA/heartbeat",
        kind: "change",
        allowed: &[Who::Token],
        body: r#"{"status": "active", "health_score": 97}"#,
        content_type: "application/json",
        accept: "application/json",
    },
];

struct Credentials {
    cookies: Vec<(Who, Cookie)>,
    token: String,
    /// A pending action of the demo week, for `{action}` in paths and bodies.
    action: String,
}

impl Credentials {
    fn request(&self, who: Who, e: &Endpoint) -> Request<Body> {
        let mut r = Request::builder()
            .method(e.method)
            .uri(e.path.replace("{action}", &self.action))
            .header(header::CONTENT_TYPE, e.content_type)
            .header(header::ACCEPT, e.accept)
            .header(header::ORIGIN, ORIGIN);
        if let Some((_, c)) = self.cookies.iter().find(|(w, _)| *w == who) {
            r = r.header(header::COOKIE, &c.0);
        }
        if who == Who::Token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        r.body(Body::from(e.body.replace("{action}", &self.action)))
            .unwrap()
    }
}

async fn credentials(app: &TestApp) -> Credentials {
    let scopes: Vec<String> = ["heartbeat", "sync", "revenue", "read", "actions"]
        .map(String::from)
        .to_vec();
    Credentials {
        cookies: vec![
            (Who::Team, app.session(Role::Team).await),
            (Who::Vip, app.session(Role::Vip).await),
            (Who::Admin, app.session(Role::Admin).await),
        ],
        token: tokens::create(&app.db, "matrix", &scopes).await.unwrap(),
        action: sqlx::query_scalar::<_, uuid::Uuid>(
            "select id from rpm_action_items where status = 'pending' order by action_code limit 1",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
        .to_string(),
    }
}

#[tokio::test]
async fn the_role_by_endpoint_matrix_has_no_unauthorized_success() {
    let app = TestApp::with_demo(today()).await;
    let creds = credentials(&app).await;
    let mut report = format!(
        "{:<6} {:<32} {:<7} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        "method", "path", "kind", "anonymous", "team", "vip", "admin", "token"
    );
    let (mut unauthorized, mut wrongly_refused) = (Vec::new(), Vec::new());
    for e in ENDPOINTS {
        let mut row = format!("{:<6} {:<32} {:<7}", e.method, e.path, e.kind);
        for who in EVERYONE {
            // Status only: the events stream never ends.
            let status = app.response(creds.request(who, e)).await.status();
            let ok = status.is_success();
            let expected = e.allowed.contains(&who);
            let mark = if ok == expected { "" } else { "!" };
            row.push_str(&format!(" {:>10}", format!("{}{mark}", status.as_u16())));
            if ok && !expected {
                unauthorized.push(format!("{who:?} {} {}", e.method, e.path));
            }
            if !ok && expected {
                wrongly_refused.push(format!("{who:?} {} {} -> {status}", e.method, e.path));
            }
        }
        report.push_str(&row);
        report.push('\n');
    }
    println!("{report}unauthorized successes: {}\n", unauthorized.len());
    assert!(
        unauthorized.is_empty(),
        "unauthorized successes: {unauthorized:?}"
    );
    assert!(wrongly_refused.is_empty(), "refused: {wrongly_refused:?}");
}

#[test]
fn every_server_function_is_in_the_matrix() {
    // Linking the app registers its server functions.
    let _ = rpm_cockpit::app::App;
    let listed: Vec<&str> = ENDPOINTS.iter().map(|e| e.path).collect();
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    registered.sort();
    assert!(!registered.is_empty());
    for path in registered {
        assert!(
            listed.contains(&path),
            "{path} is missing from the access matrix"
        );
    }
}

#[tokio::test]
async fn a_team_member_sees_only_their_own_actions() {
    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Team).await; // owner "QA"
    let request = Request::post("/api/current_week")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    let (status, body) = app.send_as(&me, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let week: WeekOverview = serde_json::from_str::<Option<WeekOverview>>(&body)
        .unwrap()
        .expect("a week");
    let owners: Vec<_> = week
        .results
        .iter()
        .flat_map(|r| &r.actions)
        .map(|a| a.owner.clone().unwrap_or_default())
        .collect();
    assert!(!owners.is_empty(), "the demo week has QA actions");
    assert!(owners.iter().all(|o| o == "QA"), "{owners:?}");
    let qa_in_db: i64 = sqlx::query_scalar(
        "select count(*) from rpm_action_items a join rpm_results r on r.id = a.result_id
         where r.weekly_plan_id = $1 and a.owner = 'QA'",
    )
    .bind(week.plan_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owners.len() as i64, qa_in_db);
}

#[tokio::test]
async fn cross_origin_mutations_are_refused() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Admin).await;
    let post = |path: &str, headers: &[(&str, &str)]| {
        let mut r =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::from("email=jesse%40example.com")).unwrap()
    };
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        vec![("sec-fetch-site", "same-site")],
        vec![],
    ] {
        for path in ["/auth/logout", "/api/current_week", "/auth/demo"] {
            let (status, body) = app.send_as(&me, post(path, &headers)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} {headers:?}: {body}");
            assert!(body.contains("refused"), "{body}");
        }
    }
    // The refused sign-out did not sign anybody out.
    let (status, _) = app.get_as(&me, "/").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .send_as(
            &me,
            post("/auth/logout", &[("sec-fetch-site", "same-origin")]),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a same-origin sign-out works"
    );
}

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

#[tokio::test]
async fn pages_carry_a_nonce_policy_and_the_security_headers() {
    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Vip).await;
    for (agent, eval) in [(CHROME, false), (IPHONE, true)] {
        let response = app
            .response(
                Request::get("/")
                    .header(header::COOKIE, &me.0)
                    .header(header::ACCEPT, "text/html")
                    .header(header::USER_AGENT, agent)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy")
            .to_string();
        assert!(nonce.len() >= 16, "{nonce}");
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(csp.contains("'unsafe-eval'"), eval, "{agent}: {csp}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
        let html = body_text(response).await;
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries the policy's nonce"
        );
    }
    let response = app
        .response(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.starts_with("default-src 'none'"),
        "no script on sign-in pages: {csp}"
    );
}

#[tokio::test]
async fn sign_in_and_the_api_are_rate_limited() {
    let settings = Settings {
        sign_in_per_minute: 3,
        api_per_minute: 2,
        ..Settings::from_toml("").unwrap()
    };
    let app = TestApp::with_settings(settings).await;
    app.invite(JESSE, Role::Admin).await;
    let demo = || {
        Request::post("/auth/demo")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN)
            .body(Body::from("email=nobody%40example.com"))
            .unwrap()
    };
    for _ in 0..3 {
        assert_eq!(app.send(demo()).await.0, StatusCode::FORBIDDEN);
    }
    let response = app.response(demo()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    let beat = || {
        Request::post("/api/v1/agents/QA/heartbeat")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, "Bearer rpm_nonsense")
            .body(Body::from("{}"))
            .unwrap()
    };
    assert_eq!(app.send(beat()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(beat()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(beat()).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Pages are not counted against either limit.
    assert_eq!(app.get("/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn responses_are_compressed_for_browsers_that_accept_it() {
    let app = TestApp::with_demo(today()).await;
    let me = app.session(Role::Vip).await;
    let response = app
        .response(
            Request::get("/")
                .header(header::COOKIE, &me.0)
                .header(header::ACCEPT, "text/html")
                .header(header::ACCEPT_ENCODING, "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    let plain = app.get_as(&me, "/").await.1;
    let squeezed = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut page = String::new();
    std::io::Read::read_to_string(
        &mut brotli::Decompressor::new(&squeezed[..], 4096),
        &mut page,
    )
    .unwrap();
    assert!(page.contains("<html"), "the page decodes");
    assert!(
        squeezed.len() * 3 < plain.len(),
        "{} bytes vs {}",
        squeezed.len(),
        plain.len()
    );
}
