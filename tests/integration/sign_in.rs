//! Sign-in with Google against a local fake provider, sessions and their
//! cookies, timeouts on a controllable clock, sign-out, and the demo
//! sign-in's limits.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use oauth2::reqwest;
use rpm_cockpit::model::Role;
use rpm_cockpit::server::auth::users;
use rpm_cockpit::server::settings::Settings;

use crate::fake_google::{url_encode, FakeGoogle, CLIENT_ID, CLIENT_SECRET};
use crate::helpers::{count, session_cookie, Cookie, TestApp, JESSE, VERA};

const PUBLIC: &str = "http://cockpit.test";

async fn google_app() -> (TestApp, FakeGoogle) {
    let fake = FakeGoogle::start().await;
    let settings = Settings {
        google_client_id: Some(CLIENT_ID.into()),
        google_client_secret: Some(CLIENT_SECRET.into()),
        oauth_auth_url: format!("{}/authorize", fake.base),
        oauth_token_url: format!("{}/token", fake.base),
        oauth_userinfo_url: format!("{}/userinfo", fake.base),
        public_url: PUBLIC.into(),
        ..Settings::from_toml("").unwrap()
    };
    (TestApp::with_settings(settings).await, fake)
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_string()
}

/// GET /auth/google: the pre-sign-in cookie and the provider URL.
async fn begin(app: &TestApp) -> (Cookie, url::Url) {
    let response = app
        .response(
            Request::get("/auth/google?next=/")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response).expect("a cookie holding state and verifier");
    (cookie, location(&response).parse().unwrap())
}

/// The person at the provider's consent screen; the callback's path.
async fn consent(authorize: &url::Url, email: &str, change: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    pairs.push(("email".into(), email.into()));
    for (key, value) in change {
        pairs.retain(|(k, _)| k != key);
        pairs.push((key.to_string(), value.to_string()));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    let mut url = authorize.clone();
    url.set_query(Some(&query.join("&")));
    let client = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client.get(url).send().await.unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = answer.headers()[header::LOCATION.as_str()]
        .to_str()
        .unwrap();
    let back = back.strip_prefix(PUBLIC).expect("back to our callback");
    assert!(back.starts_with("/auth/callback?"), "{back}");
    back.to_string()
}

async fn callback(app: &TestApp, cookie: &Cookie, path: &str) -> Response {
    app.response(
        Request::get(path)
            .header(header::COOKIE, &cookie.0)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// Whether `cookie` opens the cockpit's home page.
async fn signed_in(app: &TestApp, cookie: &Cookie) -> bool {
    let (status, _) = app.get_as(cookie, "/").await;
    status == StatusCode::OK
}

#[tokio::test]
async fn an_invited_person_signs_in_with_google_and_gets_a_new_session_id() {
    let (app, _fake) = google_app().await;
    app.invite(VERA, Role::Vip).await;
    let (before, authorize) = begin(&app).await;
    for (key, value) in [
        ("response_type", "code"),
        ("code_challenge_method", "S256"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", "http://cockpit.test/auth/callback"),
    ] {
        let got = authorize
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v);
        assert_eq!(got.as_deref(), Some(value), "{key}");
    }
    let scope = authorize
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .unwrap()
        .1;
    assert!(scope.contains("email"), "{scope}");
    assert!(!signed_in(&app, &before).await);

    let back = consent(&authorize, VERA, &[]).await;
    let response = callback(&app, &before, &back).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let after = session_cookie(&response).expect("a session");
    assert_ne!(after.0, before.0, "the session id is cycled at sign-in");
    assert!(signed_in(&app, &after).await);
    assert!(!signed_in(&app, &before).await, "the old id is dead");

    let last: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select last_signed_in_at from users where email = $1")
            .bind(VERA)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(last.is_some());
    // The code is good once: replaying the callback signs nobody in.
    let replay = callback(&app, &before, &back).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_state_mismatch_is_refused_and_signs_nobody_in() {
    let (app, _fake) = google_app().await;
    app.invite(VERA, Role::Vip).await;
    let (cookie, authorize) = begin(&app).await;
    let back = consent(&authorize, VERA, &[("state", "forged-state")]).await;
    let response = callback(&app, &cookie, &back).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(session_cookie(&response).is_none_or(|c| c.0 == cookie.0));
    let body = crate::helpers::body_text(response).await;
    assert!(body.contains("state mismatch"), "{body}");
    assert!(!signed_in(&app, &cookie).await);
}

#[tokio::test]
async fn a_pkce_mismatch_is_refused_by_the_provider_and_signs_nobody_in() {
    let (app, _fake) = google_app().await;
    app.invite(VERA, Role::Vip).await;
    let (cookie, authorize) = begin(&app).await;
    // The code is bound to a challenge our verifier does not answer (an
    // attacker's code injected into our callback).
    let forged = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let back = consent(&authorize, VERA, &[("code_challenge", forged)]).await;
    let response = callback(&app, &cookie, &back).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = crate::helpers::body_text(response).await;
    assert!(body.contains("did not accept the sign-in code"), "{body}");
    assert!(!signed_in(&app, &cookie).await);
}

#[tokio::test]
async fn denied_consent_signs_nobody_in() {
    let (app, _fake) = google_app().await;
    app.invite(VERA, Role::Vip).await;
    let (cookie, authorize) = begin(&app).await;
    let back = consent(&authorize, VERA, &[("deny", "1")]).await;
    assert!(back.contains("error=access_denied"), "{back}");
    let response = callback(&app, &cookie, &back).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = crate::helpers::body_text(response).await;
    assert!(body.contains("did not allow"), "{body}");
    assert!(!signed_in(&app, &cookie).await);
}

#[tokio::test]
async fn a_person_not_invited_sees_not_invited_and_gets_no_session() {
    let (app, _fake) = google_app().await;
    let (cookie, authorize) = begin(&app).await;
    let back = consent(&authorize, "stranger@example.org", &[]).await;
    let response = callback(&app, &cookie, &back).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let removal = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap().contains("Max-Age=0"));
    assert!(removal, "the pre-sign-in cookie is removed");
    let body = crate::helpers::body_text(response).await;
    assert!(body.contains("Not invited"), "{body}");
    assert!(body.contains("stranger@example.org"));
    assert!(!signed_in(&app, &cookie).await);
    assert_eq!(
        count(&app.db, "tower_sessions.session").await,
        0,
        "no session stored"
    );
}

fn attributes(response: &Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.contains("rpm_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_over_https_secure_with_the_host_prefix() {
    let app = TestApp::empty().await;
    app.invite(JESSE, Role::Admin).await;
    let response = app
        .response(
            Request::post("/auth/demo")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "http://127.0.0.1:3000")
                .body(Body::from("email=jesse%40example.com"))
                .unwrap(),
        )
        .await;
    let cookie = attributes(&response);
    assert!(cookie.starts_with("rpm_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");

    // Behind HTTPS (Google sign-in, as deployed).
    let (https, _fake) = {
        let fake = FakeGoogle::start().await;
        let settings = Settings {
            google_client_id: Some(CLIENT_ID.into()),
            oauth_auth_url: format!("{}/authorize", fake.base),
            public_url: "https://cockpit.example.com".into(),
            ..Settings::from_toml("").unwrap()
        };
        (TestApp::with_settings(settings).await, fake)
    };
    let response = https
        .response(Request::get("/auth/google").body(Body::empty()).unwrap())
        .await;
    let cookie = attributes(&response);
    assert!(cookie.starts_with("__Host-rpm_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert!(
        !cookie.contains("Domain"),
        "__Host- forbids Domain: {cookie}"
    );
    let hsts = response.headers().get(header::STRICT_TRANSPORT_SECURITY);
    assert!(hsts.is_some_and(|v| v.to_str().unwrap().contains("max-age=")));
    let plain = app
        .response(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    assert!(plain
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
}

#[tokio::test]
async fn a_session_ends_after_an_idle_hour_measured_from_the_last_request() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    let clock = &app.state.clock;
    clock.advance(chrono::Duration::minutes(50));
    assert!(signed_in(&app, &me).await, "50 idle minutes");
    clock.advance(chrono::Duration::minutes(50));
    assert!(
        signed_in(&app, &me).await,
        "50 minutes after the last request"
    );
    clock.advance(chrono::Duration::minutes(61));
    let (status, _) = app.get_as(&me, "/").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "61 idle minutes: back to sign-in"
    );
    clock.advance(chrono::Duration::minutes(-61));
    assert!(
        !signed_in(&app, &me).await,
        "the ended session is gone for good"
    );
}

/// A panel's server function as the browser calls it; `live` marks a
/// reload that a live event caused (`api::client::PanelClient`).
async fn panel_reload(app: &TestApp, cookie: &Cookie, live: bool) -> StatusCode {
    let mut request = Request::post("/api/who_am_i")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://127.0.0.1:3000");
    if live {
        request = request.header(rpm_cockpit::server_fns::client::LIVE_RELOAD_HEADER, "1");
    }
    app.send_as(cookie, request.body(Body::empty()).unwrap())
        .await
        .0
}

#[tokio::test]
async fn reloads_caused_by_live_events_do_not_keep_an_idle_session_alive() {
    let app = TestApp::empty().await;
    let wall = app.session(Role::Vip).await;
    let clock = &app.state.clock;
    // A page left open: its panels reload every 10 minutes for live events.
    for minute in [10, 20, 30, 40, 50] {
        clock.advance(chrono::Duration::minutes(10));
        assert_eq!(
            panel_reload(&app, &wall, true).await,
            StatusCode::OK,
            "{minute}"
        );
    }
    clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        panel_reload(&app, &wall, true).await,
        StatusCode::UNAUTHORIZED,
        "61 minutes without the viewer doing anything"
    );
    // The same reloads without the mark (the viewer navigating) are activity.
    let reader = app.sign_in(VERA).await;
    for _ in 0..7 {
        clock.advance(chrono::Duration::minutes(10));
        assert_eq!(panel_reload(&app, &reader, false).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_busy() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    let clock = &app.state.clock;
    for _ in 0..14 {
        clock.advance(chrono::Duration::minutes(50));
        assert!(signed_in(&app, &me).await);
    }
    // 700 minutes in; the default lifetime is 12 hours (720 minutes).
    clock.advance(chrono::Duration::minutes(20));
    assert!(!signed_in(&app, &me).await);
}

#[tokio::test]
async fn sign_out_destroys_the_session() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Admin).await;
    assert_eq!(count(&app.db, "tower_sessions.session").await, 1);
    let response = app.sign_out(&me).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    assert!(attributes(&response).contains("Max-Age=0"));
    assert_eq!(count(&app.db, "tower_sessions.session").await, 0);
    assert!(!signed_in(&app, &me).await);
}

#[tokio::test]
async fn someone_removed_from_the_allowlist_loses_access_at_the_next_request() {
    let app = TestApp::empty().await;
    let me = app.session(Role::Vip).await;
    assert!(signed_in(&app, &me).await);
    assert!(users::remove(&app.db, VERA).await.unwrap());
    assert!(!signed_in(&app, &me).await);
}

async fn demo_refused(settings: Settings, why: &str) {
    let app = TestApp::with_settings(settings).await;
    app.invite(JESSE, Role::Admin).await;
    let response = app
        .response(
            Request::post("/auth/demo")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, app.state.settings.public_origin())
                .body(Body::from("email=jesse%40example.com"))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
    assert!(session_cookie(&response).is_none(), "{why}: no session");
    let body = crate::helpers::body_text(response).await;
    assert!(body.contains(why), "{body}");
    let (_, login) = app.get("/login").await;
    assert!(
        !login.contains("data-demo"),
        "{why}: the login page offers no demo"
    );
}

#[tokio::test]
async fn the_demo_sign_in_is_refused_with_google_configured_or_beyond_loopback() {
    let base = || Settings::from_toml("").unwrap();
    demo_refused(
        Settings {
            google_client_id: Some(CLIENT_ID.into()),
            ..base()
        },
        "Google sign-in is configured",
    )
    .await;
    demo_refused(
        Settings {
            site_addr: "0.0.0.0:3000".into(),
            ..base()
        },
        "listens beyond this machine",
    )
    .await;
    demo_refused(
        Settings {
            database_url: Some("postgres://elsewhere/db".into()),
            ..base()
        },
        "not on its embedded database",
    )
    .await;
}

#[tokio::test]
async fn a_local_cockpit_offers_the_marked_demo_sign_in() {
    let app = TestApp::empty().await;
    app.invite(JESSE, Role::Admin).await;
    let (status, login) = app.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        login.contains("Demo sign-in") && login.contains("local only"),
        "{login}"
    );
    assert!(login.contains(r#"value="jesse@example.com""#), "{login}");
    assert!(!login.contains("Sign in with Google"));
}
