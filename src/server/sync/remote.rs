//! `rpm-cockpit sync --to https://heritage.com/cockpit`: the laptop's side
//! of a sync to the deployed cockpit, whose database a laptop cannot reach.
//! The files named as for a local sync travel to `POST /api/v1/sync/…`
//! (scope `sync`), where the server imports them with the local rules; its
//! warnings and errors come back and are printed as `file:line: …`. Only
//! changed files travel: the client first asks which content hashes the
//! server holds (`GET /api/v1/sync/files`). Offline, it retries with
//! backoff; with `--watch` it catches up when the network is back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::catalog::Kind;
use super::command::{fingerprint, SyncArgs};
use super::files::content_hash;
use super::report::{FileOutcome, FileResult, Summary};
use crate::server::api_v1::sync_upload::{Imported, KnownFiles};
use crate::server::settings::Settings;

/// The environment variable holding the token.
pub const TOKEN_VAR: &str = "RPM_SYNC_TOKEN";

/// The default token file: `$XDG_CONFIG_HOME/rpm-cockpit/sync-token`
/// (`~/.config/...`).
pub fn default_token_file() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("rpm-cockpit").join("sync-token"))
}

/// The token: `RPM_SYNC_TOKEN`, or the token file, which only its owner
/// may read (never the command line, where other users see it).
pub fn token(file: Option<&Path>) -> anyhow::Result<String> {
    if let Some(t) = std::env::var(TOKEN_VAR)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(t.trim().to_string());
    }
    let path = file
        .map(Path::to_path_buf)
        .or_else(default_token_file)
        .context("no token: set RPM_SYNC_TOKEN or give --token-file")?;
    let meta = std::fs::metadata(&path).with_context(|| {
        format!(
            "no token: set {TOKEN_VAR} or write the token to {} (mode 600)",
            path.display()
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        anyhow::ensure!(
            mode & 0o077 == 0,
            "{} may be read by others (mode {mode:o}): chmod 600 it",
            path.display()
        );
    }
    #[cfg(not(unix))]
    let _ = meta;
    let token = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .trim()
        .to_string();
    anyhow::ensure!(!token.is_empty(), "{} is empty", path.display());
    Ok(token)
}

/// The deployed cockpit's sync API.
pub struct Remote {
    http: reqwest::Client,
    /// `https://heritage.com/cockpit/api/v1`
    api: String,
    token: String,
    /// Requests and bytes sent with files, this run.
    pub sent_files: u64,
    pub sent_bytes: u64,
}

/// A failure worth trying again later: the network, or the server busy.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub String);

/// Attempts per request before a pass gives up (1, 2, 4, 8 s between).
const ATTEMPTS: u32 = 5;

impl Remote {
    pub fn new(to: &str, token: String) -> anyhow::Result<Self> {
        let to = to.trim().trim_end_matches('/');
        anyhow::ensure!(
            to.starts_with("https://") || to.starts_with("http://"),
            "--to {to:?}: give the cockpit's address, e.g. https://heritage.com/cockpit"
        );
        if to.starts_with("http://") && !is_loopback_url(to) {
            eprintln!("warning: {to} is plain HTTP: the token and the plans travel unencrypted");
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("rpm-cockpit-sync/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            api: format!("{to}/api/v1"),
            token,
            sent_files: 0,
            sent_bytes: 0,
        })
    }

    /// Sends a request, retrying the network, 429 and 5xx with backoff.
    async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> anyhow::Result<reqwest::Response> {
        let mut wait = Duration::from_secs(1);
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            match build().bearer_auth(&self.token).send().await {
                Ok(r) if r.status() == 429 || r.status().is_server_error() => {
                    let after = r
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                        .map(Duration::from_secs);
                    last = format!("{} {}", r.status(), r.text().await.unwrap_or_default());
                    if attempt < ATTEMPTS {
                        let pause = after.unwrap_or(wait).min(Duration::from_secs(60));
                        eprintln!("{}: {last}; retrying in {} s", self.api, pause.as_secs());
                        tokio::time::sleep(pause).await;
                    }
                }
                Ok(r) => return Ok(r),
                Err(e) => {
                    last = format!("{e}");
                    if attempt < ATTEMPTS {
                        eprintln!(
                            "{}: unreachable ({e}); retrying in {} s",
                            self.api,
                            wait.as_secs()
                        );
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            wait *= 2;
        }
        Err(Unreachable(format!("{}: {last}", self.api)).into())
    }

    /// The files the server holds: name -> hash of their last good sync.
    pub async fn known(&self) -> anyhow::Result<HashMap<String, String>> {
        let url = format!("{}/sync/files", self.api);
        let response = self.send(|| self.http.get(&url)).await?;
        let response = refused_unless_ok(response).await?;
        let known: KnownFiles = response.json().await.context("the server's file list")?;
        Ok(known
            .files
            .into_iter()
            .filter(|f| f.outcome != "failed")
            .map(|f| (f.name, f.hash))
            .collect())
    }

    /// Sends one file; the server's answer.
    pub async fn upload(
        &mut self,
        kind: Option<Kind>,
        name: &str,
        bytes: Vec<u8>,
        options: &SyncArgs,
    ) -> anyhow::Result<Imported> {
        let dry_run = options.dry_run;
        let (path, content_type) = match kind {
            None => ("plans", "text/markdown; charset=utf-8"),
            Some(kind) => (kind.folder(), "application/json"),
        };
        let url = format!("{}/sync/{path}", self.api);
        let mut query = vec![("name", name.to_string()), ("dry_run", dry_run.to_string())];
        if options.force {
            query.push(("force", "true".into()));
        }
        if options.strict {
            query.push(("strict", "true".into()));
        }
        let length = bytes.len() as u64;
        let response = self
            .send(|| {
                self.http
                    .post(&url)
                    .query(&query)
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(bytes.clone())
            })
            .await?;
        self.sent_files += 1;
        self.sent_bytes += length;
        if response.status() == 422 || response.status().is_success() {
            return response.json().await.context("the server's answer");
        }
        Err(refused_unless_ok(response).await.unwrap_err())
    }
}

/// A 4xx other than a refused file: the token, the scope, the request.
async fn refused_unless_ok(response: reqwest::Response) -> anyhow::Result<reqwest::Response> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let reason = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(String::from))
        .unwrap_or(text);
    anyhow::bail!("the cockpit answered {status}: {reason}")
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or("");
    crate::server::settings::is_loopback_host(host)
}

/// One file to send: what it is, where it lies, and its name on the server.
struct Outgoing {
    kind: Option<Kind>,
    path: PathBuf,
    name: String,
}

/// The files the arguments name, with their names on the server: a plan's
/// path relative to the folder it was found in (or its file name), a JSON
/// file's under its kind (`agents/…`, `songs/…`, `deliverables/…`).
fn outgoing(args: &SyncArgs, settings: &Settings) -> anyhow::Result<Vec<Outgoing>> {
    let root = args.plans_root(settings);
    let mut out: Vec<Outgoing> = args
        .plan_paths(settings)?
        .into_iter()
        .map(|path| {
            let name = root
                .as_deref()
                .and_then(|r| path.strip_prefix(r).ok())
                .map(slash_path)
                .unwrap_or_else(|| file_name(&path));
            Outgoing {
                kind: None,
                path,
                name,
            }
        })
        .collect();
    for (kind, path) in args.json_paths()? {
        out.push(Outgoing {
            kind: Some(kind),
            name: format!("{}/{}", kind.folder(), file_name(&path)),
            path,
        });
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Runs `sync --to`: one pass, or with `--watch` a pass whenever a file
/// changes and every `sync_interval_minutes`, catching up after an outage.
pub async fn run(settings: &Settings, args: &SyncArgs, to: &str) -> anyhow::Result<ExitCode> {
    let mut remote = Remote::new(to, token(args.token_file.as_deref())?)?;
    if !args.watch {
        return Ok(match pass(&mut remote, args, settings).await {
            Ok(failed) => exit_code(failed),
            Err(e) => {
                eprintln!("sync to {to} failed: {e:#}");
                ExitCode::FAILURE
            }
        });
    }
    let interval = Duration::from_secs(settings.sync_interval_minutes.max(1) * 60);
    let mut backoff = Duration::from_secs(2);
    loop {
        let seen = fingerprint(args, settings);
        let since = Instant::now();
        let wait = match pass(&mut remote, args, settings).await {
            Ok(_) => {
                backoff = Duration::from_secs(2);
                eprintln!(
                    "watching for changes (a full pass every {} min; Ctrl-C stops)",
                    settings.sync_interval_minutes
                );
                None
            }
            Err(e) if e.downcast_ref::<Unreachable>().is_some() => {
                eprintln!("{e:#}; trying again in {} s", backoff.as_secs());
                let wait = backoff;
                backoff = (backoff * 2).min(Duration::from_secs(120));
                Some(wait)
            }
            // The token or the address is wrong: say so and stop.
            Err(e) => {
                eprintln!("sync to {to} failed: {e:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            let due = match wait {
                Some(wait) => since.elapsed() >= wait,
                None => since.elapsed() >= interval || fingerprint(args, settings) != seen,
            };
            if due {
                break;
            }
        }
    }
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One pass: ask what the server holds, send what changed, print the
/// answers as a local sync prints its own. Whether any file was refused.
pub async fn pass(
    remote: &mut Remote,
    args: &SyncArgs,
    settings: &Settings,
) -> anyhow::Result<bool> {
    let started = Instant::now();
    let files = outgoing(args, settings)?;
    let known = remote.known().await?;
    let (sent_before, bytes_before) = (remote.sent_files, remote.sent_bytes);
    let mut summary = Summary::default();
    let mut failed = false;
    for file in &files {
        let shown = file.path.display().to_string();
        let bytes = match std::fs::read(&file.path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{shown}: cannot read: {e}");
                failed = true;
                continue;
            }
        };
        let unchanged = known.get(&file.name) == Some(&content_hash(&bytes));
        if unchanged && !args.force && !args.dry_run {
            if file.kind.is_none() {
                summary.add(&FileResult {
                    file: shown,
                    outcome: FileOutcome::Unchanged,
                    errors: Vec::new(),
                    warnings: Vec::new(),
                });
            }
            continue;
        }
        let answer = remote.upload(file.kind, &file.name, bytes, args).await?;
        let result = FileResult {
            file: shown.clone(),
            outcome: match (answer.outcome.as_str(), answer.report) {
                ("refused", _) => FileOutcome::Failed,
                ("imported", Some(report)) => FileOutcome::Synced(report),
                _ => FileOutcome::Unchanged,
            },
            errors: answer.errors,
            warnings: answer.warnings,
        };
        for message in result.messages() {
            eprintln!("{message}");
        }
        match (&result.outcome, file.kind) {
            (FileOutcome::Failed, _) => {
                failed = true;
                eprintln!(
                    "{shown}: refused ({} error(s)); nothing of it was written",
                    result.errors.len()
                );
            }
            (FileOutcome::Synced(r), None) => println!(
                "{shown} (week of {}): results {}; actions {}",
                r.week_start, r.results, r.actions
            ),
            (_, Some(kind)) => {
                let verb = if args.dry_run { " would be" } else { "" };
                println!("{shown}: {kind:?}{verb} {}", answer.changes.join("; "));
            }
            _ => {}
        }
        if file.kind.is_none() {
            summary.add(&result);
        }
    }
    if summary.files > 0 {
        println!(
            "{summary}{}",
            if args.dry_run {
                "\n(dry run, answered by the server: nothing was changed)"
            } else {
                ""
            }
        );
    }
    println!(
        "sent {} of {} file(s), {} bytes, to {} in {:.2} s",
        remote.sent_files - sent_before,
        files.len(),
        remote.sent_bytes - bytes_before,
        remote.api.trim_end_matches("/api/v1"),
        started.elapsed().as_secs_f64()
    );
    Ok(failed)
}
