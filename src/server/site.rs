//! The site's files (`target/site`, built by cargo-leptos): the wasm, its
//! JavaScript and the style sheet under `/pkg` carry a hash of their
//! content in their names (`hash-files`) and are kept by browsers for a
//! year; every file also lies beside its brotli (quality 11) and gzip
//! copies, made once at build time (`--precompress`) and sent as they are
//! to browsers that accept them, never compressed again per request.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::LeptosOptions;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::state::AppState;

/// A file whose name changes with its content: kept for a year, never
/// asked about again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A file under a fixed name (icons, the manifest): kept for a day, then
/// revalidated (`Last-Modified`, answered 304).
pub const DAILY: &str = "public, max-age=86400";
/// `/pkg` when this build's names carry no hash (a plain `cargo build`),
/// and the chart library: always revalidated.
pub const REVALIDATE: &str = "no-cache";

/// The service worker's own Content Security Policy (a worker runs under its
/// script's policy, not the page's): the cockpit's pages, and the icon of a
/// notification it shows; nothing else.
const SERVICE_WORKER_POLICY: &str = "default-src 'none'; connect-src 'self'; img-src 'self'";

/// The site's files, public (the sign-in pages use them): `/pkg` and
/// `/vendor` from the site's directory with their precompressed copies,
/// the icons, the favicon and the manifest, each with its caching.
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let root = Path::new(&*options.site_root);
    let pkg = &*options.site_pkg_dir;
    let pkg_caching = if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let file = |name: &str, caching: &'static str| {
        Router::new()
            .route_service(&format!("/{name}"), ServeFile::new(root.join(name)))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(caching),
            ))
    };
    files(&format!("/{pkg}"), root.join(pkg), pkg_caching)
        // The chart library keeps its name across versions (and the parts
        // bundled, scripts/echarts/index.js): asked about every time,
        // answered 304 while it is the same, so a page never pairs a new
        // option (a funnel) with yesterday's library.
        .merge(files("/vendor", root.join("vendor"), REVALIDATE))
        .merge(files("/icons", root.join("icons"), DAILY))
        .merge(file("favicon.svg", DAILY))
        .merge(file("manifest.webmanifest", DAILY))
        // The service worker: browsers check it on every visit anyway; no
        // cache in between.
        .merge(
            file("sw.js", REVALIDATE)
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(SERVICE_WORKER_POLICY),
                ))
                // Registered for the mount path itself (`/cockpit`, one
                // level above the script's own `/cockpit/`).
                .layer(SetResponseHeaderLayer::overriding(
                    header::HeaderName::from_static("service-worker-allowed"),
                    HeaderValue::from_static("/"),
                )),
        )
}

/// `dir` at `path`, with `caching` and its precompressed copies.
fn files(path: &str, dir: PathBuf, caching: &'static str) -> Router<AppState> {
    Router::new()
        .nest_service(
            path,
            ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(caching),
        ))
        // The answer depends on Accept-Encoding (a .br, .gz or plain copy).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// The file cargo-leptos writes beside the server binary with the hashes
/// of this build's wasm, JavaScript and CSS, when it hashes file names.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let path = std::env::current_exe()
        .ok()?
        .parent()?
        .join(&*options.hash_file);
    path.is_file().then_some(path)
}

/// This build's name of one of its files in `/pkg` (`kind`: "css", "js"
/// or "wasm"): `rpm-cockpit.<hash>.<kind>` when names are hashed.
fn pkg_name(options: &LeptosOptions, kind: &str) -> String {
    let hash = options
        .hash_files
        .then(|| hash_file(options))
        .flatten()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| {
            text.lines().find_map(|line| {
                let (k, hash) = line.split_once(':')?;
                (k.trim() == kind).then(|| hash.trim().to_string())
            })
        });
    match hash {
        Some(hash) => format!("{}.{hash}.{kind}", options.output_name),
        // wasm-bindgen's own name, when cargo-leptos did not rename it.
        None if kind == "wasm" && option_env!("LEPTOS_OUTPUT_NAME").is_none() => {
            format!("{}_bg.wasm", options.output_name)
        }
        None => format!("{}.{kind}", options.output_name),
    }
}

/// The style sheet's address under the mount path `base`
/// (`/cockpit/pkg/rpm-cockpit.<hash>.css`), for the pages outside the app
/// (sign-in, messages). Read once per process.
pub fn css_href(options: &LeptosOptions, base: &str) -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    let name = NAME.get_or_init(|| pkg_name(options, "css"));
    format!("{base}/{}/{name}", options.site_pkg_dir)
}

/// The addresses of the app's JavaScript and wasm under the mount path
/// `base`. Read once per process.
pub fn app_hrefs(options: &LeptosOptions, base: &str) -> (String, String) {
    static NAMES: OnceLock<(String, String)> = OnceLock::new();
    let (js, wasm) = NAMES.get_or_init(|| (pkg_name(options, "js"), pkg_name(options, "wasm")));
    let pkg = &options.site_pkg_dir;
    (format!("{base}/{pkg}/{js}"), format!("{base}/{pkg}/{wasm}"))
}
