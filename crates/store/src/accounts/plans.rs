//! What SQLite plans for the statements the account reads send: the tests of each read's index.

use super::{AccountStore, Db};
use crate::EventLog;

/// A migrated account store on a SQLite file of its own, with the directory that holds it.
pub(super) async fn sqlite_store() -> (tempfile::TempDir, EventLog, AccountStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let log = EventLog::connect(&url).await.expect("open");
    let store = AccountStore::open(&log).await.expect("accounts");
    (dir, log, store)
}

/// The steps of `EXPLAIN QUERY PLAN` for `sql` (its parameters unbound).
pub(super) async fn plan(store: &AccountStore, sql: &str) -> Vec<String> {
    let Db::Sqlite(pool) = &store.db else {
        panic!("a SQLite store")
    };
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
        .fetch_all(pool)
        .await
        .expect("plan");
    rows.into_iter().map(|(.., detail)| detail).collect()
}
