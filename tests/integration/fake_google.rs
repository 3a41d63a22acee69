//! A local stand-in for Google's OAuth 2.0 endpoints, over real HTTP: the
//! consent screen (`/authorize`, where the test plays the person), the
//! token endpoint with PKCE (S256) and client-secret checks, and userinfo.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "test-client.apps.example";
pub const CLIENT_SECRET: &str = "test-secret";

struct Grant {
    challenge: String,
    email: String,
    redirect_uri: String,
}

#[derive(Default)]
struct Provider {
    grants: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, String>>,
    next: Mutex<u64>,
}

/// The running fake; its base URL.
pub struct FakeGoogle {
    pub base: String,
}

impl FakeGoogle {
    pub async fn start() -> Self {
        let provider = Arc::new(Provider::default());
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(provider);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base }
    }
}

fn fresh(provider: &Provider, prefix: &str) -> String {
    let mut n = provider.next.lock().unwrap();
    *n += 1;
    format!("{prefix}-{n}")
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
    /// The account the person picks (the test's choice).
    email: String,
    /// The person presses "Cancel".
    deny: Option<String>,
}

async fn authorize(State(p): State<Arc<Provider>>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.response_type != "code" || q.client_id != CLIENT_ID || q.code_challenge_method != "S256" {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let state = url_encode(&q.state);
    if q.deny.is_some() {
        return Redirect::to(&format!(
            "{}?error=access_denied&state={state}",
            q.redirect_uri
        ))
        .into_response();
    }
    let code = fresh(&p, "code");
    p.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            challenge: q.code_challenge,
            email: q.email,
            redirect_uri: q.redirect_uri.clone(),
        },
    );
    Redirect::to(&format!("{}?code={code}&state={state}", q.redirect_uri)).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

fn token_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if f.grant_type != "authorization_code" {
        return token_error("unsupported_grant_type");
    }
    // A code is good once.
    let Some(grant) = p.grants.lock().unwrap().remove(&f.code) else {
        return token_error("invalid_grant");
    };
    let Some(verifier) = f.code_verifier else {
        return token_error("invalid_request");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge || f.redirect_uri != grant.redirect_uri {
        return token_error("invalid_grant");
    }
    let access = fresh(&p, "access");
    p.tokens.lock().unwrap().insert(access.clone(), grant.email);
    Json(json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3599 }))
        .into_response()
}

async fn userinfo(State(p): State<Arc<Provider>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match p.tokens.lock().unwrap().get(token) {
        Some(email) => Json(json!({ "email": email, "email_verified": true, "name": "Someone" }))
            .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
