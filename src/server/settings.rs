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
    /// External database; only ever from the environment.
    #[serde(skip)]
    pub database_url: Option<String>,
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
            database_url: None,
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
        self.database_url = var("DATABASE_URL").filter(|v| !v.trim().is_empty());
        Ok(())
    }
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
}
