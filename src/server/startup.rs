//! Building the state and the router: used by `main` and by the tests.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, Extensions, HeaderMap, StatusCode, Version};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use super::auth;
use super::clock::Clock;
use super::request;
use super::security::client::{self, TrustedProxies};
use super::security::host::{self, AllowedHosts};
use super::security::input::{self, BodyLimit};
use super::security::rate_limit::{self, Limits};
use super::security::{csrf, headers};
use super::settings::Settings;
use super::state::AppState;
use crate::app::{shell, App};

/// Leptos options: cargo-leptos's environment when it runs us, our own
/// defaults otherwise (tests, a binary started by hand), with the site
/// address from `Settings`.
pub fn leptos_options(settings: &Settings) -> anyhow::Result<LeptosOptions> {
    let mut options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder()
            .output_name("rpm-cockpit")
            .site_root("target/site")
            .build(),
    };
    if options.output_name.is_empty() {
        // Built without cargo-leptos (plain `cargo build`/`cargo test`).
        options.output_name = "rpm-cockpit".into();
    }
    // A binary that cargo-leptos built with hashed file names has the
    // hashes beside it: use them when started by hand or by a script too
    // (the container, benchmarks), not only under cargo-leptos.
    if !options.hash_files && super::site::hash_file(&options).is_some() {
        options.hash_files = true;
    }
    options.site_addr = settings
        .site_addr
        .parse()
        .map_err(|e| anyhow::anyhow!("site_addr {:?}: {e}", settings.site_addr))?;
    Ok(options)
}

/// The state every handler shares.
pub fn build_state(settings: Settings, db: PgPool, leptos_options: LeptosOptions) -> AppState {
    AppState {
        leptos_options,
        live: super::live::Hub::start(db.clone()),
        db,
        limits: Arc::new(Limits::new(
            settings.sign_in_per_minute,
            settings.api_per_minute,
        )),
        settings: Arc::new(settings),
        clock: Arc::new(Clock::default()),
        week_cache: Arc::default(),
        drain: Arc::default(),
    }
}

/// The whole HTTP surface of the cockpit.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The cockpit with `extra` routes among the browser's (tests use it for
/// a handler that panics or is slow). Each protection is a layer on the
/// routes it concerns (layers run bottom-up: the last added sees the
/// request first).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let settings = state.settings.clone();
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(super::week::PlansRead::default());
            page_url_with_mount_path();
        }
    };
    let timeout = TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(settings.request_timeout_seconds.max(1)),
    );
    // Pages, server functions, files and sign-in: the browser's side, with
    // sessions and the cross-site check; the sign-in guard is a layer of
    // the private routes only.
    let private = Router::<AppState>::new()
        // Server functions are registered here too, with AppState in context.
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // Server functions' error answers get their error's status.
        .route_layer(from_fn(request::server_fn_status))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context.clone(), shell))
        .merge(extra)
        .layer(timeout)
        // The live-update stream lasts as long as the browser stays.
        .route("/events", get(super::live::sse::events))
        .layer(from_fn_with_state(
            state.clone(),
            auth::guard::require_sign_in,
        ));
    let public = super::site::routes(&state.leptos_options)
        .merge(auth::routes(state.limits.clone()))
        .layer(timeout);
    let browser = private
        .merge(public)
        .layer(auth::session::layer(state.db.clone(), &settings))
        .layer(from_fn_with_state(
            state.clone(),
            csrf::same_origin_mutations,
        ));
    // Agents and scripts: bearer tokens, rate-limited per token.
    let api = super::api_v1::routes()
        .layer(from_fn_with_state(state.limits.clone(), rate_limit::api))
        .layer(timeout);
    let trusted = TrustedProxies::parse(&settings.trusted_proxies).unwrap_or_else(|e| {
        // Settings are checked at start-up (serve refuses a bad list).
        tracing::error!(error = %e, "trusted_proxies ignored");
        TrustedProxies::default()
    });
    // The unsubscribe link of every email: its token says whose, not a
    // session, and mail clients post to it from anywhere (RFC 8058).
    let unsubscribe = super::notify::unsubscribe::routes().layer(timeout);
    let app = Router::<AppState>::new()
        .nest("/api/v1", api)
        .merge(unsubscribe)
        .merge(browser);
    mount(&settings.base_path(), app)
        .layer(from_fn_with_state(
            Arc::new(BodyLimit(settings.max_body_kb.max(1) * 1024)),
            input::check,
        ))
        .layer(from_fn_with_state(
            Arc::new(AllowedHosts::from_settings(&settings)),
            host::check,
        ))
        // The platform's probes may name any host.
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .layer(from_fn_with_state(Arc::new(trusted), client::identify))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(from_fn(request::retry_after_when_unavailable))
        // Brotli or gzip, as the browser accepts. A release build's files
        // come with their brotli 11 / gzip copies (site.rs), which pass
        // through untouched; a file without one (a debug build) at brotli
        // quality 4. Pages and data are made per request, so they get the fast
        // level (brotli 1): on the SSR benchmark's 220 KB page quality 4
        // cost more than rendering it. The default predicate leaves
        // text/event-stream alone, so live updates are never buffered; the
        // outer layer skips what the inner one has compressed.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(is_file)))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(1)))
        .layer(CatchPanicLayer::custom(request::panicked))
        .layer(request::trace_layer())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The cockpit at the root of its host, or under `base` (`/cockpit`, the
/// public URL's path): every route, file, server function, `/events` and
/// the token API then live under it, and the host's `/` and `{base}/` lead
/// to `{base}`. Health and readiness stay at the root too (the platform's
/// probes call the container directly).
fn mount(base: &str, app: Router<AppState>) -> Router<AppState> {
    if base.is_empty() {
        return app;
    }
    let home = base.to_string();
    // The query goes along (`/cockpit/?week=…` is the week's page).
    let to_home = move |uri: axum::http::Uri| {
        let home = match uri.query() {
            Some(query) => format!("{home}?{query}"),
            None => home.clone(),
        };
        async move { axum::response::Redirect::to(&home) }
    };
    Router::new()
        .nest(base, app)
        .route("/", get(to_home.clone()))
        .route(&format!("{base}/"), get(to_home))
        .route(&format!("{base}/healthz"), get(health))
        .route(&format!("{base}/readyz"), get(ready))
}

/// Mounted under a path, axum hands the app the request without it
/// (`/songs` for `/cockpit/songs`): right for files and server functions,
/// but the page's router (whose `base` is the mount path, as in the
/// browser) matches the address the browser shows. Pages are given that
/// address back.
fn page_url_with_mount_path() {
    let original = use_context::<axum::http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|o| o.0.clone())
    });
    if let Some(uri) = original {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        provide_context(leptos_router::location::RequestUrl::new(&format!(
            "http://leptos.dev{path}"
        )));
    }
}

/// A response carrying one of the site's files rather than a page or data.
fn is_file(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    [
        "application/wasm",
        "text/javascript",
        "application/javascript",
        "text/css",
    ]
    .iter()
    .any(|file| kind.starts_with(file))
}

/// The app's routes, generated once per process. Generating them sets a
/// process-wide flag that makes any resource first polled meanwhile hang
/// for good (leptos-rs/leptos#4773), so it must never run while pages
/// render: tests build many routers in one process.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// `/healthz`: the process is alive. No database: an outage of the
/// database must not make the platform restart every instance.
async fn health() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// `/readyz`: ready for traffic — not draining, the database reachable and
/// every migration of this build applied; else 503 with the reason.
async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
    let unavailable = |why: String| (StatusCode::SERVICE_UNAVAILABLE, why);
    if state.drain.is_draining() {
        return unavailable("draining: shutting down".into());
    }
    let applied: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar!("select max(version) from _sqlx_migrations where success")
            .fetch_one(&state.db)
            .await;
    match applied {
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            unavailable("database unreachable".into())
        }
        Ok(v) if v < Some(super::db::latest_migration()) => unavailable(format!(
            "migrations not applied: the database is at {}, this build needs {}",
            v.unwrap_or(0),
            super::db::latest_migration()
        )),
        Ok(_) => (StatusCode::OK, "ready".into()),
    }
}
