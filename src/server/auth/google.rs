//! Sign-in with Google: OAuth 2.0 authorization code with PKCE and `state`.
//!
//! The provider's URLs come from settings (a local fake stands in for
//! Google in tests); the client id and secret only from the environment.
//! The person's address comes from the userinfo endpoint with the access
//! token (no ID token is used, so no nonce is needed), and must be verified.

use std::sync::OnceLock;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use oauth2::basic::BasicClient;
use oauth2::reqwest;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::frame::{message_page, safe_next, Frame};
use super::session::{self, LoginAttempt};
use super::sign_in::finish;
use crate::server::settings::Settings;
use crate::server::state::AppState;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The HTTP client for the token exchange and userinfo: it never follows
/// redirects (a redirecting token endpoint is an SSRF vector).
fn http() -> &'static reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client with default TLS settings")
    })
}

fn client(settings: &Settings) -> Result<Client, String> {
    let id = settings
        .google_client_id
        .clone()
        .ok_or("Google sign-in is not configured (GOOGLE_CLIENT_ID)")?;
    let mut client = BasicClient::new(ClientId::new(id))
        .set_auth_uri(AuthUrl::new(settings.oauth_auth_url.clone()).map_err(|e| e.to_string())?)
        .set_token_uri(TokenUrl::new(settings.oauth_token_url.clone()).map_err(|e| e.to_string())?)
        .set_redirect_uri(
            RedirectUrl::new(format!("{}/auth/callback", settings.public_root()))
                .map_err(|e| e.to_string())?,
        );
    if let Some(secret) = &settings.google_client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    Ok(client)
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// GET /auth/google: remember state and PKCE verifier in the session, send
/// the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let client = match client(&state.settings) {
        Ok(c) => c,
        Err(why) => return message_page(&Frame::of(&state), 404, "Sign-in unavailable", &why),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("prompt", "select_account")
        .set_pkce_challenge(challenge)
        .url();
    let attempt = LoginAttempt {
        state: csrf.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: safe_next(query.next.as_deref()),
    };
    if let Err(e) = session::start_login(&session, attempt).await {
        tracing::error!(error = %e, "session store");
        return message_page(
            &Frame::of(&state),
            503,
            "Sign-in unavailable",
            "Try again in a moment.",
        );
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserInfo {
    email: String,
    #[serde(default)]
    email_verified: bool,
}

/// GET /auth/callback: check state, exchange the code with the PKCE
/// verifier, read the verified address, sign in an invited person.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<Callback>,
) -> Response {
    let attempt = match session::take_login(&session).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return message_page(
                &Frame::of(&state),
                400,
                "Sign-in expired",
                "This sign-in was not started here or was already used. Start again.",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return message_page(
                &Frame::of(&state),
                503,
                "Sign-in unavailable",
                "Try again in a moment.",
            );
        }
    };
    if query.state.as_deref() != Some(attempt.state.as_str()) {
        tracing::warn!("sign-in refused: state mismatch");
        return message_page(
            &Frame::of(&state),
            400,
            "Sign-in refused",
            "The answer from Google did not match this sign-in (state mismatch). Start again.",
        );
    }
    if let Some(error) = query.error {
        let text = if error == "access_denied" {
            "You did not allow the cockpit to read your Google address, so you are not signed in."
                .to_string()
        } else {
            format!("Google refused the sign-in ({error}).")
        };
        return message_page(&Frame::of(&state), 401, "Not signed in", &text);
    }
    let Some(code) = query.code else {
        return message_page(
            &Frame::of(&state),
            400,
            "Sign-in refused",
            "The answer from Google had no code.",
        );
    };
    let email = match verified_email(&state.settings, code, attempt.pkce_verifier).await {
        Ok(email) => email,
        Err(why) => {
            tracing::warn!(reason = %why, "sign-in refused");
            return message_page(&Frame::of(&state), 401, "Sign-in refused", &why);
        }
    };
    finish(&state, &session, &email, &attempt.next).await
}

/// Exchanges the code and reads the person's verified address.
async fn verified_email(
    settings: &Settings,
    code: String,
    verifier: String,
) -> Result<String, String> {
    let client = client(settings)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(http())
        .await
        .map_err(|e| format!("Google did not accept the sign-in code: {e}"))?;
    let response = http()
        .get(&settings.oauth_userinfo_url)
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .map_err(|e| format!("could not read your Google profile: {e}"))?;
    if !response.status().is_success() {
        return Err(format!(
            "could not read your Google profile (HTTP {})",
            response.status().as_u16()
        ));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("could not read your Google profile: {e}"))?;
    let info: UserInfo =
        serde_json::from_slice(&body).map_err(|e| format!("unreadable Google profile: {e}"))?;
    if !info.email_verified {
        return Err(format!("Google has not verified {}", info.email));
    }
    Ok(info.email)
}
