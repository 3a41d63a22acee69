//! Songs, deliverables and agent snapshots imported from JSON.

use rpm_cockpit::server::sync::catalog::{import_file, Kind};
use rpm_cockpit::server::sync::Counts;
use sqlx::PgPool;

use crate::helpers::{count, database_digest, demo_dir, TestApp};

async fn import(db: &PgPool, kind: Kind, path: &std::path::Path) -> Result<Counts, String> {
    import_file(db, kind, path, chrono::Duration::zero(), false)
        .await
        .map_err(|e| e.to_string())
}

async fn events(db: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from events where event_type = $1")
        .bind(kind)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_song_catalog_is_imported_once_by_song_id() {
    let app = TestApp::empty().await;
    let songs = demo_dir().join("songs.json");
    let first = import(&app.db, Kind::Songs, &songs).await.unwrap();
    assert!(first.inserted >= 60);
    let before = database_digest(&app.db).await;
    let second = import(&app.db, Kind::Songs, &songs).await.unwrap();
    assert_eq!(
        (second.unchanged, second.inserted + second.updated),
        (first.inserted, 0)
    );
    assert_eq!(database_digest(&app.db).await, before);
}

#[tokio::test]
async fn a_bad_record_is_named_and_nothing_of_its_file_is_written() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("songs.json");
    std::fs::write(
        &path,
        r#"[{"song_id": "s1", "title": "One"},
            {"song_id": "s2", "title": "Two", "status": "done"}]"#,
    )
    .unwrap();
    let err = import(&app.db, Kind::Songs, &path).await.unwrap_err();
    assert_eq!(
        err,
        format!(
            "{}: record 2 (s2): unknown status \"done\" (generated, reviewed, mastered or released)",
            path.display()
        )
    );
    std::fs::write(&path, "[{\"song_id\": \"s1\",\n \"title\": }]").unwrap();
    let err = import(&app.db, Kind::Songs, &path).await.unwrap_err();
    assert!(err.starts_with(&format!("{}:2:", path.display())), "{err}");
    assert_eq!(count(&app.db, "suno_songs").await, 0);
}

#[tokio::test]
async fn deliverables_announce_publication_and_revenue_changes() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deliverables.json");
    let write = |status: &str, revenue: f64| {
        std::fs::write(
            &path,
            format!(
                r#"[{{"type": "document", "title": "Runbook", "storage_path": "gs://b/runbook.md",
                    "status": "{status}", "revenue_actual": {revenue}}}]"#
            ),
        )
        .unwrap()
    };
    write("review", 0.0);
    assert_eq!(
        import(&app.db, Kind::Deliverables, &path)
            .await
            .unwrap()
            .inserted,
        1
    );
    write("published", 0.0);
    assert_eq!(
        import(&app.db, Kind::Deliverables, &path)
            .await
            .unwrap()
            .updated,
        1
    );
    assert_eq!(events(&app.db, "DELIVERABLE_PUBLISHED").await, 1);
    let published: bool = sqlx::query_scalar("select published_at is not null from deliverables")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(published);
    write("published", 120.5);
    import(&app.db, Kind::Deliverables, &path).await.unwrap();
    assert_eq!(events(&app.db, "REVENUE_UPDATE").await, 1);
    assert_eq!(events(&app.db, "DELIVERABLE_PUBLISHED").await, 1);
    assert_eq!(count(&app.db, "deliverables").await, 1);
}

#[tokio::test]
async fn agent_snapshots_are_upserted_by_name() {
    let app = TestApp::empty().await;
    let dir = demo_dir().join("agents");
    for entry in std::fs::read_dir(&dir).unwrap() {
        import(&app.db, Kind::Agents, &entry.unwrap().path())
            .await
            .unwrap();
    }
    assert_eq!(count(&app.db, "agent_status").await, 7);
    assert_eq!(events(&app.db, "AGENT_STATUS_CHANGE").await, 7);
    let again = import(&app.db, Kind::Agents, &dir.join("qa.json"))
        .await
        .unwrap();
    assert_eq!(again.unchanged, 1);
    assert_eq!(events(&app.db, "AGENT_STATUS_CHANGE").await, 7);
}
