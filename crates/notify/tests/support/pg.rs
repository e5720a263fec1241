//! A fresh PostgreSQL database per test on 127.0.0.1:5432 (GUOHE_TEST_POSTGRES_URL overrides
//! the admin URL); `None` when GUOHE_SKIP_POSTGRES=1 (only that value skips).

use sqlx::Connection;

pub struct PgDb {
    pub url: String,
    name: String,
}

fn admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

pub async fn database() -> Option<PgDb> {
    // Only the value 1 skips: "0" or any other value must not switch the tests off silently.
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
        return None;
    }
    let mut conn = sqlx::PgConnection::connect(&admin())
        .await
        .expect("PostgreSQL must run on 127.0.0.1:5432 (set GUOHE_SKIP_POSTGRES=1 to skip)");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "guohe_notify_{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let a = admin();
    let url = format!("{}/{name}", a.rsplit_once('/').unwrap().0);
    Some(PgDb { url, name })
}

impl PgDb {
    pub async fn drop(self) {
        let mut conn = sqlx::PgConnection::connect(&admin()).await.unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await;
    }
}
