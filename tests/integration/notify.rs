//! Notifications end to end: a change in the database enqueues them (in its
//! own transaction), the delivery worker sends them over SMTP with STARTTLS
//! and AUTH to a real SMTP server (aiosmtpd, scripts/notify-peers), which
//! parses every message with Python's email package; two workers never send
//! one notification twice; failures back off and die; quiet hours hold.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::action_change::ActionChange;
use rpm_cockpit::server::notify::{email::Mailer, Worker};
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::{actions, db, notify};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{free_port, today, TestApp, JESSE, QUINN, VERA};

const USER: &str = "cockpit";
const PASSWORD: &str = "relay-secret";

/// The venv's python with aiosmtpd.
pub(crate) fn python() -> &'static str {
    static PY: OnceLock<String> = OnceLock::new();
    PY.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/notify-peers/venv.sh"))
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "the notify venv: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A certificate authority and a certificate for 127.0.0.1 signed by it
/// (scripts/notify-peers/certs.sh, with the openssl command).
fn certificates(dir: &Path) {
    let out = Command::new("bash")
        .arg(root().join("scripts/notify-peers/certs.sh"))
        .arg(dir)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "certs.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A protocol peer process (scripts/notify-peers) and the JSON lines it
/// writes of what it received; stops when dropped (its stdin closes).
pub(crate) struct Peer {
    child: Child,
    pub(crate) port: u16,
    out: PathBuf,
    dir: PathBuf,
    /// What the peer said when it was ready ("ready PORT …").
    pub(crate) ready: String,
}

impl Peer {
    /// Runs `program script --port P --out F` with `args`, in a directory
    /// of its own (made before, with `prepare`), until it says "ready".
    pub(crate) fn start(
        program: &str,
        script: &str,
        args: &[&str],
        prepare: impl FnOnce(&Path),
    ) -> Self {
        let dir = std::env::temp_dir().join(format!("rpm-peer-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        prepare(&dir);
        let port = free_port();
        let out = dir.join("received.jsonl");
        let mut child = Command::new(program)
            .arg(root().join("scripts/notify-peers").join(script))
            .args(["--port", &port.to_string(), "--out"])
            .arg(&out)
            .args(args)
            .current_dir(&dir)
            // aiosmtpd 1.4 warns about its own deprecated attribute.
            .env("PYTHONWARNINGS", "ignore::DeprecationWarning")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect(script);
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("ready"),
            "{script} did not start: {line:?}"
        );
        Self {
            child,
            port,
            out,
            dir,
            ready: line.trim().to_string(),
        }
    }

    pub(crate) fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A real SMTP server (aiosmtpd) with STARTTLS required and AUTH.
pub(crate) struct Relay(Peer);

impl Relay {
    pub(crate) fn start(extra: &[&str]) -> Self {
        let mut args = vec![
            "--cert",
            "relay.pem",
            "--key",
            "relay.key",
            "--user",
            USER,
            "--password",
            PASSWORD,
        ];
        args.extend_from_slice(extra);
        Self(Peer::start(python(), "smtp_peer.py", &args, |dir| {
            certificates(dir);
        }))
    }

    pub(crate) fn received(&self) -> Vec<Value> {
        self.0.received()
    }

    pub(crate) fn settings(&self) -> Settings {
        let mut s = Settings::from_toml("").unwrap();
        s.smtp_url = Some(format!(
            "smtp://{USER}:{PASSWORD}@127.0.0.1:{}",
            self.0.port
        ));
        s.smtp_ca_file = Some(self.0.dir.join("ca.pem"));
        s.smtp_from = "RPM Cockpit <cockpit@example.com>".into();
        s.notify_retry_seconds = 0;
        // The peers listen on 127.0.0.1.
        s.notify_private_targets = true;
        s
    }
}

pub(crate) fn worker(db: &PgPool, settings: &Settings) -> Worker {
    let mailer = Mailer::from_settings(settings).unwrap().expect("a relay");
    Worker::new(db.clone(), Some(mailer), settings).unwrap()
}

/// The demo week, with its outbox emptied (its import's own
/// notifications are not what these tests look at).
pub(crate) async fn demo() -> TestApp {
    let app = TestApp::with_demo(today()).await;
    sqlx::query("delete from notifications")
        .execute(&app.db)
        .await
        .unwrap();
    app
}

/// A pending action and its owner; Quinn (team) is made its owner's person.
pub(crate) async fn quinns_pending_action(db: &PgPool) -> (Uuid, String) {
    let (id, owner): (Uuid, String) = sqlx::query_as(
        "select id, owner from rpm_action_items
         where status = 'pending' and owner is not null and owner not ilike 'jesse%'
         order by action_code limit 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query("update users set owner_name = $1 where email = $2")
        .bind(&owner)
        .bind(QUINN)
        .execute(db)
        .await
        .unwrap();
    (id, owner)
}

pub(crate) async fn block(db: &PgPool, id: Uuid, reason: &str, actor: &str) {
    actions::apply(
        db,
        id,
        None,
        &ActionChange::Block {
            reason: reason.into(),
        },
        actor,
    )
    .await
    .expect("block");
}

async fn outbox(db: &PgPool) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "select u.email, n.rule, n.state, n.subject from notifications n
         join users u on u.id = n.user_id order by n.id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_blocked_action_is_mailed_to_its_owner_over_starttls_with_an_unsubscribe_link() {
    let app = demo().await;
    let (id, owner) = quinns_pending_action(&app.db).await;
    // Jesse (the admin) blocks it himself: he is not told of his own change.
    block(&app.db, id, "waiting for the mastering house", JESSE).await;
    let queued = outbox(&app.db).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(
        (queued[0].0.as_str(), queued[0].1.as_str()),
        (QUINN, "action_blocked")
    );
    assert!(
        queued.iter().all(|q| q.0 != VERA),
        "a VIP is not told of blocks"
    );

    let relay = Relay::start(&[]);
    let pass = worker(&app.db, &relay.settings())
        .deliver_all()
        .await
        .unwrap();
    assert_eq!(
        (pass.sent, pass.messages, pass.failed),
        (1, 1, 0),
        "{pass:?}"
    );

    let got = relay.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m["tls"], true, "sent after STARTTLS");
    assert_eq!(m["rcpt_tos"], serde_json::json!([QUINN]));
    assert!(m["to"].as_str().unwrap().contains(QUINN));
    assert!(m["from"].as_str().unwrap().contains("cockpit@example.com"));
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.starts_with("Blocked: "), "{subject}");
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("waiting for the mastering house"), "{text}");
    assert!(text.contains(&owner), "{text}");
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("waiting for the mastering house"));
    // The unsubscribe link: in the headers (one-click) and in both bodies.
    let header = m["list_unsubscribe"].as_str().unwrap();
    assert_eq!(m["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let link = header.trim_matches(|c| c == '<' || c == '>');
    assert!(
        link.contains("/notifications/unsubscribe?t=") && link.ends_with("rules=action_blocked"),
        "{link}"
    );
    assert!(text.contains(link) && html.contains(&link.replace('&', "&amp;")));
    assert_eq!(outbox(&app.db).await[0].2, "sent");

    // The mail client's one-click unsubscribe: a POST from anywhere.
    let path = &link[link.find("/notifications").unwrap()..];
    let (status, page) = app.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Unsubscribe"), "GET only asks: {page}");
    let (status, page) = app
        .send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("no more email"), "{page}");
    // The next block of Quinn's actions is not mailed to Quinn.
    let next: Uuid = sqlx::query_scalar(
        "select id from rpm_action_items where status = 'pending' and owner = $1 and id <> $2 limit 1",
    )
    .bind(&owner)
    .bind(id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
    .unwrap_or(id);
    if next == id {
        actions::apply(&app.db, id, None, &ActionChange::Reopen, JESSE)
            .await
            .unwrap();
    }
    block(&app.db, next, "again", JESSE).await;
    assert_eq!(
        outbox(&app.db).await.len(),
        1,
        "unsubscribed: nothing new for Quinn"
    );

    // A bad link gets a reason, not a 5xx.
    let (status, page) = app
        .get("/notifications/unsubscribe?t=nope&rules=action_blocked")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    let (status, _) = app
        .get(&format!(
            "/notifications/unsubscribe?t={}&rules=action_blocked",
            Uuid::new_v4()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = app.get(&path.replace("action_blocked", "nonsense")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
}

#[tokio::test]
async fn a_burst_to_one_person_is_one_message() {
    let app = demo().await;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "select id from rpm_action_items where status = 'pending' order by action_code limit 3",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for id in &ids {
        block(&app.db, *id, "held up", QUINN).await;
    }
    let jesse: i64 = sqlx::query_scalar(
        "select count(*) from notifications n join users u on u.id = n.user_id where u.email = $1",
    )
    .bind(JESSE)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(jesse, 3, "the admin is told of every block");
    let relay = Relay::start(&[]);
    worker(&app.db, &relay.settings())
        .deliver_all()
        .await
        .unwrap();
    let to_jesse: Vec<Value> = relay
        .received()
        .into_iter()
        .filter(|m| m["rcpt_tos"][0] == JESSE)
        .collect();
    assert_eq!(to_jesse.len(), 1, "one message for the burst");
    let subject = to_jesse[0]["subject"].as_str().unwrap();
    assert!(subject.starts_with("3 updates: Blocked: "), "{subject}");
    assert_eq!(
        to_jesse[0]["text"]
            .as_str()
            .unwrap()
            .matches("held up")
            .count(),
        3
    );
    let carriers: i64 = sqlx::query_scalar(
        "select count(distinct sent_with) from notifications n join users u on u.id = n.user_id
         where u.email = $1 and n.state = 'sent'",
    )
    .bind(JESSE)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(carriers, 1);
}

/// `count` people, each with one queued notification.
async fn queue_for_many(db: &PgPool, count: i64) {
    sqlx::query(
        "with people as (
             insert into users (email, display_name, role)
             select 'vip' || i || '@example.com', 'VIP ' || i, 'vip' from generate_series(1, $1) i
             returning id)
         insert into notifications (idempotency_key, user_id, rule, channel, subject, body)
         select 'load:' || id, id, 'result_completed', 'email', 'Result completed: R1', 'All done.'
         from people",
    )
    .bind(count)
    .execute(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn two_instances_never_send_one_notification_twice() {
    let app = TestApp::empty().await;
    queue_for_many(&app.db, 100).await;
    let relay = Relay::start(&[]);
    let settings = relay.settings();
    // Two instances: each its own pool, as two servers would have.
    let other_pool = db::connect(&app.url, 3).await.unwrap();
    let a = worker(&app.db, &settings).with_batch(7);
    let b = worker(&other_pool, &settings).with_batch(7);
    let (pa, pb) = tokio::join!(
        tokio::spawn(async move { a.deliver_all().await.unwrap() }),
        tokio::spawn(async move { b.deliver_all().await.unwrap() })
    );
    let (pa, pb) = (pa.unwrap(), pb.unwrap());
    println!("instance A sent {}, instance B sent {}", pa.sent, pb.sent);
    assert_eq!(pa.sent + pb.sent, 100, "{pa:?} {pb:?}");
    assert!(
        pa.sent > 0 && pb.sent > 0,
        "both instances took part: {pa:?} {pb:?}"
    );
    let got = relay.received();
    assert_eq!(got.len(), 100, "each notification sent once");
    let mut to: Vec<String> = got
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 100, "nobody got two");
    let mut ids: Vec<&str> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 100);
    let unsent: i64 =
        sqlx::query_scalar("select count(*) from notifications where state <> 'sent'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(unsent, 0);
}

#[tokio::test]
async fn a_temporary_failure_is_tried_again_and_a_permanent_one_is_dead() {
    let app = TestApp::empty().await;
    queue_for_many(&app.db, 1).await;
    let relay = Relay::start(&["--fail", "1"]);
    let mut settings = relay.settings();
    settings.notify_retry_seconds = 60;
    let w = worker(&app.db, &settings);
    let first = w.deliver_once().await.unwrap();
    assert_eq!(first.failed, 1);
    let (state, attempts, error, wait): (String, i32, String, f64) = sqlx::query_as(
        "select state, attempts, last_error,
                extract(epoch from next_attempt_at - now())::float8 from notifications",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts), ("failed", 1));
    assert!(error.contains("451"), "{error}");
    assert!(
        (55.0..=61.0).contains(&wait),
        "backoff of 60 s, then doubled: {wait}"
    );
    // Not due yet: nothing happens.
    assert_eq!(w.deliver_once().await.unwrap().claimed, 0);
    sqlx::query("update notifications set next_attempt_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(w.deliver_once().await.unwrap().sent, 1);
    assert_eq!(relay.received().len(), 1);

    // A relay that refuses for good: dead at once, with the reason.
    let app = TestApp::empty().await;
    queue_for_many(&app.db, 1).await;
    let refusing = Relay::start(&["--reject"]);
    let pass = worker(&app.db, &refusing.settings())
        .deliver_once()
        .await
        .unwrap();
    assert_eq!(pass.failed, 1);
    let (state, error): (String, String) =
        sqlx::query_as("select state, last_error from notifications")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(state, "dead");
    assert!(error.contains("550"), "{error}");

    // Out of tries: dead after notify_max_attempts.
    let app = TestApp::empty().await;
    queue_for_many(&app.db, 1).await;
    let flaky = Relay::start(&["--fail", "100"]);
    let mut settings = flaky.settings();
    settings.notify_max_attempts = 3;
    let w = worker(&app.db, &settings);
    for _ in 0..3 {
        w.deliver_once().await.unwrap();
    }
    let (state, attempts): (String, i32) =
        sqlx::query_as("select state, attempts from notifications")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("dead", 3));
}

#[tokio::test]
async fn quiet_hours_hold_a_notification_until_they_end() {
    let app = TestApp::empty().await;
    queue_for_many(&app.db, 1).await;
    // Quiet for the whole day around now, in Tokyo time.
    sqlx::query(
        "insert into notification_settings (user_id, time_zone, quiet_start, quiet_end)
         select id, 'Asia/Tokyo',
                ((now() at time zone 'Asia/Tokyo') - interval '1 hour')::time,
                ((now() at time zone 'Asia/Tokyo') + interval '2 hours')::time
         from users",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let relay = Relay::start(&[]);
    let pass = worker(&app.db, &relay.settings())
        .deliver_once()
        .await
        .unwrap();
    assert_eq!((pass.deferred, pass.sent), (1, 0));
    assert!(relay.received().is_empty());
    let wait: f64 = sqlx::query_scalar(
        "select extract(epoch from next_attempt_at - now())::float8 from notifications",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        (2.0 * 3600.0 - 120.0..=2.0 * 3600.0).contains(&wait),
        "held for 2 h: {wait}"
    );

    // The function itself, across midnight, at fixed instants.
    let until: Vec<Option<chrono::DateTime<chrono::Utc>>> = sqlx::query_scalar(
        "select notification_quiet_until(t::timestamptz, 'America/New_York', '22:00', '07:00')
         from unnest(array['2026-12-03 04:00Z', '2026-12-03 02:30Z', '2026-12-03 13:00Z']) t",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let at = |s: &str| Some(s.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    // 23:00 and 21:30 New York time (EST, UTC-5), then 08:00.
    assert_eq!(until, vec![at("2026-12-03T12:00:00Z"), None, None]);
}

#[tokio::test]
async fn an_overdue_action_and_a_stale_agent_are_told_once() {
    let app = demo().await;
    let now = chrono::Utc::now();
    let id: Uuid = sqlx::query_scalar(
        "update rpm_action_items set due_date = $1 - interval '2 hours'
         where id = (select id from rpm_action_items where status = 'pending'
                     and owner ilike 'jesse%' order by action_code limit 1)
         returning id",
    )
    .bind(now)
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "update agent_status set last_heartbeat = $1 - interval '30 minutes', status = 'active'
                 where agent_name = (select min(agent_name) from agent_status)",
    )
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    let stale_after = chrono::Duration::minutes(10);
    notify::checks::run(&app.db, now, stale_after)
        .await
        .unwrap();
    notify::checks::run(&app.db, now, stale_after)
        .await
        .unwrap();
    let code: String = sqlx::query_scalar("select action_code from rpm_action_items where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let rows = outbox(&app.db).await;
    let overdue: Vec<_> = rows.iter().filter(|r| r.3.contains(&code)).collect();
    assert_eq!(overdue.len(), 1, "once, to Jesse: {rows:?}");
    assert_eq!(overdue[0].0, JESSE);
    assert_eq!(overdue[0].1, "action_overdue");
    assert!(
        rows.iter()
            .any(|r| r.1 == "agent_health" && r.3.contains("gone quiet")),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| r.0 != VERA),
        "a VIP gets neither by default"
    );
}

#[tokio::test]
async fn a_refused_sync_tells_the_admin_in_its_own_transaction() {
    let app = demo().await;
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query(
        "insert into plan_sync_status (source_path, synced_at, content_hash, outcome, errors)
         values ('plans/2026-W49.md', now(), 'abc', 'refused',
                 '[{\"line\": 12, \"message\": \"a result without a purpose\"}]')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert!(
        outbox(&app.db).await.is_empty(),
        "rolled back with its cause"
    );
    sqlx::query(
        "insert into plan_sync_status (source_path, synced_at, content_hash, outcome, errors)
         values ('plans/2026-W49.md', now(), 'abc', 'refused',
                 '[{\"line\": 12, \"message\": \"a result without a purpose\"}]')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "select u.email, n.subject, n.body from notifications n join users u on u.id = n.user_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, JESSE);
    assert_eq!(rows[0].1, "Sync refused: plans/2026-W49.md");
    assert!(
        rows[0].2.contains("line 12: a result without a purpose"),
        "{}",
        rows[0].2
    );
}

/// A webhook receiver that checks signatures with `secret`.
fn receiver(secret: &str, extra: &[&str]) -> Peer {
    let mut args = vec!["--secret", secret];
    args.extend_from_slice(extra);
    Peer::start("python3", "webhook_peer.py", &args, |_| {})
}

/// The webhook secret of `email` (made with their settings row).
async fn secret_of(db: &PgPool, email: &str) -> String {
    sqlx::query_scalar(
        "select (notification_settings_of(id)).webhook_secret from users where email = $1",
    )
    .bind(email)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Sets `email`'s webhook; returns its secret.
async fn set_webhook(db: &PgPool, email: &str, url: &str, preset: &str) -> String {
    sqlx::query_scalar(
        "insert into notification_settings (user_id, webhook_url, webhook_preset, webhook_sms_to)
         select id, $2, $3, '+15005550006' from users where email = $1
         on conflict (user_id) do update set webhook_url = $2, webhook_preset = $3,
             webhook_sms_to = '+15005550006'
         returning webhook_secret",
    )
    .bind(email)
    .bind(url)
    .bind(preset)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn webhooks_are_signed_and_shaped_for_slack_google_chat_discord_and_twilio() {
    let relay = Relay::start(&[]);
    let mut settings = relay.settings();
    settings.twilio_account_sid = Some("AC0000".into());
    settings.twilio_auth_token = Some("twilio-token".into());
    settings.twilio_from = "+15005550001".into();
    for preset in ["generic", "slack", "google_chat", "discord", "twilio"] {
        let app = demo().await;
        let (id, _) = quinns_pending_action(&app.db).await;
        // The secret is the person's; the receiver is told it.
        let secret = secret_of(&app.db, JESSE).await;
        let hook = receiver(&secret, &[]);
        let url = format!("http://127.0.0.1:{}/hook/{preset}", hook.port);
        assert_eq!(set_webhook(&app.db, JESSE, &url, preset).await, secret);
        block(&app.db, id, "the studio is booked", QUINN).await;
        let pass = worker(&app.db, &settings).deliver_all().await.unwrap();
        assert_eq!(pass.failed, 0, "{preset}: {pass:?}");
        let got = hook.received();
        assert_eq!(got.len(), 1, "{preset}: {got:?}");
        let m = &got[0];
        assert_eq!(
            m["signature_ok"], true,
            "{preset}: signed with the person's secret"
        );
        assert!(m["idempotency_key"].as_str().is_some_and(|k| k.len() == 32));
        let body = m["body"].as_str().unwrap();
        match preset {
            "twilio" => {
                let form: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(body.as_bytes())
                        .into_owned()
                        .collect();
                assert_eq!(form["To"], "+15005550006");
                assert_eq!(form["From"], "+15005550001");
                assert!(form["Body"].starts_with("Blocked: "), "{form:?}");
                assert_eq!(m["content_type"], "application/x-www-form-urlencoded");
                // Basic AC0000:twilio-token
                assert_eq!(m["authorization"], "Basic QUMwMDAwOnR3aWxpby10b2tlbg==");
            }
            _ => {
                let json: Value = serde_json::from_str(body).unwrap();
                let text = match preset {
                    "generic" => json["notifications"][0]["body"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    "discord" => json["content"].as_str().unwrap().to_string(),
                    _ => json["text"].as_str().unwrap().to_string(),
                };
                assert!(text.contains("the studio is booked"), "{preset}: {text}");
                if preset == "generic" {
                    assert_eq!(json["notifications"][0]["rule"], "action_blocked");
                }
            }
        }
        // Email still goes too: a channel is added, not swapped.
        assert!(relay.received().iter().any(|m| m["rcpt_tos"][0] == JESSE));
    }
}

#[tokio::test]
async fn a_webhook_that_fails_is_retried_and_one_that_refuses_is_dead() {
    let relay = Relay::start(&[]);
    let settings = relay.settings();
    let app = demo().await;
    let (id, _) = quinns_pending_action(&app.db).await;
    let secret = secret_of(&app.db, JESSE).await;
    let hook = receiver(&secret, &["--fail", "1"]);
    set_webhook(
        &app.db,
        JESSE,
        &format!("http://127.0.0.1:{}/h", hook.port),
        "generic",
    )
    .await;
    block(&app.db, id, "x", QUINN).await;
    let w = worker(&app.db, &settings);
    w.deliver_once().await.unwrap();
    let (state, error): (String, String) =
        sqlx::query_as("select state, last_error from notifications where channel = 'webhook'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(state, "failed");
    assert!(error.contains("500"), "{error}");
    w.deliver_once().await.unwrap();
    let state: String =
        sqlx::query_scalar("select state from notifications where channel = 'webhook'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(state, "sent");
    assert_eq!(hook.received().len(), 2);

    // A receiver that does not know the secret refuses (401): dead.
    let wrong = receiver("not-the-secret", &[]);
    set_webhook(
        &app.db,
        JESSE,
        &format!("http://127.0.0.1:{}/h", wrong.port),
        "generic",
    )
    .await;
    actions::apply(&app.db, id, None, &ActionChange::Reopen, QUINN)
        .await
        .unwrap();
    block(&app.db, id, "y", QUINN).await;
    w.deliver_once().await.unwrap();
    let (state, error): (String, String) = sqlx::query_as(
        "select state, last_error from notifications where channel = 'webhook' order by id desc limit 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(state, "dead");
    assert!(error.contains("401"), "{error}");
    assert_eq!(wrong.received()[0]["signature_ok"], false);
}
