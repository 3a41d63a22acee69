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

#[tokio::test]
async fn closed_sets_decode_from_their_stored_names_and_a_bad_stored_value_is_the_servers_fault() {
    use rpm_cockpit::error::AppError;
    use rpm_cockpit::model::{ActionStatus, FunnelStage, Role};
    let app = TestApp::empty().await;
    let (status, stage, role): (ActionStatus, FunnelStage, Role) =
        sqlx::query_as("select 'in_progress'::text, 'bottom'::varchar, 'vip'::text")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (status, stage, role),
        (ActionStatus::InProgress, FunnelStage::Bottom, Role::Vip)
    );
    // Bound as their names, singly and as arrays.
    let back: (String, Vec<String>) = sqlx::query_as("select $1, $2::text[]")
        .bind(ActionStatus::Blocked)
        .bind(vec![FunnelStage::Top, FunnelStage::Middle])
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        back,
        ("blocked".into(), vec!["top".into(), "middle".into()])
    );
    // Only the exact stored name: no leniency for what is read back.
    let bad = sqlx::query_scalar::<_, ActionStatus>("select 'Blocked'::text")
        .fetch_one(&app.db)
        .await
        .unwrap_err();
    assert_eq!(AppError::from(bad), AppError::Internal);
    // Constraint violations name the rule: 409 for a duplicate, 422 for
    // a check.
    let insert = |start: chrono::NaiveDate, status: &'static str| {
        sqlx::query(
            "insert into rpm_weekly_plans (week_start_date, week_end_date, owner, status)
             values ($1, $1 + 6, 'Jesse', $2)",
        )
        .bind(start)
        .bind(status)
        .execute(&app.db)
    };
    insert(today(), "active").await.unwrap();
    let duplicate = AppError::from(insert(today(), "active").await.unwrap_err());
    assert!(
        matches!(&duplicate, AppError::Conflict(m) if m.contains("rpm_weekly_plans_week_start_date_key")),
        "{duplicate:?}"
    );
    assert_eq!(duplicate.status(), 409);
    let next = today() + chrono::Days::new(7);
    let unknown = AppError::from(insert(next, "sideways").await.unwrap_err());
    assert!(
        matches!(&unknown, AppError::Invalid(m) if m.contains("rpm_weekly_plans_status_check")),
        "{unknown:?}"
    );
    assert_eq!(unknown.status(), 422);
}

/// Each closed set of the code is exactly what its column's check
/// constraint allows: a value added to one and not the other fails here,
/// not in production.
#[tokio::test]
async fn every_closed_set_matches_its_columns_check_constraint() {
    use rpm_cockpit::model::kinds::{
        AgentStatus, DeliverableKind, DeliverableStatus, Scope, SongStatus,
    };
    use rpm_cockpit::model::live::EventKind;
    use rpm_cockpit::model::{ActionStatus, FunnelStage, Role};
    let app = TestApp::empty().await;
    // The quoted values of every check constraint on `table`.`column`.
    let allowed = |table: &'static str, column: &'static str| {
        let db = app.db.clone();
        async move {
            let defs: Vec<String> = sqlx::query_scalar(
                "select pg_get_constraintdef(c.oid) from pg_constraint c
                 join pg_class t on t.oid = c.conrelid
                 join pg_attribute a on a.attrelid = t.oid and a.attnum = any(c.conkey)
                 where c.contype = 'c' and t.relname = $1 and a.attname = $2",
            )
            .bind(table)
            .bind(column)
            .fetch_all(&db)
            .await
            .unwrap();
            let def = defs
                .into_iter()
                .find(|d| d.contains("ARRAY[") || d.contains("= ANY") || d.contains(" IN "))
                .unwrap_or_else(|| panic!("no list check on {table}.{column}"));
            let mut values: Vec<String> = def
                .split('\'')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect();
            values.sort();
            values.dedup();
            values
        }
    };
    // The sorted stored names of a closed set.
    macro_rules! names {
        ($set:ty) => {{
            let mut v: Vec<String> = <$set>::ALL.iter().map(|s| s.as_str().to_string()).collect();
            v.sort();
            v
        }};
    }
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        ("rpm_action_items", "status", names!(ActionStatus)),
        ("rpm_action_items", "funnel_stage", names!(FunnelStage)),
        ("users", "role", names!(Role)),
        ("events", "event_type", names!(EventKind)),
        ("agent_status", "status", names!(AgentStatus)),
        ("deliverables", "deliverable_type", names!(DeliverableKind)),
        ("deliverables", "status", names!(DeliverableStatus)),
        ("suno_songs", "status", names!(SongStatus)),
        ("api_tokens", "scopes", names!(Scope)),
    ];
    for (table, column, ours) in cases {
        assert_eq!(allowed(table, column).await, ours, "{table}.{column}");
    }
}
