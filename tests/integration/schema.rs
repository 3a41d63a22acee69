//! The migrations and the constraints they promise.

use rpm_cockpit::server::db;

use crate::helpers::{fresh_database, today, TestApp};

#[tokio::test]
async fn migrations_create_the_seven_specified_tables_and_ours() {
    let app = TestApp::empty().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables where table_schema = 'public'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for table in [
        "rpm_weekly_plans",
        "rpm_results",
        "rpm_action_items",
        "agent_status",
        "deliverables",
        "rpm_dna_periods",
        "suno_songs",
        "users",
        "events",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing from {tables:?}"
        );
    }
}

#[tokio::test]
async fn running_the_migrations_twice_changes_nothing() {
    let pool = fresh_database().await;
    db::migrate(&pool).await.unwrap();
    db::migrate(&pool).await.unwrap();
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(applied as usize, files);
}

#[tokio::test]
async fn an_unknown_action_status_is_refused() {
    let app = TestApp::with_demo(today()).await;
    let err = sqlx::query("update rpm_action_items set status = 'done'")
        .execute(&app.db)
        .await
        .expect_err("check constraint");
    assert!(err.to_string().contains("check constraint"), "{err}");
}

#[tokio::test]
async fn updating_an_action_bumps_its_version_and_updated_at() {
    let app = TestApp::with_demo(today()).await;
    let (id, version, updated): (uuid::Uuid, i32, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("select id, version, updated_at from rpm_action_items limit 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (new_version, new_updated): (i32, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "update rpm_action_items set status = 'in_progress' where id = $1 returning version, updated_at",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(new_version, version + 1);
    assert!(new_updated >= updated);
}

#[tokio::test]
async fn events_cannot_be_changed_or_deleted() {
    let app = TestApp::empty().await;
    sqlx::query("insert into events (event_type, payload) values ('ACTION_UPDATED', '{}')")
        .execute(&app.db)
        .await
        .unwrap();
    for sql in [
        "update events set payload = '{\"x\":1}'",
        "delete from events",
    ] {
        let err = sqlx::query(sql).execute(&app.db).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}
