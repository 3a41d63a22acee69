//! `rpm-cockpit service install|status|uninstall`: the laptop's sync as a
//! background service that starts with the session (at boot, with
//! `loginctl enable-linger`) and runs `sync --to URL --watch`, which sends
//! what changed at once and passes over everything every
//! `sync_interval_minutes` (15). A systemd user unit on Linux, a launchd
//! agent on macOS. The token is never written into them: the service reads
//! the token file (`~/.config/rpm-cockpit/sync-token`, mode 600).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

/// The systemd unit's name, and the launchd agent's label.
pub const UNIT: &str = "rpm-cockpit-sync.service";
pub const LABEL: &str = "com.rpm-cockpit.sync";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// A systemd user unit (Linux).
    Systemd,
    /// A launchd agent (macOS).
    Launchd,
}

impl Platform {
    fn this_machine() -> Self {
        if cfg!(target_os = "macos") {
            Self::Launchd
        } else {
            Self::Systemd
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ServiceAction {
    /// Write and enable the service that runs `sync --to URL --watch`.
    Install {
        /// The deployed cockpit, e.g. https://heritage.com/cockpit.
        #[arg(long, value_name = "URL")]
        to: String,
        /// The folder of weekly plans (markdown).
        #[arg(long, value_name = "DIR")]
        plans: PathBuf,
        /// The folder (or file) of agent status snapshots (JSON).
        #[arg(long, value_name = "PATH")]
        agents: Option<PathBuf>,
        /// The song catalog (JSON).
        #[arg(long, value_name = "FILE")]
        songs: Option<PathBuf>,
        /// The deliverables (JSON).
        #[arg(long, value_name = "FILE")]
        deliverables: Option<PathBuf>,
        /// The token file the service reads (default
        /// ~/.config/rpm-cockpit/sync-token).
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// Write the file only; do not enable or start it.
        #[arg(long)]
        no_enable: bool,
        /// Which service manager (default: this machine's).
        #[arg(long, value_enum)]
        platform: Option<Platform>,
    },
    /// Whether the service is installed and running.
    Status {
        #[arg(long, value_enum)]
        platform: Option<Platform>,
    },
    /// Stop, disable and remove the service.
    Uninstall {
        #[arg(long, value_enum)]
        platform: Option<Platform>,
    },
}

/// Where the service's file lives.
pub fn unit_path(platform: Platform) -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set")?;
    Ok(match platform {
        Platform::Systemd => std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"))
            .join("systemd/user")
            .join(UNIT),
        Platform::Launchd => home
            .join("Library/LaunchAgents")
            .join(format!("{LABEL}.plist")),
    })
}

/// The command the service runs.
fn sync_command(
    exe: &Path,
    to: &str,
    plans: &Path,
    json: &[(&str, PathBuf)],
    token_file: Option<&Path>,
) -> Vec<String> {
    let mut args = vec![
        exe.display().to_string(),
        "sync".into(),
        "--to".into(),
        to.into(),
        "--all".into(),
        plans.display().to_string(),
    ];
    for (flag, path) in json {
        args.extend([format!("--{flag}"), path.display().to_string()]);
    }
    if let Some(t) = token_file {
        args.extend(["--token-file".into(), t.display().to_string()]);
    }
    args.push("--watch".into());
    args
}

/// A systemd user unit running `command`.
pub fn systemd_unit(to: &str, command: &[String]) -> String {
    // Each word quoted; `%` is a specifier, `\` and `"` escaped.
    let quoted: Vec<String> = command
        .iter()
        .map(|w| {
            format!(
                "\"{}\"",
                w.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('%', "%%")
            )
        })
        .collect();
    format!(
        "[Unit]\n\
         Description=RPM Cockpit: sync plans and agent status to {to}\n\
         Wants=network-online.target\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={}\n\
         Restart=always\n\
         RestartSec=30\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        quoted.join(" ")
    )
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A launchd agent running `command` at login and keeping it alive.
pub fn launchd_plist(command: &[String], log: &Path) -> String {
    let args: String = command
        .iter()
        .map(|w| format!("\n    <string>{}</string>", xml(w)))
        .collect();
    let log = xml(&log.display().to_string());
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{LABEL}</string>
  <key>ProgramArguments</key>
  <array>{args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>ThrottleInterval</key>
  <integer>30</integer>
  <key>StandardOutPath</key>
  <string>{log}</string>
  <key>StandardErrorPath</key>
  <string>{log}</string>
</dict>
</plist>
"#
    )
}

/// Runs a service manager's command, printing what it says; whether it
/// succeeded (a missing tool counts as not).
fn manage(program: &str, args: &[&str]) -> bool {
    match Command::new(program).args(args).status() {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("could not run {program}: {e}");
            false
        }
    }
}

pub fn run(action: ServiceAction) -> anyhow::Result<ExitCode> {
    match action {
        ServiceAction::Install {
            to,
            plans,
            agents,
            songs,
            deliverables,
            token_file,
            no_enable,
            platform,
        } => {
            let platform = platform.unwrap_or_else(Platform::this_machine);
            let absolute =
                |p: &Path| std::fs::canonicalize(p).with_context(|| format!("{}", p.display()));
            let plans = absolute(&plans)?;
            // --agents, --songs, --deliverables, as given, made absolute.
            let mut json = Vec::new();
            for (flag, path) in [
                ("agents", agents),
                ("songs", songs),
                ("deliverables", deliverables),
            ] {
                if let Some(path) = path {
                    json.push((flag, absolute(&path)?));
                }
            }
            let token_file = token_file.as_deref().map(absolute).transpose()?;
            // The token must be readable now, as the service will read it.
            super::sync::remote::token(token_file.as_deref())?;
            super::sync::remote::Remote::new(&to, String::new())?;
            let exe = std::env::current_exe()?;
            let command = sync_command(&exe, &to, &plans, &json, token_file.as_deref());
            let path = unit_path(platform)?;
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            let text = match platform {
                Platform::Systemd => systemd_unit(&to, &command),
                Platform::Launchd => {
                    let home = std::env::var_os("HOME")
                        .map(PathBuf::from)
                        .unwrap_or_default();
                    launchd_plist(&command, &home.join("Library/Logs/rpm-cockpit-sync.log"))
                }
            };
            std::fs::write(&path, text)?;
            println!("wrote {}", path.display());
            if no_enable {
                return Ok(ExitCode::SUCCESS);
            }
            let enabled = match platform {
                Platform::Systemd => {
                    manage("systemctl", &["--user", "daemon-reload"])
                        && manage("systemctl", &["--user", "enable", "--now", UNIT])
                }
                Platform::Launchd => {
                    manage("launchctl", &["load", "-w", &path.display().to_string()])
                }
            };
            if !enabled {
                anyhow::bail!("the file is written but the service could not be enabled");
            }
            if platform == Platform::Systemd {
                println!(
                    "enabled and started {UNIT}; it starts with your session. To start it at \
                     boot before you log in: loginctl enable-linger $USER"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ServiceAction::Status { platform } => {
            let platform = platform.unwrap_or_else(Platform::this_machine);
            let path = unit_path(platform)?;
            if !path.exists() {
                println!("not installed ({} does not exist)", path.display());
                return Ok(ExitCode::FAILURE);
            }
            println!("installed: {}", path.display());
            let running = match platform {
                Platform::Systemd => manage("systemctl", &["--user", "--no-pager", "status", UNIT]),
                Platform::Launchd => manage("launchctl", &["list", LABEL]),
            };
            Ok(if running {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        ServiceAction::Uninstall { platform } => {
            let platform = platform.unwrap_or_else(Platform::this_machine);
            let path = unit_path(platform)?;
            if !path.exists() {
                println!("not installed ({} does not exist)", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            match platform {
                Platform::Systemd => {
                    manage("systemctl", &["--user", "disable", "--now", UNIT]);
                }
                Platform::Launchd => {
                    manage("launchctl", &["unload", "-w", &path.display().to_string()]);
                }
            }
            std::fs::remove_file(&path)?;
            if platform == Platform::Systemd {
                manage("systemctl", &["--user", "daemon-reload"]);
            }
            println!("removed {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_quotes_every_word_and_escapes_specifiers() {
        let command = sync_command(
            Path::new("/opt/rpm cockpit/rpm-cockpit"),
            "https://heritage.com/cockpit",
            Path::new("/home/j/100% plans"),
            &[],
            None,
        );
        let unit = systemd_unit("https://heritage.com/cockpit", &command);
        assert!(unit.contains(
            r#"ExecStart="/opt/rpm cockpit/rpm-cockpit" "sync" "--to" "https://heritage.com/cockpit" "--all" "/home/j/100%% plans" "--watch""#
        ), "{unit}");
        assert!(unit.contains("WantedBy=default.target"));
        assert!(
            !unit.to_lowercase().contains("token="),
            "no token in the unit"
        );
    }

    #[test]
    fn the_plist_escapes_its_strings() {
        let command = vec!["/a&b/rpm-cockpit".to_string(), "<sync>".to_string()];
        let plist = launchd_plist(&command, Path::new("/tmp/log"));
        assert!(plist.contains("<string>/a&amp;b/rpm-cockpit</string>"));
        assert!(plist.contains("<string>&lt;sync&gt;</string>"));
    }
}
