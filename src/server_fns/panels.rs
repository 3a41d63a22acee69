//! The cockpit's panels: one server function each, so one failing query
//! never blanks the page. `week` picks a past week (any day of it); `None`
//! is the current week.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::panels::{
    ActionFeed, AgentPanel, DeliverablesPanel, FeedFilter, FunnelPanel, OverviewStats, RevenuePanel,
};

#[cfg(feature = "ssr")]
mod server {
    use crate::error::AppError;
    pub use crate::server::auth::caller::{caller, Caller, Need};
    pub use crate::server::panels;
    pub use crate::server::week::{plan_once, PlanRow};
    use chrono::NaiveDate;

    /// The caller (if allowed `need`) and the week's plan.
    pub async fn context(
        week: Option<NaiveDate>,
        need: Need,
    ) -> Result<(Caller, Option<PlanRow>), AppError> {
        let caller = caller(need).await?;
        let day = week.unwrap_or_else(|| chrono::Utc::now().date_naive());
        let plan = plan_once(&caller.state.db, day).await?;
        Ok((caller, plan))
    }
}

#[server(endpoint = "overview_stats", client = crate::server_fns::client::PanelClient)]
pub async fn get_overview_stats(
    week: Option<NaiveDate>,
) -> Result<Option<OverviewStats>, AppError> {
    let (server::Caller { state, .. }, plan) =
        server::context(week, server::Need::FullView).await?;
    match plan {
        Some(p) => Ok(Some(
            server::panels::overview::stats(&state.db, &p, chrono::Utc::now()).await?,
        )),
        None => Ok(None),
    }
}

#[server(endpoint = "action_feed", client = crate::server_fns::client::PanelClient)]
pub async fn get_action_feed(
    week: Option<NaiveDate>,
    #[server(default)] filter: FeedFilter,
) -> Result<Option<ActionFeed>, AppError> {
    use crate::model::Role;
    let (server::Caller { viewer, state }, plan) =
        server::context(week, server::Need::SignedIn).await?;
    let only = match viewer.role() {
        Role::Team => Some(viewer.user.owner_name.clone().unwrap_or_default()),
        _ => None,
    };
    match plan {
        Some(p) => Ok(Some(
            server::panels::feed::feed(&state.db, &p, &filter, only.as_deref(), chrono::Utc::now())
                .await
                .map(|feed| ActionFeed {
                    can_edit: viewer.role() == Role::Admin,
                    yours: (viewer.role() == Role::Admin)
                        .then(|| viewer.user.owner_name.clone())
                        .flatten(),
                    ..feed
                })?,
        )),
        None => Ok(None),
    }
}

#[server(endpoint = "revenue_panel", client = crate::server_fns::client::PanelClient)]
pub async fn get_revenue(week: Option<NaiveDate>) -> Result<Option<RevenuePanel>, AppError> {
    let (server::Caller { state, .. }, plan) =
        server::context(week, server::Need::FullView).await?;
    match plan {
        Some(p) => Ok(Some(server::panels::revenue::revenue(&state.db, &p).await?)),
        None => Ok(None),
    }
}

#[server(endpoint = "agent_panel", client = crate::server_fns::client::PanelClient)]
pub async fn get_agents() -> Result<AgentPanel, AppError> {
    let server::Caller { state, .. } = server::caller(server::Need::FullView).await?;
    let stale = state.settings.agent_stale_after_minutes as i64;
    server::panels::agents::agents(&state.db, chrono::Utc::now(), stale).await
}

#[server(endpoint = "deliverables_panel", client = crate::server_fns::client::PanelClient)]
pub async fn get_deliverables() -> Result<DeliverablesPanel, AppError> {
    let server::Caller { state, .. } = server::caller(server::Need::FullView).await?;
    server::panels::deliverables::deliverables(&state.db, chrono::Utc::now()).await
}

#[server(endpoint = "funnel_panel", client = crate::server_fns::client::PanelClient)]
pub async fn get_funnel(week: Option<NaiveDate>) -> Result<Option<FunnelPanel>, AppError> {
    let (server::Caller { state, .. }, plan) =
        server::context(week, server::Need::FullView).await?;
    match plan {
        Some(p) => Ok(Some(
            server::panels::funnel::funnel(&state.db, &p, chrono::Utc::now()).await?,
        )),
        None => Ok(None),
    }
}

#[server(endpoint = "song_catalog", client = crate::server_fns::client::PanelClient)]
pub async fn get_songs(
    #[server(default)] filter: crate::model::panels::SongFilter,
) -> Result<crate::model::panels::SongCatalog, AppError> {
    let server::Caller { state, .. } = server::caller(server::Need::FullView).await?;
    server::panels::songs::catalog(&state.db, &filter).await
}

#[server(endpoint = "deliverable_list", client = crate::server_fns::client::PanelClient)]
pub async fn get_deliverable_list(
    #[server(default)] filter: crate::model::panels::DeliverableFilter,
) -> Result<crate::model::panels::DeliverableList, AppError> {
    let server::Caller { state, .. } = server::caller(server::Need::FullView).await?;
    server::panels::deliverable_list::list(&state.db, &filter).await
}

#[server(endpoint = "agent_history", client = crate::server_fns::client::PanelClient)]
pub async fn get_agent_history(
    name: String,
) -> Result<crate::model::panels::AgentHistory, AppError> {
    let server::Caller { state, .. } = server::caller(server::Need::FullView).await?;
    let stale = state.settings.agent_stale_after_minutes as i64;
    server::panels::agent_history::history(&state.db, &name, 7, chrono::Utc::now(), stale).await
}
