//! For live-update tests: cockpit servers that can be stopped and started
//! like processes (each on its own runtime, so stopping one drops every
//! connection it holds), and a small server-sent-events client.

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use rpm_cockpit::server::settings::Settings;
use rpm_cockpit::server::state::AppState;
use rpm_cockpit::server::{db, startup};

use crate::helpers::Cookie;

/// A running cockpit server on loopback.
pub struct Server {
    pub url: String,
    pub addr: SocketAddr,
    /// The server's state (its clock, settings, hub).
    pub state: AppState,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Starts a server on `database_url`, on `port` (0: any free one).
    pub async fn start(database_url: &str, port: u16) -> Server {
        let settings = Settings::from_toml("").expect("default settings");
        Self::start_with(database_url, port, settings).await
    }

    /// Starts a server with `settings`.
    pub async fn start_with(database_url: &str, port: u16, settings: Settings) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let url = database_url.to_string();
        let (ready, started) = tokio::sync::oneshot::channel();
        runtime.spawn(async move {
            let pool = db::connect(&url, 5).await.expect("database");
            let options = startup::leptos_options(&settings).expect("leptos options");
            let state = startup::build_state(settings, pool, options);
            // Wait until the live reader has read the table once.
            while state.live.latest().is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let app =
                startup::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let _ = ready.send(state);
            axum::serve(listener, app).await.unwrap();
        });
        let state = started.await.expect("server started");
        Server {
            url: format!("http://{addr}"),
            addr,
            state,
            runtime: Some(runtime),
        }
    }

    /// Stops the server as a crash would: every connection drops.
    pub fn stop(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub retry: Option<String>,
}

impl SseEvent {
    pub fn id(&self) -> i64 {
        self.id
            .as_deref()
            .expect("an id")
            .parse()
            .expect("a numeric id")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("JSON data")
    }
}

pub struct SseClient {
    pub response_headers: reqwest::header::HeaderMap,
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// Comments seen (keep-alives and the greeting).
    pub comments: Vec<String>,
    /// `ping` events seen (the stream's sign of life when idle).
    pub pings: Vec<SseEvent>,
}

/// How a client connects.
#[derive(Default, Clone)]
pub struct Connect {
    pub last_event_id: Option<i64>,
    pub after: Option<i64>,
    pub accept_encoding: Option<&'static str>,
}

impl SseClient {
    /// Connects to `server`'s `/events`; panics unless the answer is 200.
    pub async fn connect(
        base: &str,
        cookie: Option<&Cookie>,
        how: Connect,
    ) -> Result<SseClient, reqwest::StatusCode> {
        let client = reqwest::Client::builder().build().unwrap();
        let url = match how.after {
            Some(after) => format!("{base}/events?after={after}"),
            None => format!("{base}/events"),
        };
        let mut request = client.get(url).header("accept", "text/event-stream");
        if let Some(c) = cookie {
            request = request.header("cookie", &c.0);
        }
        if let Some(id) = how.last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        if let Some(e) = how.accept_encoding {
            request = request.header("accept-encoding", e);
        }
        let response = request.send().await.expect("connect");
        if response.status() != reqwest::StatusCode::OK {
            return Err(response.status());
        }
        Ok(SseClient {
            response_headers: response.headers().clone(),
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
            comments: Vec::new(),
            pings: Vec::new(),
        })
    }

    /// The next event (comments are collected, not returned); `None` when
    /// nothing comes within `wait` or the stream ends.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: None,
                    data: String::new(),
                    retry: None,
                };
                let mut fields = false;
                for line in block.lines() {
                    if let Some(comment) = line.strip_prefix(':') {
                        self.comments.push(comment.trim().to_string());
                        continue;
                    }
                    let (name, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value).to_string();
                    fields = true;
                    match name {
                        "id" => event.id = Some(value),
                        "event" => event.event = Some(value),
                        "data" => event.data.push_str(&value),
                        "retry" => event.retry = Some(value),
                        _ => {}
                    }
                }
                if event.event.as_deref() == Some("ping") {
                    self.pings.push(event);
                } else if fields {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .ok()??;
            let chunk = chunk.ok()?;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }

    /// Whether the server ends the stream within `wait` without sending
    /// another event that carries data.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if self.buffer.contains("\nid:") || self.buffer.starts_with("id:") {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(chunk))) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n")),
            }
        }
    }

    /// The next event that carries data (skips the greeting).
    pub async fn next_data(&mut self, wait: Duration) -> Option<SseEvent> {
        loop {
            let e = self.next(wait).await?;
            if e.id.is_some() {
                return Some(e);
            }
        }
    }
}
