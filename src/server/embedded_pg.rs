//! A private PostgreSQL cluster owned by the cockpit, for local use.
//!
//! Crates that embed PostgreSQL (`postgresql_embedded`, `pg-embed`) download
//! server binaries from GitHub at run time; we use the system's own binaries
//! (Debian's `postgresql` package) instead, which the setup script installs.
//! The cluster listens on a Unix socket only, keeps its data between runs and
//! is reused by the next start, so `cargo leptos watch` restarts are cheap;
//! `rpm-cockpit db stop` stops it. PostgreSQL refuses to run as root, so
//! when we are root it runs as the `postgres` system user.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{bail, Context};

/// Longest Unix socket path the kernel accepts (sun_path is 108 bytes).
const MAX_SOCKET_PATH: usize = 107;

/// Whether `start` found the cluster already running or started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// It was already running (an earlier start, another process).
    Reused,
    /// This call started it.
    Now,
}

/// A cluster in a directory of its own.
#[derive(Debug, Clone)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    run_as: Option<String>,
}

impl EmbeddedPostgres {
    /// Describes the cluster kept under `state_dir/postgres`; touches nothing.
    pub fn new(state_dir: &Path, port: u16) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        let run_as = is_root().then(|| "postgres".to_string());
        let home = state_dir.join("postgres");
        let mut socket_dir = home.join("run");
        let socket = socket_dir.join(format!(".s.PGSQL.{port}"));
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            // A deep checkout would overflow sun_path; a short private
            // directory named after the cluster keeps it unique.
            socket_dir = std::env::temp_dir().join(format!("rpm-pg-{:016x}", fnv1a(&home)));
        }
        Ok(Self {
            bin_dir,
            data_dir: home.join("data"),
            log_file: home.join("postgres.log"),
            socket_dir,
            port,
            run_as,
        })
    }

    /// Connection URL for `database` over the cluster's socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}&port={}",
            self.socket_dir.display(),
            self.port
        )
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// True when a server is running on this data directory.
    pub fn is_running(&self) -> bool {
        self.data_dir.join("PG_VERSION").exists()
            && self
                .pg("pg_ctl")
                .arg("status")
                .arg("-D")
                .arg(&self.data_dir)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
    }

    /// Creates the cluster on first use and starts it unless it runs already.
    pub fn start(&self) -> anyhow::Result<Started> {
        if self.is_running() {
            return Ok(Started::Reused);
        }
        self.prepare_dirs()?;
        if !self.data_dir.join("PG_VERSION").exists() {
            self.init()?;
        }
        let options = format!(
            "-c listen_addresses='' -k {} -p {} -c unix_socket_permissions=0700",
            self.socket_dir.display(),
            self.port
        );
        let out = self
            .pg("pg_ctl")
            .args(["start", "-w", "-t", "60", "-s", "-D"])
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&self.log_file)
            .arg("-o")
            .arg(options)
            .output()
            .context("running pg_ctl start")?;
        if out.status.success() {
            return Ok(Started::Now);
        }
        if self.is_running() {
            // Another process started it at the same moment.
            return Ok(Started::Reused);
        }
        bail!(
            "the embedded PostgreSQL did not start (data {}, socket {}/.s.PGSQL.{}).\n{}\nlast lines of {}:\n{}\n\
             If another server uses that socket, stop it (`rpm-cockpit db stop`) or set \
             RPM_EMBEDDED_PG_PORT; or set DATABASE_URL to use an existing server.",
            self.data_dir.display(),
            self.socket_dir.display(),
            self.port,
            output_text(&out),
            self.log_file.display(),
            tail(&self.log_file, 15)
        )
    }

    /// Stops the cluster; returns false when it was not running.
    pub fn stop(&self) -> anyhow::Result<bool> {
        if !self.is_running() {
            return Ok(false);
        }
        let out = self
            .pg("pg_ctl")
            .args(["stop", "-w", "-s", "-m", "fast", "-D"])
            .arg(&self.data_dir)
            .output()
            .context("running pg_ctl stop")?;
        if !out.status.success() {
            bail!("pg_ctl stop failed: {}", output_text(&out));
        }
        Ok(true)
    }

    /// Creates `database` when it does not exist yet.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        use sqlx::Connection;
        if database.is_empty()
            || !database
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("database name {database:?}: use lowercase letters, digits and _ only");
        }
        let mut conn = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .context("connecting to the embedded cluster")?;
        let exists: bool = sqlx::query_scalar!(
            r#"select exists(select 1 from pg_database where datname = $1) as "exists!""#,
            database
        )
        .fetch_one(&mut conn)
        .await?;
        if !exists {
            let create = format!(r#"create database "{database}""#);
            if let Err(e) = sqlx::query(&create).execute(&mut conn).await {
                // Lost a race with another starter: fine if it exists now.
                let again = sqlx::query_scalar!(
                    r#"select exists(select 1 from pg_database where datname = $1) as "exists!""#,
                    database
                )
                .fetch_one(&mut conn)
                .await?;
                if !again {
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    fn prepare_dirs(&self) -> anyhow::Result<()> {
        for dir in [&self.data_dir, &self.socket_dir] {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        set_mode(&self.data_dir, 0o700)?;
        set_mode(&self.socket_dir, 0o700)?;
        if let Some(user) = &self.run_as {
            let home = self.data_dir.parent().expect("data dir has a parent");
            for dir in [home, &self.socket_dir] {
                run(Command::new("chown")
                    .arg("-R")
                    .arg(format!("{user}:"))
                    .arg(dir))?;
            }
            let reach = Command::new("runuser")
                .args(["-u", user, "--", "test", "-w"])
                .arg(&self.data_dir)
                .status()
                .context("running runuser (util-linux)")?;
            if !reach.success() {
                bail!(
                    "the `{user}` system user cannot reach {}: PostgreSQL refuses to run as root, \
                     so it runs as `{user}`, who needs search permission on every parent \
                     directory. Move the checkout or set RPM_DATA_DIR to a reachable directory.",
                    self.data_dir.display()
                );
            }
        }
        Ok(())
    }

    fn init(&self) -> anyhow::Result<()> {
        let out = self
            .pg("initdb")
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(&self.data_dir)
            .output()
            .context("running initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", output_text(&out));
        }
        Ok(())
    }

    fn pg(&self, tool: &str) -> Command {
        let bin = self.bin_dir.join(tool);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(bin);
                cmd
            }
            None => Command::new(bin),
        }
    }
}

/// The newest PostgreSQL server binaries on this machine.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("RPM_PG_BIN_DIR") {
        return Ok(dir.into());
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    if let Some((_, bin)) = candidates.pop() {
        return Ok(bin);
    }
    if let Some(bin) = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.join("initdb").exists())
    {
        return Ok(bin);
    }
    bail!(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin \
         or via pg_config. Run ./scripts/setup.sh (it installs Debian's `postgresql`), set \
         RPM_PG_BIN_DIR, or set DATABASE_URL to use an existing server."
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {}", path.display()))
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", output_text(&out));
    }
    Ok(())
}

fn output_text(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        text.push('\n');
        text.push_str(stdout.trim());
    }
    text
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// FNV-1a: a hash that stays the same across Rust releases.
fn fnv1a(path: &Path) -> u64 {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf29ce484222325, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
        })
}
