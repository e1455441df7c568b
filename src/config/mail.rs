//! `MEND_MAIL_URL`, `MEND_MAIL_FROM` and `MEND_PUBLIC_URL`: where mail goes, who sends it, and
//! the base of the links in it.

use std::net::IpAddr;
use std::path::PathBuf;

use super::{err, ConfigError};

/// How mail leaves.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// SMTP. `tls`: `Starttls` (required unless the host is a loopback address), `Wrapper`
    /// (`smtps://`, TLS from the start) or `None` (a loopback host without TLS).
    Smtp { host: String, port: Option<u16>, credentials: Option<(String, String)>, tls: SmtpTls },
    /// Each message written to this folder as an `.eml` file (development and tests).
    File(PathBuf),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    Starttls,
    Wrapper,
    None,
}

impl std::fmt::Debug for MailTransport {
    /// Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Smtp { host, port, tls, credentials } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("tls", tls)
                .field("credentials", &credentials.as_ref().map(|_| "[redacted]"))
                .finish(),
            MailTransport::File(dir) => f.debug_tuple("File").field(dir).finish(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// `MEND_MAIL_FROM`, such as `Mend <no-reply@example.org>`.
    pub from: String,
    /// `MEND_PUBLIC_URL` without a trailing slash, such as `https://mend.example.org`.
    pub public_url: String,
}

impl MailConfig {
    /// A short description for the start-up log (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            MailTransport::Smtp { host, port, tls, .. } => {
                format!("smtp {host}:{} ({tls:?})", port.map_or("default".to_string(), |p| p.to_string()))
            }
            MailTransport::File(dir) => format!("file {}", dir.display()),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Mail settings, or `None` when `MEND_MAIL_URL` is unset (mail is off).
pub fn mail(get: &impl Fn(&str) -> Option<String>) -> Result<Option<MailConfig>, ConfigError> {
    let Some(raw) = get("MEND_MAIL_URL").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let shape = "must be smtp://[user:pass@]host[:port], smtps://[user:pass@]host[:port] or file:///dir";
    let url = url::Url::parse(&raw).map_err(|_| err("MEND_MAIL_URL", shape))?;
    let transport = match url.scheme() {
        "file" => {
            let dir = url.to_file_path().map_err(|_| err("MEND_MAIL_URL", "file:// needs an absolute folder path"))?;
            MailTransport::File(dir)
        }
        scheme @ ("smtp" | "smtps") => {
            let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| err("MEND_MAIL_URL", shape))?;
            let decode =
                |s: &str| percent_decode(s).ok_or_else(|| err("MEND_MAIL_URL", "has a badly escaped user or password"));
            let credentials = match (url.username(), url.password()) {
                ("", None) => None,
                (user, Some(pass)) => Some((decode(user)?, decode(pass)?)),
                (_, None) => return Err(err("MEND_MAIL_URL", "names a user without a password")),
            };
            let tls = match (scheme, is_loopback(host)) {
                ("smtps", _) => SmtpTls::Wrapper,
                (_, true) => SmtpTls::None,
                _ => SmtpTls::Starttls,
            };
            MailTransport::Smtp {
                host: host.trim_start_matches('[').trim_end_matches(']').to_string(),
                port: url.port(),
                credentials,
                tls,
            }
        }
        _ => return Err(err("MEND_MAIL_URL", shape)),
    };
    let from = get("MEND_MAIL_FROM").map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let from = from.ok_or_else(|| {
        err("MEND_MAIL_FROM", "is required with MEND_MAIL_URL: the sender, such as Mend <no-reply@example.org>")
    })?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(err("MEND_MAIL_FROM", "must be an address, such as Mend <no-reply@example.org>"));
    }
    let public = get("MEND_PUBLIC_URL").map(|v| v.trim().trim_end_matches('/').to_string()).filter(|v| !v.is_empty());
    let public_url = public.ok_or_else(|| {
        err(
            "MEND_PUBLIC_URL",
            "is required with MEND_MAIL_URL: the base of links in mail, such as https://mend.example.org",
        )
    })?;
    match url::Url::parse(&public_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.query().is_none() => {}
        _ => {
            return Err(err(
                "MEND_PUBLIC_URL",
                "must be an http(s) URL without a query, such as https://mend.example.org",
            ))
        }
    }
    Ok(Some(MailConfig { transport, from, public_url }))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Option<MailConfig>, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        mail(&|k: &str| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 2] =
        [("MEND_MAIL_FROM", "Mend <no-reply@example.org>"), ("MEND_PUBLIC_URL", "https://mend.example.org/")];

    fn with(url: &str) -> Result<Option<MailConfig>, ConfigError> {
        let mut v = BASE.to_vec();
        v.push(("MEND_MAIL_URL", url));
        parse(&v)
    }

    #[test]
    fn off_when_unset() {
        assert!(parse(&BASE).unwrap().is_none());
    }

    #[test]
    fn smtp_needs_starttls_unless_loopback() {
        let c = with("smtp://mailer:p%40ss@smtp.example.org:587").unwrap().unwrap();
        assert_eq!(
            c.transport,
            MailTransport::Smtp {
                host: "smtp.example.org".into(),
                port: Some(587),
                credentials: Some(("mailer".into(), "p@ss".into())),
                tls: SmtpTls::Starttls
            }
        );
        assert_eq!(c.public_url, "https://mend.example.org");
        assert!(!format!("{c:?}").contains("p@ss"));
        for loopback in ["smtp://127.0.0.1:2525", "smtp://localhost", "smtp://[::1]:25"] {
            let c = with(loopback).unwrap().unwrap();
            assert!(matches!(c.transport, MailTransport::Smtp { tls: SmtpTls::None, .. }), "{loopback}");
        }
        let c = with("smtps://smtp.example.org").unwrap().unwrap();
        assert!(matches!(c.transport, MailTransport::Smtp { tls: SmtpTls::Wrapper, port: None, .. }));
    }

    #[test]
    fn file_and_bad_values() {
        let c = with("file:///tmp/mend-mail").unwrap().unwrap();
        assert_eq!(c.transport, MailTransport::File("/tmp/mend-mail".into()));
        assert_eq!(with("http://example.org").unwrap_err().variable, "MEND_MAIL_URL");
        assert_eq!(with("smtp://user@host.example.org").unwrap_err().variable, "MEND_MAIL_URL");
        assert_eq!(parse(&[("MEND_MAIL_URL", "file:///tmp/x")]).unwrap_err().variable, "MEND_MAIL_FROM");
        let no_public = [("MEND_MAIL_URL", "file:///tmp/x"), ("MEND_MAIL_FROM", "a@example.org")];
        assert_eq!(parse(&no_public).unwrap_err().variable, "MEND_PUBLIC_URL");
        let bad_from = [("MEND_MAIL_URL", "file:///tmp/x"), ("MEND_MAIL_FROM", "not an address"), BASE[1]];
        assert_eq!(parse(&bad_from).unwrap_err().variable, "MEND_MAIL_FROM");
    }
}
