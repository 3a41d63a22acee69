//! The site's files: hashed `/pkg` files kept for a year, every file sent
//! from its precompressed copy when the browser accepts it (never
//! compressed again), fixed names revalidated daily, pages never stored.
//! The site here is a directory laid out as `cargo leptos build --release
//! --precompress` lays it out (the real build is checked by the browser
//! tests and scripts/container-smoke.sh).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::site::{DAILY, IMMUTABLE, REVALIDATE};
use rpm_cockpit::server::{db, startup};
use tower::ServiceExt;

use crate::helpers::fresh_database_url;

const CSS: &str = "body { color: #0f172a; } /* the style sheet */";

/// A router serving `site`, with hashed names or not.
async fn serving(site: &std::path::Path, hashed: bool) -> axum::Router {
    let settings = Settings::from_toml("").unwrap();
    let pool = db::connect(&fresh_database_url().await, 2).await.unwrap();
    db::migrate(&pool).await.unwrap();
    let mut options = startup::leptos_options(&settings).unwrap();
    options.site_root = site.to_string_lossy().into_owned().into();
    options.hash_files = hashed;
    startup::router(startup::build_state(settings, pool, options))
}

/// A site with a hashed style sheet and the chart library, each beside
/// brotli and gzip copies (distinct bytes, so the test sees which was sent).
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    let vendor = dir.path().join("vendor");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::create_dir_all(&vendor).unwrap();
    for (path, text) in [
        (pkg.join("rpm-cockpit.Ab12Cd34.css"), CSS),
        (vendor.join("echarts.min.js"), "var echarts = {};"),
        (
            dir.path().join("sw.js"),
            "self.addEventListener('fetch', () => {});",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        std::fs::write(format!("{}.br", path.display()), b"BROTLI COPY").unwrap();
        std::fs::write(format!("{}.gz", path.display()), b"GZIP COPY").unwrap();
    }
    dir
}

async fn get(router: &axum::Router, path: &str, accept: Option<&str>) -> Response {
    let mut request = Request::get(path);
    if let Some(encodings) = accept {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

fn header_of(response: &Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

async fn bytes(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

#[tokio::test]
async fn hashed_files_are_kept_a_year_and_sent_from_their_precompressed_copies() {
    let site = site();
    let router = serving(site.path(), true).await;
    let css = "/pkg/rpm-cockpit.Ab12Cd34.css";
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), "br", &b"BROTLI COPY"[..]),
        (Some("gzip"), "gzip", &b"GZIP COPY"[..]),
        (None, "", CSS.as_bytes()),
    ] {
        let response = get(&router, css, accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(header_of(&response, header::CONTENT_ENCODING), encoding);
        assert_eq!(header_of(&response, header::CACHE_CONTROL), IMMUTABLE);
        assert_eq!(header_of(&response, header::VARY), "accept-encoding");
        assert!(header_of(&response, header::CONTENT_TYPE).starts_with("text/css"));
        assert_eq!(bytes(response).await, body, "{accept:?}: the copy as it is");
    }
    // A name this build does not have.
    let response = get(&router, "/pkg/rpm-cockpit.old.css", Some("br")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fixed_names_are_revalidated_and_pages_never_stored() {
    let site = site();
    let router = serving(site.path(), true).await;
    let response = get(&router, "/vendor/echarts.min.js", Some("br")).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The chart library keeps its name when its parts change (the funnel
    // was added): never taken from a cache unasked.
    assert_eq!(header_of(&response, header::CACHE_CONTROL), REVALIDATE);
    assert_eq!(header_of(&response, header::CONTENT_ENCODING), "br");
    assert_eq!(bytes(response).await, b"BROTLI COPY");
    let response = get(&router, "/login", Some("br")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "private, no-store",
        "the sign-in page"
    );
    // The app's pages: tests/integration/access.rs (with their policy).
}

#[tokio::test]
async fn the_service_worker_is_always_checked_and_may_fetch_only_our_pages_and_icons() {
    let site = site();
    let router = serving(site.path(), true).await;
    let response = get(&router, "/sw.js", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, header::CACHE_CONTROL), REVALIDATE);
    assert_eq!(
        header_of(&response, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; connect-src 'self'; img-src 'self'"
    );
    assert!(header_of(&response, header::CONTENT_TYPE).contains("javascript"));
    assert_eq!(
        header_of(
            &response,
            header::HeaderName::from_static("service-worker-allowed")
        ),
        "/"
    );
}

#[tokio::test]
async fn unhashed_names_are_always_revalidated() {
    let site = site();
    let router = serving(site.path(), false).await;
    let response = get(&router, "/pkg/rpm-cockpit.Ab12Cd34.css", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, header::CACHE_CONTROL), REVALIDATE);
}

/// The icons, the favicon and the manifest are public (the sign-in page
/// links them, and iOS fetches the touch icon without a cookie), kept for
/// a day; everything else of the browser's side asks for a sign-in, an
/// unknown path too.
#[tokio::test]
async fn the_sign_in_pages_files_are_public_and_nothing_else_is() {
    let site = site();
    std::fs::create_dir_all(site.path().join("icons")).unwrap();
    std::fs::write(site.path().join("icons/icon-180.png"), b"PNG").unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(site.path().join("manifest.webmanifest"), "{}").unwrap();
    let router = serving(site.path(), true).await;
    for (path, kind) in [
        ("/icons/icon-180.png", "image/png"),
        ("/favicon.svg", "image/svg+xml"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let response = get(&router, path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), DAILY, "{path}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), kind, "{path}");
    }
    for path in ["/", "/songs", "/no-such-page", "/icons.html", "/events"] {
        let response = get(&router, path, None).await;
        assert!(
            matches!(
                response.status(),
                StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED
            ),
            "{path}: {}",
            response.status()
        );
    }
}
