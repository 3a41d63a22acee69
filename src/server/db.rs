//! Connecting to PostgreSQL: an external server via DATABASE_URL, or the
//! embedded cluster.

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::embedded_pg::{EmbeddedPostgres, Started};
use super::settings::Settings;

/// Where the database came from, so `main` can stop what it started.
pub struct Database {
    pub pool: PgPool,
    /// The embedded cluster, when DATABASE_URL was not set.
    pub embedded: Option<(EmbeddedPostgres, Started)>,
}

impl Database {
    /// Closes the pool; stops the embedded cluster if this process started
    /// it (a reused cluster belongs to whoever started it: `db stop`).
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some((pg, Started::Now)) = self.embedded {
            pg.stop()?;
            tracing::info!("embedded PostgreSQL stopped");
        }
        Ok(())
    }
}

/// The embedded cluster described by `settings`.
pub fn embedded(settings: &Settings) -> anyhow::Result<EmbeddedPostgres> {
    EmbeddedPostgres::new(&settings.data_dir, settings.embedded_pg_port)
}

/// Connects (starting the embedded cluster when needed) and migrates.
pub async fn open(settings: &Settings) -> anyhow::Result<Database> {
    let (url, embedded) = match &settings.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let pg = embedded(settings)?;
            let started = pg.start()?;
            pg.ensure_database(&settings.database_name).await?;
            tracing::info!(
                data = %pg.data_dir().display(),
                reused = started == Started::Reused,
                "embedded PostgreSQL ready"
            );
            (pg.url(&settings.database_name), Some((pg, started)))
        }
    };
    let pool = connect_with(&url, settings).await?;
    migrate(&pool).await?;
    Ok(Database { pool, embedded })
}

/// A pool with a bounded wait for a connection.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        // The URL may hold a password: name the failure, not the URL.
        .context("connecting to PostgreSQL (check DATABASE_URL)")
}

/// A pool sized by the settings, each connection with the settings'
/// statement and lock timeouts (a runaway query or a held lock fails fast
/// instead of holding a connection).
pub async fn connect_with(url: &str, settings: &Settings) -> anyhow::Result<PgPool> {
    use sqlx::postgres::PgConnectOptions;
    let options: PgConnectOptions = url
        .parse()
        .context("DATABASE_URL is not a PostgreSQL URL")?;
    let options = options.options([
        (
            "statement_timeout",
            format!("{}s", settings.statement_timeout_seconds.max(1)),
        ),
        (
            "lock_timeout",
            format!("{}s", settings.lock_timeout_seconds.max(1)),
        ),
    ]);
    PgPoolOptions::new()
        .max_connections(settings.database_max_connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL (check DATABASE_URL)")
}

/// The version of the newest migration this build carries.
pub fn latest_migration() -> i64 {
    sqlx::migrate!("./migrations")
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Applies the embedded migrations; applied ones are skipped.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .context("running database migrations")
}
