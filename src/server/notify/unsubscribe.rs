//! /notifications/unsubscribe?t=TOKEN&rules=a,b: the link in every email.
//! GET shows what would stop and a button (mail scanners open links, so a
//! GET changes nothing); POST stops those rules' email, whether from the
//! button or from a mail client's one-click unsubscribe (RFC 8058). The
//! token, not a session, says whose: it is the person's unsubscribe token,
//! so the route is outside the sign-in and the cross-site check.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

use crate::server::auth::frame::{document, escape, message_page_with, Frame};
use crate::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/notifications/unsubscribe", get(confirm).post(unsubscribe))
}

#[derive(Debug, Deserialize)]
pub struct UnsubscribeQuery {
    t: Option<String>,
    rules: Option<String>,
}

/// The person and rules a link names, or the page saying why it is bad.
async fn resolve(
    state: &AppState,
    q: &UnsubscribeQuery,
) -> Result<(Uuid, String, Vec<String>), Response> {
    let frame = Frame::of(state);
    let home = format!("{}/", frame.base);
    let bad = |status, text: &str| {
        message_page_with(
            &frame,
            status,
            "Unsubscribe",
            text,
            (&home, "Open the cockpit"),
        )
    };
    let unreachable = || {
        bad(
            503,
            "The cockpit cannot reach its database; try again in a minute.",
        )
    };
    let Some(token) = q.t.as_deref().and_then(|t| Uuid::parse_str(t.trim()).ok()) else {
        return Err(bad(
            400,
            "This unsubscribe link is incomplete: it has no valid token.",
        ));
    };
    let rules: Vec<String> = q
        .rules
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let known = sqlx::query_scalar!(r#"select notification_rules() as "r!""#)
        .fetch_one(&state.db)
        .await
        .map_err(|_| unreachable())?;
    if rules.is_empty() {
        return Err(bad(400, "This unsubscribe link names no notification."));
    }
    if let Some(r) = rules.iter().find(|r| !known.contains(r)) {
        return Err(bad(
            400,
            &format!("This unsubscribe link names an unknown notification ({r})."),
        ));
    }
    let person = sqlx::query!(
        "select u.id, u.email from notification_settings s join users u on u.id = s.user_id
         where s.unsubscribe_token = $1",
        token
    )
    .fetch_optional(&state.db)
    .await
    .map_err(|_| unreachable())?;
    match person {
        Some(p) => Ok((p.id, p.email, rules)),
        None => Err(bad(
            404,
            "This unsubscribe link is not known (it may be from an account that was removed).",
        )),
    }
}

/// GET: what would stop, and the button.
pub async fn confirm(State(state): State<AppState>, Query(q): Query<UnsubscribeQuery>) -> Response {
    let (_, email, rules) = match resolve(&state, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let body = format!(
        r#"<section class="panel auth"><h1>Unsubscribe</h1>
<p class="auth-message">Stop email to {} about: {}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button class="button primary" type="submit">Unsubscribe</button></form></section>"#,
        escape(&email),
        escape(
            &rules
                .iter()
                .map(|r| label(r))
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    (
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(document(&Frame::of(&state), "Unsubscribe", &body)),
    )
        .into_response()
}

/// POST: those rules' email stops.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let (user, email, rules) = match resolve(&state, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let frame = Frame::of(&state);
    let settings = format!("{}/settings/notifications", frame.base);
    let done = sqlx::query!(
        "insert into notification_prefs (user_id, rule, channel, enabled)
         select $1, r, 'email', false from unnest($2::text[]) r
         on conflict (user_id, rule, channel) do update set enabled = false, updated_at = now()",
        user,
        &rules
    )
    .execute(&state.db)
    .await;
    match done {
        Ok(_) => {
            tracing::info!(rules = %rules.join(","), "unsubscribed from notification email");
            message_page_with(
                &frame,
                200,
                "Unsubscribed",
                &format!(
                    "{email} gets no more email about: {}.",
                    rules
                        .iter()
                        .map(|r| label(r))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (&settings, "Notification settings"),
            )
        }
        Err(_) => message_page_with(
            &frame,
            503,
            "Unsubscribe",
            "The cockpit could not save this; try again in a minute.",
            (&settings, "Notification settings"),
        ),
    }
}

/// A rule as people read it.
pub fn label(rule: &str) -> &'static str {
    match rule {
        "action_blocked" => "an action blocked",
        "action_overdue" => "an action overdue",
        "agent_health" => "an agent's health critical or its heartbeat stale",
        "sync_problem" => "a sync refused or with warnings",
        "result_completed" => "a result completed",
        "deliverable_published" => "a deliverable published",
        "bottleneck_moved" => "the funnel's bottleneck moving",
        _ => "another notification",
    }
}
