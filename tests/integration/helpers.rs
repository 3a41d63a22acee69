//! A test application: a fresh database in the test cluster, migrated, and
//! the cockpit's own router on top of it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use rpm_cockpit::model::Role;
use rpm_cockpit::server::auth::users;
use rpm_cockpit::server::embedded_pg::EmbeddedPostgres;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::sync::demo::load_demo_if_empty;
use rpm_cockpit::server::{db, startup, AppState};
use sqlx::PgPool;
use tower::ServiceExt;

/// Admin URL of the test server: TEST_DATABASE_URL (any PostgreSQL that
/// lets us create databases) or an embedded cluster under `.data/test`
/// (or RPM_TEST_DATA_DIR), started once per test run.
fn admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            return url;
        }
        let dir = std::env::var("RPM_TEST_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".data/test"));
        let pg = EmbeddedPostgres::new(&dir, 5433).expect("PostgreSQL binaries");
        pg.start().expect("starting the test cluster");
        // A throwaway cluster: nothing of it needs to survive a crash, so
        // it does not wait for the disk (making and dropping a database per
        // test is then cheap).
        std::thread::spawn({
            let url = pg.url("postgres");
            move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(async {
                        let admin = db::connect(&url, 1).await.expect("admin connection");
                        for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
                            sqlx::query(&format!("alter system set {setting} = off"))
                                .execute(&admin)
                                .await
                                .expect("test cluster settings");
                        }
                        sqlx::query("select pg_reload_conf()")
                            .execute(&admin)
                            .await
                            .expect("reload");
                    })
            }
        })
        .join()
        .expect("test cluster settings");
        pg.url("postgres")
    })
}

/// The admin URL with another database name.
fn url_for(database: &str) -> String {
    let url = admin_url();
    match url.split_once('?') {
        Some((base, query)) => format!("{}/{database}?{query}", base.rsplit_once('/').unwrap().0),
        None => format!("{}/{database}", url.rsplit_once('/').unwrap().0),
    }
}

/// A fresh, empty (unmigrated) database; returns a pool on it.
pub async fn fresh_database() -> PgPool {
    let url = fresh_database_url().await;
    db::connect(&url, 5).await.expect("test database")
}

/// A fresh, empty database; returns its URL.
pub async fn fresh_database_url() -> String {
    let name = new_name();
    create_database(&name, None).await;
    url_for(&name)
}

/// A database name no other test (or test run) uses: `test_{pid}_…`.
fn new_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // The clock too: a process id may come again after a reboot.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "test_{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn create_database(name: &str, template: Option<&str>) {
    let admin = db::connect(admin_url(), 1).await.expect("admin connection");
    let from = template
        .map(|t| format!(r#" template "{t}" strategy file_copy"#))
        .unwrap_or_default();
    sqlx::query(&format!(r#"create database "{name}"{from}"#))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
}

/// The test run's migrated database, made once and copied for each test
/// (`create database … template …`): the migrations run once per run, not
/// once per test. Databases left by earlier runs (a run stopped halfway)
/// are dropped first.
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            drop_leftovers().await;
            let name = format!(
                "template_{}_{}",
                std::process::id(),
                chrono::Utc::now().timestamp()
            );
            create_database(&name, None).await;
            let pool = db::connect(&url_for(&name), 1).await.expect("template");
            db::migrate(&pool).await.expect("migrations");
            pool.close().await;
            name
        })
        .await
}

/// Drops the test databases of test runs that are no longer running.
async fn drop_leftovers() {
    let admin = db::connect(admin_url(), 1).await.expect("admin connection");
    let names: Vec<String> = sqlx::query_scalar(
        "select datname::text from pg_database where datname ~ '^(test|template)_[0-9]+(_|$)'",
    )
    .fetch_all(&admin)
    .await
    .expect("databases");
    for name in names {
        let pid = name.split('_').nth(1).unwrap_or_default();
        if !std::path::Path::new("/proc").join(pid).exists() {
            let _ = sqlx::query(&format!(r#"drop database if exists "{name}" with (force)"#))
                .execute(&admin)
                .await;
        }
    }
    admin.close().await;
}

/// Drops a database of this run (its connections are ended), on a thread
/// of its own so that the next test need not wait: Drop is not async. One
/// still being dropped when the run ends is dropped by the next run.
fn drop_database(name: String) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dropped = runtime.block_on(async {
            let admin = db::connect(admin_url(), 1).await?;
            sqlx::query(&format!(r#"drop database if exists "{name}" with (force)"#))
                .execute(&admin)
                .await?;
            admin.close().await;
            Ok::<_, anyhow::Error>(())
        });
        if let Err(e) = dropped {
            eprintln!("could not drop the test database {name}: {e}");
        }
    });
}

/// The cockpit on a fresh, migrated database.
pub struct TestApp {
    pub db: PgPool,
    /// The database's URL, for the command line.
    pub url: String,
    pub router: Router,
    pub state: AppState,
    /// The database this test made (dropped with the app).
    owned: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.owned.take() {
            drop_database(name);
        }
    }
}

/// The demo people (demo/users.json), one per role.
pub const JESSE: &str = "jesse@example.com";
pub const VERA: &str = "vera@example.com";
pub const QUINN: &str = "quinn@example.com";

/// The `Cookie` header value of a signed-in browser.
#[derive(Debug, Clone)]
pub struct Cookie(pub String);

impl TestApp {
    /// A migrated database without any plan, with the default settings
    /// (a local cockpit: the demo sign-in is on).
    pub async fn empty() -> Self {
        Self::with_settings(Settings::from_toml("").expect("default settings")).await
    }

    /// A migrated database without any plan, with these settings.
    pub async fn with_settings(settings: Settings) -> Self {
        let name = new_name();
        create_database(&name, Some(template().await)).await;
        let mut app = Self::on_database(url_for(&name), settings).await;
        app.owned = Some(name);
        app
    }

    /// The cockpit on the database at `url` (migrated here).
    pub async fn on_database(url: String, settings: Settings) -> Self {
        let db = db::connect(&url, 5).await.expect("test database");
        db::migrate(&db).await.expect("migrations");
        let options = startup::leptos_options(&settings).expect("leptos options");
        let state = startup::build_state(settings, db.clone(), options);
        Self {
            router: startup::router(state.clone()),
            state,
            db,
            url,
            owned: None,
        }
    }

    /// Invites `email` (a demo person's name and role when it is one).
    pub async fn invite(&self, email: &str, role: Role) {
        let owner = (role == Role::Team).then_some("QA");
        users::upsert(&self.db, email, "", role, owner)
            .await
            .expect("invite");
    }

    /// Signs in through the demo sign-in (the person must be invited).
    pub async fn sign_in(&self, email: &str) -> Cookie {
        let response = self
            .response(
                Request::post("/auth/demo")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ORIGIN, "http://127.0.0.1:3000")
                    .body(Body::from(format!("email={}", email.replace('@', "%40"))))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "demo sign-in of {email}"
        );
        session_cookie(&response).expect("a session cookie")
    }

    /// Signs out the browser with `cookie`: the whole answer.
    pub async fn sign_out(&self, cookie: &Cookie) -> Response {
        self.response(
            Request::post("/auth/logout")
                .header(header::COOKIE, &cookie.0)
                .header(header::ORIGIN, "http://127.0.0.1:3000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Invites someone with `role` and signs them in.
    pub async fn session(&self, role: Role) -> Cookie {
        let email = match role {
            Role::Admin => JESSE,
            Role::Vip => VERA,
            Role::Team => QUINN,
        };
        self.invite(email, role).await;
        self.sign_in(email).await
    }

    /// Sends `request` through the router; the whole response.
    pub async fn response(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("response")
    }

    /// Sends `request` with the browser's cookie; status and body text.
    pub async fn send_as(
        &self,
        cookie: &Cookie,
        mut request: Request<Body>,
    ) -> (StatusCode, String) {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.0.parse().unwrap());
        self.send(request).await
    }

    /// A page as a signed-in browser asks for it.
    pub async fn get_as(&self, cookie: &Cookie, path: &str) -> (StatusCode, String) {
        self.send_as(
            cookie,
            Request::get(path)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A migrated database with the demo data set loaded as on `today`
    /// (its last week is the week of `today`).
    pub async fn with_demo(today: chrono::NaiveDate) -> Self {
        Self::with_demo_and(Settings::from_toml("").expect("default settings"), today).await
    }

    /// The demo data set as on `today`, with these settings.
    pub async fn with_demo_and(settings: Settings, today: chrono::NaiveDate) -> Self {
        let app = Self::with_settings(settings).await;
        // Today: loaded as the server would load it now (heartbeats are
        // then in the past); another day: that day's afternoon.
        let now = if today == chrono::Utc::now().date_naive() {
            chrono::Utc::now()
        } else {
            today.and_hms_opt(15, 0, 0).unwrap().and_utc()
        };
        load_demo_if_empty(&app.db, &demo_dir(), None, now)
            .await
            .expect("demo data");
        app
    }

    /// Sends `request` through the router; status and body text.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.response(request).await;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A GET of `path`.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
}

/// The session cookie a response sets, as a `Cookie` header value.
pub fn session_cookie(response: &Response) -> Option<Cookie> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("rpm_session=") && !v.contains("Max-Age=0"))
        .map(|v| Cookie(v.split(';').next().unwrap().to_string()))
}

/// A response's body as text.
pub async fn body_text(response: Response) -> String {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Today, as the server sees it.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The repository's demo data set.
/// A port nobody listens on just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo")
}

/// A digest of every row of `table` and of the transactions that wrote
/// them: equal digests mean nothing was written in between.
pub async fn table_digest(db: &PgPool, table: &str) -> String {
    sqlx::query_scalar(&format!(
        "select coalesce(md5(string_agg(t::text || t.xmin::text, '|' order by t::text)), '')
         from {table} t"
    ))
    .fetch_one(db)
    .await
    .unwrap()
}

/// Digests of every table the importer writes.
pub async fn database_digest(db: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "rpm_weekly_plans",
        "rpm_results",
        "rpm_action_items",
        "agent_status",
        "deliverables",
        "suno_songs",
        "events",
    ] {
        out.push(table_digest(db, table).await);
    }
    out
}

/// Rows in `table`.
pub async fn count(db: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits (up to 30 s) until the server at `base` answers `/readyz` with 200.
pub async fn wait_ready(base: &str) {
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    while client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .ok()
        != Some(200)
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the server at {base} did not become ready"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
