//! Fresh databases for the service's tests: a SQLite file in a temp dir, or a new database on
//! the PostgreSQL server at 127.0.0.1:5432 (`GUOHE_SKIP_POSTGRES=1` skips those).
#![allow(dead_code)]

use std::future::Future;

/// A fresh database URL per test, and a guard that drops it.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

pub fn pg_admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

pub async fn database(backend: &str) -> Option<Db> {
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
        return Some(Db {
            url,
            _dir: Some(dir),
            pg_name: None,
        });
    }
    // Only the value 1 skips: "0" or any other value must not switch the tests off silently.
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
        return None;
    }
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&pg_admin())
        .await
        .expect("PostgreSQL must run on 127.0.0.1:5432 (set GUOHE_SKIP_POSTGRES=1 to skip)");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "guohe_app_{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = pg_admin();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    Some(Db {
        url,
        _dir: None,
        pg_name: Some(name),
    })
}

impl Db {
    pub async fn drop_pg(&self) {
        if let Some(name) = &self.pg_name {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin()).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
        }
    }
}

pub async fn on_both<F, Fut>(f: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in ["sqlite", "postgres"] {
        let Some(db) = database(backend).await else { continue };
        f(db.url.clone()).await;
        db.drop_pg().await;
    }
}

/// Runs raw SQL on the database behind the service, as an insider with database access could.
pub async fn exec(url: &str, sql: &str) {
    if url.starts_with("sqlite") {
        let p = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&p)
            .await
            .unwrap();
        p.close().await;
    } else {
        let p = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&p)
            .await
            .unwrap();
        p.close().await;
    }
}

/// A sheet of the import's columns (a heading row, then the rows), each row naming the cells
/// it fills.
pub fn grid(rows: &[Vec<(guohe_app::import_columns::Column, String)>]) -> guohe_app::import::Grid {
    use guohe_app::import::{Grid, Raw};
    use guohe_app::import_columns::Column;
    let mut g = Grid::default();
    g.rows
        .push((1, Column::ALL.iter().map(|c| Raw::Text(c.heading().into())).collect()));
    for (i, r) in rows.iter().enumerate() {
        let cells = Column::ALL
            .iter()
            .map(|c| {
                r.iter()
                    .find(|(x, _)| x == c)
                    .map_or(Raw::Empty, |(_, v)| Raw::Text(v.clone()))
            })
            .collect();
        g.rows.push((2 + i as u32, cells));
    }
    g
}
