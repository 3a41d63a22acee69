//! Plans as people write them, through the importer into a real database:
//! warnings are imported and recorded, a broken plan lists every error and
//! writes nothing, `--strict` refuses warnings, carried actions link their
//! weeks in either import order and leave past weeks as they were, the
//! sync status is visible over the API, and the seed's hand-off plan syncs
//! after the week before it and into the demo cockpit.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::error::AppError;
use rpm_cockpit::model::action_change::ActionChange;
use rpm_cockpit::server::sync::{FileOutcome, PlanSync};
use rpm_cockpit::server::tokens;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{database_digest, today, TestApp};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/plans")
            .join(name),
    )
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn sync_one(db: &PgPool, path: &Path) -> rpm_cockpit::server::sync::FileResult {
    let mut sync = PlanSync::new(db.clone(), None, false).await.unwrap();
    let result = sync.file(path).await;
    sync.flush_status().await.unwrap();
    result
}

/// (outcome, warnings, errors) of a file's recorded sync status.
async fn recorded(db: &PgPool, path: &Path) -> (String, Value, Value) {
    let path = std::fs::canonicalize(path).unwrap().display().to_string();
    sqlx::query_as("select outcome, warnings, errors from plan_sync_status where source_path = $1")
        .bind(path)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_plan_with_warnings_is_imported_and_says_what_it_skipped() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "warned.md", &fixture("warnings-only.md"));
    let result = sync_one(&app.db, &path).await;
    assert!(
        matches!(result.outcome, FileOutcome::Synced(_)),
        "{:?}",
        result.errors
    );
    assert!(result.warnings.len() >= 6, "{:?}", result.warnings);
    // Printed like a compiler: file:line: warning: message, then the line.
    let printed = result.messages().join("\n");
    let shown = path.display().to_string();
    assert!(
        printed.contains(&format!(
            "{shown}:4: warning: front matter key \"mood\" is not a plan field"
        )),
        "{printed}"
    );
    assert!(printed.contains("    4 | mood: optimistic"), "{printed}");
    assert!(printed.contains(&format!("{shown}:12: warning: \"Onwer\" is not a field of an action; ignored (did you mean \"Owner\"?)")), "{printed}");
    let stored: i64 = sqlx::query_scalar("select count(*) from rpm_action_items")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 2);
    let (outcome, warnings, errors) = recorded(&app.db, &path).await;
    assert_eq!(outcome, "imported");
    assert_eq!(warnings.as_array().unwrap().len(), result.warnings.len());
    assert_eq!(warnings[0]["line"], 4);
    assert_eq!(warnings[0]["text"], "mood: optimistic");
    assert_eq!(errors, Value::Array(vec![]));

    // Unchanged: not read again, and its warnings stay on record.
    let again = sync_one(&app.db, &path).await;
    assert_eq!(again.outcome, FileOutcome::Unchanged);
    let (outcome, kept, _) = recorded(&app.db, &path).await;
    assert_eq!((outcome.as_str(), kept), ("unchanged", warnings));
}

#[tokio::test]
async fn strict_refuses_a_plan_with_warnings_and_writes_nothing() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "warned.md", &fixture("warnings-only.md"));
    let before = database_digest(&app.db).await;
    let mut sync = PlanSync::new(app.db.clone(), None, false).await.unwrap();
    sync.strict = true;
    let result = sync.file(&path).await;
    sync.flush_status().await.unwrap();
    assert_eq!(result.outcome, FileOutcome::Failed);
    assert!(result.warnings.is_empty());
    assert!(result.errors.len() >= 6);
    assert!(result
        .errors
        .iter()
        .all(|e| e.message.ends_with("(--strict)")));
    assert_eq!(database_digest(&app.db).await, before);
    assert_eq!(recorded(&app.db, &path).await.0, "refused");
}

#[tokio::test]
async fn a_broken_plan_lists_every_error_at_its_line_and_writes_nothing() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "broken.md", &fixture("broken-five.md"));
    let before = database_digest(&app.db).await;
    let result = sync_one(&app.db, &path).await;
    assert_eq!(result.outcome, FileOutcome::Failed);
    let lines: Vec<usize> = result.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [9, 12, 15, 17, 19, 22], "{}", result.error_text());
    let text = result.error_text();
    let shown = path.display();
    assert!(
        text.contains(&format!("{shown}:9: unknown funnel stage \"sideways\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{shown}:17: action code BRK-1 is used twice (first on line 8)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{shown}:22: result R2 has no purpose")),
        "{text}"
    );
    assert_eq!(database_digest(&app.db).await, before);
    let (outcome, _, errors) = recorded(&app.db, &path).await;
    assert_eq!(outcome, "refused");
    assert_eq!(errors.as_array().unwrap().len(), 6);
}

const WEEK_A: &str = "\
---
week_start: 2030-01-07
---
## R1: Ship
Purpose: revenue

- [ ] CARRY-1: Build it | Owner: Jesse | Est: 2h
- [x] CARRY-2: Plan it | Owner: Jesse | Done: 2030-01-08
- [ ] CARRY-3: Tell people | Owner: QA
";

const WEEK_B: &str = "\
---
week_start: 2030-01-14
---
## R1: Ship, carried over
Purpose: revenue

- [x] CARRY-1: Build it | Owner: Jesse | Est: 2h | Actual: 3h | Done: 2030-01-15
- [/] CARRY-3: Tell people | Owner: QA
";

const WEEK_C: &str = "\
---
week_start: 2030-01-21
---
## R1: Still telling people
Purpose: revenue

- [x] CARRY-3: Tell people | Owner: QA | Done: 2030-01-22
";

/// Every action as (week, code, status, week it was carried from), ids left out.
async fn carry_digest(
    db: &PgPool,
) -> Vec<(chrono::NaiveDate, String, String, Option<chrono::NaiveDate>)> {
    sqlx::query_as(
        "select p.week_start_date, a.action_code, a.status, fp.week_start_date
         from rpm_action_items a
         join rpm_weekly_plans p on p.id = a.weekly_plan_id
         left join rpm_action_items f on f.id = a.carried_from_id
         left join rpm_weekly_plans fp on fp.id = f.weekly_plan_id
         order by 1, 2",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn carried_actions_link_their_weeks_in_any_import_order() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        write(dir.path(), "a.md", WEEK_A),
        write(dir.path(), "b.md", WEEK_B),
        write(dir.path(), "c.md", WEEK_C),
    ];
    let mut digests = Vec::new();
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let app = TestApp::empty().await;
        for i in order {
            let result = sync_one(&app.db, &files[i]).await;
            assert!(
                matches!(result.outcome, FileOutcome::Synced(_)),
                "{:?}",
                result.errors
            );
            assert!(result.warnings.is_empty(), "{:?}", result.warnings);
        }
        digests.push(carry_digest(&app.db).await);
    }
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let s = |x: &str| x.to_string();
    assert_eq!(
        digests[0],
        vec![
            (d(2030, 1, 7), s("CARRY-1"), s("pending"), None),
            (d(2030, 1, 7), s("CARRY-2"), s("completed"), None),
            (d(2030, 1, 7), s("CARRY-3"), s("pending"), None),
            (
                d(2030, 1, 14),
                s("CARRY-1"),
                s("completed"),
                Some(d(2030, 1, 7))
            ),
            (
                d(2030, 1, 14),
                s("CARRY-3"),
                s("in_progress"),
                Some(d(2030, 1, 7))
            ),
            (
                d(2030, 1, 21),
                s("CARRY-3"),
                s("completed"),
                Some(d(2030, 1, 14))
            ),
        ]
    );
    assert_eq!(digests[1], digests[0]);
    assert_eq!(digests[2], digests[0]);
}

#[tokio::test]
async fn a_past_week_keeps_its_figures_once_its_actions_are_carried() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.md", WEEK_A);
    let b = write(dir.path(), "b.md", WEEK_B);
    sync_one(&app.db, &a).await;
    let figures = |week: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, Option<f64>)>(
                "select total_actions, actions_completed, jesse_completion_rate
                 from rpm_analytics.rpm_plan_effectiveness_at(now())
                 where week_start = $1::date",
            )
            .bind(week)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let week_a_before = figures("2030-01-07").await;
    assert_eq!(week_a_before, (3, 1, Some(50.0)));
    sync_one(&app.db, &b).await;
    // Week A is as it was; week B counts its own instances.
    assert_eq!(figures("2030-01-07").await, week_a_before);
    assert_eq!(figures("2030-01-14").await, (2, 1, Some(100.0)));
    let rate: Vec<(chrono::NaiveDate, f64)> = sqlx::query_as(
        "select week_start_date, completion_rate::float8 from rpm_weekly_plans order by 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rate.iter().map(|r| r.1).collect::<Vec<_>>(), [33.33, 50.0]);

    // The earlier instance is read-only: it is changed in the later week.
    let earlier: uuid::Uuid = sqlx::query_scalar(
        "select a.id from rpm_action_items a join rpm_weekly_plans p on p.id = a.weekly_plan_id
         where a.action_code = 'CARRY-1' and p.week_start_date = '2030-01-07'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let refused = rpm_cockpit::server::actions::apply(
        &app.db,
        earlier,
        None,
        &ActionChange::Block {
            reason: "late".into(),
        },
        "jesse@example.com",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Conflict(m) if m.contains("carried to the week of 2030-01-14")),
        "{refused:?}"
    );
    assert_eq!(figures("2030-01-07").await, week_a_before);
}

/// The seed's hand-off plan, when the seeds are beside the repository.
fn seed_hand_off() -> Option<String> {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/000_a8edfb74998920ec.txt"
    ))
    .ok()
}

#[tokio::test]
async fn the_seed_hand_off_plan_syncs_after_the_week_before_it() {
    let Some(seed) = seed_hand_off() else { return };
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    // The week before the hand-off (2025-10-27), with one of its codes.
    let before = write(
        dir.path(),
        "2025-W43.md",
        "---\nweek_start: 2025-10-20\n---\n## R1: Prepare\nPurpose: ready for the build\n\n- [/] CLOUD-001a: Create the AlloyDB cluster | Owner: Artifacts Agent\n",
    );
    let hand_off = write(dir.path(), "000_a8edfb74998920ec.txt", &seed);
    assert!(matches!(
        sync_one(&app.db, &before).await.outcome,
        FileOutcome::Synced(_)
    ));
    let result = sync_one(&app.db, &hand_off).await;
    assert!(
        matches!(result.outcome, FileOutcome::Synced(_)),
        "{}",
        result.error_text()
    );
    let from: Option<chrono::NaiveDate> = sqlx::query_scalar(
        "select fp.week_start_date from rpm_action_items a
         join rpm_weekly_plans p on p.id = a.weekly_plan_id
         join rpm_action_items f on f.id = a.carried_from_id
         join rpm_weekly_plans fp on fp.id = f.weekly_plan_id
         where a.action_code = 'CLOUD-001a' and p.week_start_date = '2025-10-27'",
    )
    .fetch_optional(&app.db)
    .await
    .unwrap();
    assert_eq!(from, chrono::NaiveDate::from_ymd_opt(2025, 10, 20));
}

#[tokio::test]
async fn the_seed_hand_off_plan_syncs_into_the_demo_cockpit_as_its_own_week() {
    let Some(seed) = seed_hand_off() else { return };
    let app = TestApp::with_demo(today()).await;
    let dir = tempfile::tempdir().unwrap();
    let hand_off = write(dir.path(), "000_a8edfb74998920ec.txt", &seed);
    let result = sync_one(&app.db, &hand_off).await;
    let FileOutcome::Synced(report) = &result.outcome else {
        panic!("refused: {}", result.error_text())
    };
    assert_eq!(report.actions.inserted, 6);
    // Its own week: no demo action shares a code with it.
    let carried: i64 = sqlx::query_scalar(
        "select count(*) from rpm_action_items where action_code like 'CLOUD-%' and carried_from_id is not null",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(carried, 0);
}

#[tokio::test]
async fn the_sync_status_is_served_to_read_tokens() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.md", &fixture("warnings-only.md"));
    let bad = write(dir.path(), "bad.md", &fixture("broken-five.md"));
    sync_one(&app.db, &good).await;
    sync_one(&app.db, &bad).await;
    let read = tokens::create(&app.db, "status", &["read".to_string()])
        .await
        .unwrap();
    let beats = tokens::create(&app.db, "beats", &["heartbeat".to_string()])
        .await
        .unwrap();
    // A file whose sync failed on the server's side, with the database's
    // own words.
    sqlx::query(
        "insert into plan_sync_status (source_path, synced_at, content_hash, outcome, errors)
         values ($1, now(), 'x', 'failed',
                 '[{\"line\": 0, \"message\": \"database: relation rpm_secret_table does not exist\"}]')",
    )
    .bind(dir.path().join("team/late.md").display().to_string())
    .execute(&app.db)
    .await
    .unwrap();
    let get = |token: String| {
        Request::get("/api/v1/sync/status")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, text) = app.send(get(beats)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    let (status, text) = app.send(get(read)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (body["refused"].as_u64(), body["with_warnings"].as_u64()),
        (Some(1), Some(1))
    );
    // Nothing of the syncing machine's directories, nor the database's text.
    assert!(!text.contains(&dir.path().display().to_string()), "{text}");
    assert!(!text.contains("rpm_secret_table"), "{text}");
    let files = body["files"].as_array().unwrap();
    let by_path = |p: &str| {
        files
            .iter()
            .find(|f| f["source_path"] == p)
            .unwrap_or_else(|| panic!("{p} in {text}"))
    };
    // Refused first, with every error at its line.
    assert_eq!(by_path("bad.md")["outcome"], "refused");
    assert_eq!(by_path("bad.md")["errors"][0]["line"], 9);
    let good = by_path("good.md");
    assert_eq!(good["outcome"], "imported");
    assert_eq!(good["week_start"], "2025-10-27");
    assert!(good["content_hash"].as_str().unwrap().len() == 64);
    assert!(good["warnings"].as_array().unwrap().len() >= 6);
    let failed = by_path("team/late.md");
    assert!(failed["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("next sync tries again"));
}

#[tokio::test]
async fn a_file_that_moves_to_another_week_takes_its_actions_along() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "plan.md", WEEK_A);
    sync_one(&app.db, &path).await;
    // The same file, now for the week after (the header was corrected).
    std::fs::write(&path, WEEK_A.replace("2030-01-07", "2030-01-14")).unwrap();
    let result = sync_one(&app.db, &path).await;
    assert!(
        matches!(result.outcome, FileOutcome::Synced(_)),
        "{:?}",
        result.errors
    );
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let s = |x: &str| x.to_string();
    assert_eq!(
        carry_digest(&app.db).await,
        vec![
            (d(2030, 1, 14), s("CARRY-1"), s("pending"), None),
            (d(2030, 1, 14), s("CARRY-2"), s("completed"), None),
            (d(2030, 1, 14), s("CARRY-3"), s("pending"), None),
        ]
    );
    let plans: i64 = sqlx::query_scalar("select count(*) from rpm_weekly_plans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(plans, 1);
}
