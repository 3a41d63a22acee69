//! The session store: tower-sessions' PostgreSQL store, except that saving
//! a session only ever updates the row it was loaded from. A request still
//! in flight when its person signs out (or the session is ended) would
//! otherwise write the session back (the store's save is an upsert) and
//! undo the sign-out. New sessions are created as before.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

/// The cockpit's session store (see the module's comment).
#[derive(Debug, Clone)]
pub struct Store {
    inner: PostgresStore,
    db: PgPool,
}

impl Store {
    pub fn new(db: PgPool) -> Self {
        Self {
            inner: PostgresStore::new(db.clone()),
            db,
        }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = rmp_serde::to_vec(record).map_err(backend)?;
        let updated = sqlx::query!(
            r#"update "tower_sessions"."session" set data = $2, expiry_date = $3 where id = $1"#,
            record.id.to_string(),
            data,
            record.expiry_date
        )
        .execute(&self.db)
        .await
        .map_err(backend)?;
        if updated.rows_affected() == 0 {
            tracing::debug!("a session ended while a request was in flight stays ended");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}
