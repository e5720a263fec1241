//! 邮件配置 — the SMTP relay, the sender and TLS, from the environment.
//!
//! | variable | meaning |
//! |---|---|
//! | `GUOHE_SMTP_URL` | `smtp://host:port` or `smtps://host:port`; unset → inbox only |
//! | `GUOHE_SMTP_FROM` | sender, e.g. `国合 <guohe@kjt.hunan.gov.cn>` (required with a URL) |
//! | `GUOHE_SMTP_TLS` | `none`, `starttls` or `tls` (default: `tls` for `smtps://`, else `starttls`) |
//! | `GUOHE_SMTP_USER`, `GUOHE_SMTP_PASSWORD` | credentials, both or neither |
//! | `GUOHE_SMTP_TIMEOUT` | seconds to wait for the relay (default 30) |
//! | `GUOHE_SMTP_HELO` | the name this server gives in EHLO (default `[127.0.0.1]`) |
//! | `GUOHE_PUBLIC_URL` | the address users reach the site at, put before links in mail |

use std::time::Duration;

use lettre::message::Mailbox;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on the same host or a trusted network only).
    None,
    /// Plain connection upgraded with STARTTLS, required.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// The SMTP relay and the sender. The password is never printed (see the `Debug` impl).
#[derive(Clone)]
pub struct SmtpConfig {
    /// Relay host name or address.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// The sender, as a parsed mailbox.
    pub from: Mailbox,
    /// User name and password for AUTH.
    pub credentials: Option<(String, String)>,
    /// How long to wait for the relay.
    pub timeout: Duration,
    /// Put before the links in mail, e.g. `https://guohe.kjt.hunan.gov.cn`.
    pub public_url: Option<String>,
    /// The name given in EHLO; relays that check it want the server's host name.
    pub hello_name: Option<String>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("from", &self.from.to_string())
            .field("user", &self.credentials.as_ref().map(|c| c.0.as_str()))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A configuration value that cannot be used; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message_zh} ({message_en})")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong, in Chinese.
    pub message_zh: String,
    /// What is wrong, in English.
    pub message_en: String,
}

fn bad(variable: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message_zh: zh.into(),
        message_en: en.into(),
    }
}

impl SmtpConfig {
    /// Reads the process environment; `Ok(None)` when `GUOHE_SMTP_URL` is not set (inbox only).
    pub fn from_env() -> Result<Option<SmtpConfig>, ConfigError> {
        SmtpConfig::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `get` (the environment, or a map in tests).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Option<SmtpConfig>, ConfigError> {
        let get = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let Some(url) = get("GUOHE_SMTP_URL") else {
            return Ok(None);
        };
        let (secure_scheme, rest) = if let Some(r) = url.strip_prefix("smtps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("smtp://") {
            (false, r)
        } else {
            return Err(bad(
                "GUOHE_SMTP_URL",
                "应为 smtp://主机:端口 或 smtps://主机:端口",
                "must be smtp://host:port or smtps://host:port",
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = split_host_port(rest)?;
        let tls = match get("GUOHE_SMTP_TLS").as_deref() {
            None if secure_scheme => TlsMode::Tls,
            None => TlsMode::StartTls,
            Some("none") => TlsMode::None,
            Some("starttls") => TlsMode::StartTls,
            Some("tls") => TlsMode::Tls,
            Some(_) => {
                return Err(bad(
                    "GUOHE_SMTP_TLS",
                    "应为 none、starttls 或 tls",
                    "must be none, starttls or tls",
                ));
            }
        };
        if secure_scheme && tls != TlsMode::Tls {
            return Err(bad(
                "GUOHE_SMTP_TLS",
                "smtps:// 只能与 tls 同用",
                "smtps:// goes only with tls",
            ));
        }
        let port = port.unwrap_or(match tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        });
        let from = get("GUOHE_SMTP_FROM").ok_or_else(|| {
            bad(
                "GUOHE_SMTP_FROM",
                "配置了邮件服务器时必须填写发件人地址",
                "a sender is required when a relay is configured",
            )
        })?;
        let from: Mailbox = from.parse().map_err(|_| {
            bad(
                "GUOHE_SMTP_FROM",
                "发件人地址格式不正确（例如 国合 <guohe@example.gov.cn>）",
                "not a valid sender (e.g. Guohe <guohe@example.gov.cn>)",
            )
        })?;
        let credentials = match (get("GUOHE_SMTP_USER"), get("GUOHE_SMTP_PASSWORD")) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(bad(
                    "GUOHE_SMTP_PASSWORD",
                    "填写了用户名时必须同时填写口令",
                    "required with GUOHE_SMTP_USER",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "GUOHE_SMTP_USER",
                    "填写了口令时必须同时填写用户名",
                    "required with GUOHE_SMTP_PASSWORD",
                ));
            }
        };
        if credentials.is_some() && tls == TlsMode::None {
            return Err(bad(
                "GUOHE_SMTP_TLS",
                "口令不得以明文发送：使用认证时应为 starttls 或 tls",
                "credentials are never sent in clear: use starttls or tls with a user",
            ));
        }
        let timeout = match get("GUOHE_SMTP_TIMEOUT") {
            None => Duration::from_secs(30),
            Some(t) => match t.parse::<u64>() {
                Ok(s) if (1..=600).contains(&s) => Duration::from_secs(s),
                _ => {
                    return Err(bad(
                        "GUOHE_SMTP_TIMEOUT",
                        "应为 1 到 600 之间的秒数",
                        "must be a number of seconds from 1 to 600",
                    ));
                }
            },
        };
        let public_url = match get("GUOHE_PUBLIC_URL") {
            None => None,
            Some(u) if (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(char::is_whitespace) => {
                Some(u.trim_end_matches('/').to_string())
            }
            Some(_) => {
                return Err(bad(
                    "GUOHE_PUBLIC_URL",
                    "应为 https:// 开头的网址",
                    "must be an http(s):// address",
                ));
            }
        };
        let hello_name = match get("GUOHE_SMTP_HELO") {
            None => None,
            Some(h)
                if h.len() <= 253
                    && h.split('.')
                        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) =>
            {
                Some(h)
            }
            Some(_) => {
                return Err(bad(
                    "GUOHE_SMTP_HELO",
                    "应为本服务器的主机名，例如 guohe.kjt.hunan.gov.cn",
                    "must be this server's host name, e.g. guohe.kjt.hunan.gov.cn",
                ));
            }
        };
        Ok(Some(SmtpConfig {
            hello_name,
            host,
            port,
            tls,
            from,
            credentials,
            timeout,
            public_url,
        }))
    }
}

fn split_host_port(s: &str) -> Result<(String, Option<u16>), ConfigError> {
    let no_host = || bad("GUOHE_SMTP_URL", "缺少主机名", "the host is missing");
    let bad_port = || bad("GUOHE_SMTP_URL", "端口应为 1–65535 的数字", "the port must be 1–65535");
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(no_host)?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    if host.is_empty() || host.contains(['/', '@', ' ']) {
        return Err(no_host());
    }
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad_port)?),
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Result<Option<SmtpConfig>, ConfigError> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SmtpConfig::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn no_url_means_inbox_only() {
        assert!(vars(&[("GUOHE_SMTP_FROM", "a@b.cn")]).unwrap().is_none());
    }

    #[test]
    fn reads_url_tls_and_sender() {
        let c = vars(&[
            ("GUOHE_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("GUOHE_SMTP_TLS", "none"),
            ("GUOHE_SMTP_FROM", "国合 <guohe@example.gov.cn>"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls), ("127.0.0.1", 2525, TlsMode::None));
        assert_eq!(c.from.email.to_string(), "guohe@example.gov.cn");
        let c = vars(&[
            ("GUOHE_SMTP_URL", "smtps://mail.example.cn"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((c.port, c.tls), (465, TlsMode::Tls));
        let c = vars(&[("GUOHE_SMTP_URL", "smtp://[::1]:25"), ("GUOHE_SMTP_FROM", "a@b.cn")])
            .unwrap()
            .unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls), ("::1", 25, TlsMode::StartTls));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = vars(&[("GUOHE_SMTP_URL", "http://x"), ("GUOHE_SMTP_FROM", "a@b.cn")]).unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_URL");
        let e = vars(&[("GUOHE_SMTP_URL", "smtp://x:0"), ("GUOHE_SMTP_FROM", "a@b.cn")]).unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_URL");
        let e = vars(&[("GUOHE_SMTP_URL", "smtp://x")]).unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_FROM");
        let e = vars(&[("GUOHE_SMTP_URL", "smtp://x"), ("GUOHE_SMTP_FROM", "not an address")]).unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_FROM");
        let e = vars(&[
            ("GUOHE_SMTP_URL", "smtp://x"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
            ("GUOHE_SMTP_TLS", "none"),
            ("GUOHE_SMTP_USER", "u"),
            ("GUOHE_SMTP_PASSWORD", "p"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_TLS");
        let e = vars(&[
            ("GUOHE_SMTP_URL", "smtp://x"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
            ("GUOHE_SMTP_USER", "u"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_PASSWORD");
        let e = vars(&[
            ("GUOHE_SMTP_URL", "smtp://x"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
            ("GUOHE_SMTP_HELO", "a b"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_HELO");
        let e = vars(&[
            ("GUOHE_SMTP_URL", "smtp://x"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
            ("GUOHE_SMTP_TLS", "ssl"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "GUOHE_SMTP_TLS");
        assert!(e.to_string().starts_with("GUOHE_SMTP_TLS: "));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let c = vars(&[
            ("GUOHE_SMTP_URL", "smtp://x"),
            ("GUOHE_SMTP_FROM", "a@b.cn"),
            ("GUOHE_SMTP_USER", "u"),
            ("GUOHE_SMTP_PASSWORD", "s3cret-Pass"),
        ])
        .unwrap()
        .unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
