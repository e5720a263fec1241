//! 通知 — nobody misses a deadline.
//!
//! A notification pass, run by every server on the clock's schedule and by
//! `guohe notify --as-of DATE`:
//!
//! 1. computes the reminders due on the business date from the domain's own due dates
//!    ([`guohe_app::due`]) and the messages recent events call for
//!    ([`guohe_app::event_reminders`]), addressed to accounts ([`plan()`]);
//! 2. puts each into the recipient's inbox under a deterministic key, stored UNIQUE, so a
//!    reminder computed again — the next pass, after a restart, on another server — is stored
//!    once;
//! 3. where a relay is configured ([`SmtpConfig`]) and the recipient has an address — the
//!    e-mail field of their personal information, sealed under their own key and read through
//!    [`Guohe::account_email`] at the moment of sending — sends the mail: each row is claimed by one server with a conditional UPDATE, then marked sent, or put
//!    back with a retry time (exponential backoff, [`MAX_ATTEMPTS`] attempts), or failed for good
//!    when the relay refuses permanently. Failures are listed for the department.

#![warn(missing_docs)]

pub mod config;
pub mod mail;
pub mod plan;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use guohe_app::{AppError, Guohe};
use guohe_store::{AccountStore, EventLog, NewMessage, NotifyStore, StoreError};

pub use config::{ConfigError, SmtpConfig, TlsMode};
pub use mail::{Mailer, SendError};
pub use plan::{Plan, Planned, plan};

/// Attempts before a mail is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// A claim older than this belongs to a server that stopped while sending: the row is put back.
pub const STALE_CLAIM: Duration = Duration::minutes(10);

/// Mails sent per pass at most (the rest wait for the next pass).
const SEND_BATCH: i64 = 200;

/// Transient failures in a row after which a pass stops sending: the relay is down or
/// unreachable, and waiting out its timeout for every mail would hold the pass for hours. The
/// mails not tried stay pending, their attempts uncounted.
pub const GIVE_UP_PASS_AFTER: usize = 3;

/// Why a notification pass failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The application service failed (reading the log or the world).
    #[error(transparent)]
    App(#[from] AppError),
    /// The relay configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The mailer cannot be built.
    #[error(transparent)]
    Mail(#[from] SendError),
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Messages put into inboxes by this pass (not by another server).
    pub enqueued: usize,
    /// Mails the relay accepted.
    pub sent: usize,
    /// Mails that failed and wait for a retry.
    pub retrying: usize,
    /// Mails given up.
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: one minute, doubling, at most six hours.
pub fn retry_delay(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    Duration::seconds((60_i64 << exp).min(6 * 3600))
}

/// The notifier of one server: the inbox/outbox tables, the accounts and, if configured, the
/// relay. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Notifier {
    store: NotifyStore,
    accounts: AccountStore,
    mailer: Option<Mailer>,
    worker: String,
}

impl Notifier {
    /// Opens (migrating) the notification tables in the event log's database; no relay means
    /// inbox only.
    pub async fn open(
        log: &EventLog,
        accounts: AccountStore,
        smtp: Option<&SmtpConfig>,
    ) -> Result<Notifier, NotifyError> {
        let store = NotifyStore::open(log).await?;
        let mailer = smtp.map(Mailer::new).transpose()?;
        let mut id = [0u8; 6];
        // A worker id only tells claims apart; should the generator fail, the pid still does.
        let _ = getrandom::fill(&mut id);
        Ok(Notifier {
            store,
            accounts,
            mailer,
            worker: format!("{}-{}", std::process::id(), hex::encode(id)),
        })
    }

    /// The inbox/outbox tables.
    pub fn store(&self) -> &NotifyStore {
        &self.store
    }

    /// Whether mail goes out (a relay is configured).
    pub fn mail_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    /// What a pass on `as_of` would put into inboxes, without writing.
    pub async fn plan(&self, guohe: &Guohe, as_of: NaiveDate) -> Result<Plan, NotifyError> {
        plan(guohe, &self.accounts, Some(&self.store), as_of, self.mail_enabled()).await
    }

    /// One pass: enqueue what is due on `as_of`, then send the mail due at `now`.
    pub async fn run_pass(
        &self,
        guohe: &Guohe,
        as_of: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<PassReport, NotifyError> {
        let plan = self.plan(guohe, as_of).await?;
        let mut report = PassReport::default();
        let new: Vec<NewMessage> = plan
            .messages
            .into_iter()
            .filter(|p| !p.exists)
            .map(|p| p.message)
            .collect();
        // Another server's pass may have inserted some since the plan: those are skipped.
        report.enqueued = usize::try_from(self.store.enqueue_all(&new, now).await?).unwrap_or(usize::MAX);
        self.store.advance_cursor(plan::EVENT_CURSOR, plan.cursor_to).await?;
        let sent = self.send_due(guohe, now).await?;
        report.sent = sent.sent;
        report.retrying = sent.retrying;
        report.failed = sent.failed;
        Ok(report)
    }

    /// Sends the mail due at `now`; each message is claimed first, so several servers never
    /// send the same one. The address is read from the recipient's personal information when
    /// the mail goes out: a changed address is used at once, a removed or erased one fails the
    /// mail for good (the inbox message stays).
    pub async fn send_due(&self, guohe: &Guohe, now: DateTime<Utc>) -> Result<PassReport, NotifyError> {
        let mut report = PassReport::default();
        let Some(mailer) = &self.mailer else {
            return Ok(report);
        };
        let mut failing = 0;
        for id in self.store.due_mail(now, now - STALE_CLAIM, SEND_BATCH).await? {
            if failing >= GIVE_UP_PASS_AFTER {
                break;
            }
            if !self.store.claim(id, &self.worker, now).await? {
                continue;
            }
            let Some(m) = self.store.message(id).await? else {
                continue;
            };
            let outcome = match guohe.account_email(&m.login).await? {
                Some(to) => {
                    mailer
                        .send(&to, &m.key, &m.subject, mailer.text(&m.body, &m.link))
                        .await
                }
                None => Err(SendError::Permanent(
                    "收件人没有电子邮箱地址（已删除，或个人信息已按请求删除） / \
                     the recipient has no e-mail address (removed, or their personal data was erased)"
                        .into(),
                )),
            };
            match outcome {
                Ok(()) => {
                    self.store.mark_sent(id, &self.worker, now).await?;
                    report.sent += 1;
                    failing = 0;
                }
                // `m` was read after the claim: `attempts` counts this one.
                Err(SendError::Transient(e)) if m.attempts < MAX_ATTEMPTS => {
                    tracing::warn!(message = id, attempt = m.attempts, error = %e, "mail not sent; will retry");
                    let retry = now + retry_delay(m.attempts);
                    self.store.mark_failed(id, &self.worker, &e, Some(retry)).await?;
                    report.retrying += 1;
                    failing += 1;
                }
                Err(e) => {
                    tracing::warn!(message = id, error = %e, "mail given up");
                    self.store.mark_failed(id, &self.worker, &e.to_string(), None).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(4), Duration::minutes(8));
        assert_eq!(retry_delay(30), Duration::hours(6));
    }
}
