//! 发送邮件 — one message to the relay with `lettre`. The address rule is the account's
//! personal e-mail field's (`guohe_app::personal::AccountField::Email`), checked where it is set.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message as Mail};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{SmtpConfig, TlsMode};

/// Header carrying the message's deterministic key, so a receiving system can drop a copy.
pub const KEY_HEADER: &str = "X-Guohe-Key";

/// Why a mail did not go out.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The relay refused for good (5xx) or the message cannot be built: retrying will not help.
    #[error("{0}")]
    Permanent(String),
    /// The relay is down, timed out or refused for now (4xx): try again later.
    #[error("{0}")]
    Transient(String),
}

/// The SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Option<String>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for the configured relay (no connection is made yet).
    pub fn new(cfg: &SmtpConfig) -> Result<Mailer, SendError> {
        let tls = match cfg.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => {
                Tls::Required(TlsParameters::new(cfg.host.clone()).map_err(|e| SendError::Permanent(e.to_string()))?)
            }
            TlsMode::Tls => {
                Tls::Wrapper(TlsParameters::new(cfg.host.clone()).map_err(|e| SendError::Permanent(e.to_string()))?)
            }
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(cfg.timeout));
        if let Some(name) = &cfg.hello_name {
            b = b.hello_name(ClientId::Domain(name.clone()));
        }
        if let Some((user, password)) = &cfg.credentials {
            b = b.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: b.build(),
            from: cfg.from.clone(),
            public_url: cfg.public_url.clone(),
        })
    }

    /// The text of a mail: the message, then the page to open.
    pub fn text(&self, body: &str, link: &str) -> String {
        let url = match &self.public_url {
            Some(base) => format!("{base}{link}"),
            None => link.to_string(),
        };
        format!("{body}\n\n查看 / Open: {url}\n\n—— 国合 Guohe（本邮件由系统自动发送，请勿回复）\n")
    }

    /// Sends one message; the error says whether retrying can help.
    pub async fn send(&self, to: &str, key: &str, subject: &str, text: String) -> Result<(), SendError> {
        let to: Address = to
            .parse()
            .map_err(|_| SendError::Permanent("收件人地址无效 / invalid recipient address".into()))?;
        let mail = Mail::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(subject)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(KEY_HEADER),
                key.chars().filter(|c| c.is_ascii_graphic()).collect(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
