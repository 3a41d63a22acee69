//! Reading the week's plan.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::WeekOverview;

/// The current week's plan: the newest plan that has started, or `None`
/// when there is no plan at all.
#[server(endpoint = "current_week")]
pub async fn current_week() -> Result<Option<WeekOverview>, AppError> {
    // Sign-in and roles arrive with the authentication issue; until then the
    // overview is public, like the rest of this read-only page.
    let state = crate::server::state()?;
    crate::server::week::current_week(&state.db, chrono::Utc::now().date_naive()).await
}
