//! The allowlist: who may sign in and with which role.

use sqlx::PgPool;
use uuid::Uuid;

use crate::model::{Me, Role};

/// An invited person (a row of `users`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// For the team role: the action owner whose work they see.
    pub owner_name: Option<String>,
}

impl User {
    pub fn me(&self) -> Me {
        Me {
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            role: self.role,
        }
    }
}

// The queries are checked against the schema at compile time (`.sqlx/`);
// `role` decodes through `Role`'s text mapping.

pub async fn find_by_email(pool: &PgPool, email: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        r#"select id, email, display_name, role as "role: Role", owner_name
           from users where lower(email) = lower($1)"#,
        email.trim()
    )
    .fetch_optional(pool)
    .await
}

pub async fn find_by_id(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        r#"select id, email, display_name, role as "role: Role", owner_name
           from users where id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// Everyone, admins first.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<User>> {
    sqlx::query_as!(
        User,
        r#"select id, email, display_name, role as "role: Role", owner_name
           from users
           order by array_position(array['admin','vip','team'], role), lower(email)"#
    )
    .fetch_all(pool)
    .await
}

/// Invites `email` with `role`, or changes the role of someone invited.
pub async fn upsert(
    pool: &PgPool,
    email: &str,
    display_name: &str,
    role: Role,
    owner_name: Option<&str>,
) -> anyhow::Result<User> {
    let email = email.trim();
    anyhow::ensure!(
        email.contains('@') && !email.contains(char::is_whitespace),
        "{email:?} is not an email address"
    );
    anyhow::ensure!(
        role != Role::Team || owner_name.is_some_and(|o| !o.trim().is_empty()),
        "a team member needs --owner: the action owner whose work they see"
    );
    let name = if display_name.trim().is_empty() {
        email.split('@').next().unwrap_or(email)
    } else {
        display_name.trim()
    };
    let row = sqlx::query_as!(
        User,
        r#"insert into users (email, display_name, role, owner_name)
           values ($1, $2, $3, $4)
           on conflict (lower(email)) do update
              set display_name = excluded.display_name, role = excluded.role,
                  owner_name = excluded.owner_name
           returning id, email, display_name, role as "role: Role", owner_name"#,
        email,
        name,
        role as _,
        owner_name.map(str::trim)
    )
    .fetch_one(pool)
    .await?;
    Ok(row)
}

/// Makes `email` an admin, keeping a name already given.
pub async fn ensure_admin(pool: &PgPool, email: &str) -> anyhow::Result<()> {
    let name = find_by_email(pool, email)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    upsert(pool, email, &name, Role::Admin, None).await?;
    Ok(())
}

/// Removes `email` from the allowlist; whether they were on it. Their
/// sessions end at their next request (the guard re-reads the user).
pub async fn remove(pool: &PgPool, email: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "delete from users where lower(email) = lower($1)",
        email.trim()
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn mark_signed_in(pool: &PgPool, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set last_signed_in_at = now() where id = $1",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}
