//! The plan importer against a real database: idempotence, updates, the
//! live-field merge, failures without partial writes, dry runs, the lake.

use std::path::{Path, PathBuf};

use rpm_cockpit::server::sync::{plan_files, FileOutcome, Lake, PlanSync};
use sqlx::PgPool;

use crate::helpers::{count, database_digest, demo_dir, TestApp};

/// A copy of the demo plans in a temporary directory.
fn demo_plans() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    for file in plan_files(&demo_dir().join("plans")).unwrap() {
        std::fs::copy(&file, dir.path().join(file.file_name().unwrap())).unwrap();
    }
    let files = plan_files(dir.path()).unwrap();
    (dir, files)
}

async fn sync(db: &PgPool, files: &[PathBuf]) -> rpm_cockpit::server::sync::Summary {
    PlanSync::new(db.clone(), None, false)
        .await
        .unwrap()
        .files(files)
        .await
}

const ONE: &str = "\
---
week_start: 2030-01-07
---
## R1: Ship
**Purpose:** revenue

### SHIP-001: Build it
**Owner:** Jesse
**Status:** pending

### SHIP-002: Sell it
**Owner:** QA
**Stage:** bottom
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn action(db: &PgPool, code: &str) -> (String, String, i32) {
    sqlx::query_as(
        "select action_text, status, version from rpm_action_items where action_code = $1",
    )
    .bind(code)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn syncing_the_same_directory_twice_writes_nothing() {
    let app = TestApp::empty().await;
    let (_dir, files) = demo_plans();
    let first = sync(&app.db, &files).await;
    assert_eq!((first.files, first.files_failed), (12, 0));
    assert_eq!(first.plans.inserted, 12);
    assert_eq!(
        first.actions.inserted as i64,
        count(&app.db, "rpm_action_items").await
    );
    let before = database_digest(&app.db).await;

    // Unchanged hashes: files are skipped without being parsed.
    let second = sync(&app.db, &files).await;
    assert_eq!(second.files_unchanged, 12);
    assert_eq!(database_digest(&app.db).await, before);

    // Forced: every row is compared, none is written (xmin unchanged).
    let mut forced = PlanSync::new(app.db.clone(), None, false).await.unwrap();
    forced.force = true;
    let third = forced.files(&files).await;
    assert_eq!(third.files_failed, 0);
    assert!(!third.plans.changed() && !third.results.changed() && !third.actions.changed());
    assert_eq!(third.actions.unchanged, first.actions.inserted);
    assert_eq!(database_digest(&app.db).await, before);
}

#[tokio::test]
async fn an_edited_plan_updates_inserts_and_removes_exactly_what_changed() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "w.md", ONE);
    sync(&app.db, std::slice::from_ref(&path)).await;
    let v1 = action(&app.db, "SHIP-001").await.2;

    let edited = ONE.replace("Build it", "Build it well").replace(
        "### SHIP-002: Sell it\n**Owner:** QA\n**Stage:** bottom\n",
        "### SHIP-003: Ship it\n",
    );
    std::fs::write(&path, edited).unwrap();
    let s = sync(&app.db, std::slice::from_ref(&path)).await;
    assert_eq!(
        (s.actions.inserted, s.actions.updated, s.actions.removed),
        (1, 1, 1)
    );
    assert_eq!((s.plans.updated, s.results.unchanged), (1, 1));
    let (text, _, v2) = action(&app.db, "SHIP-001").await;
    assert_eq!((text.as_str(), v2), ("Build it well", v1 + 1));
    assert_eq!(count(&app.db, "rpm_action_items").await, 2);
    let imported: i64 =
        sqlx::query_scalar("select count(*) from events where event_type = 'PLAN_IMPORTED'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(imported, 2);
}

#[tokio::test]
async fn a_completion_made_in_the_cockpit_survives_until_the_file_changes_that_action() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "w.md", ONE);
    sync(&app.db, std::slice::from_ref(&path)).await;
    sqlx::query(
        "update rpm_action_items set status = 'completed', completion_date = now(),
         actual_hours = 2 where action_code = 'SHIP-001'",
    )
    .execute(&app.db)
    .await
    .unwrap();

    // Another action changes in the file: SHIP-001 keeps its completion.
    std::fs::write(&path, ONE.replace("Sell it", "Sell it twice")).unwrap();
    sync(&app.db, std::slice::from_ref(&path)).await;
    assert_eq!(action(&app.db, "SHIP-001").await.1, "completed");

    // The file now states something new about SHIP-001: the file wins.
    std::fs::write(
        &path,
        ONE.replace("Sell it", "Sell it twice")
            .replace("**Status:** pending", "**Status:** in progress"),
    )
    .unwrap();
    sync(&app.db, std::slice::from_ref(&path)).await;
    assert_eq!(action(&app.db, "SHIP-001").await.1, "in_progress");
}

#[tokio::test]
async fn a_bad_plan_is_reported_at_its_line_and_the_others_still_sync() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "a.md", ONE);
    let bad = write(
        dir.path(),
        "b.md",
        &ONE.replace("2030-01-07", "2030-01-14")
            .replace("SHIP-", "LATER-")
            .replace("**Stage:** bottom", "**Stage:** sideways"),
    );
    let mut sync = PlanSync::new(app.db.clone(), None, false).await.unwrap();
    assert!(matches!(
        sync.file(&good).await.outcome,
        FileOutcome::Synced(_)
    ));
    let result = sync.file(&bad).await;
    assert_eq!(
        result.outcome,
        FileOutcome::Failed,
        "the bad plan was accepted"
    );
    assert_eq!(
        result.error_text(),
        format!(
            "{}:13: unknown funnel stage \"sideways\" (top, middle or bottom)",
            bad.display()
        )
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 1);
}

#[tokio::test]
async fn a_plan_refused_by_the_database_leaves_no_partial_rows() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "a.md", ONE);
    let second = write(
        dir.path(),
        "b.md",
        &ONE.replace("2030-01-07", "2030-01-14")
            .replace("SHIP-002", "LATER-002"),
    );
    let mut sync = PlanSync::new(app.db.clone(), None, false).await.unwrap();
    sync.file(&first).await;
    // A rule the parser does not know, so that the database refuses the
    // second plan's last action after its plan, result and first action
    // were written in the transaction.
    sqlx::query(
        "alter table rpm_action_items add constraint test_no_later
         check (action_code not like 'LATER-%')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let before = database_digest(&app.db).await;
    let result = sync.file(&second).await;
    assert_eq!(result.outcome, FileOutcome::Failed, "the plan was accepted");
    assert!(
        result.error_text().contains("test_no_later"),
        "{}",
        result.error_text()
    );
    assert_eq!(database_digest(&app.db).await, before);
}

#[tokio::test]
async fn a_dry_run_reports_and_changes_nothing() {
    let app = TestApp::empty().await;
    let (_dir, files) = demo_plans();
    let before = database_digest(&app.db).await;
    let mut dry = PlanSync::new(app.db.clone(), None, true).await.unwrap();
    let summary = dry.files(&files).await;
    assert_eq!(summary.plans.inserted, 12);
    assert!(summary.actions.inserted > 300);
    assert_eq!(database_digest(&app.db).await, before);
}

#[tokio::test]
async fn plans_are_archived_raw_and_processed_in_the_lake() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let lake_dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "week-2.md", ONE);
    let lake = Lake::open("", lake_dir.path()).unwrap();
    let mut sync = PlanSync::new(app.db.clone(), Some(lake.clone()), false)
        .await
        .unwrap();
    assert!(matches!(
        sync.file(&path).await.outcome,
        FileOutcome::Synced(_)
    ));
    let raw = lake.get("rpm-plans/raw/2030/W02/week-2.md").await.unwrap();
    assert_eq!(raw, ONE.as_bytes());
    let actions: serde_json::Value = serde_json::from_slice(
        &lake
            .get("rpm-plans/processed/2030/W02/actions.json")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(actions[1]["code"], "SHIP-002");
    assert_eq!(actions[1]["stage"], "bottom");
    let plan: serde_json::Value = serde_json::from_slice(
        &lake
            .get("rpm-plans/processed/2030/W02/weekly_plan.json")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(plan["week_start"], "2030-01-07");
    let results: serde_json::Value = serde_json::from_slice(
        &lake
            .get("rpm-plans/processed/2030/W02/results.json")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(results[0]["purpose"], "revenue");
    // Uploads are idempotent: the same plan writes nothing again.
    let processed = lake_dir
        .path()
        .join("rpm-plans/processed/2030/W02/actions.json");
    let modified = std::fs::metadata(&processed).unwrap().modified().unwrap();
    assert_eq!(
        lake.archive_plan(
            &rpm_cockpit::server::plan::parse_plan(ONE).unwrap().plan,
            "week-2.md",
            ONE.as_bytes()
        )
        .await
        .unwrap(),
        0
    );
    assert_eq!(
        std::fs::metadata(&processed).unwrap().modified().unwrap(),
        modified
    );
}
