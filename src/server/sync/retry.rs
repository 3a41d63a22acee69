//! Retrying work that failed for a passing reason (a dropped connection, a
//! restarting server, a serialization conflict) with exponential backoff.

use std::future::Future;
use std::time::Duration;

use super::store::StoreError;

/// Attempts in all, including the first.
const ATTEMPTS: u32 = 6;
const FIRST_DELAY: Duration = Duration::from_millis(200);

/// Whether trying again may succeed.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            // connection exceptions, serialization failure, deadlock,
            // too many connections, admin shutdown, cannot connect now
            c.starts_with("08") || ["40001", "40P01", "53300", "57P01", "57P03"].contains(&&*c)
        }),
        _ => false,
    }
}

/// Runs `work` until it succeeds, fails for good, or runs out of attempts.
pub async fn with_retry<T, F, Fut>(what: &str, mut work: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut delay = FIRST_DELAY;
    for attempt in 1.. {
        match work().await {
            Err(StoreError::Db(e)) if attempt < ATTEMPTS && is_transient(&e) => {
                tracing::warn!("{what}: {e}; retrying in {} ms", delay.as_millis());
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let got = with_retry("x", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(StoreError::Db(sqlx::Error::PoolTimedOut))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(got.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn lasting_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let got: Result<(), _> = with_retry("x", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Db(sqlx::Error::RowNotFound))
        })
        .await;
        assert!(got.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_after_the_last_attempt() {
        let calls = AtomicU32::new(0);
        let got: Result<(), _> = with_retry("x", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Db(sqlx::Error::PoolTimedOut))
        })
        .await;
        assert!(got.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
    }
}
