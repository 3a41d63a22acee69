//! Production defaults, through the real binary: a deployment missing its
//! settings refuses to start; demo data only where the demo sign-in is
//! allowed; `RPM_LOG_FORMAT=json` writes Cloud Logging's fields.

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::helpers::{count, free_port, TestApp};

fn cockpit(dir: &std::path::Path) -> Command {
    let mut command = Command::new(crate::cli::binary());
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RPM_DATA_DIR", dir.join("data"))
        .env_remove("GOOGLE_CLIENT_ID")
        .env_remove("GOOGLE_CLIENT_SECRET")
        .env_remove("RPM_PUBLIC_URL")
        .env_remove("RPM_ADMIN_EMAIL")
        .env_remove("RPM_SITE_ADDR")
        .env_remove("PORT")
        .arg("serve");
    command
}

/// Kills the server when the test fails before stopping it (a failed
/// assertion must not leave a server running).
struct Reaper(Option<u32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

#[test]
fn a_deployment_missing_its_settings_refuses_to_start_and_names_each_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = cockpit(dir.path())
        .env("PORT", free_port().to_string())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for name in [
        "RPM_PUBLIC_URL",
        "RPM_ADMIN_EMAIL",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
    ] {
        assert!(stderr.contains(name), "{name} in {stderr}");
    }
    assert!(
        !dir.path().join("data").exists(),
        "refused before anything started"
    );
}

#[tokio::test]
async fn on_an_external_database_no_demo_data_and_json_logs_carry_the_trace() {
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = cockpit(dir.path())
        .env("DATABASE_URL", &app.url)
        .env("RPM_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RPM_DEMO_DATA", "true")
        .env("RPM_LOG_FORMAT", "json")
        .env("GOOGLE_CLOUD_PROJECT", "heritage-prod")
        .env("RUST_LOG", "info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reaper = Reaper(Some(child.id()));
    let base = format!("http://127.0.0.1:{port}");
    crate::helpers::wait_ready(&base).await;
    let client = reqwest::Client::new();
    let trace = "105445aa7843bc8bf206b12000100000";
    let response = client
        .get(format!("{base}/login"))
        .header("x-cloud-trace-context", format!("{trace}/1;o=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();

    // The demo sign-in is off here (not the embedded database), so the
    // demo plans are not loaded either.
    assert_eq!(count(&app.db, "rpm_weekly_plans").await, 0);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    reaper.0 = None;
    assert!(status.success(), "{status:?}");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!lines.is_empty(), "some log lines");
    for line in &lines {
        assert!(
            ["DEBUG", "INFO", "WARNING", "ERROR"].contains(&line["severity"].as_str().unwrap()),
            "{line}"
        );
        assert!(line["message"].is_string(), "{line}");
    }
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|l| l["request_id"] == request_id.as_str())
        .collect();
    assert!(!of_request.is_empty(), "a line of the request: {stdout}");
    for line in of_request {
        assert_eq!(
            line["logging.googleapis.com/trace"],
            format!("projects/heritage-prod/traces/{trace}"),
            "{line}"
        );
        assert_eq!(line["path"], "/login");
    }
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .unwrap()
            .contains("demo data not loaded")),
        "says why there is no demo data: {stdout}"
    );
}
