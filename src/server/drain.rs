//! Draining on SIGTERM / SIGINT: readiness turns 503 at once, every open
//! event stream ends (browsers reconnect, to another instance, from their
//! last event id), and the server stops taking new requests.

use tokio::sync::watch;

/// Whether the server is draining; shared by readiness, the event streams
/// and the server loop.
#[derive(Debug)]
pub struct Drain {
    tx: watch::Sender<bool>,
}

impl Default for Drain {
    fn default() -> Self {
        Self {
            tx: watch::channel(false).0,
        }
    }
}

impl Drain {
    /// Starts draining (once; later calls change nothing).
    pub fn start(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once draining has started.
    pub fn started(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            let _ = rx.wait_for(|draining| *draining).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_waiter_wakes_when_draining_starts() {
        let drain = std::sync::Arc::new(Drain::default());
        let before = drain.started();
        assert!(!drain.is_draining());
        let d = drain.clone();
        let waiter = tokio::spawn(async move { d.started().await });
        drain.start();
        tokio::time::timeout(std::time::Duration::from_secs(1), before)
            .await
            .expect("a waiter made before the start wakes");
        tokio::time::timeout(std::time::Duration::from_secs(1), waiter)
            .await
            .expect("a spawned waiter wakes")
            .unwrap();
        assert!(drain.is_draining());
        // A waiter made after the start resolves at once.
        tokio::time::timeout(std::time::Duration::from_millis(100), drain.started())
            .await
            .expect("already draining");
    }
}
