//! The webhook channel: one POST per person and burst, its body shaped for
//! the person's preset (generic JSON, Slack, Google Chat, Discord, or an SMS
//! through Twilio's Messages API), signed with the person's secret:
//!
//! ```text
//! X-RPM-Timestamp: <unix seconds>
//! X-RPM-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//! ```
//!
//! A receiver recomputes the HMAC over the raw body and refuses old
//! timestamps (docs/notifications.md).

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::email::{Content, SendError};
use super::outbox::Claimed;
use crate::server::settings::Settings;

#[derive(Clone)]
pub struct Webhooks {
    client: reqwest::Client,
    public_root: String,
    /// Twilio's account and key (environment only) and sender number.
    twilio: Option<(String, String)>,
    twilio_from: String,
    allow_private: bool,
}

impl Webhooks {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            // A webhook answers; it does not send us elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            public_root: settings.public_root(),
            twilio: settings
                .twilio_account_sid
                .clone()
                .zip(settings.twilio_auth_token.clone()),
            twilio_from: settings.twilio_from.clone(),
            allow_private: settings.notify_private_targets,
        })
    }

    pub async fn send(&self, batch: &[Claimed]) -> Result<(), SendError> {
        let first = batch
            .first()
            .ok_or_else(|| SendError::permanent("nothing to send"))?;
        let url = first
            .webhook_url
            .as_deref()
            .ok_or_else(|| SendError::permanent("no webhook is set any more"))?;
        // Checked again now: its host may resolve elsewhere since it was set.
        let url = super::target::check(url, self.allow_private)
            .await
            .map_err(|e| SendError::permanent(format!("webhook URL {e}")))?;
        let content = Content::of(batch, &self.public_root);
        let (body, content_type) = self.body(first, batch, &content)?;
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header("X-RPM-Timestamp", &timestamp)
            .header(
                "X-RPM-Signature",
                signature(&first.webhook_secret, &timestamp, body.as_bytes()),
            )
            .header("Idempotency-Key", first.message_key());
        if first.webhook_preset == "twilio" {
            let (sid, token) = self.twilio.as_ref().ok_or_else(|| {
                SendError::permanent(
                    "the Twilio preset needs RPM_TWILIO_ACCOUNT_SID and RPM_TWILIO_AUTH_TOKEN",
                )
            })?;
            request = request.basic_auth(sid, Some(token));
        }
        // The URL is left out: Slack and Discord put their token in it.
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::transient(format!("webhook: {}", e.without_url())))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(SendError::of_answer("webhook", response).await)
    }

    /// The body for the person's preset, and its content type.
    fn body(
        &self,
        first: &Claimed,
        batch: &[Claimed],
        content: &Content,
    ) -> Result<(String, &'static str), SendError> {
        let lines: Vec<String> = batch
            .iter()
            .map(|c| format!("{} — {}", c.subject, c.body))
            .collect();
        let link = format!("{}{}", self.public_root, first.link);
        Ok(match first.webhook_preset.as_str() {
            // Both read `text`, with the same markup for bold and links.
            preset @ ("slack" | "google_chat") => (
                json!({ "text": format!("*{}*\n{}\n<{link}|Open the cockpit>", content.subject, lines.join("\n")) })
                    .to_string(),
                if preset == "slack" { "application/json" } else { "application/json; charset=UTF-8" },
            ),
            "discord" => {
                let text = format!("**{}**\n{}\n{link}", content.subject, lines.join("\n"));
                // Discord's limit for `content`.
                let text: String = text.chars().take(2000).collect();
                (json!({ "username": "RPM Cockpit", "content": text }).to_string(), "application/json")
            }
            "twilio" => {
                let to = first
                    .webhook_sms_to
                    .as_deref()
                    .ok_or_else(|| SendError::permanent("the Twilio preset needs a phone number to send to"))?;
                // One SMS segment's worth: the subject and the link.
                let text: String = format!("{} {link}", content.subject).chars().take(300).collect();
                let form = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("To", to)
                    .append_pair("From", &self.twilio_from)
                    .append_pair("Body", &text)
                    .finish();
                (form, "application/x-www-form-urlencoded")
            }
            _ => (
                json!({
                    "subject": content.subject,
                    "link": link,
                    "notifications": batch.iter().map(|c| json!({
                        "id": c.id,
                        "rule": c.rule,
                        "subject": c.subject,
                        "body": c.body,
                        "link": format!("{}{}", self.public_root, c.link),
                    })).collect::<Vec<_>>(),
                })
                .to_string(),
                "application/json",
            ),
        })
    }
}

/// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!(
        "v1={}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently with Python's hmac module:
        // hmac.new(b"Jefe", b"what do ya want.for nothing?", sha256).
        assert_eq!(
            signature("Jefe", "what do ya want", b"for nothing?"),
            "v1=e33f91577b90d4b3bbd73cb61803074f1965d27701b5527942dd9ea9443af37c"
        );
    }
}
