//! Who is signed in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Me;

/// The signed-in person, for the header.
#[server(endpoint = "who_am_i", client = crate::server_fns::client::PanelClient)]
pub async fn who_am_i() -> Result<Me, AppError> {
    use crate::server::auth::caller::{caller, Need};
    Ok(caller(Need::SignedIn).await?.viewer.user.me())
}
