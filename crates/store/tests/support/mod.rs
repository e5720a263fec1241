//! Test harness: a fresh database per test, on SQLite (tempdir file) or
//! PostgreSQL (a new database on the test server, dropped afterwards).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use guohe_store::EventLog;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A fresh, migrated event log plus a raw connection for tampering.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub log: EventLog,
    raw: Raw,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

/// URL of the PostgreSQL test server's admin database.
pub fn postgres_admin_url() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

/// `true` if PostgreSQL tests are switched off with `GUOHE_SKIP_POSTGRES=1`.
pub fn skip_postgres() -> bool {
    std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{db}{query}")
}

/// A process-unique database name.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a fresh PostgreSQL database; panics with a clear message if the
/// server is unreachable.
pub async fn create_pg_database(prefix: &str) -> (String, String) {
    let admin = postgres_admin_url();
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL test server unreachable at {admin} ({e}). Start it (trust auth, \
                 user root, database test), point GUOHE_TEST_POSTGRES_URL at it, or set \
                 GUOHE_SKIP_POSTGRES=1 to skip the PostgreSQL tests."
            )
        });
    let name = unique_name(prefix);
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    pool.close().await;
    (admin, name)
}

/// Drops a PostgreSQL database (terminating its connections).
pub async fn drop_pg_database(admin: &str, name: &str) {
    if let Ok(pool) = PgPoolOptions::new().max_connections(1).connect(admin).await {
        let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&pool)
            .await;
        pool.close().await;
    }
}

impl TestDb {
    /// A fresh database, or `None` if this backend is skipped.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = dir.path().join("nested").join("log.db");
                let url = format!("sqlite://{}", path.display());
                let log = EventLog::connect(&url).await.expect("open sqlite log");
                let raw = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .expect("raw sqlite connection");
                Some(TestDb {
                    backend,
                    url,
                    log,
                    raw: Raw::Sqlite(raw),
                    _dir: Some(dir),
                    pg_drop: None,
                })
            }
            Backend::Postgres => {
                if skip_postgres() {
                    eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
                    return None;
                }
                let (admin, name) = create_pg_database("guohe_t").await;
                let url = with_database(&admin, &name);
                let log = EventLog::connect(&url).await.expect("open postgres log");
                let raw = PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .expect("raw postgres connection");
                Some(TestDb {
                    backend,
                    url,
                    log,
                    raw: Raw::Postgres(raw),
                    _dir: None,
                    pg_drop: Some((admin, name)),
                })
            }
        }
    }

    /// Runs raw SQL directly against the database, bypassing the log.
    pub async fn exec(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
            Raw::Postgres(p) => sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
        }
    }

    /// Removes the append-only triggers, as an attacker with DDL rights could.
    pub async fn drop_guards(&self) {
        let sql = match self.backend {
            Backend::Sqlite => "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;",
            Backend::Postgres => "DROP TRIGGER events_append_only ON events;",
        };
        self.exec(sql).await.expect("drop triggers");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Runs even when the test panicked; needs its own runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(drop_pg_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

/// Generates one `#[tokio::test]` per backend for each listed async test
/// function taking `&TestDb`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::support::TestDb::new($crate::support::Backend::Sqlite).await {
                        super::$name(&db).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::support::TestDb::new($crate::support::Backend::Postgres).await {
                        super::$name(&db).await;
                    }
                }
            )*
        }
    };
}
