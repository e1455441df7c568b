//! The mail worker: one per `mend serve`, on its own thread. It claims due messages of the
//! outbox (`store::mail`) under a lease, sends each through the configured transport (SMTP with
//! STARTTLS or TLS through rustls, or `.eml` files in a folder), and records the outcome. A
//! failed send is retried later with a growing pause and logged by message id, never by
//! address; a slow or unreachable server holds up only this thread, never a request. Every
//! instance runs one; the lease makes each message go out once (at least once, should an
//! instance die between sending and recording).

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;

use crate::config::mail::{MailConfig, MailTransport, SmtpTls};
use crate::config::Config;
use crate::db::Db;
use crate::store::mail::{self as outbox, Outgoing};

/// Messages sent at once by one instance.
const BATCH: i64 = 4;
/// How long a server may take for one message.
const TIMEOUT: Duration = Duration::from_secs(20);
/// A claim lasts past the longest send, so only a crashed sender's claims expire.
const LEASE: Duration = Duration::from_secs(90);
/// The pause between polls when nothing is due.
const POLL: Duration = Duration::from_millis(250);

enum Sender {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Sender {
    fn new(config: &MailConfig) -> Result<Sender, String> {
        match &config.transport {
            MailTransport::File(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the mail folder: {e}"))?;
                Ok(Sender::File(AsyncFileTransport::new(dir)))
            }
            MailTransport::Smtp { host, port, credentials, tls } => {
                let builder = match tls {
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
                    SmtpTls::Wrapper => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
                    SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
                };
                let mut builder = builder.map_err(|e| format!("cannot set up SMTP: {e}"))?.timeout(Some(TIMEOUT));
                if let Some(port) = port {
                    builder = builder.port(*port);
                }
                if let Some((user, pass)) = credentials {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                let hello = url::Url::parse(&config.public_url)
                    .ok()
                    .and_then(|u| u.host_str().map(String::from))
                    .unwrap_or_else(|| "localhost".into());
                Ok(Sender::Smtp(builder.hello_name(ClientId::Domain(hello)).build()))
            }
        }
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Sender::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| smtp_error(&e)),
            Sender::File(t) => t.send(message).await.map(|_| ()).map_err(|_| "could not write the message file".into()),
        }
    }
}

/// What failed, without the server's words (which may echo the address).
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_permanent() {
        format!("the server refused the message ({})", e.status().map_or("5xx".into(), |c| c.to_string()))
    } else if e.is_transient() {
        format!("the server deferred the message ({})", e.status().map_or("4xx".into(), |c| c.to_string()))
    } else if e.is_tls() {
        "the TLS handshake failed".into()
    } else {
        "could not reach the mail server".into()
    }
}

/// The MIME message of an outbox row: plain text and HTML alternatives, with a Message-ID.
fn build(from: &Mailbox, domain: &str, out: &Outgoing) -> Result<Message, String> {
    let to: Mailbox = out.mail.to.parse().map_err(|_| "the recipient address is not valid".to_string())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(out.mail.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", out.id)))
        .multipart(MultiPart::alternative_plain_html(out.mail.text.clone(), out.mail.html.clone()))
        .map_err(|_| "could not build the message".into())
}

/// A running worker; dropping it stops it (what is in flight finishes or its lease expires).
pub struct Mailer {
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Mailer {
    pub fn start(db: Db, config: MailConfig, retry_ms: Option<u64>) -> std::io::Result<Mailer> {
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new().name("mend-mail".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(run(db, config, retry_ms, stopped)),
                Err(e) => tracing::error!(error = %e, "the mail worker could not start"),
            }
        })?;
        Ok(Mailer { stop, thread: Some(thread) })
    }
}

impl Drop for Mailer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn run(db: Db, config: MailConfig, retry_ms: Option<u64>, mut stopped: watch::Receiver<bool>) {
    let sender = match Sender::new(&config) {
        Ok(s) => s,
        Err(e) => return tracing::error!(error = %e, "mail is off: the transport could not be set up"),
    };
    let Ok(from) = config.from.parse::<Mailbox>() else {
        return tracing::error!("mail is off: MEND_MAIL_FROM is not an address");
    };
    let domain = from.email.domain().to_string();
    let me = crate::db::new_id();
    let mut outage = 0u32;
    tracing::info!(worker = %me, transport = %config.describe(), "mail worker started");
    while !*stopped.borrow() {
        let me2 = me.clone();
        let pause = match db.run(move |conn| Ok(outbox::claim(conn, &me2, LEASE, BATCH)?)).await {
            Ok(batch) => {
                outage = 0;
                let full = batch.len() as i64 == BATCH;
                for out in batch {
                    deliver(&db, &me, &sender, &from, &domain, out, retry_ms).await;
                }
                if full {
                    Duration::ZERO
                } else {
                    POLL
                }
            }
            Err(e) => {
                outage = (outage + 1).min(5);
                let pause = Duration::from_secs(1 << outage);
                tracing::warn!(error = %e, retry_in_s = pause.as_secs(), "mail worker: cannot claim messages");
                pause
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => {}
        }
    }
    tracing::info!(worker = %me, "mail worker stopped");
}

async fn deliver(
    db: &Db,
    me: &str,
    sender: &Sender,
    from: &Mailbox,
    domain: &str,
    out: Outgoing,
    retry_ms: Option<u64>,
) {
    let result = match build(from, domain, &out) {
        Ok(message) => sender.send(message).await,
        Err(e) => Err(e),
    };
    let (me2, id, attempt) = (me.to_string(), out.id.clone(), out.attempts + 1);
    let error = result.as_ref().err().cloned();
    let recorded = db
        .run(move |conn| {
            Ok(match &error {
                None => outbox::sent(conn, &me2, &out.id)?,
                Some(e) => outbox::failed(conn, &me2, &out, e, retry_ms)?,
            })
        })
        .await;
    match (result, recorded) {
        (Ok(()), Ok(true)) => tracing::info!(message = %id, attempt, "mail sent"),
        (Err(e), Ok(true)) if attempt >= outbox::MAX_ATTEMPTS => {
            tracing::error!(message = %id, attempt, error = %e, "mail not sent; given up after the last attempt")
        }
        (Err(e), Ok(true)) => tracing::warn!(message = %id, attempt, error = %e, "mail not sent; it will be retried"),
        (_, Ok(false)) => tracing::warn!(message = %id, "mail attempt finished after its claim expired"),
        (_, Err(e)) => tracing::warn!(message = %id, error = %e, "mail attempt could not be recorded"),
    }
}

/// For `mend serve`: starts the worker when mail is configured, and says so either way.
pub fn start_for_serve(db: &Db, config: &Config) -> Option<Mailer> {
    let Some(mail) = config.mail.clone() else {
        tracing::info!(
            "mail is off (MEND_MAIL_URL is unset): invites answer their token, and password resets cannot be mailed"
        );
        return None;
    };
    tracing::info!(transport = %mail.describe(), "mail is on: invites and password resets are mailed as links");
    match Mailer::start(db.clone(), mail, config.mail_retry_ms) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::error!(error = %e, "mail is off: the worker did not start");
            None
        }
    }
}
