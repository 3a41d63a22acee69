//! The `rpm-cockpit` binary: see `server::cli`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    rpm_cockpit::server::cli::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts from `lib.rs`'s `hydrate()`.
}
