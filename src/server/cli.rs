//! The `rpm-cockpit` command line: serve the cockpit, manage the embedded
//! database.

use std::future::IntoFuture;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use super::settings::Settings;
use super::sync::command::SyncArgs;
use super::sync::demo::load_demo_if_empty;
use super::sync::Lake;
use super::{auth, db, startup};
use crate::model::Role;

/// RPM Cockpit: a live weekly-planning cockpit.
///
/// Settings come from Leptos.toml in the current directory, overridden by
/// the environment (see that file). Without DATABASE_URL the cockpit runs
/// its own PostgreSQL cluster under the data directory.
#[derive(Debug, Parser)]
#[command(name = "rpm-cockpit", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the cockpit (the default).
    Serve,
    /// Import plans, agent snapshots, songs and deliverables.
    Sync(SyncArgs),
    /// Manage API tokens of agents and scripts (shown once, stored hashed).
    Tokens {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Manage who may sign in, and their roles.
    Users {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage the embedded PostgreSQL cluster.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Refresh the analytics tables, or export them for BigQuery.
    Analytics {
        #[command(subcommand)]
        action: AnalyticsAction,
    },
    /// On a laptop: run `sync --to URL --watch` as a background service
    /// (systemd user unit on Linux, launchd agent on macOS).
    Service {
        #[command(subcommand)]
        action: super::service::ServiceAction,
    },
    /// Make a VAPID key pair for Web Push: set the private key as
    /// RPM_VAPID_PRIVATE_KEY (a secret) wherever the server runs.
    VapidKey,
    /// Reports: the weekly summary (PDF in the lake; by email with --send).
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
}

#[derive(Debug, Subcommand)]
enum ReportAction {
    /// The weekly summary of one week (default: the current one), written
    /// as a PDF to the lake at analytics/reports/weekly/YYYY-Www-summary.pdf.
    Weekly {
        /// The ISO week, e.g. 2026-W48.
        #[arg(long)]
        week: Option<String>,
        /// Also write the PDF here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Send it to everyone who gets the weekly summary now (once per
        /// week: the scheduled one is then not sent again).
        #[arg(long)]
        send: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AnalyticsAction {
    /// Recompute the seven analytics tables and roll rpm_dna_periods up
    /// (the server does it hourly).
    Refresh,
    /// Write each analytics table as Parquet, with its BigQuery schema, to
    /// analytics/exports/YYYY/MM/ in the data lake (docs/warehouse-export.md).
    Export,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create a token and print it (the only time it is shown).
    Create {
        /// Who holds it, e.g. "Artifacts agent".
        #[arg(long)]
        name: String,
        /// What it may do: heartbeat, sync, revenue, read, actions (comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        scope: Vec<String>,
    },
    /// List tokens (never their values).
    List,
    /// Revoke the token of that name.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Invite someone (or change their role): admin, vip or team.
    Add {
        /// Their Google account's address.
        email: String,
        #[arg(long)]
        role: String,
        /// The name shown in the cockpit (default: the address's user part).
        #[arg(long, default_value = "")]
        name: String,
        /// For team members: the action owner whose work they see.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Remove someone; their sessions end at their next request.
    Remove { email: String },
    /// List everyone invited.
    List,
}

#[derive(Debug, Subcommand)]
enum DbAction {
    /// Start the cluster (create it on first use), create the database,
    /// apply migrations.
    Start,
    /// Stop the cluster.
    Stop,
    /// Say whether the cluster runs.
    Status,
    /// Print the connection URL of the cockpit's database.
    Url,
}

/// Runs the command line; the process exit code.
pub async fn main() -> ExitCode {
    // `.env` beside Leptos.toml, for secrets kept out of the shell; the
    // environment wins over it.
    match dotenvy::from_path(".env") {
        Err(e) if !e.not_found() => {
            eprintln!("error: reading .env: {e}");
            return ExitCode::FAILURE;
        }
        _ => {}
    }
    super::logging::init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = std::env::current_dir().context("reading the current directory")?;
    let settings = Settings::load(&root)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await.map(|_| ExitCode::SUCCESS),
        Command::Db { action } => db_command(settings, action).await,
        Command::Sync(args) => sync(settings, args).await,
        Command::Service { action } => super::service::run(action),
        Command::Tokens { action } => tokens_command(settings, action).await,
        Command::Users { action } => users_command(settings, action).await,
        Command::Analytics { action } => analytics_command(settings, action).await,
        Command::Report { action } => {
            let database = db::open(&settings).await?;
            let done = report_on(&settings, &database.pool, action).await;
            database.close().await?;
            done.map(|_| ExitCode::SUCCESS)
        }
        Command::VapidKey => {
            let (private, public) = super::notify::push::Vapid::generate()?;
            println!("RPM_VAPID_PRIVATE_KEY={private}");
            eprintln!("public key (browsers subscribe with it; the server derives it): {public}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    // Refused before anything starts: a deployment without its sign-in,
    // public URL or first admin, or with a bad proxy list.
    settings.check_deployment()?;
    super::security::client::TrustedProxies::parse(&settings.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
    let database = db::open(&settings).await?;
    // Whatever happens, the cluster this process started is stopped.
    let served = serve_on(settings, database.pool.clone()).await;
    database.close().await?;
    served
}

async fn serve_on(settings: Settings, pool: sqlx::PgPool) -> anyhow::Result<()> {
    let demo_sign_in = auth::demo::allowed(&settings);
    if settings.demo_data && demo_sign_in.is_err() {
        tracing::info!("demo data not loaded: the demo sign-in is off here");
    }
    if settings.demo_data && demo_sign_in.is_ok() {
        let lake = Lake::open(&settings.object_store_url, &settings.data_dir.join("lake"))?;
        load_demo_if_empty(&pool, &settings.demo_dir, Some(lake), chrono::Utc::now()).await?;
    }
    if !settings.admin_email.trim().is_empty() {
        auth::users::ensure_admin(&pool, &settings.admin_email).await?;
    }
    match demo_sign_in {
        Ok(()) => tracing::warn!("no Google client id: the local DEMO sign-in is on"),
        Err(why) if settings.google_client_id.is_none() => {
            tracing::warn!("no Google client id and {why}: nobody can sign in");
        }
        Err(_) => {}
    }
    auth::session::spawn_cleanup(pool.clone());
    if settings.analytics_refresh_minutes > 0 {
        let every = std::time::Duration::from_secs(settings.analytics_refresh_minutes * 60);
        super::analytics::spawn_refresh(pool.clone(), every);
    }
    super::notify::spawn(pool.clone(), &settings)?;
    let options = startup::leptos_options(&settings)?;
    let addr = options.site_addr;
    let limit = std::time::Duration::from_secs(settings.shutdown_seconds);
    let state = startup::build_state(settings, pool, options);
    let drain = state.drain.clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr} (is another cockpit running there?)"))?;
    tracing::info!("cockpit listening on http://{addr}");
    let app = startup::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let mut server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(drain.started())
            .into_future(),
    );
    tokio::select! {
        ended = &mut server => return Ok(ended??),
        () = shutdown_signal() => {}
    }
    // Not ready from now on; every event stream ends; requests in flight
    // finish, up to the limit.
    drain.start();
    match tokio::time::timeout(limit, server).await {
        Ok(ended) => ended??,
        Err(_) => tracing::warn!(
            seconds = limit.as_secs(),
            "requests still in flight at the shutdown limit; exiting"
        ),
    }
    Ok(())
}

async fn report_on(
    settings: &Settings,
    pool: &sqlx::PgPool,
    action: ReportAction,
) -> anyhow::Result<()> {
    use super::report;
    let ReportAction::Weekly { week, out, send } = action;
    let now = chrono::Utc::now();
    let monday = match week {
        Some(w) => report::parse_iso_week(&w)?,
        None => report::parse_iso_week(&report::iso_week(now.date_naive()))?,
    };
    let gathered = report::gather(pool, monday, now).await?;
    let rendered = report::render_all(&gathered)?;
    let lake = Lake::open(&settings.object_store_url, &settings.data_dir.join("lake"))?;
    let path = gathered.lake_path();
    lake.put_if_changed(&path, rendered.pdf.clone()).await?;
    println!(
        "{}: {}% done ({} of {} actions), {} blocked, PDF {} bytes at {}/{}",
        gathered.week,
        gathered.completion_pct(),
        gathered.completed,
        gathered.total,
        gathered.blocked.len(),
        rendered.pdf.len(),
        lake.location,
        path
    );
    if let Some(out) = out {
        std::fs::write(&out, &rendered.pdf)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
        println!("also written to {}", out.display());
    }
    if send {
        super::notify::checks::enqueue_digest(pool, &gathered.week, gathered.week_start).await?;
        let queued = sqlx::query_scalar!(
            r#"select count(*) as "n!" from notifications
               where rule = 'weekly_digest' and idempotency_key like 'digest:' || $1::text || ':%'"#,
            gathered.week
        )
        .fetch_one(pool)
        .await?;
        println!(
            "queued: {queued} notification(s) of the {} summary; a running server sends them",
            gathered.week
        );
    }
    Ok(())
}

async fn analytics_command(
    settings: Settings,
    action: AnalyticsAction,
) -> anyhow::Result<ExitCode> {
    let database = db::open(&settings).await?;
    let done = analytics_on(&settings, &database.pool, action).await;
    database.close().await?;
    done.map(|_| ExitCode::SUCCESS)
}

async fn analytics_on(
    settings: &Settings,
    pool: &sqlx::PgPool,
    action: AnalyticsAction,
) -> anyhow::Result<()> {
    match action {
        AnalyticsAction::Refresh => {
            let took = super::analytics::refresh(pool).await?;
            println!("analytics refreshed in {} ms", took.as_millis());
        }
        AnalyticsAction::Export => {
            let lake = Lake::open(&settings.object_store_url, &settings.data_dir.join("lake"))?;
            let written = super::export::export(pool, &lake, chrono::Utc::now()).await?;
            for e in &written {
                println!("{:<26} {:>7} rows  {}", e.table, e.rows, e.parquet);
            }
            println!("exported {} tables to {}", written.len(), lake.location);
        }
    }
    Ok(())
}

async fn sync(settings: Settings, args: SyncArgs) -> anyhow::Result<ExitCode> {
    if let Some(to) = args.to.clone() {
        // No database here: the deployed cockpit imports the files.
        return super::sync::remote::run(&settings, &args, &to).await;
    }
    let database = db::open(&settings).await?;
    let code = super::sync::command::run(&settings, &database.pool, &args).await;
    database.close().await?;
    code
}

async fn tokens_command(settings: Settings, action: TokenAction) -> anyhow::Result<ExitCode> {
    use super::tokens;
    let database = db::open(&settings).await?;
    let pool = &database.pool;
    let code = match action {
        TokenAction::Create { name, scope } => {
            let token = tokens::create(pool, &name, &scope).await?;
            println!("{token}");
            eprintln!("token {name:?} created; store it now, it is not shown again");
            ExitCode::SUCCESS
        }
        TokenAction::List => {
            for (name, scopes, created, used, revoked) in tokens::list(pool).await? {
                let state = match revoked {
                    Some(at) => format!("revoked {at}"),
                    None => format!(
                        "active, last used {}",
                        used.map_or("never".into(), |u| u.to_string())
                    ),
                };
                println!("{name}\t{}\tcreated {created}\t{state}", scopes.join(","));
            }
            ExitCode::SUCCESS
        }
        TokenAction::Revoke { name } => {
            if tokens::revoke(pool, &name).await? {
                println!("revoked {name:?}");
                ExitCode::SUCCESS
            } else {
                eprintln!("no active token named {name:?}");
                ExitCode::FAILURE
            }
        }
    };
    database.close().await?;
    Ok(code)
}

async fn users_command(settings: Settings, action: UserAction) -> anyhow::Result<ExitCode> {
    use auth::users;
    let database = db::open(&settings).await?;
    let pool = &database.pool;
    let result = async {
        Ok(match action {
            UserAction::Add {
                email,
                role,
                name,
                owner,
            } => {
                let role = Role::parse(&role)?;
                let user = users::upsert(pool, &email, &name, role, owner.as_deref()).await?;
                println!("{} is {}", user.email, user.role.as_str());
                ExitCode::SUCCESS
            }
            UserAction::Remove { email } => {
                if users::remove(pool, &email).await? {
                    println!("removed {email}");
                    ExitCode::SUCCESS
                } else {
                    eprintln!("{email} was not invited");
                    ExitCode::FAILURE
                }
            }
            UserAction::List => {
                for u in users::list(pool).await? {
                    let owner = u
                        .owner_name
                        .map(|o| format!("\towner {o}"))
                        .unwrap_or_default();
                    println!(
                        "{}\t{}\t{}{owner}",
                        u.email,
                        u.role.as_str(),
                        u.display_name
                    );
                }
                ExitCode::SUCCESS
            }
        })
    }
    .await;
    database.close().await?;
    result
}

async fn db_command(settings: Settings, action: DbAction) -> anyhow::Result<ExitCode> {
    if settings.database_url.is_some() {
        anyhow::bail!("DATABASE_URL is set: the embedded cluster is not in use");
    }
    let pg = db::embedded(&settings)?;
    match action {
        DbAction::Start => {
            let database = db::open(&settings).await?;
            database.pool.close().await;
            println!("running: {}", pg.url(&settings.database_name));
        }
        DbAction::Stop => {
            let was = pg.stop()?;
            println!("{}", if was { "stopped" } else { "not running" });
        }
        DbAction::Status => {
            let running = pg.is_running();
            println!("{}", if running { "running" } else { "not running" });
            return Ok(if running {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            });
        }
        DbAction::Url => println!("{}", pg.url(&settings.database_name)),
    }
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
