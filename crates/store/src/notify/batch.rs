//! The notifier's pass a batch at a time. On an annual report's deadline every base has a
//! reminder, and a country has about 62,000 bases: asking whether each message exists and
//! inserting each in its own commit cost a request per message and an fsync per insert. Here a
//! look-up reads [`KEYS_PER_QUERY`] keys a query and an insert writes [`MESSAGES_PER_INSERT`]
//! rows a statement, each statement committed on its own, so no transaction holds the
//! database's write lock for longer than one statement while the servers keep appending.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{Db, MailState, NewMessage, NotifyStore, ts};
use crate::StoreError;
use crate::params::{KEYS_PER_QUERY, marks};

/// Messages per INSERT: ten parameters each, 5,000 a statement.
const MESSAGES_PER_INSERT: usize = 500;

/// Columns of an inserted message, in the order [`insert_sql`] binds them.
const COLUMNS_PER_MESSAGE: usize = 10;

/// The INSERT of `rows` messages, each skipped when its key exists.
fn insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let first = 1 + r * COLUMNS_PER_MESSAGE;
            format!("({})", marks(first, COLUMNS_PER_MESSAGE))
        })
        .collect();
    format!(
        "INSERT INTO notify_messages (key, login, kind, subject, body, link, due_on, created_at, mail_state, \
         next_attempt_at) VALUES {} ON CONFLICT (key) DO NOTHING",
        values.join(", ")
    )
}

impl NotifyStore {
    /// The keys among `keys` that a stored message has.
    pub async fn existing_keys<S: AsRef<str>>(&self, keys: &[S]) -> Result<BTreeSet<String>, StoreError> {
        let mut out = BTreeSet::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let sql = format!(
                "SELECT key FROM notify_messages WHERE key IN ({})",
                marks(1, chunk.len())
            );
            let found: Vec<String> = on_pool!(self, |p| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
                for key in chunk {
                    q = q.bind(key.as_ref());
                }
                q.fetch_all(p).await?
            });
            out.extend(found);
        }
        Ok(out)
    }

    /// Inserts each message unless one with its key exists ([`NotifyStore::enqueue`] is this
    /// for one message); mail is due at once (`now`). Returns how many were inserted. Each
    /// statement commits on its own: after a failure, the statements before it stay, and a
    /// pass run again inserts the rest (the keys make it idempotent).
    pub async fn enqueue_all(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut inserted = 0;
        for chunk in messages.chunks(MESSAGES_PER_INSERT) {
            let sql = insert_sql(chunk.len());
            inserted += on_pool!(self, |p| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for m in chunk {
                    let state = if m.mail { MailState::Pending } else { MailState::None };
                    q = q
                        .bind(&m.key)
                        .bind(&m.login)
                        .bind(&m.kind)
                        .bind(&m.subject)
                        .bind(&m.body)
                        .bind(&m.link)
                        .bind(m.due_on.map(|d| d.to_string()))
                        .bind(ts(now))
                        .bind(state.as_str())
                        .bind(m.mail.then_some(ts(now)));
                }
                q.execute(p).await?.rows_affected()
            });
        }
        Ok(inserted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_binds_its_own_ten_parameters() {
        let sql = insert_sql(3);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($11, "));
        assert!(sql.ends_with("$28, $29, $30) ON CONFLICT (key) DO NOTHING"));
        assert_eq!(sql.matches('$').count(), 3 * COLUMNS_PER_MESSAGE);
    }
}
