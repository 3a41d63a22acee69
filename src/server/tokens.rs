//! API tokens: created by the CLI and shown once, stored as a sha256 hash,
//! scoped, revocable. Sent as `Authorization: Bearer <token>` on /api/v1.

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::sync::files::hex;
use crate::model::kinds::Scope;

/// A verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub name: String,
    pub scopes: Vec<String>,
}

impl ApiToken {
    /// Whether the token holds `scope`. Stored scopes stay text, so a
    /// token a newer instance made with a scope unknown here still works
    /// for the scopes this build knows.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|s| s == scope.as_str())
    }
}

fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Creates a token; returns the token itself (the only time it is known).
pub async fn create(pool: &PgPool, name: &str, scopes: &[String]) -> anyhow::Result<String> {
    let scopes = scopes
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    anyhow::ensure!(!scopes.is_empty(), "a token needs at least one scope");
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let token = format!("rpm_{}", hex(&bytes));
    sqlx::query!(
        "insert into api_tokens (name, token_hash, scopes) values ($1, $2, $3)",
        name,
        hash(&token),
        scopes as _
    )
    .execute(pool)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            anyhow::anyhow!("a token named {name:?} exists already")
        }
        other => other.into(),
    })?;
    Ok(token)
}

/// Revokes the token of that name; whether one was active.
pub async fn revoke(pool: &PgPool, name: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update api_tokens set revoked_at = now() where name = $1 and revoked_at is null",
        name
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// (name, scopes, created, last used, revoked) of every token.
pub type TokenRow = (
    String,
    Vec<String>,
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
);

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<TokenRow>> {
    let rows = sqlx::query!(
        r#"select name, scopes, created_at as "created_at: chrono::DateTime<chrono::Utc>",
                  last_used_at as "last_used_at: chrono::DateTime<chrono::Utc>",
                  revoked_at as "revoked_at: chrono::DateTime<chrono::Utc>"
           from api_tokens order by name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.name, r.scopes, r.created_at, r.last_used_at, r.revoked_at))
        .collect())
}

/// The active token matching `token`, if any; records its use.
pub async fn verify(pool: &PgPool, token: &str) -> sqlx::Result<Option<ApiToken>> {
    // Reading is the common case: the last use is written at most once a
    // minute, so a busy agent's reads do not each become a write.
    // A CTE's columns are not known to be non-null: `!` says they are.
    let row = sqlx::query!(
        r#"with t as (select id, name, scopes, last_used_at from api_tokens
                      where token_hash = $1 and revoked_at is null),
                touched as (update api_tokens a set last_used_at = now() from t
                            where a.id = t.id and (t.last_used_at is null
                                  or t.last_used_at < now() - interval '1 minute'))
           select name as "name!", scopes as "scopes!" from t"#,
        hash(token)
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ApiToken {
        name: r.name,
        scopes: r.scopes,
    }))
}
