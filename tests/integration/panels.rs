//! The cockpit's panel server functions over HTTP, checked against the
//! demo data with independent queries.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use rpm_cockpit::model::panels::{
    ActionFeed, AgentHistory, AgentPanel, DeliverableList, DeliverablesPanel, FeedSection,
    FunnelPanel, OverviewStats, RevenuePanel, SongCatalog,
};
use rpm_cockpit::model::{ActionStatus, FunnelStage, Role};
use rpm_cockpit::server::auth::users;
use serde::de::DeserializeOwned;

use crate::helpers::{today, Cookie, TestApp, JESSE};

async fn call<T: DeserializeOwned>(app: &TestApp, who: &Cookie, name: &str, body: &str) -> T {
    let request = Request::post(format!("/api/{name}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, text) = app.send_as(who, request).await;
    assert_eq!(status, StatusCode::OK, "{name}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"))
}

async fn week_actions(app: &TestApp, extra: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "select count(*) from rpm_action_items a join rpm_results r on r.id = a.result_id
         join rpm_weekly_plans p on p.id = r.weekly_plan_id
         where p.week_start_date <= current_date and p.week_end_date >= current_date {extra}"
    ))
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn overview_stats_count_jesses_actions_and_the_weekly_velocity() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let s: Option<OverviewStats> = call(&app, &vip, "overview_stats", "").await;
    let s = s.expect("a week");
    assert_eq!(
        s.jesse_total as i64,
        week_actions(&app, "and a.owner = 'Jesse'").await
    );
    assert_eq!(
        s.jesse_completed as i64,
        week_actions(&app, "and a.owner = 'Jesse' and a.status = 'completed'").await
    );
    assert_eq!(s.trend.len(), 8, "12 demo weeks: the last 8");
    let this = s.trend.last().unwrap();
    assert!(this.week_start <= today() && today() < this.week_start + chrono::Days::new(7));
    let elapsed = (today() - this.week_start).num_days() + 1;
    let expected = (this.completed as f64 / elapsed as f64 * 10.0).round() / 10.0;
    assert_eq!(s.velocity, expected);
    let past = &s.trend[0];
    assert_eq!(
        past.velocity,
        (past.completed as f64 / 7.0 * 10.0).round() / 10.0
    );
}

#[tokio::test]
async fn the_feed_filters_by_owner_stage_and_status_and_team_members_see_their_own() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let all: Option<ActionFeed> = call(&app, &vip, "action_feed", "").await;
    let all = all.unwrap();
    assert_eq!(all.items.len() as i64, week_actions(&app, "").await);
    assert!(all.owners.contains(&"Jesse".to_string()));

    let qa: Option<ActionFeed> = call(&app, &vip, "action_feed", "filter[owner]=QA").await;
    let qa = qa.unwrap();
    assert_eq!(
        qa.items.len() as i64,
        week_actions(&app, "and a.owner = 'QA'").await
    );
    assert!(qa.items.iter().all(|a| a.owner.as_deref() == Some("QA")));

    let f: Option<ActionFeed> = call(
        &app,
        &vip,
        "action_feed",
        "filter[stage]=middle&filter[status]=blocked",
    )
    .await;
    let f = f.unwrap();
    assert_eq!(
        f.items.len() as i64,
        week_actions(
            &app,
            "and a.funnel_stage = 'middle' and a.status = 'blocked'"
        )
        .await
    );
    for a in &f.items {
        assert_eq!(
            (a.funnel_stage, a.status),
            (FunnelStage::Middle, ActionStatus::Blocked)
        );
        assert!(a.blocker.as_deref().is_some_and(|b| !b.is_empty()));
    }

    let team = app.session(Role::Team).await; // owner QA
    let mine: Option<ActionFeed> = call(&app, &team, "action_feed", "").await;
    let mine = mine.unwrap();
    assert_eq!(mine.items.len(), qa.items.len());
    assert_eq!(mine.owners, vec!["QA".to_string()]);
}

#[tokio::test]
async fn revenue_sums_targets_and_what_deliverables_earned() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let r: Option<RevenuePanel> = call(&app, &vip, "revenue_panel", "").await;
    let r = r.unwrap();
    assert_eq!(r.results.len(), 5);
    let (target, linked): (f64, f64) = sqlx::query_as(
        "select coalesce(sum(r.revenue_target), 0)::float8,
                coalesce((select sum(d.revenue_actual) from deliverables d
                  join rpm_action_items a on a.id = d.action_item_id
                  join rpm_results r2 on r2.id = a.result_id
                  where r2.weekly_plan_id = p.id), 0)::float8
         from rpm_weekly_plans p join rpm_results r on r.weekly_plan_id = p.id
         where p.week_start_date = $1 group by p.id",
    )
    .bind(r.week_start)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((r.total_target() - target).abs() < 0.01);
    assert!((r.total_actual() - r.catalog_actual - linked).abs() < 0.01);
    assert!(target > 0.0, "the demo week has revenue targets");
    assert_eq!(r.trend.len(), 8);
    assert!(r
        .top
        .windows(2)
        .all(|w| w[0].revenue_actual >= w[1].revenue_actual));
}

#[tokio::test]
async fn agents_show_bands_and_the_stale_one() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let a: AgentPanel = call(&app, &vip, "agent_panel", "").await;
    assert_eq!(a.agents.len(), 7);
    let stale: Vec<_> = a.agents.iter().filter(|x| a.is_stale(x)).collect();
    assert_eq!(stale.len(), 1, "the demo has one silent agent");
    assert_eq!(a.stale_after_minutes, 10);
}

#[tokio::test]
async fn deliverables_count_the_last_week_and_the_albums() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let d: DeliverablesPanel = call(&app, &vip, "deliverables_panel", "").await;
    let count = |kind: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from deliverables where deliverable_type = $1
                 and status = 'published' and published_at > now() - interval '7 days'
                 and published_at <= now()",
            )
            .bind(kind)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(d.songs_7d as i64, count("song").await);
    assert_eq!(d.documents_7d as i64, count("document").await);
    assert_eq!(d.code_7d as i64, count("code").await);
    assert_eq!(d.albums.len(), 8);
    assert_eq!(d.albums.iter().map(|a| a.songs).sum::<u32>(), 70);
    assert_eq!(d.albums_released, 3);
    assert!(d.latest.len() <= 6 && !d.latest.is_empty());
}

#[tokio::test]
async fn the_funnel_names_the_bottleneck_by_its_score_and_says_what_to_do() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let f: Option<FunnelPanel> = call(&app, &vip, "funnel_panel", "").await;
    let f = f.unwrap();
    let stages: Vec<_> = f.stages.iter().map(|s| s.stage).collect();
    assert_eq!(stages, FunnelStage::ALL);
    let total: u32 = f.stages.iter().map(|s| s.actions).sum();
    assert_eq!(total as i64, week_actions(&app, "").await);
    for s in &f.stages {
        let n = week_actions(
            &app,
            &format!("and a.funnel_stage = '{}'", s.stage.as_str()),
        )
        .await;
        assert_eq!(s.actions as i64, n);
    }
    let b = f.bottleneck().expect("open actions exist");
    assert!(b.actions > b.completed);
    for s in &f.stages {
        assert!(s.bottleneck_score <= b.bottleneck_score);
        // Average days x share open (docs/metrics.md).
        let open = (s.actions - s.completed) as f64 / s.actions.max(1) as f64;
        let expected = s.avg_days.unwrap_or(0.0) * open;
        assert!((s.bottleneck_score - expected).abs() < 0.02, "{s:?}");
    }
    let text = f.recommendation();
    assert!(!text.is_empty());
    if let Some(owner) = b.busiest_owners.first() {
        assert!(text.contains(owner.as_str()), "{text}");
    }
    // The panel comes with its funnel diagram, written on the server: the
    // stages in funnel order, the bottleneck named.
    let chart: serde_json::Value = serde_json::from_str(&f.chart.0).expect("an ECharts option");
    let series = &chart["series"][0];
    assert_eq!(series["type"], "funnel");
    assert_eq!(series["sort"], "none");
    let names: Vec<&str> = series["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    for (name, s) in names.iter().zip(&f.stages) {
        assert!(name.starts_with(s.stage.label()), "{name}");
        assert_eq!(name.ends_with("· bottleneck"), s.stage == b.stage, "{name}");
    }
}

#[tokio::test]
async fn only_jesse_gets_his_own_open_actions_first_in_the_feed() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let seen: Option<ActionFeed> = call(&app, &vip, "action_feed", "").await;
    let seen = seen.unwrap();
    assert_eq!(seen.yours, None, "a VIP has no actions of her own");
    assert!(seen.section(FeedSection::Yours).is_empty());
    users::upsert(&app.db, JESSE, "Jesse", Role::Admin, Some("Jesse"))
        .await
        .unwrap();
    let jesse = app.sign_in(JESSE).await;
    let feed: Option<ActionFeed> = call(&app, &jesse, "action_feed", "").await;
    let feed = feed.unwrap();
    assert_eq!(feed.yours.as_deref(), Some("Jesse"));
    let yours = feed.section(FeedSection::Yours);
    assert!(!yours.is_empty());
    assert_eq!(
        yours.len() as i64,
        week_actions(
            &app,
            "and a.owner = 'Jesse' and a.status in ('pending', 'in_progress', 'blocked')"
        )
        .await
    );
    // Not listed again in the other sections.
    for section in [
        FeedSection::InProgress,
        FeedSection::Blocked,
        FeedSection::DueSoon,
    ] {
        assert!(feed
            .section(section)
            .iter()
            .all(|a| a.owner.as_deref() != Some("Jesse")));
    }
}

#[tokio::test]
async fn the_song_catalog_filters_by_album_genre_and_status() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let all: SongCatalog = call(&app, &vip, "song_catalog", "").await;
    assert_eq!(all.songs.len(), 70);
    assert_eq!(all.albums.len(), 8);
    let album = all.albums[0].clone();
    let body = format!(
        "filter[album]={}&filter[status]=released",
        album.replace(' ', "+")
    );
    let some: SongCatalog = call(&app, &vip, "song_catalog", &body).await;
    let expected: i64 = sqlx::query_scalar(
        "select count(*) from suno_songs where album_assignment = $1 and status = 'released'",
    )
    .bind(&album)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(some.songs.len() as i64, expected);
    assert!(some
        .songs
        .iter()
        .all(|s| s.album.as_deref() == Some(album.as_str()) && s.status == "released"));
}

#[tokio::test]
async fn the_deliverables_list_filters_by_kind_and_status_and_refuses_unknown_ones() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let count = |extra: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("select count(*) from deliverables {extra}"))
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let all: DeliverableList = call(&app, &vip, "deliverable_list", "").await;
    assert_eq!(all.total as i64, count("").await);
    assert_eq!(all.items.len() as i64, count("").await.min(200));
    let newest = |d: &rpm_cockpit::model::panels::DeliverableItem| d.published_at;
    assert!(
        all.items
            .windows(2)
            .all(|w| newest(&w[0]).is_none() || newest(&w[0]) >= newest(&w[1])),
        "newest first"
    );

    let songs: DeliverableList = call(
        &app,
        &vip,
        "deliverable_list",
        "filter[kind]=song&filter[status]=published",
    )
    .await;
    let expected = count("where deliverable_type = 'song' and status = 'published'").await;
    assert!(expected > 0, "the demo has published songs");
    assert_eq!(songs.total as i64, expected);
    assert!(songs
        .items
        .iter()
        .all(|d| d.kind == "song" && d.status == "published"));
    let earned: f64 = sqlx::query_scalar(
        "select coalesce(sum(revenue_actual), 0)::float8 from deliverables
         where deliverable_type = 'song' and status = 'published'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((songs.revenue_actual - earned).abs() < 0.01);

    let request = Request::post("/api/deliverable_list")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::from("filter[kind]=poem"))
        .unwrap();
    let (status, text) = app.send_as(&vip, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("unknown kind"), "{text}");
}

#[tokio::test]
async fn an_agents_page_lists_its_last_7_days_and_an_unknown_agent_is_404() {
    let app = TestApp::with_demo(today()).await;
    let vip = app.session(Role::Vip).await;
    let h: AgentHistory = call(&app, &vip, "agent_history", "name=QA").await;
    assert_eq!(h.card.name, "QA");
    assert_eq!(h.days, 7);
    let expected: i64 = sqlx::query_scalar(
        "select count(*) from rpm_action_items where owner = 'QA' and status = 'completed'
         and completion_date > now() - interval '7 days' and completion_date <= now()",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(h.completed.len() as i64, expected);
    assert!(h
        .completed
        .windows(2)
        .all(|w| w[0].completed_at >= w[1].completed_at));

    let request = Request::post("/api/agent_history")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::from("name=Nobody"))
        .unwrap();
    let (status, body) = app.send_as(&vip, request).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("Nobody"), "{body}");
}
