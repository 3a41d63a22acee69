//! The read endpoints of /api/v1 (spec 2.4) against the demo data: status
//! codes, shapes and filters, checked against the database.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::server::tokens;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{today, TestApp};

async fn token(app: &TestApp, name: &str, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    tokens::create(&app.db, name, &scopes).await.unwrap()
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut request = Request::get(format!("/api/v1{path}"));
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, text) = app.send(request.body(Body::empty()).unwrap()).await;
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"));
    (status, body)
}

async fn ok(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = get(app, Some(token), path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn refused(app: &TestApp, token: &str, path: &str, status: StatusCode, reason: &str) {
    let (got, body) = get(app, Some(token), path).await;
    assert_eq!(got, status, "{path}: {body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(reason), "{path}: {error:?} lacks {reason:?}");
}

async fn scalar(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

const READS: [&str; 9] = [
    "/rpm/current-week",
    "/rpm/action-items",
    "/rpm/revenue-summary",
    "/agents/status",
    "/agents/QA/history",
    "/deliverables",
    "/analytics/funnel-velocity",
    "/analytics/completion-trends",
    "/openapi.json",
];

#[tokio::test]
async fn every_read_needs_a_token_with_the_read_scope() {
    let app = TestApp::with_demo(today()).await;
    let reader = token(&app, "dashboard", &["read"]).await;
    let agent = token(&app, "qa agent", &["heartbeat"]).await;
    for path in READS {
        if path == "/openapi.json" {
            // The document is public: it describes, it holds no data.
            ok(&app, "", path).await;
            continue;
        }
        let (status, body) = get(&app, None, path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        refused(
            &app,
            &agent,
            path,
            StatusCode::FORBIDDEN,
            "lacks the \"read\" scope",
        )
        .await;
        ok(&app, &reader, path).await;
    }
}

#[tokio::test]
async fn current_week_has_the_plan_its_results_and_every_action() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let week = ok(&app, &t, "/rpm/current-week").await;
    let start = week["week_start"].as_str().unwrap();
    let in_db = scalar(
        &app.db,
        &format!(
            "select count(*) from rpm_action_items a join rpm_results r on r.id = a.result_id
             join rpm_weekly_plans p on p.id = r.weekly_plan_id where p.week_start_date = '{start}'"
        ),
    )
    .await;
    let actions = week["actions"].as_array().unwrap();
    assert_eq!(actions.len() as i64, in_db);
    assert_eq!(week["actions_total"].as_i64(), Some(in_db));
    assert_eq!(week["results"].as_array().unwrap().len(), 5);
    let done = actions
        .iter()
        .filter(|a| a["status"] == "completed")
        .count() as f64;
    let expected = (done * 10000.0 / in_db as f64).round() / 100.0;
    assert_eq!(week["completion_rate"].as_f64(), Some(expected));
    let per_result: i64 = week["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["actions_total"].as_i64().unwrap())
        .sum();
    assert_eq!(per_result, in_db);
    let forecast = week["forecast_completion_rate"].as_f64().unwrap();
    assert!(
        (expected..=100.0).contains(&forecast),
        "{forecast} vs {expected}"
    );
    for a in actions {
        for key in [
            "id",
            "action_code",
            "owner",
            "funnel_stage",
            "status",
            "version",
        ] {
            assert!(a.get(key).is_some(), "action lacks {key}: {a}");
        }
    }
}

#[tokio::test]
async fn action_items_filter_by_status_owner_stage_and_week_and_page() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let page = ok(
        &app,
        &t,
        "/rpm/action-items?status=in_progress&owner=Jesse&limit=500",
    )
    .await;
    let items = page["actions"].as_array().unwrap();
    let expected = scalar(
        &app.db,
        "select count(*) from rpm_action_items where status = 'in_progress' and owner = 'Jesse'",
    )
    .await;
    assert!(expected > 0);
    assert_eq!(items.len() as i64, expected);
    assert!(items
        .iter()
        .all(|a| a["status"] == "in_progress" && a["owner"] == "Jesse"));
    assert_eq!(page["next_offset"], Value::Null);

    let middle = ok(&app, &t, "/rpm/action-items?funnel_stage=middle&limit=500").await;
    let n = middle["actions"].as_array().unwrap().len() as i64;
    assert_eq!(
        n,
        scalar(
            &app.db,
            "select count(*) from rpm_action_items where funnel_stage = 'middle'"
        )
        .await
    );

    let week: String = sqlx::query_scalar(
        "select week_start_date::text from rpm_weekly_plans order by week_start_date limit 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let first_week = ok(
        &app,
        &t,
        &format!("/rpm/action-items?week_start={week}&limit=500"),
    )
    .await;
    let all = first_week["actions"].as_array().unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|a| a["week_start"] == week.as_str()));

    // Pages follow each other without overlap.
    let one = ok(&app, &t, "/rpm/action-items?limit=5").await;
    assert_eq!(one["next_offset"], 5);
    let two = ok(&app, &t, "/rpm/action-items?limit=5&offset=5").await;
    let codes = |p: &Value| -> Vec<String> {
        p["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action_code"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (codes(&one), codes(&two));
    assert_eq!((a.len(), b.len()), (5, 5));
    assert!(a.iter().all(|c| !b.contains(c)));

    refused(
        &app,
        &t,
        "/rpm/action-items?status=done",
        StatusCode::BAD_REQUEST,
        "done",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/action-items?funnel_stage=side",
        StatusCode::BAD_REQUEST,
        "side",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/action-items?limit=0",
        StatusCode::BAD_REQUEST,
        "limit must be between 1 and 500",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/action-items?offset=-1",
        StatusCode::BAD_REQUEST,
        "offset",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/action-items?week_start=monday",
        StatusCode::BAD_REQUEST,
        "week_start",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/action-items?colour=red",
        StatusCode::BAD_REQUEST,
        "unknown field",
    )
    .await;
}

#[tokio::test]
async fn revenue_summary_adds_up_and_names_a_missing_week() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let now = ok(&app, &t, "/rpm/revenue-summary").await;
    let results: f64 = now["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revenue_actual"].as_f64().unwrap())
        .sum();
    let total = now["revenue_actual"].as_f64().unwrap();
    assert!((results + now["catalog_actual"].as_f64().unwrap() - total).abs() < 0.01);
    let target = now["revenue_target"].as_f64().unwrap();
    assert!(target > 0.0);
    let rate = now["achievement_rate"].as_f64().unwrap();
    assert!((rate - total * 100.0 / target).abs() < 0.01, "{rate}");
    assert_eq!(now["trend"].as_array().unwrap().len(), 8);
    assert!(now["top_deliverables"].as_array().unwrap().len() <= 5);

    let week = now["trend"][0]["week_start"].as_str().unwrap();
    let past = ok(&app, &t, &format!("/rpm/revenue-summary?week_start={week}")).await;
    assert_eq!(past["week_start"], week);
    refused(
        &app,
        &t,
        "/rpm/revenue-summary?week_start=1999-01-04",
        StatusCode::NOT_FOUND,
        "no plan starts on 1999-01-04",
    )
    .await;
    refused(
        &app,
        &t,
        "/rpm/revenue-summary?week_start=2026-02-30",
        StatusCode::BAD_REQUEST,
        "week_start",
    )
    .await;
}

#[tokio::test]
async fn agents_status_and_history() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let list = ok(&app, &t, "/agents/status").await;
    let agents = list["agents"].as_array().unwrap();
    assert_eq!(
        agents.len() as i64,
        scalar(&app.db, "select count(*) from agent_status").await
    );
    assert_eq!(
        agents.iter().filter(|a| a["stale"] == true).count(),
        1,
        "the demo has one stale agent"
    );
    for a in agents {
        let score = a["health_score"].as_i64().unwrap();
        let band = match score {
            90.. => "excellent",
            70..=89 => "good",
            50..=69 => "fair",
            _ => "critical",
        };
        assert_eq!(a["health_band"], band, "{a}");
    }
    let qa = ok(&app, &t, "/agents/QA/history?days=30").await;
    assert_eq!(qa["agent"]["name"], "QA");
    assert_eq!(qa["days"], 30);
    let done = qa["actions_completed"].as_array().unwrap().len() as i64;
    let expected = scalar(
        &app.db,
        "select count(*) from rpm_action_items where owner = 'QA' and status = 'completed'
         and completion_date > now() - interval '30 days' and completion_date <= now()",
    )
    .await;
    assert_eq!(done, expected);
    refused(
        &app,
        &t,
        "/agents/Nobody/history",
        StatusCode::NOT_FOUND,
        "Nobody",
    )
    .await;
    refused(
        &app,
        &t,
        "/agents/QA/history?days=0",
        StatusCode::BAD_REQUEST,
        "days must be between 1 and 90",
    )
    .await;
}

#[tokio::test]
async fn deliverables_filter_and_one_in_full() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let songs = ok(
        &app,
        &t,
        "/deliverables?type=song&status=published&limit=10",
    )
    .await;
    let items = songs["deliverables"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert!(items
        .iter()
        .all(|d| d["type"] == "song" && d["status"] == "published"));
    assert_eq!(
        songs["total"].as_i64(),
        Some(scalar(&app.db, "select count(*) from deliverables where deliverable_type = 'song' and status = 'published'").await)
    );
    let id = items[0]["id"].as_str().unwrap();
    let one = ok(&app, &t, &format!("/deliverables/{id}")).await;
    assert_eq!(one["title"], items[0]["title"]);
    for key in [
        "cloud_storage_path",
        "metadata",
        "revenue_target",
        "revenue_actual",
        "type",
    ] {
        assert!(one.get(key).is_some(), "lacks {key}: {one}");
    }
    refused(
        &app,
        &t,
        "/deliverables/00000000-0000-0000-0000-000000000000",
        StatusCode::NOT_FOUND,
        "no deliverable",
    )
    .await;
    refused(
        &app,
        &t,
        "/deliverables/not-an-id",
        StatusCode::NOT_FOUND,
        "no deliverable",
    )
    .await;
    refused(
        &app,
        &t,
        "/deliverables?type=movie",
        StatusCode::BAD_REQUEST,
        "movie",
    )
    .await;
    refused(
        &app,
        &t,
        "/deliverables?limit=201",
        StatusCode::BAD_REQUEST,
        "limit",
    )
    .await;
}

#[tokio::test]
async fn analytics_funnel_velocity_and_completion_trends() {
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "dashboard", &["read"]).await;
    let week = ok(&app, &t, "/rpm/current-week").await;
    let funnel = ok(&app, &t, "/analytics/funnel-velocity").await;
    assert_eq!(funnel["week_start"], week["week_start"]);
    let stages = funnel["funnel_stages"].as_array().unwrap();
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["top", "middle", "bottom"]);
    let entered: i64 = stages
        .iter()
        .map(|s| s["actions_entered"].as_i64().unwrap())
        .sum();
    assert_eq!(entered, week["actions_total"].as_i64().unwrap());
    let worst = stages
        .iter()
        .max_by(|a, b| {
            a["bottleneck_score"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["bottleneck_score"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(funnel["bottleneck"], worst["stage"]);

    let trends = ok(
        &app,
        &t,
        "/analytics/completion-trends?period=weekly&weeks=8",
    )
    .await;
    let weeks = trends["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 8);
    let starts: Vec<&str> = weeks
        .iter()
        .map(|w| w["week_start"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "oldest first");
    assert_eq!(weeks[7]["week_start"], week["week_start"]);
    assert_eq!(weeks[7]["completion_rate"], week["completion_rate"]);
    let monthly = ok(
        &app,
        &t,
        "/analytics/completion-trends?period=monthly&weeks=2",
    )
    .await;
    assert!(monthly["weeks"].as_array().unwrap().len() <= 2);
    refused(
        &app,
        &t,
        "/analytics/completion-trends?period=yearly",
        StatusCode::BAD_REQUEST,
        "yearly",
    )
    .await;
    refused(
        &app,
        &t,
        "/analytics/completion-trends?weeks=0",
        StatusCode::BAD_REQUEST,
        "weeks",
    )
    .await;
    refused(
        &app,
        &t,
        "/analytics/funnel-velocity?week_start=1999-01-04",
        StatusCode::NOT_FOUND,
        "1999-01-04",
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::empty().await;
    let (status, doc) = get(&app, None, "/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/rpm/current-week",
        "/rpm/action-items",
        "/rpm/action-items/{id}/complete",
        "/rpm/action-items/{id}/block",
        "/rpm/revenue-summary",
        "/agents/status",
        "/agents/{name}/history",
        "/agents/{name}/heartbeat",
        "/deliverables",
        "/deliverables/{id}",
        "/analytics/funnel-velocity",
        "/analytics/completion-trends",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// The closed sets appear in the document as the values the API sends
/// (their stored names), and no schema takes another's name: the agent
/// object is `AgentStatus`, its status the enum `AgentState`.
#[tokio::test]
async fn the_openapi_document_lists_each_closed_sets_values_as_sent() {
    let app = TestApp::empty().await;
    let (_, doc) = get(&app, None, "/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enum: {}", schemas[name]))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(values("AgentState"), ["active", "idle", "error", "offline"]);
    assert_eq!(
        values("DeliverableKind"),
        ["song", "code", "document", "album", "video"]
    );
    assert_eq!(
        values("DeliverableStatus"),
        ["draft", "review", "approved", "published"]
    );
    assert_eq!(schemas["AgentStatus"]["type"], "object");
    assert!(schemas["AgentStatus"]["properties"]["status"]
        .to_string()
        .contains("AgentState"));
}

/// The current week is kept between changes (src/server/api_v1/cache.rs):
/// a change is seen by the very next read, and a compressed answer is the
/// same answer.
#[tokio::test]
async fn current_week_shows_a_change_at_once_and_compresses() {
    use std::io::Read;
    let app = TestApp::with_demo(today()).await;
    let t = token(&app, "agent", &["read", "actions"]).await;
    let before = ok(&app, &t, "/rpm/current-week").await;
    let again = ok(&app, &t, "/rpm/current-week").await;
    assert_eq!(before["actions"], again["actions"]);
    let pending = before["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == "pending")
        .expect("a pending action this week");
    let id = pending["id"].as_str().unwrap();
    let (status, text) = app
        .send(
            Request::post(format!("/api/v1/rpm/action-items/{id}/complete"))
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"actual_hours": 1}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = ok(&app, &t, "/rpm/current-week").await;
    let now = after["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap();
    assert_eq!(
        now["status"], "completed",
        "the read right after the change"
    );
    assert_eq!(
        after["actions_completed"].as_i64(),
        before["actions_completed"].as_i64().map(|n| n + 1)
    );

    for (accept, encoding) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let response = app
            .response(
                Request::get("/api/v1/rpm/current-week")
                    .header(header::AUTHORIZATION, format!("Bearer {t}"))
                    .header(header::ACCEPT_ENCODING, accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], encoding);
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let mut text = String::new();
        if encoding == "br" {
            brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut text)
        } else {
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text)
        }
        .unwrap();
        let decoded: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(decoded["actions"], after["actions"], "{encoding}");
    }
}
