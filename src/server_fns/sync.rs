//! The sync status of the plan files (admin only).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::sync::SyncFile;

/// Every plan file's last sync (refused first, then those with warnings),
/// and the server's clock for "… ago".
#[server(endpoint = "sync_status", client = crate::server_fns::client::PanelClient)]
pub async fn get_sync_status() -> Result<(Vec<SyncFile>, DateTime<Utc>), AppError> {
    use crate::server::auth::caller::{caller, Need};
    let state = caller(Need::Admin).await?.state;
    let files = crate::server::sync::status::list(&state.db).await?;
    Ok((files, Utc::now()))
}
