//! The email channel: one message per person and burst, over SMTP with
//! STARTTLS (lettre), with an unsubscribe link in the body and in the
//! `List-Unsubscribe` headers (RFC 2369, one-click: RFC 8058).

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::Claimed;
use crate::server::settings::Settings;

/// A configured relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `https://heritage.com/cockpit`: links in the messages.
    public_root: String,
    /// Host and port only, for logs (the URL holds the password).
    pub relay: String,
}

/// Why a message was not sent, and whether trying again can help.
#[derive(Debug)]
pub struct SendError {
    pub reason: String,
    pub permanent: bool,
}

impl SendError {
    /// Trying again cannot help.
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            permanent: true,
        }
    }

    /// It may pass later.
    pub fn transient(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            permanent: false,
        }
    }

    /// An HTTP receiver's answer other than 2xx (`who`: "webhook", "push
    /// service"), with the start of its body: refused for good on a 4xx,
    /// but a timeout (408) or a rate limit (429) may pass.
    pub async fn of_answer(who: &str, response: reqwest::Response) -> Self {
        let status = response.status();
        let text: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        Self {
            reason: format!("{who} answered {status}: {text}"),
            permanent: status.is_client_error() && !matches!(status.as_u16(), 408 | 429),
        }
    }
}

impl Mailer {
    /// The relay named by `RPM_SMTP_URL`, or `None` when there is none.
    /// `smtp://` means STARTTLS, required (unless `?tls=none`, for a relay
    /// on the same machine); `smtps://` TLS from the first byte.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        let Some(raw) = settings.smtp_url.as_deref() else {
            return Ok(None);
        };
        let mut url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("RPM_SMTP_URL: {e}"))?;
        let host = url
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("RPM_SMTP_URL names no host"))?
            .to_string();
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let plain = tls_param.as_deref() == Some("none");
        if url.scheme() == "smtp" && tls_param.is_none() {
            url.query_pairs_mut().append_pair("tls", "required");
        }
        if plain {
            // lettre reads no other parameter; without `tls` it speaks plain SMTP.
            url.set_query(None);
        }
        let relay = format!("{host}:{}", url.port().unwrap_or(587));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| anyhow::anyhow!("RPM_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(ca), false) = (&settings.smtp_ca_file, plain) {
            let pem = std::fs::read(ca)
                .map_err(|e| anyhow::anyhow!("smtp_ca_file {}: {e}", ca.display()))?;
            let params = TlsParameters::builder(host.clone())
                .add_root_certificate(
                    Certificate::from_pem(&pem)
                        .map_err(|e| anyhow::anyhow!("smtp_ca_file {}: {e}", ca.display()))?,
                )
                .build_rustls()
                .map_err(|e| anyhow::anyhow!("smtp TLS: {e}"))?;
            builder = builder.tls(if url.scheme() == "smtps" {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            });
        }
        let from: Mailbox = settings
            .smtp_from
            .parse()
            .map_err(|e| anyhow::anyhow!("smtp_from {:?}: {e}", settings.smtp_from))?;
        Ok(Some(Self {
            transport: builder.build(),
            from,
            public_root: settings.public_root(),
            relay,
        }))
    }

    /// Sends one message carrying every notification of `batch` (one
    /// person's, oldest first).
    pub async fn send(&self, batch: &[Claimed]) -> Result<(), SendError> {
        self.deliver(self.compose(batch)).await
    }

    /// Hands a composed message to the relay (a message that could not be
    /// composed is a permanent failure).
    async fn deliver(&self, message: Result<Message, String>) -> Result<(), SendError> {
        let message = message.map_err(|reason| SendError {
            reason,
            permanent: true,
        })?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                reason: e.to_string(),
            })
    }

    /// Sends the weekly digest of `report` as notification `row` (one
    /// person's): charts inline, the PDF attached, the same unsubscribe
    /// link and headers as every notification email.
    pub async fn send_digest(
        &self,
        row: &Claimed,
        report: &crate::server::report::WeeklyReport,
        rendered: &crate::server::report::Rendered,
    ) -> Result<(), SendError> {
        self.deliver(self.compose_digest(row, report, rendered))
            .await
    }

    fn compose_digest(
        &self,
        row: &Claimed,
        report: &crate::server::report::WeeklyReport,
        rendered: &crate::server::report::Rendered,
    ) -> Result<Message, String> {
        use crate::server::report::email;
        let to = Mailbox::new(
            Some(row.display_name.clone()),
            row.email
                .parse()
                .map_err(|e| format!("address {:?}: {e}", row.email))?,
        );
        let content = Content::of(std::slice::from_ref(row), &self.public_root);
        let settings = format!("{}/settings/notifications", self.public_root);
        let cockpit = format!("{}/?week={}", self.public_root, report.week_start);
        let footer_text = format!(
            "You get this every week because of your notification settings: {settings}\n\
             Unsubscribe: {}\n",
            content.unsubscribe
        );
        let footer_html = format!(
            "You get this every week because of your <a href=\"{}\">notification settings</a>. \
             <a href=\"{}\">Unsubscribe</a>.",
            escape(&settings),
            escape(&content.unsubscribe)
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email::subject(report))
            .message_id(Some(format!("<{}@rpm-cockpit>", row.message_key())))
            .header(ListUnsubscribe(format!("<{}>", content.unsubscribe)))
            .header(ListUnsubscribePost)
            .multipart(email::body(
                report,
                rendered,
                &cockpit,
                &footer_text,
                &footer_html,
            )?)
            .map_err(|e| e.to_string())
    }

    fn compose(&self, batch: &[Claimed]) -> Result<Message, String> {
        let first = batch.first().ok_or("nothing to send")?;
        let to = Mailbox::new(
            Some(first.display_name.clone()),
            first
                .email
                .parse()
                .map_err(|e| format!("address {:?}: {e}", first.email))?,
        );
        let content = Content::of(batch, &self.public_root);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(content.subject.clone())
            .message_id(Some(format!("<{}@rpm-cockpit>", first.message_key())))
            .header(ListUnsubscribe(format!("<{}>", content.unsubscribe)))
            .header(ListUnsubscribePost)
            .multipart(MultiPart::alternative_plain_html(
                content.text,
                content.html,
            ))
            .map_err(|e| e.to_string())
    }
}

/// What a message says, in text and HTML.
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: String,
}

impl Content {
    pub fn of(batch: &[Claimed], public_root: &str) -> Self {
        let first = &batch[0];
        let subject = match batch.len() {
            1 => first.subject.clone(),
            n => format!("{n} updates: {} (and {} more)", first.subject, n - 1),
        };
        let mut rules: Vec<&str> = batch.iter().map(|c| c.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let unsubscribe = format!(
            "{public_root}/notifications/unsubscribe?t={}&rules={}",
            first.unsubscribe_token,
            rules.join(",")
        );
        let settings = format!("{public_root}/settings/notifications");
        let mut text = String::new();
        let mut items = String::new();
        for c in batch {
            let link = format!("{public_root}{}", c.link);
            text.push_str(&format!("* {}\n  {}\n  {link}\n\n", c.subject, c.body));
            items.push_str(&format!(
                "<li><a href=\"{}\"><strong>{}</strong></a><br>{}</li>",
                escape(&link),
                escape(&c.subject),
                escape(&c.body)
            ));
        }
        text.push_str(&format!(
            "--\nYou get this because of your notification settings: {settings}\n\
             Unsubscribe from these: {unsubscribe}\n"
        ));
        let html = format!(
            "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2933\">\
             <ul style=\"padding-left:1.2em;line-height:1.5\">{items}</ul>\
             <p style=\"font-size:13px;color:#616e7c\">You get this because of your \
             <a href=\"{}\">notification settings</a>. \
             <a href=\"{}\">Unsubscribe</a> from these.</p></body></html>",
            escape(&settings),
            escape(&unsubscribe)
        );
        Self {
            subject,
            text,
            html,
            unsubscribe,
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}
