//! 附表迁移 — the tables kept beside the event log (accounts, notifications, personal-data keys)
//! are migrated the same way: each family has its own schema-version table, so the event log's
//! migrations never depend on them, and its numbered SQL files run in order, once, in one
//! transaction. On PostgreSQL an advisory lock per family serialises servers starting at once.

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::StoreError;

/// A family of tables and its migrations, version `i + 1` being `sqlite[i]` / `postgres[i]`.
pub(crate) struct TableFamily {
    /// The schema-version table, e.g. `accounts_schema_version` (a constant, never user input).
    pub version_table: &'static str,
    /// The PostgreSQL advisory lock key of the family.
    pub lock: i64,
    /// SQLite migrations in order.
    pub sqlite: &'static [&'static str],
    /// PostgreSQL migrations in order.
    pub postgres: &'static [&'static str],
}

impl TableFamily {
    /// Brings the family up to date on SQLite.
    pub(crate) async fn migrate_sqlite(&self, pool: &SqlitePool) -> Result<(), StoreError> {
        let table = self.version_table;
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS {table} (version INTEGER NOT NULL)"
        )))
        .execute(&mut *tx)
        .await?;
        let current: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(version), 0) FROM {table}"
        )))
        .fetch_one(&mut *tx)
        .await?;
        for (i, sql) in self.sqlite.iter().enumerate() {
            let version = i as i64 + 1;
            if version > current {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {table} (version) VALUES ($1)"
                )))
                .bind(version)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Brings the family up to date on PostgreSQL.
    pub(crate) async fn migrate_postgres(&self, pool: &PgPool) -> Result<(), StoreError> {
        let table = self.version_table;
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(self.lock)
            .execute(&mut *tx)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS {table} (version BIGINT NOT NULL)"
        )))
        .execute(&mut *tx)
        .await?;
        let current: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(version), 0) FROM {table}"
        )))
        .fetch_one(&mut *tx)
        .await?;
        for (i, sql) in self.postgres.iter().enumerate() {
            let version = i as i64 + 1;
            if version > current {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {table} (version) VALUES ($1)"
                )))
                .bind(version)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
