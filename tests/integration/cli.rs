//! The `rpm-cockpit sync` command as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::helpers::{count, TestApp};

const PLAN: &str =
    "Week: 2031-03-03\n## R1: Ship\nPurpose: revenue\n### CLI-001: Do it\nStage: top\n";

/// The server binary cargo built for these tests (beside `deps/`; cargo
/// does not set CARGO_BIN_EXE_ for a binary named like the library).
pub fn binary() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_rpm-cockpit") {
        Some(path) => path.into(),
        None => {
            let exe = std::env::current_exe().unwrap();
            exe.parent().unwrap().parent().unwrap().join("rpm-cockpit")
        }
    }
}

fn cockpit(app: &TestApp, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .env("DATABASE_URL", &app.url)
        .env("RPM_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "warn");
    cmd
}

#[tokio::test]
async fn sync_reports_bad_files_by_line_and_exits_non_zero() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("a.md"), PLAN).unwrap();
    std::fs::write(
        plans.join("b.md"),
        PLAN.replace("2031-03-03", "2031-03-10")
            .replace("CLI-001", "CLI-002")
            .replace("Stage: top", "Stage: sideways"),
    )
    .unwrap();
    let out = cockpit(&app, dir.path())
        .args(["sync", "--all", "plans"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("plans/b.md:5: error: unknown funnel stage \"sideways\" (top, middle or bottom)\n     5 | Stage: sideways"),
        "{stderr}"
    );
    assert!(
        stdout.contains("files:   2 read, 0 unchanged since the last sync, 1 failed, 0 with warnings (0 warning(s))"),
        "{stdout}"
    );
    assert!(
        stdout.contains("actions: 1 inserted, 0 updated, 0 unchanged, 0 removed"),
        "{stdout}"
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 1);
    // Archived in the default local lake.
    assert!(dir
        .path()
        .join("data/lake/rpm-plans/raw/2031/W10/a.md")
        .exists());

    // A dry run over the fixed file says what it would do and does nothing.
    std::fs::write(
        plans.join("b.md"),
        PLAN.replace("2031-03-03", "2031-03-10")
            .replace("CLI-001", "CLI-002"),
    )
    .unwrap();
    let out = cockpit(&app, dir.path())
        .args(["sync", "--all", "plans", "--dry-run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("b.md (week of 2031-03-10): results 1 inserted"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was changed"), "{stdout}");
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 1);
}

#[tokio::test]
async fn sync_help_documents_every_option() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let out = cockpit(&app, dir.path())
        .args(["sync", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--file",
        "--all",
        "--dry-run",
        "--watch",
        "--agents",
        "--songs",
        "--deliverables",
        "--force",
    ] {
        assert!(help.contains(option), "{option} missing from\n{help}");
    }
}

#[tokio::test]
async fn watch_picks_up_a_new_plan_without_a_restart() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    std::fs::write(plans.join("a.md"), PLAN).unwrap();
    let mut child = cockpit(&app, dir.path())
        .args(["sync", "--all", "plans", "--watch", "--no-lake"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A hang must fail the test, not stall CI: kill the watcher after 60 s.
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = Command::new("kill").arg(&pid).status();
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut wait_for_pass = || loop {
        let line = lines.next().expect("sync output").unwrap();
        if line.starts_with("sync finished") {
            break;
        }
    };
    wait_for_pass();
    std::fs::write(
        plans.join("b.md"),
        PLAN.replace("2031-03-03", "2031-03-10")
            .replace("CLI-001", "CLI-002"),
    )
    .unwrap();
    wait_for_pass();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 2);
}

#[tokio::test]
async fn users_are_invited_listed_and_removed_from_the_command_line() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = cockpit(&app, dir.path()).args(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let (code, text) = run(&[
        "users",
        "add",
        "vip@example.com",
        "--role",
        "vip",
        "--name",
        "A VIP",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&["users", "add", "qa@example.com", "--role", "team"]);
    assert_eq!(code, Some(1), "a team member needs an owner: {text}");
    assert!(text.contains("--owner"), "{text}");
    let (code, text) = run(&[
        "users",
        "add",
        "qa@example.com",
        "--role",
        "team",
        "--owner",
        "QA",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&["users", "add", "x@example.com", "--role", "owner"]);
    assert_eq!(code, Some(1));
    assert!(text.contains("unknown role \"owner\""), "{text}");

    let (_, list) = run(&["users", "list"]);
    assert!(list.contains("vip@example.com\tvip\tA VIP"), "{list}");
    assert!(
        list.contains("qa@example.com\tteam\tqa\towner QA"),
        "{list}"
    );

    // Changing a role is adding again; the address is case-insensitive.
    let (code, _) = run(&["users", "add", "VIP@example.com", "--role", "admin"]);
    assert_eq!(code, Some(0));
    assert_eq!(count(&app.db, "users").await, 2);
    let (code, _) = run(&["users", "remove", "vip@example.com"]);
    assert_eq!(code, Some(0));
    let (code, text) = run(&["users", "remove", "vip@example.com"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(count(&app.db, "users").await, 1);
}

#[tokio::test]
async fn the_configured_first_admin_is_made_admin() {
    use rpm_cockpit::model::Role;
    use rpm_cockpit::server::auth::users;
    let app = TestApp::empty().await;
    users::upsert(&app.db, "jesse@example.com", "Jesse", Role::Vip, None)
        .await
        .unwrap();
    users::ensure_admin(&app.db, "Jesse@Example.com")
        .await
        .unwrap();
    let jesse = users::find_by_email(&app.db, "jesse@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (jesse.role, jesse.display_name.as_str()),
        (Role::Admin, "Jesse")
    );
    assert_eq!(count(&app.db, "users").await, 1);
}

#[tokio::test]
async fn sync_prints_warnings_and_strict_refuses_them() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    let warned = "Week: 2031-03-03\n## R1: Ship\nPurpose: revenue\nSponsor: the board\n- [ ] CLI-001: Do it | Onwer: Jesse\n- [ ] no code here\n";
    std::fs::write(plans.join("w.md"), warned).unwrap();

    let strict = cockpit(&app, dir.path())
        .args(["sync", "--all", "plans", "--strict"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "plans/w.md:4: error: \"Sponsor\" is not a field of a result; ignored (--strict)"
        ),
        "{stderr}"
    );
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);

    let out = cockpit(&app, dir.path())
        .args(["sync", "--all", "plans"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in [
        "plans/w.md:4: warning: \"Sponsor\" is not a field of a result; ignored\n     4 | Sponsor: the board",
        "plans/w.md:5: warning: \"Onwer\" is not a field of an action; ignored (did you mean \"Owner\"?)",
        "plans/w.md:6: warning: task without an action code; ignored",
    ] {
        assert!(stderr.contains(line), "{line:?} missing from\n{stderr}");
    }
    assert!(
        stdout.contains("files:   1 read, 0 unchanged since the last sync, 0 failed, 1 with warnings (3 warning(s))"),
        "{stdout}"
    );
    assert!(stdout.contains("; 3 warning(s)"), "{stdout}");
    assert_eq!(count(&app.db, "rpm_action_items").await, 1);
}

#[tokio::test]
async fn report_weekly_writes_the_pdf_to_the_lake_and_queues_it_with_send() {
    let app = TestApp::with_demo(crate::helpers::today()).await;
    let dir = tempfile::tempdir().unwrap();
    let week = rpm_cockpit::server::report::iso_week(crate::helpers::today());
    let out = cockpit(&app, dir.path())
        .args([
            "report",
            "weekly",
            "--week",
            &week,
            "--out",
            "summary.pdf",
            "--send",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(out.status.success(), "{:?}\n{stdout}\n{stderr}", out.status);
    let kept = dir
        .path()
        .join("data/lake/analytics/reports/weekly")
        .join(format!("{week}-summary.pdf"));
    let pdf = std::fs::read(&kept).expect("the PDF in the lake");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(std::fs::read(dir.path().join("summary.pdf")).unwrap(), pdf);
    assert!(stdout.contains("queued: 2 notification(s)"), "{stdout}");

    // A week without a plan, or not a week: a clear error, non-zero.
    for (arg, says) in [
        ("2019-W01", "no plan for 2019-W01"),
        ("week 48", "not an ISO week"),
    ] {
        let out = cockpit(&app, dir.path())
            .args(["report", "weekly", "--week", arg])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(says), "{arg}: {stderr}");
    }
}
