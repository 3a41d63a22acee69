//! Typed application settings: `Leptos.toml` with environment overrides.
//!
//! Secrets never live in the file; `DATABASE_URL` is read only from the
//! environment.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The cockpit's runtime settings. Each field is documented in `Leptos.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the web server listens on.
    pub site_addr: String,
    /// Local state directory (embedded cluster, local data lake).
    pub data_dir: PathBuf,
    /// Database name inside the embedded cluster.
    pub database_name: String,
    /// Port number naming the embedded cluster's Unix socket.
    pub embedded_pg_port: u16,
    /// Pool size.
    pub database_max_connections: u32,
    /// Seed a demo week when the database has no plan.
    pub demo_data: bool,
    /// The demo data set (plans, agents, songs, deliverables).
    pub demo_dir: PathBuf,
    /// Data lake location; empty means `<data_dir>/lake`.
    pub object_store_url: String,
    /// Default directory of markdown plans.
    pub plans_dir: PathBuf,
    /// Interval of `sync --watch`, in minutes.
    pub sync_interval_minutes: u64,
    /// Heartbeat age after which an agent is stale, in minutes.
    pub agent_stale_after_minutes: u64,
    /// How often the server refreshes the analytics snapshots, in minutes
    /// (the first refresh one interval after start); 0 turns it off.
    pub analytics_refresh_minutes: u64,
    /// The address people use, e.g. `https://heritage.com/cockpit`; empty
    /// means `http://<site_addr>`. Its path is where the cockpit is mounted
    /// ([`Settings::base_path`]). HTTPS turns on Secure cookies and HSTS.
    pub public_url: String,
    /// The first admin (Jesse): made admin on every start.
    pub admin_email: String,
    /// Sign-in provider endpoints (Google's by default; a local fake in tests).
    pub oauth_auth_url: String,
    pub oauth_token_url: String,
    pub oauth_userinfo_url: String,
    /// A session ends after this long without a request, in minutes.
    pub session_idle_minutes: u64,
    /// A session ends this long after sign-in whatever happens, in hours.
    pub session_absolute_hours: u64,
    /// How often an open event stream re-checks its sign-in, in seconds.
    pub live_recheck_seconds: u64,
    /// On SIGTERM / SIGINT, the longest the server waits for requests in
    /// flight before it exits anyway, in seconds.
    pub shutdown_seconds: u64,
    /// Sign-in attempts per client address and minute.
    pub sign_in_per_minute: u32,
    /// API requests per token (per client network before a token is
    /// known good) and minute.
    pub api_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed
    /// (CIDRs); empty: the peer address is the client.
    pub trusted_proxies: Vec<String>,
    /// Largest request body, in KiB; larger gets 413.
    pub max_body_kb: usize,
    /// A request (other than a live-update stream) taking longer gets 503.
    pub request_timeout_seconds: u64,
    /// Longest one SQL statement may run, and wait for a lock, in seconds.
    pub statement_timeout_seconds: u64,
    pub lock_timeout_seconds: u64,
    /// The sender of notification emails, e.g. `RPM Cockpit <cockpit@heritage.com>`.
    pub smtp_from: String,
    /// An extra certificate authority (PEM) trusted for the SMTP relay's
    /// STARTTLS, beside the public ones (a private relay; tests).
    pub smtp_ca_file: Option<PathBuf>,
    /// The delivery worker looks for due notifications at least this often
    /// (it is woken at once when one is written), in milliseconds.
    pub notify_poll_ms: u64,
    /// A failed notification is tried again after this many seconds,
    /// doubled at each try (30 s, 1 min, 2 min, ...).
    pub notify_retry_seconds: u64,
    /// Tries before a notification is given up (state `dead`).
    pub notify_max_attempts: i32,
    /// The sender number of SMS sent with the webhook's Twilio preset.
    pub twilio_from: String,
    /// Who runs this cockpit, for the push services (RFC 8292's `sub`): a
    /// `mailto:` or `https:` address.
    pub vapid_subject: String,
    /// When the weekly digest goes out: a weekday and a time in the plan
    /// owner's time zone ("Fri 17:00"); empty: never on its own (the
    /// `report weekly` command still makes one).
    pub weekly_digest_at: String,
    /// Webhooks and push endpoints may be on loopback, private or
    /// link-local addresses. Off: such a target is refused, when it is set
    /// and again when it is sent to (a person's URL must not reach inside
    /// the server's network). Tests, and a private network's receivers.
    pub notify_private_targets: bool,
    /// External database; only ever from the environment.
    #[serde(skip)]
    pub database_url: Option<String>,
    /// Google OAuth client; only ever from the environment.
    #[serde(skip)]
    pub google_client_id: Option<String>,
    #[serde(skip)]
    pub google_client_secret: Option<String>,
    /// The SMTP relay, with its credentials (`smtp://user:pass@host:587`,
    /// STARTTLS required; `smtps://` for TLS from the start); no email is
    /// sent without it. Only ever from the environment (`RPM_SMTP_URL`).
    #[serde(skip)]
    pub smtp_url: Option<String>,
    /// Twilio's account SID and auth token, for the Twilio preset; only
    /// from the environment (`RPM_TWILIO_ACCOUNT_SID`, `RPM_TWILIO_AUTH_TOKEN`).
    #[serde(skip)]
    pub twilio_account_sid: Option<String>,
    #[serde(skip)]
    pub twilio_auth_token: Option<String>,
    /// The cockpit's VAPID private key (the raw P-256 scalar, base64url),
    /// which signs every Web Push request; without it Web Push is off.
    /// Only from the environment (`RPM_VAPID_PRIVATE_KEY`); make one with
    /// `rpm-cockpit vapid-key`.
    #[serde(skip)]
    pub vapid_private_key: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            site_addr: "127.0.0.1:3000".into(),
            data_dir: ".data".into(),
            database_name: "rpm_cockpit".into(),
            embedded_pg_port: 5433,
            database_max_connections: 10,
            demo_data: true,
            demo_dir: "demo".into(),
            object_store_url: String::new(),
            plans_dir: "plans".into(),
            sync_interval_minutes: 15,
            agent_stale_after_minutes: 10,
            analytics_refresh_minutes: 60,
            public_url: String::new(),
            admin_email: String::new(),
            oauth_auth_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            oauth_token_url: "https://oauth2.googleapis.com/token".into(),
            oauth_userinfo_url: "https://openidconnect.googleapis.com/v1/userinfo".into(),
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            live_recheck_seconds: 30,
            shutdown_seconds: 8,
            sign_in_per_minute: 20,
            api_per_minute: 600,
            trusted_proxies: Vec::new(),
            max_body_kb: 1024,
            request_timeout_seconds: 30,
            statement_timeout_seconds: 30,
            lock_timeout_seconds: 10,
            smtp_from: "RPM Cockpit <cockpit@localhost>".into(),
            smtp_ca_file: None,
            notify_poll_ms: 5000,
            notify_retry_seconds: 30,
            notify_max_attempts: 6,
            twilio_from: String::new(),
            vapid_subject: "mailto:cockpit@localhost".into(),
            weekly_digest_at: "Fri 17:00".into(),
            notify_private_targets: false,
            database_url: None,
            google_client_id: None,
            google_client_secret: None,
            smtp_url: None,
            twilio_account_sid: None,
            twilio_auth_token: None,
            vapid_private_key: None,
        }
    }
}

impl Settings {
    /// Reads `Leptos.toml` from `root` (if present), then the environment.
    /// Relative paths are resolved against `root`.
    pub fn load(root: &Path) -> anyhow::Result<Self> {
        let file = root.join("Leptos.toml");
        let mut settings = if file.exists() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            Self::from_toml(&text).with_context(|| format!("in {}", file.display()))?
        } else {
            Self::default()
        };
        settings.apply_env(|key| std::env::var(key).ok())?;
        settings.data_dir = absolute(root, &settings.data_dir);
        settings.plans_dir = absolute(root, &settings.plans_dir);
        settings.demo_dir = absolute(root, &settings.demo_dir);
        settings.check_public_url()?;
        Ok(settings)
    }

    /// Parses the file's text; unknown keys are an error, missing ones default.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// Applies the documented environment overrides through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn parsed<T: std::str::FromStr>(key: &str, value: String) -> anyhow::Result<T>
        where
            T::Err: std::fmt::Display,
        {
            value
                .trim()
                .parse()
                .map_err(|e| anyhow::anyhow!("{key}={value:?}: {e}"))
        }
        if let Some(v) = var("RPM_SITE_ADDR") {
            self.site_addr = v;
        } else if let Some(port) = var("PORT") {
            // Cloud Run's convention: listen on every interface, on $PORT.
            let port: u16 = parsed("PORT", port)?;
            self.site_addr = format!("0.0.0.0:{port}");
        }
        if let Some(v) = var("RPM_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("RPM_DATABASE_NAME") {
            self.database_name = v;
        }
        if let Some(v) = var("RPM_EMBEDDED_PG_PORT") {
            self.embedded_pg_port = parsed("RPM_EMBEDDED_PG_PORT", v)?;
        }
        if let Some(v) = var("RPM_DATABASE_MAX_CONNECTIONS") {
            self.database_max_connections = parsed("RPM_DATABASE_MAX_CONNECTIONS", v)?;
        }
        if let Some(v) = var("RPM_DEMO_DATA") {
            self.demo_data = parsed("RPM_DEMO_DATA", v)?;
        }
        if let Some(v) = var("RPM_DEMO_DIR") {
            self.demo_dir = v.into();
        }
        if let Some(v) = var("RPM_OBJECT_STORE_URL") {
            self.object_store_url = v;
        }
        if let Some(v) = var("RPM_PLANS_DIR") {
            self.plans_dir = v.into();
        }
        if let Some(v) = var("RPM_SYNC_INTERVAL_MINUTES") {
            self.sync_interval_minutes = parsed("RPM_SYNC_INTERVAL_MINUTES", v)?;
        }
        if let Some(v) = var("RPM_AGENT_STALE_AFTER_MINUTES") {
            self.agent_stale_after_minutes = parsed("RPM_AGENT_STALE_AFTER_MINUTES", v)?;
        }
        if let Some(v) = var("RPM_ANALYTICS_REFRESH_MINUTES") {
            self.analytics_refresh_minutes = parsed("RPM_ANALYTICS_REFRESH_MINUTES", v)?;
        }
        if let Some(v) = var("RPM_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = var("RPM_ADMIN_EMAIL") {
            self.admin_email = v;
        }
        if let Some(v) = var("RPM_OAUTH_AUTH_URL") {
            self.oauth_auth_url = v;
        }
        if let Some(v) = var("RPM_OAUTH_TOKEN_URL") {
            self.oauth_token_url = v;
        }
        if let Some(v) = var("RPM_OAUTH_USERINFO_URL") {
            self.oauth_userinfo_url = v;
        }
        if let Some(v) = var("RPM_SESSION_IDLE_MINUTES") {
            self.session_idle_minutes = parsed("RPM_SESSION_IDLE_MINUTES", v)?;
        }
        if let Some(v) = var("RPM_SESSION_ABSOLUTE_HOURS") {
            self.session_absolute_hours = parsed("RPM_SESSION_ABSOLUTE_HOURS", v)?;
        }
        if let Some(v) = var("RPM_SHUTDOWN_SECONDS") {
            self.shutdown_seconds = parsed("RPM_SHUTDOWN_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_LIVE_RECHECK_SECONDS") {
            self.live_recheck_seconds = parsed("RPM_LIVE_RECHECK_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_SIGN_IN_PER_MINUTE") {
            self.sign_in_per_minute = parsed("RPM_SIGN_IN_PER_MINUTE", v)?;
        }
        if let Some(v) = var("RPM_API_PER_MINUTE") {
            self.api_per_minute = parsed("RPM_API_PER_MINUTE", v)?;
        }
        if let Some(v) = var("RPM_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = var("RPM_MAX_BODY_KB") {
            self.max_body_kb = parsed("RPM_MAX_BODY_KB", v)?;
        }
        if let Some(v) = var("RPM_REQUEST_TIMEOUT_SECONDS") {
            self.request_timeout_seconds = parsed("RPM_REQUEST_TIMEOUT_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_STATEMENT_TIMEOUT_SECONDS") {
            self.statement_timeout_seconds = parsed("RPM_STATEMENT_TIMEOUT_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_LOCK_TIMEOUT_SECONDS") {
            self.lock_timeout_seconds = parsed("RPM_LOCK_TIMEOUT_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_SMTP_FROM") {
            self.smtp_from = v;
        }
        if let Some(v) = var("RPM_SMTP_CA_FILE") {
            self.smtp_ca_file = Some(v.into()).filter(|p: &PathBuf| !p.as_os_str().is_empty());
        }
        if let Some(v) = var("RPM_NOTIFY_POLL_MS") {
            self.notify_poll_ms = parsed("RPM_NOTIFY_POLL_MS", v)?;
        }
        if let Some(v) = var("RPM_NOTIFY_RETRY_SECONDS") {
            self.notify_retry_seconds = parsed("RPM_NOTIFY_RETRY_SECONDS", v)?;
        }
        if let Some(v) = var("RPM_NOTIFY_MAX_ATTEMPTS") {
            self.notify_max_attempts = parsed("RPM_NOTIFY_MAX_ATTEMPTS", v)?;
        }
        if let Some(v) = var("RPM_TWILIO_FROM") {
            self.twilio_from = v;
        }
        if let Some(v) = var("RPM_WEEKLY_DIGEST_AT") {
            self.weekly_digest_at = v;
        }
        if let Some(v) = var("RPM_VAPID_SUBJECT") {
            self.vapid_subject = v;
        }
        if let Some(v) = var("RPM_NOTIFY_PRIVATE_TARGETS") {
            self.notify_private_targets = parsed("RPM_NOTIFY_PRIVATE_TARGETS", v)?;
        }
        let secret = |key: &str| var(key).filter(|v| !v.trim().is_empty());
        self.smtp_url = secret("RPM_SMTP_URL");
        self.twilio_account_sid = secret("RPM_TWILIO_ACCOUNT_SID");
        self.twilio_auth_token = secret("RPM_TWILIO_AUTH_TOKEN");
        self.vapid_private_key = secret("RPM_VAPID_PRIVATE_KEY");
        self.database_url = secret("DATABASE_URL");
        self.google_client_id = secret("GOOGLE_CLIENT_ID");
        self.google_client_secret = secret("GOOGLE_CLIENT_SECRET");
        Ok(())
    }

    /// `weekly_digest_at` read: the weekday and the time; `None` when empty.
    pub fn weekly_digest(&self) -> anyhow::Result<Option<(chrono::Weekday, chrono::NaiveTime)>> {
        let v = self.weekly_digest_at.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let bad = || {
            anyhow::anyhow!("weekly_digest_at {v:?}: write a weekday and a time, as \"Fri 17:00\"")
        };
        let (day, time) = v.split_once(' ').ok_or_else(bad)?;
        let day: chrono::Weekday = day.parse().map_err(|_| bad())?;
        let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| bad())?;
        Ok(Some((day, time)))
    }

    /// The address people reach the cockpit at, without a trailing slash:
    /// the public URL with its path (`https://heritage.com/cockpit`).
    pub fn public_root(&self) -> String {
        if self.public_url.trim().is_empty() {
            format!("http://{}", self.site_addr)
        } else {
            self.public_url.trim().trim_end_matches('/').to_string()
        }
    }

    /// The public URL's scheme and host (`https://heritage.com`): what a
    /// browser sends as `Origin`.
    pub fn public_origin(&self) -> String {
        let root = self.public_root();
        match root.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or(""))
            }
            None => root,
        }
    }

    /// The path the cockpit is mounted under: `""` at the root of its
    /// host, `"/cockpit"` for `https://heritage.com/cockpit`. Every route,
    /// file, server function, event stream and the session cookie live
    /// under it.
    pub fn base_path(&self) -> String {
        let root = self.public_root();
        let rest = root.split_once("://").map_or(root.as_str(), |(_, r)| r);
        match rest.split_once('/') {
            Some((_, path)) if !path.trim_matches('/').is_empty() => {
                format!("/{}", path.trim_matches('/'))
            }
            _ => String::new(),
        }
    }

    /// Refuses a public URL the cockpit cannot be mounted at: it must be
    /// `http(s)://host[:port][/path]`, the path made of plain segments (no
    /// query, fragment, dot segments, spaces or escapes).
    pub fn check_public_url(&self) -> anyhow::Result<()> {
        let url = self.public_url.trim();
        if url.is_empty() {
            return Ok(());
        }
        let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            anyhow::bail!("public_url {url:?}: must start with https:// or http://");
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            anyhow::bail!("public_url {url:?}: names no host");
        }
        let plain = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
        for segment in path
            .trim_end_matches('/')
            .split('/')
            .filter(|_| !path.is_empty())
        {
            if segment.is_empty()
                || segment == "."
                || segment == ".."
                || !segment.chars().all(plain)
            {
                anyhow::bail!(
                    "public_url {url:?}: the path may hold only plain segments \
                     (letters, digits, - . _ ~), found {segment:?}"
                );
            }
        }
        Ok(())
    }

    /// Served over HTTPS: Secure cookies, `__Host-` prefix, HSTS.
    pub fn is_https(&self) -> bool {
        self.public_root().starts_with("https://")
    }

    /// A cockpit on this machine only: it listens on loopback and people
    /// reach it there. Anything else is a deployment.
    pub fn is_local(&self) -> bool {
        let listens_locally = self
            .site_addr
            .parse::<std::net::SocketAddr>()
            .is_ok_and(|a| a.ip().is_loopback());
        listens_locally && is_loopback_host(&self.public_host())
    }

    /// The host (and port, when not the scheme's default) of the public URL.
    pub fn public_host(&self) -> String {
        let origin = self.public_origin();
        let rest = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, rest)| rest);
        rest.split('/').next().unwrap_or("").to_ascii_lowercase()
    }

    /// A deployment must name its public URL, its first admin and its
    /// Google sign-in; the error names every one missing.
    pub fn check_deployment(&self) -> anyhow::Result<()> {
        if self.is_local() {
            return Ok(());
        }
        let mut missing = Vec::new();
        if self.public_url.trim().is_empty() {
            missing.push("RPM_PUBLIC_URL (public_url), e.g. https://heritage.com/cockpit");
        }
        if self.admin_email.trim().is_empty() {
            missing.push("RPM_ADMIN_EMAIL (admin_email): the first admin");
        }
        if self.google_client_id.is_none() {
            missing.push("GOOGLE_CLIENT_ID");
        }
        if self.google_client_secret.is_none() {
            missing.push("GOOGLE_CLIENT_SECRET");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            anyhow::bail!(
                "the cockpit listens on {} for {}, beyond this machine, and needs: {}",
                self.site_addr,
                self.public_root(),
                missing.join("; ")
            )
        }
    }
}

/// `localhost`, `127.0.0.1` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn absolute(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_leptos_toml_parses_and_matches_the_defaults() {
        let text = include_str!("../../Leptos.toml");
        let parsed = Settings::from_toml(text).expect("Leptos.toml parses");
        let defaults = Settings::default();
        assert_eq!(parsed.site_addr, defaults.site_addr);
        assert_eq!(parsed.embedded_pg_port, defaults.embedded_pg_port);
        assert_eq!(parsed.sync_interval_minutes, 15);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        let err = Settings::from_toml("site_adr = \"x\"").unwrap_err();
        assert!(format!("{err:#}").contains("site_adr"), "{err:#}");
    }

    #[test]
    fn environment_overrides_win_and_bad_numbers_are_named() {
        let mut s = Settings::default();
        s.apply_env(|k| match k {
            "RPM_SITE_ADDR" => Some("0.0.0.0:8080".into()),
            "DATABASE_URL" => Some("postgres://db/x".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.site_addr, "0.0.0.0:8080");
        assert_eq!(s.database_url.as_deref(), Some("postgres://db/x"));

        let err = s
            .apply_env(|k| (k == "RPM_SYNC_INTERVAL_MINUTES").then(|| "soon".into()))
            .unwrap_err();
        assert!(
            err.to_string().contains("RPM_SYNC_INTERVAL_MINUTES"),
            "{err}"
        );
    }

    #[test]
    fn cloud_runs_port_is_listened_on_unless_the_address_is_set() {
        let mut s = Settings::default();
        s.apply_env(|k| (k == "PORT").then(|| "8080".into()))
            .unwrap();
        assert_eq!(s.site_addr, "0.0.0.0:8080");
        let mut s = Settings::default();
        s.apply_env(|k| match k {
            "PORT" => Some("8080".into()),
            "RPM_SITE_ADDR" => Some("127.0.0.1:9000".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.site_addr, "127.0.0.1:9000");
    }

    #[test]
    fn a_deployment_missing_its_sign_in_url_or_admin_names_each_one() {
        assert!(Settings::default().check_deployment().is_ok(), "local");
        let mut s = Settings::default();
        s.apply_env(|k| (k == "PORT").then(|| "8080".into()))
            .unwrap();
        let err = s.check_deployment().unwrap_err().to_string();
        for name in [
            "RPM_PUBLIC_URL",
            "RPM_ADMIN_EMAIL",
            "GOOGLE_CLIENT_ID",
            "GOOGLE_CLIENT_SECRET",
        ] {
            assert!(err.contains(name), "{name} in {err}");
        }
        s.apply_env(|k| match k {
            "PORT" => Some("8080".into()),
            "RPM_PUBLIC_URL" => Some("https://heritage.com/cockpit".into()),
            "RPM_ADMIN_EMAIL" => Some("jesse@heritage.com".into()),
            "GOOGLE_CLIENT_ID" => Some("id".into()),
            "GOOGLE_CLIENT_SECRET" => Some("secret".into()),
            _ => None,
        })
        .unwrap();
        assert!(s.check_deployment().is_ok());
        // Listening locally but published elsewhere is a deployment too.
        let mut s = Settings {
            public_url: "https://heritage.com".into(),
            ..Settings::default()
        };
        s.apply_env(|_| None).unwrap();
        assert!(s.check_deployment().is_err());
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "heritage.com",
            "evil.localhost.example",
            "10.0.0.1:3000",
            "[2001:db8::1]",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn the_public_url_gives_origin_mount_path_and_root() {
        let at = |url: &str| Settings {
            public_url: url.into(),
            ..Settings::default()
        };
        let s = at("https://heritage.com/cockpit/");
        assert_eq!(s.public_origin(), "https://heritage.com");
        assert_eq!(s.base_path(), "/cockpit");
        assert_eq!(s.public_root(), "https://heritage.com/cockpit");
        assert_eq!(s.public_host(), "heritage.com");
        let s = at("http://127.0.0.1:3101/a/b");
        assert_eq!(s.public_origin(), "http://127.0.0.1:3101");
        assert_eq!(s.base_path(), "/a/b");
        assert!(s.is_local());
        for root in [
            "https://cockpit.example.com",
            "https://cockpit.example.com/",
            "",
        ] {
            assert_eq!(at(root).base_path(), "", "{root:?}");
        }
        assert_eq!(at("").public_origin(), "http://127.0.0.1:3000");
    }

    #[test]
    fn a_public_url_that_cannot_be_mounted_is_refused() {
        let check = |url: &str| {
            Settings {
                public_url: url.into(),
                ..Settings::default()
            }
            .check_public_url()
        };
        for good in [
            "",
            "https://heritage.com",
            "https://heritage.com/cockpit/",
            "http://h:8080/a-b/c_d",
        ] {
            assert!(check(good).is_ok(), "{good}");
        }
        for bad in [
            "heritage.com/cockpit",
            "https:///cockpit",
            "https://heritage.com/cock pit",
            "https://heritage.com/cockpit?x=1",
            "https://heritage.com/a//b",
            "https://heritage.com/a/../b",
            "https://heritage.com/%2e%2e",
        ] {
            let err = check(bad).unwrap_err().to_string();
            assert!(err.contains("public_url"), "{bad}: {err}");
        }
    }
}
