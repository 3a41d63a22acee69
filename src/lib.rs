//! RPM Cockpit: a live weekly-planning cockpit.
//!
//! Shared code (`model`, `server_fns`, `ui`, `error`) builds for both the server
//! and the browser; everything that touches the database lives in `server`,
//! compiled only with the `ssr` feature.

// Deeply nested view types (the cockpit page) need more than the default 128.
#![recursion_limit = "512"]

pub mod app;
pub mod error;
pub mod model;
pub mod server_fns;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: attaches the reactive app to the server's HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    ui::base::init_from_page();
    // The panels hydrate one per task (ui::defer).
    ui::defer::hydrate_body(app::App);
}
