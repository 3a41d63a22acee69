//! Live-update fan-out under load: N browsers on `GET /events`, M changes
//! committed, commit-to-receive latency and the server's memory.
//!
//! Run by `scripts/bench-sse.sh`, which starts a release server and passes:
//!   <base url> <session cookie> <database url> <server pid> [clients] [changes]
//! Each change is a real inline change (block, then reopen, of one demo
//! action) committed through `server::actions::apply`, with its event in the
//! same transaction; its latency is the time from the commit's return to
//! each client's reading of its event.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rpm_cockpit::model::action_change::ActionChange;
use rpm_cockpit::server::{actions, db};
use tokio::sync::mpsc;

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [base, cookie, database, pid, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: sse_fanout <base url> <cookie> <database url> <server pid> [clients] [changes]"
        );
        std::process::exit(2);
    };
    let clients: usize = rest.first().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let changes: usize = rest.get(1).and_then(|c| c.parse().ok()).unwrap_or(100);
    let pid: u32 = pid.parse().expect("server pid");
    let pool = db::connect(database, 2).await.expect("database");
    let idle_mb = rss_mb(pid);

    // Connect every client; each reports (event id, when read).
    let (seen, mut reports) = mpsc::unbounded_channel::<(i64, Instant)>();
    let (ready, mut connected) = mpsc::unbounded_channel::<()>();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..clients {
        let (http, seen, ready) = (http.clone(), seen.clone(), ready.clone());
        let (url, cookie) = (format!("{base}/events"), cookie.clone());
        tokio::spawn(async move {
            let response = http
                .get(url)
                .header("cookie", cookie)
                .header("accept", "text/event-stream")
                .send()
                .await
                .expect("connect");
            assert_eq!(response.status(), 200);
            let mut body = response.bytes_stream();
            let mut buffer = String::new();
            let mut greeted = false;
            while let Some(Ok(chunk)) = body.next().await {
                let now = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if !greeted {
                        greeted = true;
                        let _ = ready.send(());
                    }
                    if let Some(id) = block.lines().find_map(|l| l.strip_prefix("id:")) {
                        if let Ok(id) = id.trim().parse() {
                            let _ = seen.send((id, now));
                        }
                    }
                }
            }
        });
    }
    drop(seen);
    for _ in 0..clients {
        connected.recv().await.expect("a client connected");
    }
    let connect_s = started.elapsed().as_secs_f64();
    let connected_mb = rss_mb(pid);

    // Commit the changes, 20 a second.
    let (id,): (uuid::Uuid,) = sqlx::query_as(
        "select id from rpm_action_items where status in ('pending', 'in_progress')
         order by action_code limit 1",
    )
    .fetch_one(&pool)
    .await
    .expect("an open action");
    let mut committed: HashMap<i64, Instant> = HashMap::new();
    let mut peak_mb = connected_mb;
    for i in 0..changes {
        let change = if i % 2 == 0 {
            ActionChange::Block {
                reason: format!("bench {i}"),
            }
        } else {
            ActionChange::Reopen
        };
        actions::apply(&pool, id, None, &change, "bench")
            .await
            .expect("change");
        let at = Instant::now();
        let event: i64 = sqlx::query_scalar("select max(id) from events where entity_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        committed.insert(event, at);
        peak_mb = peak_mb.max(rss_mb(pid));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Collect every delivery.
    let expected = clients * changes;
    let mut latencies = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while latencies.len() < expected {
        match tokio::time::timeout_at(deadline, reports.recv()).await {
            Ok(Some((event, at))) => {
                if let Some(commit) = committed.get(&event) {
                    latencies.push(at.saturating_duration_since(*commit).as_secs_f64() * 1000.0);
                }
            }
            _ => break,
        }
    }
    let after_mb = rss_mb(pid);
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "SSE fan-out: {clients} clients connected in {connect_s:.1} s; {changes} changes committed"
    );
    println!(
        "delivered {} of {expected} events ({:.2}%)",
        latencies.len(),
        latencies.len() as f64 * 100.0 / expected as f64
    );
    if !latencies.is_empty() {
        println!(
            "commit -> receive latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            latencies.last().unwrap()
        );
    }
    println!(
        "server memory (RSS): {idle_mb:.1} MB before clients, {connected_mb:.1} MB with {clients} connected, \
         {peak_mb:.1} MB peak while committing, {after_mb:.1} MB after"
    );
}
