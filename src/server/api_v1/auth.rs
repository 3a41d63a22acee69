//! The bearer-token guard of /api/v1.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;

use super::error::ApiError;
use crate::model::kinds::Scope;
use crate::server::state::AppState;
use crate::server::tokens::{verify, ApiToken};

/// A verified, active token. Handlers call [`Bearer::require`] for their
/// scope.
pub struct Bearer(pub ApiToken);

impl Bearer {
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.0.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("this token lacks the {:?} scope", scope.as_str()),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token>"))?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authorization must be Bearer <token>"))?;
        verify(&state.db, token)
            .await?
            .map(Bearer)
            .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))
    }
}
