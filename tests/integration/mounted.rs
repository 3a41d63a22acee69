//! The cockpit mounted under a path (`public_url = https://heritage.com/cockpit`):
//! every route, file, server function, `/events`, the token API, every
//! redirect and the session cookie live under it, and nothing answers
//! outside it but health, readiness and the way in.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::helpers::{body_text, demo_dir, session_cookie, Cookie, TestApp, JESSE, VERA};
use rpm_cockpit::model::Role;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::sync::demo::load_demo_if_empty;

const HOST: &str = "127.0.0.1:3101";
const ORIGIN: &str = "http://127.0.0.1:3101";

async fn mounted() -> TestApp {
    let mut settings = Settings::from_toml("").unwrap();
    settings.public_url = format!("{ORIGIN}/cockpit/");
    let app = TestApp::with_settings(settings).await;
    load_demo_if_empty(&app.db, &demo_dir(), None, chrono::Utc::now())
        .await
        .expect("demo data");
    app
}

fn get(path: &str) -> axum::http::request::Builder {
    Request::get(path)
        .header(header::HOST, HOST)
        .header(header::ACCEPT, "text/html")
}

fn post(path: &str) -> axum::http::request::Builder {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
}

async fn sign_in(app: &TestApp, email: &str, role: Role) -> Cookie {
    app.invite(email, role).await;
    let response = app
        .response(
            post("/cockpit/auth/demo")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("email={}", email.replace('@', "%40"))))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/cockpit");
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("Path=/cockpit"), "{set_cookie}");
    session_cookie(&response).unwrap()
}

#[tokio::test]
async fn the_page_its_links_files_and_forms_are_under_the_mount_path() {
    let app = mounted().await;
    let jesse = sign_in(&app, JESSE, Role::Admin).await;
    let (status, page) = app
        .send_as(&jesse, get("/cockpit").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Week of"), "the week rendered: {page}");
    for written in [
        r#"<meta name="rpm-base" content="/cockpit">"#,
        r#"href="/cockpit/pkg/rpm-cockpit.css""#,
        r#"href="/cockpit/manifest.webmanifest""#,
        r#"href="/cockpit/icons/icon-180.png""#,
        r#"href="/cockpit/songs""#,
        r#"href="/cockpit/deliverables""#,
        r#"href="/cockpit/sync""#,
        r#"action="/cockpit/auth/logout""#,
        r#"href="/cockpit/agents/"#,
        r#"action="/cockpit""#,
        "/cockpit/pkg/rpm-cockpit.js",
    ] {
        assert!(page.contains(written), "{written} in the page");
    }
    for unmounted in [
        r#"href="/songs""#,
        r#"href="/pkg/"#,
        r#"action="/auth/"#,
        r#"href="/agents/"#,
    ] {
        assert!(!page.contains(unmounted), "{unmounted} in the page");
    }
    // Another page of the app, rendered by the same router.
    let (status, songs) = app
        .send_as(&jesse, get("/cockpit/songs").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(songs.contains(r#"action="/cockpit/songs""#), "{songs}");
    // The manifest's addresses are relative to where it is served: under
    // the mount path, its scope and start are the mount path. (Its serving
    // is checked by the browser tests: the site is built after these run.)
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/public/manifest.webmanifest"
        ))
        .unwrap(),
    )
    .unwrap();
    for field in ["scope", "start_url"] {
        assert_eq!(manifest[field], "./", "{field}");
    }
    for icon in manifest["icons"].as_array().unwrap() {
        assert!(!icon["src"].as_str().unwrap().starts_with('/'), "{icon}");
    }
}

#[tokio::test]
async fn sign_in_redirects_and_the_cookie_stay_under_the_mount_path() {
    let app = mounted().await;
    // Anonymous: sent to the mounted sign-in page, whose links are mounted.
    let response = app
        .response(get("/cockpit/songs").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/cockpit/login");
    let (status, login) = app
        .send(get("/cockpit/login").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(login.contains(r#"href="/cockpit/pkg/rpm-cockpit.css""#));
    app.invite(VERA, Role::Vip).await;
    assert!(login.contains(r#"action="/cockpit/auth/demo""#), "{login}");
    let vera = sign_in(&app, VERA, Role::Vip).await;
    // Signed in, /login leads home; sign-out leads to the mounted sign-in.
    let response = app
        .response(
            get("/cockpit/login")
                .header(header::COOKIE, &vera.0)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.headers()[header::LOCATION], "/cockpit");
    let response = app
        .response(
            post("/cockpit/auth/logout")
                .header(header::COOKIE, &vera.0)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.headers()[header::LOCATION], "/cockpit/login");
}

#[tokio::test]
async fn server_functions_events_and_the_token_api_answer_under_the_mount_path() {
    let app = mounted().await;
    let vera = sign_in(&app, VERA, Role::Vip).await;
    let (status, me) = app
        .send_as(
            &vera,
            post("/cockpit/api/who_am_i")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert!(me.contains("vip"), "{me}");
    // The live stream: its headers (the body lasts).
    let response = app
        .response(
            Request::get("/cockpit/events")
                .header(header::HOST, HOST)
                .header(header::COOKIE, &vera.0)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    // The token API and its document, which names the mounted server.
    let (status, doc) = app
        .send(
            Request::get("/cockpit/api/v1/openapi.json")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["servers"][0]["url"], "/cockpit/api/v1");
    let (status, _) = app
        .send(
            Request::get("/cockpit/api/v1/rpm/current-week")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a token is still needed");
}

#[tokio::test]
async fn outside_the_mount_path_only_health_readiness_and_the_way_in_answer() {
    let app = mounted().await;
    let vera = sign_in(&app, VERA, Role::Vip).await;
    for path in ["/", "/cockpit/"] {
        let response = app.response(get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()[header::LOCATION], "/cockpit", "{path}");
    }
    // The way in keeps the address's query: a week, filters, a form.
    let response = app
        .response(
            get("/cockpit/?week=2026-11-23&owner=QA")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        response.headers()[header::LOCATION],
        "/cockpit?week=2026-11-23&owner=QA"
    );
    for path in ["/healthz", "/readyz", "/cockpit/healthz"] {
        let (status, _) = app.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    for path in [
        "/songs",
        "/login",
        "/pkg/rpm-cockpit.css",
        "/api/v1/openapi.json",
        "/events",
        "/cockpitx",
    ] {
        let response = app
            .response(
                get(path)
                    .header(header::COOKIE, &vera.0)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let status = response.status();
        let text = body_text(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {text}");
    }
    let response = app
        .response(
            post("/api/who_am_i")
                .header(header::COOKIE, &vera.0)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
