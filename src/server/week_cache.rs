//! The answer of `GET /api/v1/rpm/current-week`, kept between changes.
//!
//! Agents poll the current week; building it reads every action of the
//! week and the week's analytics. Every change to a plan writes an event in
//! the same transaction, so the newest event id names the data the answer
//! was built from: a request first reads that id (one index probe) and is
//! served the kept answer when it is unchanged and the answer is younger
//! than [`FRESH`] (velocity and forecast depend on the time). A client that
//! has just changed an action therefore always sees its change.

use std::future::Future;
use std::io::Write;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::Mutex;

/// How long time-dependent figures (velocity, forecast) may be kept.
pub const FRESH: Duration = Duration::from_secs(1);

/// How an answer is sent, as the client's `Accept-Encoding` allows. The
/// kept answer is compressed once per encoding, not once per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// Brotli, else gzip, else none; `;q=0` refuses one.
    pub fn negotiate(accept: Option<&str>) -> Self {
        let accepts = |name: &str| {
            accept.unwrap_or("").split(',').any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let coding = parts.next().unwrap_or("");
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if accepts("br") {
            Self::Brotli
        } else if accepts("gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    /// The `Content-Encoding` value.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }

    fn encode(self, body: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(body.len() / 4);
        match self {
            Self::Identity => return Bytes::copy_from_slice(body),
            // Level 6 and quality 4, as the compression layer uses.
            Self::Gzip => {
                let mut gz = flate2::write::GzEncoder::new(&mut out, flate2::Compression::new(6));
                gz.write_all(body).and_then(|_| gz.finish()).map(|_| ())
            }
            Self::Brotli => {
                let mut br = brotli::CompressorWriter::new(&mut out, 4096, 4, 22);
                let written = br.write_all(body).and_then(|_| br.flush());
                drop(br);
                written
            }
        }
        .expect("writing into memory cannot fail");
        Bytes::from(out)
    }
}

#[derive(Debug, Default)]
pub struct WeekCache {
    /// Held while an answer is built, so concurrent misses build it once.
    slot: Mutex<Option<Entry>>,
}

#[derive(Debug)]
struct Entry {
    event: i64,
    built: Instant,
    /// Identity, gzip, brotli; each made when first asked for.
    bodies: [Option<Bytes>; 3],
}

impl WeekCache {
    /// The kept answer for `event` in `encoding`, or a new one from `build`.
    pub async fn get_or_build<E, F, Fut>(
        &self,
        event: i64,
        encoding: Encoding,
        build: F,
    ) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let mut slot = self.slot.lock().await;
        let fresh = slot
            .as_ref()
            .is_some_and(|e| e.event == event && e.built.elapsed() < FRESH);
        if !fresh {
            let built = Instant::now();
            let body = build().await?;
            *slot = Some(Entry {
                event,
                built,
                bodies: [Some(body), None, None],
            });
        }
        let entry = slot.as_mut().expect("filled above");
        let [identity, ..] = &entry.bodies;
        let identity = identity.clone().expect("built with its identity body");
        let kept = &mut entry.bodies[encoding as usize];
        Ok(kept
            .get_or_insert_with(|| encoding.encode(&identity))
            .clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(cache: &WeekCache, event: i64, text: &'static str) -> Bytes {
        cache
            .get_or_build(event, Encoding::Identity, || async {
                Ok::<_, ()>(Bytes::from(text))
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn kept_until_an_event_or_the_time_runs_out() {
        let cache = WeekCache::default();
        assert_eq!(answer(&cache, 7, "a").await, "a");
        assert_eq!(answer(&cache, 7, "b").await, "a", "same event, fresh");
        assert_eq!(answer(&cache, 8, "c").await, "c", "a newer event");
        tokio::time::sleep(FRESH).await;
        assert_eq!(answer(&cache, 8, "d").await, "d", "too old");
    }

    #[tokio::test]
    async fn a_failed_build_keeps_nothing() {
        let cache = WeekCache::default();
        let failed = cache
            .get_or_build(1, Encoding::Identity, || async { Err::<Bytes, _>("down") })
            .await;
        assert_eq!(failed, Err("down"));
        assert_eq!(answer(&cache, 1, "a").await, "a");
    }

    #[tokio::test]
    async fn compressed_once_and_decodable() {
        use std::io::Read;
        let cache = WeekCache::default();
        let text = "{\"actions\": []} ".repeat(200);
        let build = || async { Ok::<_, ()>(Bytes::from(text.clone())) };
        let br = cache
            .get_or_build(1, Encoding::Brotli, build)
            .await
            .unwrap();
        assert!(br.len() < text.len() / 10, "{} bytes", br.len());
        let mut plain = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
        let gz = cache
            .get_or_build(1, Encoding::Gzip, || async { Err(()) })
            .await
            .expect("kept, not rebuilt");
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
    }

    #[test]
    fn negotiation_prefers_brotli_and_honours_refusals() {
        use Encoding::*;
        assert_eq!(Encoding::negotiate(None), Identity);
        assert_eq!(Encoding::negotiate(Some("gzip, deflate, br")), Brotli);
        assert_eq!(Encoding::negotiate(Some("gzip, br;q=0")), Gzip);
        assert_eq!(Encoding::negotiate(Some("BR;q=0.5")), Brotli);
        assert_eq!(Encoding::negotiate(Some("identity, brotli")), Identity);
        assert_eq!(Encoding::negotiate(Some("gzip;q=0")), Identity);
    }
}
