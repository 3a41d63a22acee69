//! Who may use the cockpit: Google sign-in, the allowlist and its roles,
//! sessions, the guard every page and server function passes through, and
//! the local demo sign-in.

pub mod caller;
pub mod demo;
pub mod frame;
pub mod google;
pub mod guard;
pub mod pages;
pub mod session;
pub mod sign_in;
pub mod store;
pub mod users;

use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

pub use guard::Viewer;
pub use users::User;

use super::security::rate_limit::{self, Limits};
use super::state::AppState;

/// The sign-in routes, rate-limited per client; signing out is not.
pub fn routes(limits: Arc<Limits>) -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login))
        .route("/auth/google", get(google::start))
        .route("/auth/callback", get(google::callback))
        .route("/auth/demo", post(demo::sign_in))
        .route_layer(from_fn_with_state(limits, rate_limit::sign_in))
        .route("/auth/logout", post(pages::logout))
}
