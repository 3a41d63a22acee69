//! The data lake: raw plan files and their processed JSON, in an object
//! store (spec 1.3). A local directory by default; `gs://` and `s3://` by
//! URL, with credentials from the environment as `object_store` reads them
//! (GOOGLE_SERVICE_ACCOUNT / GOOGLE_APPLICATION_CREDENTIALS, AWS_*).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::Datelike;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use serde::Serialize;

use crate::server::plan::PlanDoc;

/// An object store and the prefix everything goes under.
#[derive(Clone)]
pub struct Lake {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    /// For messages: where the lake is.
    pub location: String,
}

impl Lake {
    /// `url` empty: the local directory `default_dir` (created if needed).
    pub fn open(url: &str, default_dir: &Path) -> anyhow::Result<Self> {
        if url.is_empty() || !url.contains("://") {
            let dir = if url.is_empty() {
                default_dir.to_path_buf()
            } else {
                url.into()
            };
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the data lake directory {}", dir.display()))?;
            let store = LocalFileSystem::new_with_prefix(&dir)?;
            return Ok(Self {
                store: Arc::new(store),
                prefix: ObjectPath::default(),
                location: dir.display().to_string(),
            });
        }
        let options: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("GOOGLE_") || k.starts_with("AWS_"))
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Self::open_remote(url, options)
    }

    /// A `gs://` or `s3://` store with explicit `object_store` options
    /// (e.g. `google_service_account_key`).
    pub fn open_remote(url: &str, options: Vec<(String, String)>) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url).with_context(|| format!("object store URL {url:?}"))?;
        let (store, prefix) = object_store::parse_url_opts(&parsed, options)
            .with_context(|| format!("opening the object store {url}"))?;
        Ok(Self {
            store: Arc::from(store),
            prefix,
            location: url.to_string(),
        })
    }

    fn key(&self, relative: &str) -> ObjectPath {
        let joined = if self.prefix.as_ref().is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.prefix.as_ref())
        };
        ObjectPath::from(joined)
    }

    /// Writes `bytes` unless the object already holds exactly them; whether
    /// it wrote.
    pub async fn put_if_changed(&self, relative: &str, bytes: Vec<u8>) -> anyhow::Result<bool> {
        let key = self.key(relative);
        if let Ok(existing) = self.store.get(&key).await {
            if existing.meta.size as usize == bytes.len() && existing.bytes().await? == bytes {
                return Ok(false);
            }
        }
        self.store
            .put(&key, PutPayload::from(bytes))
            .await
            .with_context(|| format!("writing {key} to the data lake {}", self.location))?;
        Ok(true)
    }

    /// Reads an object (for tests and tools).
    pub async fn get(&self, relative: &str) -> anyhow::Result<Vec<u8>> {
        let key = self.key(relative);
        let got = self.store.get(&key).await?;
        Ok(got.bytes().await?.to_vec())
    }

    /// Archives a plan: its raw file and the processed JSON.
    pub async fn archive_plan(
        &self,
        plan: &PlanDoc,
        file_name: &str,
        raw: &[u8],
    ) -> anyhow::Result<u32> {
        let week = week_dir(plan);
        let mut written = 0;
        let files: [(String, Vec<u8>); 4] = [
            (format!("rpm-plans/raw/{week}/{file_name}"), raw.to_vec()),
            (
                format!("rpm-plans/processed/{week}/weekly_plan.json"),
                json(plan)?,
            ),
            (
                format!("rpm-plans/processed/{week}/results.json"),
                json(&plan.results)?,
            ),
            (
                format!("rpm-plans/processed/{week}/actions.json"),
                json(&plan.actions().collect::<Vec<_>>())?,
            ),
        ];
        for (key, bytes) in files {
            written += u32::from(self.put_if_changed(&key, bytes).await?);
        }
        Ok(written)
    }
}

impl Lake {
    /// Keeps one agent status snapshot (spec 1.3:
    /// `agent-status/snapshots/2025/10/27/08-15-00_agent_registry.json`);
    /// its key, relative to the lake.
    pub async fn archive_agent_snapshot(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<String> {
        let key = format!(
            "agent-status/snapshots/{}_{file_name}",
            at.format("%Y/%m/%d/%H-%M-%S")
        );
        self.put_if_changed(&key, bytes).await?;
        Ok(key)
    }

    /// A lake over any object store (tests wrap one to watch it).
    pub fn from_store(store: Arc<dyn ObjectStore>, location: &str) -> Self {
        Self {
            store,
            prefix: ObjectPath::default(),
            location: location.to_string(),
        }
    }
}

/// `YYYY/Www` of the plan's ISO week.
pub fn week_dir(plan: &PlanDoc) -> String {
    let week = plan.week_start.iso_week();
    format!("{}/W{:02}", week.year(), week.week())
}

fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
