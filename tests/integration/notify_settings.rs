//! Web Push against a stand-in push service (scripts/notify-peers/
//! push_peer.py) that checks VAPID with Python's `cryptography` and
//! decrypts with Mozilla's `http_ece`, as a push service and a browser do;
//! and the settings page's forms, as a browser without JavaScript posts
//! them, with what they change in who is told what.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::action_change::ActionChange;
use rpm_cockpit::model::Role;
use rpm_cockpit::server::actions;
use rpm_cockpit::server::notify::push::Vapid;
use rpm_cockpit::server::notify::Worker;
use rpm_cockpit::server::settings::Settings;
use serde_json::Value;

use crate::helpers::{today, Cookie, TestApp, JESSE, QUINN, VERA};
use crate::notify::{block, python, quinns_pending_action, Peer};

const ORIGIN: &str = "http://127.0.0.1:3000";
const PAGE: &str = "http://127.0.0.1:3000/settings/notifications";

fn push_settings(private_targets: bool) -> Settings {
    let mut s = Settings::from_toml("").unwrap();
    s.vapid_private_key = Some(Vapid::generate().unwrap().0);
    s.vapid_subject = "mailto:jesse@example.com".into();
    s.notify_private_targets = private_targets;
    s.notify_retry_seconds = 0;
    s
}

async fn app_with(settings: Settings) -> TestApp {
    let app = TestApp::with_demo_and(settings, today()).await;
    sqlx::query("delete from notifications")
        .execute(&app.db)
        .await
        .unwrap();
    app
}

/// The stand-in push service and the subscription its "browser" made.
fn push_service(args: &[&str]) -> (Peer, Value) {
    let peer = Peer::start(python(), "push_peer.py", args, |_| {});
    let json = peer
        .ready
        .splitn(3, ' ')
        .nth(2)
        .expect("ready PORT SUBSCRIPTION");
    let subscription: Value = serde_json::from_str(json).unwrap();
    (peer, subscription)
}

/// Posts a server function's form as a script does (JSON answer).
async fn post(app: &TestApp, who: &Cookie, function: &str, form: &str) -> (StatusCode, String) {
    let request = Request::post(format!("/api/{function}"))
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(form.to_string()))
        .unwrap();
    app.send_as(who, request).await
}

/// Posts a form as a browser without JavaScript does: HTML wanted, and the
/// page it came from; the answer should send it back there.
async fn post_form(
    app: &TestApp,
    who: &Cookie,
    function: &str,
    form: &str,
) -> (StatusCode, Option<String>, String) {
    let request = Request::post(format!("/api/{function}"))
        .header(header::COOKIE, &who.0)
        .header(header::ORIGIN, ORIGIN)
        .header(header::REFERER, PAGE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .body(Body::from(form.to_string()))
        .unwrap();
    let response = app.response(request).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn subscribe(app: &TestApp, who: &Cookie, s: &Value) -> (StatusCode, String) {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("endpoint", s["endpoint"].as_str().unwrap())
        .append_pair("p256dh", s["keys"]["p256dh"].as_str().unwrap())
        .append_pair("auth", s["keys"]["auth"].as_str().unwrap())
        .append_pair("device", "Safari on iPhone")
        .finish();
    post(app, who, "push_subscribe", &form).await
}

async fn push_row(app: &TestApp) -> (String, Option<String>, i32) {
    sqlx::query_as(
        "select state, last_error, attempts from notifications
         where channel = 'push' order by id desc limit 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn web_push_reaches_the_subscribed_browser_encrypted_and_signed_with_vapid() {
    let settings = push_settings(true);
    let app = app_with(settings.clone()).await;
    let (service, subscription) = push_service(&[]);
    let jesse = app.session(Role::Admin).await;
    let (status, body) = subscribe(&app, &jesse, &subscription).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (id, _) = quinns_pending_action(&app.db).await;
    block(&app.db, id, "the mastering engineer is ill", QUINN).await;
    let worker = Worker::new(app.db.clone(), None, &settings).unwrap();
    let pass = worker.deliver_all().await.unwrap();
    assert!(pass.sent >= 1, "{pass:?}");

    let got = service.received();
    assert_eq!(got.len(), 1, "one message to the one browser: {got:?}");
    let m = &got[0];
    assert_eq!(m["vapid_ok"], true, "{m}");
    assert_eq!(m["claims"]["sub"], "mailto:jesse@example.com");
    assert_eq!(m["content_encoding"], "aes128gcm");
    assert_eq!(m["urgency"], "high", "a block is urgent");
    assert_eq!(m["ttl"], "86400");
    assert_eq!(m["decrypt_error"], Value::Null, "{m}");
    let payload: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
    assert!(
        payload["title"].as_str().unwrap().starts_with("Blocked: "),
        "{payload}"
    );
    assert!(payload["body"]
        .as_str()
        .unwrap()
        .contains("the mastering engineer is ill"));
    assert_eq!(payload["url"], "http://127.0.0.1:3000/");
    assert_eq!(payload["tag"].as_str().map(str::len), Some(32));
    assert_eq!(push_row(&app).await.0, "sent");
    let device: (String, bool) =
        sqlx::query_as("select device, last_sent_at is not null from push_subscriptions")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(device, ("Safari on iPhone".to_string(), true));
    // Email was queued too (no relay here: it waits); push is added, not swapped.
    let channels: Vec<String> = sqlx::query_scalar(
        "select distinct n.channel from notifications n join users u on u.id = n.user_id
         where u.email = $1 order by 1",
    )
    .bind(JESSE)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(channels, ["email", "push"]);
}

#[tokio::test]
async fn a_failing_push_service_is_retried_and_an_unsubscribed_browser_is_forgotten() {
    let settings = push_settings(true);
    let app = app_with(settings.clone()).await;
    let jesse = app.session(Role::Admin).await;
    let (service, subscription) = push_service(&["--fail", "1"]);
    subscribe(&app, &jesse, &subscription).await;
    let (id, _) = quinns_pending_action(&app.db).await;
    block(&app.db, id, "x", QUINN).await;
    let worker = Worker::new(app.db.clone(), None, &settings).unwrap();
    worker.deliver_once().await.unwrap();
    let (state, error, _) = push_row(&app).await;
    assert_eq!(state, "failed");
    assert!(error.unwrap().contains("500"));
    worker.deliver_once().await.unwrap();
    assert_eq!(push_row(&app).await.0, "sent");
    assert_eq!(service.received().len(), 2);

    // The browser unsubscribed: the service answers 410.
    let (gone, subscription) = push_service(&["--gone"]);
    sqlx::query("delete from push_subscriptions")
        .execute(&app.db)
        .await
        .unwrap();
    subscribe(&app, &jesse, &subscription).await;
    actions::apply(&app.db, id, None, &ActionChange::Reopen, QUINN)
        .await
        .unwrap();
    block(&app.db, id, "y", QUINN).await;
    worker.deliver_once().await.unwrap();
    assert_eq!(gone.received().len(), 1);
    let left: i64 = sqlx::query_scalar("select count(*) from push_subscriptions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "a 410 removes the subscription");
    let (state, error, _) = push_row(&app).await;
    assert_eq!(state, "dead");
    assert!(error.unwrap().contains("unsubscribed"));
}

#[tokio::test]
async fn private_targets_and_bad_keys_are_refused_with_a_reason_and_nothing_is_stored() {
    let app = app_with(push_settings(false)).await;
    let jesse = app.session(Role::Admin).await;
    let (_service, subscription) = push_service(&[]);
    // The stand-in is on 127.0.0.1, over http: refused twice over.
    let (status, body) = subscribe(&app, &jesse, &subscription).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("must be https"), "{body}");
    let mut s = subscription.clone();
    for (endpoint, why) in [
        (
            "https://169.254.169.254/latest/meta-data",
            "private address",
        ),
        ("https://10.0.0.7/push", "private address"),
        ("https://[::1]/push", "private address"),
    ] {
        s["endpoint"] = endpoint.into();
        let (status, body) = subscribe(&app, &jesse, &s).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {body}");
        assert!(body.contains(why), "{endpoint}: {body}");
    }
    s["endpoint"] = "https://8.8.8.8/push/abc".into();
    s["keys"]["p256dh"] = "BAAA".into();
    let (status, body) = subscribe(&app, &jesse, &s).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("p256dh"), "{body}");
    let stored: i64 = sqlx::query_scalar("select count(*) from push_subscriptions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let (status, body) = post(
        &app,
        &jesse,
        "save_notification_webhook",
        "url=https%3A%2F%2F169.254.169.254%2Fhook&preset=slack",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("private address"), "{body}");
    let (status, body) = post(
        &app,
        &jesse,
        "save_notification_webhook",
        "url=https%3A%2F%2F8.8.8.8%2Fhook&preset=twilio&sms_to=555",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("+15551234567"), "{body}");
    let hooks: i64 = sqlx::query_scalar(
        "select count(*) from notification_settings where webhook_url is not null",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(hooks, 0);
}

async fn pref(app: &TestApp, email: &str, rule: &str, channel: &str) -> Option<bool> {
    sqlx::query_scalar(
        "select p.enabled from notification_prefs p join users u on u.id = p.user_id
         where u.email = $1 and p.rule = $2 and p.channel = $3",
    )
    .bind(email)
    .bind(rule)
    .bind(channel)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_settings_forms_work_without_javascript_and_change_who_is_told() {
    let app = app_with(push_settings(false)).await;
    let vera = app.session(Role::Vip).await;
    let (status, page) = app.get_as(&vera, "/settings/notifications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("A result is completed"), "VIPs opt in here");
    assert!(!page.contains("A plan sync"), "not a VIP's rule");
    assert!(!page.contains("Recent notifications"), "the admin's list");
    assert!(page.contains("id=\"push-toggle\""), "push is on here");

    // Unchecked boxes are not sent; the indexes have gaps.
    let (status, location, body) = post_form(
        &app,
        &vera,
        "save_notification_rules",
        "on%5B0%5D=result_completed%3Aemail&on%5B5%5D=deliverable_published%3Apush",
    )
    .await;
    assert!(status.is_redirection(), "{status}: {body}");
    assert_eq!(location.as_deref(), Some(PAGE));
    assert_eq!(
        pref(&app, VERA, "result_completed", "email").await,
        Some(true)
    );
    assert_eq!(
        pref(&app, VERA, "result_completed", "push").await,
        Some(false)
    );
    assert_eq!(
        pref(&app, VERA, "deliverable_published", "push").await,
        Some(true)
    );
    assert_eq!(
        pref(&app, VERA, "deliverable_published", "email").await,
        Some(false)
    );

    // Not a VIP's rule: refused whole, nothing changed.
    let (status, location, _) = post_form(
        &app,
        &vera,
        "save_notification_rules",
        "on%5B0%5D=sync_problem%3Aemail",
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    if let Some(location) = location {
        assert!(
            location.contains("__err"),
            "the refusal goes back: {location}"
        );
    }
    assert_eq!(
        pref(&app, VERA, "result_completed", "email").await,
        Some(true)
    );
    assert_eq!(pref(&app, VERA, "sync_problem", "email").await, None);

    // What she chose is what reaches her.
    sqlx::query("select notify_enqueue('result_completed', 'test:r1', 'R1 done', 'b', '/', null)")
        .execute(&app.db)
        .await
        .unwrap();
    let vera_gets: Vec<String> = sqlx::query_scalar(
        "select n.channel from notifications n join users u on u.id = n.user_id
         where u.email = $1 order by 1",
    )
    .bind(VERA)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(vera_gets, ["email"]);

    // Quiet hours in her zone; a zone that does not exist, or half a range, is a 400.
    let (status, body) = post(
        &app,
        &vera,
        "save_notification_schedule",
        "time_zone=Asia%2FTokyo&quiet_start=22%3A00&quiet_end=07%3A00",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (form, why) in [
        ("time_zone=Mars%2FOlympus_Mons", "not a time zone"),
        (
            "time_zone=UTC&quiet_start=22%3A00",
            "both a start and an end",
        ),
        (
            "time_zone=UTC&quiet_start=25%3A00&quiet_end=07%3A00",
            "not a time",
        ),
    ] {
        let (status, body) = post(&app, &vera, "save_notification_schedule", form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form}: {body}");
        assert!(body.contains(why), "{form}: {body}");
    }
    let saved: (String, String, String) = sqlx::query_as(
        "select s.time_zone, s.quiet_start::text, s.quiet_end::text
         from notification_settings s join users u on u.id = s.user_id where u.email = $1",
    )
    .bind(VERA)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        saved,
        ("Asia/Tokyo".into(), "22:00:00".into(), "07:00:00".into())
    );
    let (_, page) = app.get_as(&vera, "/settings/notifications").await;
    assert!(page.contains("value=\"Asia/Tokyo\""), "the page shows it");
    assert!(page.contains("value=\"22:00\""));
}

#[tokio::test]
async fn the_admin_sees_recent_notifications_and_resends_a_dead_one() {
    let app = app_with(push_settings(false)).await;
    let jesse = app.session(Role::Admin).await;
    let vera = app.session(Role::Vip).await;
    let (id, _) = quinns_pending_action(&app.db).await;
    block(&app.db, id, "no studio", QUINN).await;
    let dead: i64 = sqlx::query_scalar(
        "update notifications set state = 'dead', attempts = 6,
                last_error = 'relay said 550 mailbox unavailable'
         where id = (select min(id) from notifications) returning id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (status, page) = app.get_as(&jesse, "/settings/notifications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Recent notifications"));
    assert!(page.contains("relay said 550 mailbox unavailable"));
    assert!(page.contains("data-state=\"dead\""));

    let (status, _) = post(&app, &vera, "resend_notification", &format!("id={dead}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a VIP cannot resend");
    let (status, location, body) =
        post_form(&app, &jesse, "resend_notification", &format!("id={dead}")).await;
    assert!(status.is_redirection(), "{status}: {body}");
    assert_eq!(location.as_deref(), Some(PAGE));
    let row: (String, i32, Option<String>) =
        sqlx::query_as("select state, attempts, last_error from notifications where id = $1")
            .bind(dead)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(row, ("queued".into(), 0, None));
}

#[tokio::test]
async fn the_bottleneck_moving_is_told_once_to_the_admin() {
    use rpm_cockpit::server::notify::checks;
    let app = app_with(Settings::from_toml("").unwrap()).await;
    let now = chrono::Utc::now();
    assert!(
        !checks::bottleneck(&app.db, now).await.unwrap(),
        "the first look only records the stage"
    );
    let seen: String =
        sqlx::query_scalar("select value from notification_watch where name = 'bottleneck'")
            .fetch_one(&app.db)
            .await
            .expect("the demo week has a bottleneck");
    // As if the last look had seen another stage.
    let before = if seen == "top" { "bottom" } else { "top" };
    sqlx::query("update notification_watch set value = $1 where name = 'bottleneck'")
        .bind(before)
        .execute(&app.db)
        .await
        .unwrap();
    assert!(checks::bottleneck(&app.db, now).await.unwrap());
    assert!(
        !checks::bottleneck(&app.db, now).await.unwrap(),
        "told once"
    );
    let told: Vec<(String, String)> = sqlx::query_as(
        "select u.email, n.subject from notifications n join users u on u.id = n.user_id
         where n.rule = 'bottleneck_moved'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        told,
        [(
            JESSE.to_string(),
            format!("Funnel bottleneck moved: {before} → {seen}")
        )]
    );
}

/// What pypdf reads in a PDF (scripts/notify-peers/pdf_text.py).
fn pdf_text(path: &std::path::Path) -> Value {
    let out = std::process::Command::new(python())
        .arg(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("scripts/notify-peers/pdf_text.py"),
        )
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pypdf: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_weekly_digest_is_mailed_at_its_hour_with_charts_and_a_pdf_kept_in_the_lake() {
    use chrono::{Datelike, NaiveTime, Weekday};
    use rpm_cockpit::server::notify::checks;
    let relay = crate::notify::Relay::start(&[]);
    let lake = tempfile::tempdir().unwrap();
    let mut settings = relay.settings();
    settings.data_dir = lake.path().to_path_buf();
    let app = crate::notify::demo().await;
    // Quinn blocks an action: the digest lists it.
    let (id, _) = quinns_pending_action(&app.db).await;
    block(&app.db, id, "waiting on the label's contract", QUINN).await;
    sqlx::query("delete from notifications")
        .execute(&app.db)
        .await
        .unwrap();

    let week_start: chrono::NaiveDate = sqlx::query_scalar(
        "select week_start_date from rpm_weekly_plans order by week_start_date desc limit 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let monday =
        week_start - chrono::Duration::days(i64::from(week_start.weekday().num_days_from_monday()));
    let friday_five = (monday + chrono::Duration::days(4))
        .and_hms_opt(17, 0, 0)
        .unwrap()
        .and_utc();
    let at = (Weekday::Fri, NaiveTime::from_hms_opt(17, 0, 0).unwrap());
    let before = friday_five - chrono::Duration::minutes(1);
    assert!(checks::digest_due(&app.db, before, at)
        .await
        .unwrap()
        .is_empty());
    let after = friday_five + chrono::Duration::minutes(1);
    let weeks = checks::digest_due(&app.db, after, at).await.unwrap();
    let week = rpm_cockpit::server::report::iso_week(monday);
    assert_eq!(weeks, std::slice::from_ref(&week));
    // Every minute's check finds it again; it is queued once.
    checks::digest_due(&app.db, after + chrono::Duration::minutes(1), at)
        .await
        .unwrap();
    let queued: Vec<String> = sqlx::query_scalar(
        "select u.email from notifications n join users u on u.id = n.user_id
         where n.rule = 'weekly_digest' order by 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(queued, [JESSE, VERA], "the VIP and the admin; not the team");

    let pass = crate::notify::worker(&app.db, &settings)
        .deliver_all()
        .await
        .unwrap();
    assert_eq!(pass.sent, 2, "{pass:?}");
    let mails = relay.received();
    let vera = mails
        .iter()
        .find(|m| m["rcpt_tos"][0] == VERA)
        .expect("Vera's digest");
    let subject = vera["subject"].as_str().unwrap();
    assert!(
        subject.starts_with(&format!("Weekly summary {week}: ")) && subject.contains("% done"),
        "{subject}"
    );
    let html = vera["html"].as_str().unwrap();
    for cid in ["results", "revenue", "funnel"] {
        assert!(html.contains(&format!("src=\"cid:{cid}\"")), "{cid}");
    }
    assert!(html.contains("waiting on the label"), "the blocked action");
    let text = vera["text"].as_str().unwrap();
    assert!(
        text.contains("Blocked actions (") && text.contains("waiting on the label"),
        "{text}"
    );
    assert!(vera["list_unsubscribe"]
        .as_str()
        .unwrap()
        .contains("/notifications/unsubscribe"));
    let parts = vera["parts"].as_array().unwrap();
    let images: Vec<&Value> = parts
        .iter()
        .filter(|p| p["content_type"] == "image/png")
        .collect();
    assert_eq!(images.len(), 3, "{parts:?}");
    for image in &images {
        let bytes = std::fs::read(image["saved"].as_str().unwrap()).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(image["content_id"].as_str().is_some());
    }
    let pdf = parts
        .iter()
        .find(|p| p["content_type"] == "application/pdf")
        .expect("the PDF attached");
    assert_eq!(pdf["filename"], format!("{week}-summary.pdf"));
    assert_eq!(pdf["disposition"], "attachment");
    let read = pdf_text(std::path::Path::new(pdf["saved"].as_str().unwrap()));
    assert_eq!(read["pages"], 1);
    assert_eq!(read["width"], 595.0);
    let text = read["text"].as_str().unwrap();
    assert!(text.contains(&format!("Weekly summary · {week}")), "{text}");
    assert!(text.contains("Blocked actions"), "{text}");
    assert!(text.contains("waiting on the label"), "{text}");

    // The same PDF is in the lake.
    let kept = lake
        .path()
        .join("lake/analytics/reports/weekly")
        .join(format!("{week}-summary.pdf"));
    let read = pdf_text(&kept);
    assert!(read["text"].as_str().unwrap().contains("Funnel"));
}
