//! 名录 — the accounts a page or a command names: a few by login, a province's experts, the
//! accounts locked now. Each is read by key or through an index of its own (`accounts_0007.sql`),
//! so what it costs depends on what is asked for, not on how many accounts there are: a province
//! has one support-unit account per unit, tens of thousands across the country.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{ACCOUNT_COLUMNS, Account, AccountRow, AccountStore, Db, account_from, normalise_login, ts};
use crate::StoreError;
use crate::params::{KEYS_PER_QUERY as LOGINS_PER_QUERY, marks};

/// The accounts among `n` logins, `$1`…`$n`.
fn named_sql(n: usize) -> String {
    format!("{ACCOUNT_COLUMNS} WHERE login IN ({}) ORDER BY login", marks(1, n))
}

/// A province's experts (`$1`), through `accounts_role`.
fn experts_sql() -> String {
    format!("{ACCOUNT_COLUMNS} WHERE role = 'expert' AND province = $1 ORDER BY login")
}

/// The accounts locked after `$1`, through `accounts_locked`. Not ordered: with `ORDER BY login`
/// SQLite prefers walking every login to sorting the few rows the index finds.
fn locked_sql() -> String {
    format!("{ACCOUNT_COLUMNS} WHERE locked_until IS NOT NULL AND locked_until > $1")
}

impl AccountStore {
    /// The accounts among `logins`, by login. Text that is not a login, or no account's, is
    /// skipped, so a page may hand over every name-like value of the records it shows (the
    /// actors and the experts in their payloads) and get back only the people among them.
    pub async fn accounts_named<I, S>(&self, logins: I) -> Result<Vec<Account>, StoreError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // A stored login is already in its normal form; anything else cannot name an account.
        let wanted: Vec<String> = logins
            .into_iter()
            .filter_map(|l| normalise_login(l.as_ref()).filter(|n| n == l.as_ref()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut out = Vec::with_capacity(wanted.len());
        // Chunks are taken in login order and each is read in login order: so is the whole.
        for chunk in wanted.chunks(LOGINS_PER_QUERY) {
            let sql = named_sql(chunk.len());
            let rows: Vec<AccountRow> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for login in chunk {
                    q = q.bind(login);
                }
                q.fetch_all(p).await?
            });
            for row in rows {
                out.push(account_from(row)?);
            }
        }
        Ok(out)
    }

    /// A province's expert accounts, active or not, by login (专家库: the pool of a draw, the
    /// experts a department may assign), through the index `accounts_role`.
    pub async fn experts_of_province(&self, province: &str) -> Result<Vec<Account>, StoreError> {
        let sql = experts_sql();
        let rows: Vec<AccountRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(province)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(account_from).collect()
    }

    /// The accounts whose sign-in is held back at `now` (登录失败处理), by login, through the
    /// index `accounts_locked`: the few the security administrator may release.
    pub async fn locked_accounts(&self, now: DateTime<Utc>) -> Result<Vec<Account>, StoreError> {
        let sql = locked_sql();
        let rows: Vec<AccountRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ts(now))
            .fetch_all(p)
            .await?);
        let mut locked = rows.into_iter().map(account_from).collect::<Result<Vec<_>, _>>()?;
        locked.sort_by(|a, b| a.login.cmp(&b.login));
        Ok(locked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::plans::{plan, sqlite_store};

    /// Each read finds its rows through its index on SQLite, not by a walk of every account
    /// (what `EXPLAIN QUERY PLAN` says of the very statements the reads send).
    #[tokio::test]
    async fn each_read_goes_through_its_index() {
        let (_dir, log, store) = sqlite_store().await;
        for (sql, wanted) in [
            (
                named_sql(3),
                "SEARCH accounts USING INDEX sqlite_autoindex_accounts_1 (login=?)",
            ),
            (
                experts_sql(),
                "SEARCH accounts USING INDEX accounts_role (role=? AND province=?)",
            ),
            (
                locked_sql(),
                "SEARCH accounts USING INDEX accounts_locked (locked_until>?)",
            ),
        ] {
            assert_eq!(plan(&store, &sql).await, [wanted], "{sql}");
        }
        log.close().await;
    }
}
