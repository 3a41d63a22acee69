//! The one guard of every server function: who asks, the server's state,
//! and the role the function needs, in one call.
//!
//! ```ignore
//! let Caller { viewer, state } = caller(Need::FullView).await?;
//! ```
//!
//! A refusal is an [`AppError`]; the HTTP status that goes with it is given
//! once, to every server function's error answer, by
//! [`crate::server::request::server_fn_status`].

use super::guard::Viewer;
use crate::error::AppError;
use crate::model::Role;
use crate::server::state::AppState;

/// What a server function needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone signed in (a team member sees only their own actions).
    SignedIn,
    /// The whole cockpit: admins and VIPs.
    FullView,
    /// Changes: admins only.
    Admin,
}

/// The signed-in caller and the server's state.
pub struct Caller {
    pub viewer: Viewer,
    pub state: AppState,
}

/// The caller of the current server function, if it may do what `need`
/// says.
pub async fn caller(need: Need) -> Result<Caller, AppError> {
    let state = crate::server::state()?;
    let viewer = leptos_axum::extract_with_state::<Viewer, AppState>(&state)
        .await
        .map_err(|_| AppError::Forbidden("sign in first".into()))?;
    allow(&viewer, need)?;
    Ok(Caller { viewer, state })
}

/// Whether `viewer` may do what `need` says; the refusal names why.
pub fn allow(viewer: &Viewer, need: Need) -> Result<(), AppError> {
    let role = viewer.role();
    match need {
        Need::SignedIn => Ok(()),
        Need::FullView if role == Role::Team => Err(AppError::Forbidden(
            "team members see only their own actions".into(),
        )),
        Need::FullView => Ok(()),
        Need::Admin if role.can_edit() => Ok(()),
        Need::Admin => Err(AppError::Forbidden(format!(
            "the {} role is read-only",
            role.as_str()
        ))),
    }
}
