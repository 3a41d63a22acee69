//! Reading the week's plan.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::WeekOverview;

/// The plan of the week holding `week` (a day; `None`: today), else the
/// newest plan that started before it; `None` when there is no plan at all.
/// Team members see only their own actions and the results holding them.
#[server(endpoint = "current_week", client = crate::server_fns::client::PanelClient)]
pub async fn current_week(
    week: Option<chrono::NaiveDate>,
) -> Result<Option<WeekOverview>, AppError> {
    use crate::model::Role;
    use crate::server::auth::caller::{caller, Caller, Need};
    let Caller { viewer, state } = caller(Need::SignedIn).await?;
    let week = crate::server::week::current_week(
        &state.db,
        week.unwrap_or_else(|| chrono::Utc::now().date_naive()),
    )
    .await?;
    Ok(match (viewer.role(), viewer.user.owner_name.as_deref()) {
        (Role::Team, Some(owner)) => week.map(|w| w.only_owned_by(owner)),
        (Role::Team, None) => None,
        _ => week,
    })
}
