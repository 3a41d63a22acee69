//! `gs://` and `s3://` lakes through the real `object_store` client against
//! local stand-ins from PyPI (scripts/lake-emulators): moto's S3 server,
//! fake-gcs-server, each behind lake_proxy.py, which also injects faults.
//! scripts/test.sh starts them and exports their ports; run alone, the
//! tests start them (reused while they stay up).

use std::collections::HashMap;
use std::process::Command;
use std::sync::OnceLock;

use rpm_cockpit::server::sync::{FileOutcome, Lake, PlanSync};

use crate::helpers::TestApp;

const BUCKET: &str = "rpm-lake";

/// `S3_PORT`, `GCS_PORT` of the running stand-ins.
fn ports() -> &'static HashMap<String, String> {
    static PORTS: OnceLock<HashMap<String, String>> = OnceLock::new();
    PORTS.get_or_init(|| {
        if let (Ok(s3), Ok(gcs)) = (
            std::env::var("LAKE_S3_PORT"),
            std::env::var("LAKE_GCS_PORT"),
        ) {
            return HashMap::from([("S3_PORT".into(), s3), ("GCS_PORT".into(), gcs)]);
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts/lake-emulators/start.sh");
        let out = Command::new("bash").arg(script).output().expect("bash");
        assert!(
            out.status.success(),
            "the lake stand-ins did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

fn port(name: &str) -> &'static str {
    ports()
        .get(name)
        .unwrap_or_else(|| panic!("{name} of the lake stand-ins"))
}

/// A lake on the stand-in of `scheme`, under a prefix of its own.
fn lake(scheme: &str, prefix: &str) -> Lake {
    match scheme {
        "s3" => {
            let options = [
                (
                    "aws_endpoint",
                    format!("http://127.0.0.1:{}", port("S3_PORT")),
                ),
                ("aws_allow_http", "true".into()),
                ("aws_access_key_id", "testing".into()),
                ("aws_secret_access_key", "testing".into()),
                ("aws_region", "us-east-1".into()),
            ];
            Lake::open_remote(
                &format!("s3://{BUCKET}/{prefix}"),
                options.map(|(k, v)| (k.to_string(), v)).to_vec(),
            )
            .unwrap()
        }
        _ => {
            let key = serde_json::json!({
                "gcs_base_url": format!("http://127.0.0.1:{}", port("GCS_PORT")),
                "disable_oauth": true,
                "client_email": "",
                "private_key": "",
                "private_key_id": "",
            });
            Lake::open_remote(
                &format!("gs://{BUCKET}/{prefix}"),
                vec![("google_service_account_key".into(), key.to_string())],
            )
            .unwrap()
        }
    }
}

/// Makes the stand-in of `scheme` fail the next `count` requests whose
/// path contains `matching` with `status` (a code, or `drop`).
async fn inject(scheme: &str, count: u32, status: &str, matching: &str) {
    let port = port(if scheme == "s3" {
        "S3_PORT"
    } else {
        "GCS_PORT"
    });
    let answer = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/__lake_proxy/fail?count={count}&status={status}&match={matching}"
        ))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

fn unique(label: &str) -> String {
    format!(
        "{label}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn upload_read_back_reupload_and_retry(scheme: &str) {
    let lake = lake(scheme, &unique(scheme));
    let key = "rpm-plans/raw/2031/W19/Plan semaine 19 (v2).md";
    let bytes = b"Week: 2031-05-05\n".to_vec();
    assert!(lake.put_if_changed(key, bytes.clone()).await.unwrap());
    assert_eq!(lake.get(key).await.unwrap(), bytes);
    // The same bytes again: nothing written.
    assert!(!lake.put_if_changed(key, bytes.clone()).await.unwrap());
    // Other bytes: written.
    let newer = b"Week: 2031-05-05\n## R1: x\n".to_vec();
    assert!(lake.put_if_changed(key, newer.clone()).await.unwrap());
    assert_eq!(lake.get(key).await.unwrap(), newer);
    // Two failures (a 503, a dropped connection) on the next upload: the
    // client retries and the upload lands.
    let retried = "agent-status/snapshots/2031/05/05/08-15-00_agent_registry.json";
    inject(scheme, 1, "503", "08-15-00").await;
    inject(scheme, 1, "drop", "08-15-00").await;
    assert!(lake.put_if_changed(retried, b"[]".to_vec()).await.unwrap());
    assert_eq!(lake.get(retried).await.unwrap(), b"[]");
}

#[tokio::test]
async fn an_s3_lake_uploads_reads_back_skips_unchanged_and_retries() {
    upload_read_back_reupload_and_retry("s3").await;
}

#[tokio::test]
async fn a_gcs_lake_uploads_reads_back_skips_unchanged_and_retries() {
    upload_read_back_reupload_and_retry("gs").await;
}

#[tokio::test]
async fn a_plan_synced_to_a_gcs_lake_is_archived_raw_and_processed() {
    let app = TestApp::empty().await;
    let lake = lake("gs", &unique("sync"));
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("2031-W19.md");
    std::fs::write(
        &plan,
        "Week: 2031-05-05\n## R1: Ship\nPurpose: revenue\n### GCS-001: Archive it\nStage: top\n",
    )
    .unwrap();
    // The bucket fails every try of the raw file's upload: the plan is
    // imported, and the next run archives it.
    inject("gs", 50, "503", "2031-W19.md").await;
    let mut sync = PlanSync::new(app.db.clone(), Some(lake.clone()), false)
        .await
        .unwrap();
    let first = sync.file(&plan).await;
    assert!(matches!(first.outcome, FileOutcome::Failed), "{first:?}");
    // The bucket is back (this test's faults cleared), sync again.
    let port = port("GCS_PORT");
    let _ = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/__lake_proxy/reset?match=2031-W19.md"
        ))
        .send()
        .await
        .unwrap();
    let mut sync = PlanSync::new(app.db.clone(), Some(lake.clone()), false)
        .await
        .unwrap();
    let second = sync.file(&plan).await;
    assert!(
        matches!(second.outcome, FileOutcome::Synced(_)),
        "{second:?}"
    );
    let raw = lake
        .get("rpm-plans/raw/2031/W19/2031-W19.md")
        .await
        .unwrap();
    assert!(raw.starts_with(b"Week: 2031-05-05"));
    let processed = lake
        .get("rpm-plans/processed/2031/W19/actions.json")
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&processed).contains("GCS-001"));
}
