//! `rpm-cockpit sync --to URL` against a real cockpit in another process:
//! the laptop needs no database credentials, only a token with the `sync`
//! scope; only changed files travel; a refused plan's errors come back by
//! file and line; offline, the watching client catches up when the server
//! is back; and the service files are written as the platforms expect.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rpm_cockpit::model::Role;

use crate::helpers::{count, demo_dir, free_port, TestApp};

const PLAN: &str =
    "Week: 2031-03-03\n## R1: Ship\nPurpose: revenue\n### REM-001: Do it\nStage: top\n";

/// The cockpit serving on `port`, on the test's database; killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(app: &TestApp, port: u16, data: &Path) -> Server {
    let child = Command::new(crate::cli::binary())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.url)
        .env("RPM_DATA_DIR", data)
        .env("RPM_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RPM_DEMO_DATA", "false")
        .env("RUST_LOG", "warn")
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    crate::helpers::wait_ready(&format!("http://127.0.0.1:{port}")).await;
    Server(child)
}

/// A token with `scopes`, made by the command line on the server's side.
fn token(app: &TestApp, scopes: &str) -> String {
    let out = Command::new(crate::cli::binary())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "warn")
        .args([
            "tokens",
            "create",
            "--name",
            &format!("laptop {scopes}"),
            "--scope",
            scopes,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The laptop: no DATABASE_URL, a working directory of its own.
fn laptop(dir: &Path, token: &str) -> Command {
    let mut cmd = Command::new(crate::cli::binary());
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RPM_DATA_DIR", dir.join("no-database-here"))
        .env("RPM_SYNC_TOKEN", token)
        .env("RUST_LOG", "warn");
    cmd
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[tokio::test]
async fn plans_and_agents_reach_the_server_and_unchanged_files_are_not_sent_again() {
    let app = TestApp::empty().await;
    let port = free_port();
    let server_dir = tempfile::tempdir().unwrap();
    let _server = serve(&app, port, &server_dir.path().join("data")).await;
    let token = token(&app, "sync");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo_dir().join("plans"), &dir.path().join("plans"));
    copy_dir(&demo_dir().join("agents"), &dir.path().join("agents"));
    let plans = std::fs::read_dir(dir.path().join("plans")).unwrap().count();
    let to = format!("http://127.0.0.1:{port}");
    let sync = || {
        laptop(dir.path(), &token)
            .args(["sync", "--to", &to, "--all", "plans", "--agents", "agents"])
            .output()
            .unwrap()
    };

    let out = sync();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("sent {} of {} file(s)", plans + 7, plans + 7)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("files:   {plans} read, 0 unchanged")),
        "{stdout}"
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, plans as i64);
    assert_eq!(count(&app.db, "agent_status").await, 7);
    // Archived in the server's lake, raw plans and agent snapshots.
    let lake = server_dir.path().join("data/lake");
    assert!(lake.join("rpm-plans/raw").exists());
    assert!(lake.join("agent-status/snapshots").exists());

    // Again: nothing changed, nothing travels.
    let out = sync();
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.contains(&format!("sent 0 of {} file(s), 0 bytes", plans + 7)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("files:   {plans} read, {plans} unchanged")),
        "{stdout}"
    );

    // One plan edited: that one travels.
    let first = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let mut edited = std::fs::read_to_string(&first).unwrap();
    edited.push_str("\n<!-- edited on the laptop -->\n");
    std::fs::write(&first, edited).unwrap();
    let out = sync();
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(&format!("sent 1 of {} file(s)", plans + 7)),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_refused_plan_is_reported_by_file_and_line_and_a_dry_run_changes_nothing() {
    let app = TestApp::empty().await;
    let port = free_port();
    let server_dir = tempfile::tempdir().unwrap();
    let _server = serve(&app, port, &server_dir.path().join("data")).await;
    let token = token(&app, "sync");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    std::fs::write(
        dir.path().join("plans/bad.md"),
        PLAN.replace("Stage: top", "Stage: sideways"),
    )
    .unwrap();
    let to = format!("http://127.0.0.1:{port}");
    let out = laptop(dir.path(), &token)
        .args(["sync", "--to", &to, "--all", "plans"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("plans/bad.md:5: error: unknown funnel stage \"sideways\""),
        "{stderr}"
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);

    // --strict travels: a warning refuses the plan on the server.
    std::fs::write(
        dir.path().join("plans/bad.md"),
        format!("{PLAN}Mood: sunny\n"),
    )
    .unwrap();
    let out = laptop(dir.path(), &token)
        .args(["sync", "--to", &to, "--all", "plans", "--strict"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("plans/bad.md:6:"), "{stderr}");
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);
    // --no-lake is the server's business: refused before anything is sent.
    let out = laptop(dir.path(), &token)
        .args(["sync", "--to", &to, "--all", "plans", "--no-lake"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));

    std::fs::write(dir.path().join("plans/bad.md"), PLAN).unwrap();
    let out = laptop(dir.path(), &token)
        .args(["sync", "--to", &to, "--all", "plans", "--dry-run"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("actions: 1 inserted"), "{stdout}");
    assert!(
        stdout.contains("answered by the server: nothing was changed"),
        "{stdout}"
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);
}

#[tokio::test]
async fn the_sync_scope_is_required_and_the_token_never_comes_from_the_command_line() {
    let app = TestApp::empty().await;
    app.invite("jesse@example.com", Role::Admin).await;
    let port = free_port();
    let server_dir = tempfile::tempdir().unwrap();
    let _server = serve(&app, port, &server_dir.path().join("data")).await;
    let read = token(&app, "read");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    std::fs::write(dir.path().join("plans/a.md"), PLAN).unwrap();
    let to = format!("http://127.0.0.1:{port}");
    let out = laptop(dir.path(), &read)
        .args(["sync", "--to", &to, "--all", "plans"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("403") && stderr.contains("\"sync\" scope"),
        "{stderr}"
    );

    // A token file others may read is refused before anything is sent.
    let with_file = || {
        laptop(dir.path(), "")
            .env_remove("RPM_SYNC_TOKEN")
            .args(["sync", "--to", &to, "--all", "plans"])
            .args(["--token-file", "token"])
            .output()
            .unwrap()
    };
    let file = dir.path().join("token");
    std::fs::write(&file, token(&app, "sync")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = with_file();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("chmod 600"), "{stderr}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = with_file();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 1);
}

#[tokio::test]
async fn offline_the_watching_client_retries_and_catches_up_when_the_server_is_back() {
    let app = TestApp::empty().await;
    let token = token(&app, "sync");
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    std::fs::write(dir.path().join("plans/a.md"), PLAN).unwrap();
    let mut client = laptop(dir.path(), &token)
        .args([
            "sync",
            "--to",
            &format!("http://127.0.0.1:{port}"),
            "--all",
            "plans",
            "--watch",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Nobody listens yet: the client retries.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);
    let server_dir = tempfile::tempdir().unwrap();
    let _server = serve(&app, port, &server_dir.path().join("data")).await;
    let back = Instant::now();
    while count(&app.db, "rpm_weekly_plans").await == 0 {
        assert!(
            back.elapsed() < Duration::from_secs(90),
            "the client did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!(
        "caught up {:.1} s after the server came back",
        back.elapsed().as_secs_f64()
    );
    // A plan saved while watching arrives within seconds.
    let saved = Instant::now();
    std::fs::write(
        dir.path().join("plans/b.md"),
        PLAN.replace("2031-03-03", "2031-03-10")
            .replace("REM-001", "REM-002"),
    )
    .unwrap();
    while count(&app.db, "rpm_weekly_plans").await < 2 {
        assert!(
            saved.elapsed() < Duration::from_secs(30),
            "the saved plan did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "a saved plan reached the database in {:.1} s",
        saved.elapsed().as_secs_f64()
    );
    let _ = client.kill();
    let mut stderr = String::new();
    use std::io::Read;
    client
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let _ = client.wait();
    assert!(
        stderr.contains("unreachable") && stderr.contains("retrying in"),
        "{stderr}"
    );
}

#[test]
fn the_service_files_are_written_as_systemd_and_launchd_expect_them() {
    let home = tempfile::tempdir().unwrap();
    let plans = home.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(home.path().join("songs.json"), "[]").unwrap();
    let token = home.path().join(".config/rpm-cockpit/sync-token");
    std::fs::create_dir_all(token.parent().unwrap()).unwrap();
    std::fs::write(&token, "a-token").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let service = |args: &[&str]| {
        Command::new(crate::cli::binary())
            .current_dir(home.path())
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("RPM_SYNC_TOKEN")
            .args(["service"])
            .args(args)
            .output()
            .unwrap()
    };
    for platform in ["systemd", "launchd"] {
        let out = service(&[
            "install",
            "--to",
            "https://heritage.com/cockpit",
            "--plans",
            "plans",
            "--songs",
            "songs.json",
            "--no-enable",
            "--platform",
            platform,
        ]);
        assert!(out.status.success(), "{:?}", text(&out));
    }
    let unit = home
        .path()
        .join(".config/systemd/user/rpm-cockpit-sync.service");
    let text_of_unit = std::fs::read_to_string(&unit).unwrap();
    assert!(text_of_unit.contains("\"--watch\""), "{text_of_unit}");
    assert!(
        text_of_unit.contains(&format!(
            "\"--songs\" \"{}\"",
            home.path()
                .join("songs.json")
                .canonicalize()
                .unwrap()
                .display()
        )),
        "{text_of_unit}"
    );
    assert!(!text_of_unit.contains("a-token"), "no token in the unit");
    if Path::new("/usr/bin/systemd-analyze").exists() {
        let verify = Command::new("systemd-analyze")
            .args(["verify", unit.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "systemd-analyze verify: {:?}",
            text(&verify)
        );
    }
    let plist = home
        .path()
        .join("Library/LaunchAgents/com.rpm-cockpit.sync.plist");
    // plistlib is Python's reader of Apple's format (plutil -lint's checks).
    let lint = Command::new("python3")
        .args([
            "-c",
            "import plistlib,sys; p=plistlib.load(open(sys.argv[1],'rb')); \
             assert p['Label']=='com.rpm-cockpit.sync' and p['RunAtLoad'] and p['KeepAlive']; \
             assert p['ProgramArguments'][1:3]==['sync','--to'] and p['ProgramArguments'][-1]=='--watch'",
            plist.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(lint.status.success(), "{:?}", text(&lint));
    let out = service(&["status", "--platform", "launchd"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed"));
}
