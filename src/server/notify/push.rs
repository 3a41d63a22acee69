//! The Web Push channel: one message per person and burst, to every browser
//! they turned notifications on in (a desktop browser, the cockpit on an
//! iPhone's home screen, iOS 16.4+). Each message is encrypted for its
//! subscription's keys (RFC 8291, aes128gcm; `web-push-native`) and its
//! request signed with the cockpit's VAPID key (RFC 8292): an ES256 token
//! for the push service's origin, and the public key beside it.
//!
//! The push service answers 201 when it took the message. 404 and 410 mean
//! the browser unsubscribed: that subscription is deleted. 429 and 5xx are
//! tried again later, as any failed notification is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::json;
use sqlx::PgPool;

use super::email::{Content, SendError};
use super::outbox::Claimed;
use super::target;
use crate::server::settings::Settings;

/// How long a push service keeps a message for a browser that is offline.
const TTL_SECONDS: u32 = 24 * 60 * 60;

/// The cockpit's VAPID key pair.
#[derive(Clone)]
pub struct Vapid {
    key: SigningKey,
    /// The public key, uncompressed and base64url: what browsers subscribe
    /// with (`applicationServerKey`) and the `k=` of every request.
    public: String,
    subject: String,
}

impl Vapid {
    /// From the raw private scalar in base64url (`RPM_VAPID_PRIVATE_KEY`).
    pub fn from_base64(private: &str, subject: &str) -> anyhow::Result<Self> {
        let raw = B64
            .decode(private.trim().trim_end_matches('='))
            .map_err(|_| anyhow::anyhow!("RPM_VAPID_PRIVATE_KEY is not base64url"))?;
        let key = SigningKey::from_slice(&raw).map_err(|_| {
            anyhow::anyhow!("RPM_VAPID_PRIVATE_KEY is not a P-256 private key (32 bytes)")
        })?;
        if !(subject.starts_with("mailto:") || subject.starts_with("https://")) {
            anyhow::bail!("vapid_subject must be a mailto: or https: address, not {subject:?}");
        }
        Ok(Self::of(key, subject))
    }

    /// A new key pair: (private, public), both base64url.
    pub fn generate() -> anyhow::Result<(String, String)> {
        loop {
            let mut raw = [0u8; 32];
            getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            // All but a 2^-32 sliver of 32-byte strings are valid scalars.
            if let Ok(key) = SigningKey::from_slice(&raw) {
                let vapid = Self::of(key, "mailto:x");
                return Ok((B64.encode(raw), vapid.public));
            }
        }
    }

    fn of(key: SigningKey, subject: &str) -> Self {
        let public = B64.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        Self {
            key,
            public,
            subject: subject.to_string(),
        }
    }

    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// `vapid t=<ES256 token>, k=<public key>` for a request to `endpoint`:
    /// the token names the push service's origin, an expiry within 24 h
    /// and who runs the cockpit.
    pub fn authorization(&self, endpoint: &url::Url, now: i64) -> String {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now + 12 * 60 * 60,
            "sub": self.subject,
        });
        let input = format!("{header}.{}", B64.encode(claims.to_string()));
        let signature: Signature = self.key.sign(input.as_bytes());
        format!(
            "vapid t={input}.{}, k={}",
            B64.encode(signature.to_bytes()),
            self.public
        )
    }
}

/// One browser's subscription.
pub struct Subscription {
    pub id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

#[derive(Clone)]
pub struct Pusher {
    db: PgPool,
    client: reqwest::Client,
    vapid: Option<Vapid>,
    public_root: String,
    allow_private: bool,
}

impl Pusher {
    pub fn from_settings(db: PgPool, settings: &Settings) -> anyhow::Result<Self> {
        let vapid = settings
            .vapid_private_key
            .as_deref()
            .map(|k| Vapid::from_base64(k, &settings.vapid_subject))
            .transpose()?;
        Ok(Self {
            db,
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            vapid,
            public_root: settings.public_root(),
            allow_private: settings.notify_private_targets,
        })
    }

    pub fn vapid(&self) -> Option<&Vapid> {
        self.vapid.as_ref()
    }

    /// Sends the burst to each of the person's browsers: sent when at least
    /// one push service took it.
    pub async fn send(&self, batch: &[Claimed]) -> Result<(), SendError> {
        let first = batch
            .first()
            .ok_or_else(|| SendError::permanent("nothing to send"))?;
        let vapid = self.vapid.as_ref().ok_or_else(|| {
            SendError::permanent("Web Push is off here (no RPM_VAPID_PRIVATE_KEY)")
        })?;
        let subscriptions = sqlx::query_as!(
            Subscription,
            "select id, endpoint, p256dh, auth from push_subscriptions
             where user_id = $1 order by id",
            first.user_id
        )
        .fetch_all(&self.db)
        .await
        .map_err(|e| SendError::transient(format!("push: {e}")))?;
        if subscriptions.is_empty() {
            return Err(SendError::permanent(
                "no browser of theirs is subscribed any more",
            ));
        }
        let content = Content::of(batch, &self.public_root);
        let payload = json!({
            "title": content.subject,
            "body": batch.iter().map(|c| c.body.as_str()).collect::<Vec<_>>().join("\n"),
            "url": format!("{}{}", self.public_root, first.link),
            // A second message with the same tag replaces the first on screen.
            "tag": first.message_key(),
        })
        .to_string();
        let urgency = if batch.iter().any(|c| {
            matches!(
                c.rule.as_str(),
                "action_blocked" | "agent_health" | "sync_problem"
            )
        }) {
            "high"
        } else {
            "normal"
        };
        let mut errors = Vec::new();
        let mut delivered = 0;
        for s in &subscriptions {
            match self.send_one(vapid, s, &payload, urgency).await {
                Ok(()) => delivered += 1,
                Err(Gone) => {
                    let _ = sqlx::query!("delete from push_subscriptions where id = $1", s.id)
                        .execute(&self.db)
                        .await;
                    tracing::info!(subscription = s.id, "push subscription gone; removed");
                }
                Err(Failed(e)) => errors.push(e),
            }
        }
        if delivered > 0 {
            let ids: Vec<i64> = subscriptions.iter().map(|s| s.id).collect();
            let _ = sqlx::query!(
                "update push_subscriptions set last_sent_at = now() where id = any($1)",
                &ids
            )
            .execute(&self.db)
            .await;
            return Ok(());
        }
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Err(SendError::permanent(
                "every browser of theirs has unsubscribed",
            )),
        }
    }

    async fn send_one(
        &self,
        vapid: &Vapid,
        s: &Subscription,
        payload: &str,
        urgency: &str,
    ) -> Result<(), Outcome> {
        let endpoint = target::check(&s.endpoint, self.allow_private)
            .await
            .map_err(|e| Failed(SendError::permanent(format!("push endpoint {e}"))))?;
        let ua_public = B64
            .decode(s.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|k| web_push_native::p256::PublicKey::from_sec1_bytes(&k).ok())
            .ok_or_else(|| {
                Failed(SendError::permanent(
                    "the subscription's p256dh key is not a P-256 key",
                ))
            })?;
        let auth = B64
            .decode(s.auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or_else(|| {
                Failed(SendError::permanent(
                    "the subscription's auth secret is not 16 bytes",
                ))
            })?;
        let body = web_push_native::encrypt(
            payload.as_bytes().to_vec(),
            &ua_public,
            web_push_native::Auth::from_slice(&auth),
        )
        .map_err(|e| {
            Failed(SendError::permanent(format!(
                "push: encryption failed: {e}"
            )))
        })?;
        let response = self
            .client
            .post(endpoint.clone())
            .header(
                reqwest::header::AUTHORIZATION,
                vapid.authorization(&endpoint, chrono::Utc::now().timestamp()),
            )
            .header(reqwest::header::CONTENT_ENCODING, "aes128gcm")
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header("TTL", TTL_SECONDS.to_string())
            .header("Urgency", urgency)
            .body(body)
            .send()
            .await
            // The endpoint is a capability: never in a log or an error.
            .map_err(|e| Failed(SendError::transient(format!("push: {}", e.without_url()))))?;
        let status = response.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            404 | 410 => Err(Gone),
            _ => Err(Failed(SendError::of_answer("push service", response).await)),
        }
    }
}

enum Outcome {
    /// The browser unsubscribed (404, 410).
    Gone,
    Failed(SendError),
}
use Outcome::{Failed, Gone};

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn the_vapid_token_is_an_es256_jwt_for_the_push_service_origin() {
        let (private, public) = Vapid::generate().unwrap();
        let vapid = Vapid::from_base64(&private, "mailto:jesse@heritage.com").unwrap();
        assert_eq!(vapid.public_key(), public);
        let endpoint = url::Url::parse("https://push.example.net:8443/send/abc?x=1").unwrap();
        let header = vapid.authorization(&endpoint, 1_000);
        let (t, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(k, public);
        let (input, sig) = t.rsplit_once('.').unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(input.split('.').nth(1).unwrap()).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:jesse@heritage.com");
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
        let sig = Signature::from_slice(&B64.decode(sig).unwrap()).unwrap();
        key.verify(input.as_bytes(), &sig).unwrap();
        assert!(key.verify(b"something else", &sig).is_err());
    }

    #[test]
    fn bad_keys_and_subjects_are_refused() {
        assert!(Vapid::from_base64("not base64!", "mailto:a@b").is_err());
        assert!(Vapid::from_base64("AAAA", "mailto:a@b").is_err());
        let (private, _) = Vapid::generate().unwrap();
        assert!(Vapid::from_base64(&private, "jesse@heritage.com").is_err());
    }
}
