//! The data lake as the importer uses it: uploads happen after the
//! database transaction (never while it holds the lock every live change
//! waits on); a failed upload leaves the plan imported and archived by the
//! next run; every agent sync leaves a snapshot.

use std::fmt;
use std::process::Command;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{
    GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use rpm_cockpit::server::sync::{FileOutcome, Lake, PlanSync};
use sqlx::PgPool;

use crate::helpers::TestApp;

/// A local-disk lake that, on every upload, checks from another database
/// connection whether the live-update event lock is free, and can be told
/// to fail.
#[derive(Debug)]
struct Watched {
    inner: LocalFileSystem,
    db: PgPool,
    /// For each upload: whether the event lock was free meanwhile.
    lock_free: Mutex<Vec<bool>>,
    failing: Mutex<bool>,
}

impl fmt::Display for Watched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Watched({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for Watched {
    async fn put_opts(
        &self,
        location: &ObjectPath,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let mut tx = self.db.begin().await.unwrap();
        let free: bool = sqlx::query_scalar(
            "select pg_try_advisory_xact_lock(hashtext('rpm_cockpit.events')::bigint)",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        self.lock_free.lock().unwrap().push(free);
        if *self.failing.lock().unwrap() {
            return Err(object_store::Error::Generic {
                store: "watched",
                source: "the bucket is unreachable".into(),
            });
        }
        self.inner.put_opts(location, payload, opts).await
    }
    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }
    async fn get_opts(
        &self,
        location: &ObjectPath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }
    async fn delete(&self, location: &ObjectPath) -> object_store::Result<()> {
        self.inner.delete(location).await
    }
    fn list(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }
    async fn list_with_delimiter(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }
    async fn copy(&self, from: &ObjectPath, to: &ObjectPath) -> object_store::Result<()> {
        self.inner.copy(from, to).await
    }
    async fn copy_if_not_exists(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
    ) -> object_store::Result<()> {
        self.inner.copy_if_not_exists(from, to).await
    }
}

const PLAN: &str = "Week: 2031-05-05\n## R1: Ship the lake\nPurpose: archives that never block a live change\n### LAKE-001: Upload outside the lock\nStage: top\n";

#[tokio::test]
async fn uploads_wait_for_the_commit_and_a_failed_upload_is_retried_next_run() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let lake_dir = dir.path().join("lake");
    std::fs::create_dir(&lake_dir).unwrap();
    let watched = Arc::new(Watched {
        inner: LocalFileSystem::new_with_prefix(&lake_dir).unwrap(),
        db: app.db.clone(),
        lock_free: Mutex::default(),
        failing: Mutex::new(true),
    });
    let lake = Lake::from_store(watched.clone(), "watched");
    let plan = dir.path().join("2031-W19.md");
    std::fs::write(&plan, PLAN).unwrap();

    // The bucket is down: the plan is imported all the same, the file says
    // why it is not archived, and it did not hold the event lock meanwhile.
    let mut sync = PlanSync::new(app.db.clone(), Some(lake.clone()), false)
        .await
        .unwrap();
    let first = sync.file(&plan).await;
    assert!(matches!(first.outcome, FileOutcome::Failed), "{first:?}");
    let said = first.messages().join("\n");
    assert!(
        said.contains("data lake") && said.contains("next sync archives it"),
        "{said}"
    );
    let actions: i64 =
        sqlx::query_scalar("select count(*) from rpm_action_items where action_code = 'LAKE-001'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(actions, 1, "imported although the archive failed");

    // The bucket is back: the next run archives the unchanged file.
    *watched.failing.lock().unwrap() = false;
    let mut sync = PlanSync::new(app.db.clone(), Some(lake.clone()), false)
        .await
        .unwrap();
    let second = sync.file(&plan).await;
    assert!(
        matches!(second.outcome, FileOutcome::Synced(_)),
        "{second:?}"
    );
    let raw = lake
        .get("rpm-plans/raw/2031/W19/2031-W19.md")
        .await
        .unwrap();
    assert_eq!(raw, PLAN.as_bytes());
    // And only then is it unchanged.
    let third = sync.file(&plan).await;
    assert!(matches!(third.outcome, FileOutcome::Unchanged), "{third:?}");

    let seen = watched.lock_free.lock().unwrap().clone();
    assert!(seen.len() >= 5, "uploads watched: {seen:?}");
    assert!(
        seen.iter().all(|free| *free),
        "an upload ran while the event lock was held: {seen:?}"
    );
}

#[tokio::test]
async fn every_agent_sync_leaves_a_snapshot_in_the_lake() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let agents = std::fs::read(crate::helpers::demo_dir().join("agents/artifacts.json")).unwrap();
    std::fs::write(dir.path().join("agent_registry.json"), &agents).unwrap();
    let out = Command::new(crate::cli::binary())
        .current_dir(dir.path())
        .env("DATABASE_URL", &app.url)
        .env("RPM_DATA_DIR", dir.path().join("data"))
        .env("RUST_LOG", "warn")
        .args(["sync", "--agents", "agent_registry.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let today = chrono::Utc::now().format("%Y/%m/%d").to_string();
    let day = dir
        .path()
        .join("data/lake/agent-status/snapshots")
        .join(&today);
    let snapshots: Vec<String> = std::fs::read_dir(&day)
        .unwrap_or_else(|e| panic!("{}: {e}", day.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let name = &snapshots[0];
    assert!(name.ends_with("_agent_registry.json"), "{name}");
    assert_eq!(name.len(), "08-15-00_agent_registry.json".len(), "{name}");
    assert_eq!(std::fs::read(day.join(name)).unwrap(), agents);
}
