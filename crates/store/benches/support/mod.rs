//! What the event-log benchmarks share: a realistic event, and scratch PostgreSQL databases on
//! the local test server (created and dropped by the benchmark itself).

#![allow(dead_code)] // each benchmark uses its own part

use std::time::Duration;

use chrono::NaiveDate;
use guohe_store::NewEvent;
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPoolOptions;

/// An expert's review score, about the size of a typical event (≈ 300 bytes of payload).
pub fn event(stream: &str, i: u64) -> NewEvent {
    NewEvent {
        stream: stream.to_string(),
        kind: "ExpertReviewScored".to_string(),
        actor: "dept:zhang".to_string(),
        occurred_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
        articles: vec!["hubei-2022:28.1".to_string()],
        payload: json!({
            "application": stream,
            "reviewer": "expert:0042",
            "score": "87.50",
            "i": i,
            "comment": "合作基础扎实，外方合作单位实力较强，建议通过。",
        }),
    }
}

/// The PostgreSQL server's admin database (`GUOHE_TEST_POSTGRES_URL`, default the local test
/// server).
pub fn pg_admin_url() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host}/{db}{query}")
}

/// A scratch database; [`ScratchDb::drop_now`] removes it.
pub struct ScratchDb {
    admin: String,
    name: String,
    /// Its URL.
    pub url: String,
}

/// Creates a fresh database `guohe_bench_<name>_<pid>`, or `None` (said on stderr) when
/// PostgreSQL is skipped (`GUOHE_SKIP_POSTGRES=1`) or unreachable.
pub async fn scratch_db(name: &str) -> Option<ScratchDb> {
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        return None;
    }
    let admin = pg_admin_url();
    let pool = match PgPoolOptions::new().max_connections(1).connect(&admin).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("PostgreSQL unreachable ({e}); skipping PostgreSQL");
            return None;
        }
    };
    let db = format!("guohe_bench_{name}_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        if let Err(e) = sqlx::query(AssertSqlSafe(sql)).execute(&pool).await {
            eprintln!("cannot create the scratch database {db} ({e}); skipping PostgreSQL");
            return None;
        }
    }
    pool.close().await;
    Some(ScratchDb {
        url: with_database(&admin, &db),
        admin,
        name: db,
    })
}

impl ScratchDb {
    /// Drops the database (its connections are ended first).
    pub async fn drop_now(self) {
        if let Ok(pool) = PgPoolOptions::new().max_connections(1).connect(&self.admin).await {
            let _ = sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    }
}

/// Timed rounds of one side of a comparison.
#[derive(Default)]
pub struct Times(pub Vec<Duration>);

impl Times {
    /// The median round.
    pub fn median(&self) -> Duration {
        let mut v = self.0.clone();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }

    /// The 10th and 90th percentiles, as `p10–p90`.
    pub fn spread(&self) -> String {
        let mut v = self.0.clone();
        v.sort();
        let at = |q: usize| v.get(v.len() * q / 100).copied().unwrap_or_default().as_secs_f64() * 1e3;
        format!("{:.2}–{:.2}", at(10), at(90))
    }

    /// Every round together.
    pub fn total(&self) -> Duration {
        self.0.iter().sum()
    }
}

/// A duration in milliseconds, three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// `a / b`, as `1.23×`.
pub fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64().max(1e-12))
}

/// A count from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The machine's load averages (1, 5, 15 minutes), to print beside the figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Runs a benchmark on a runtime of two workers, the machine's two cores.
pub fn on_two_workers<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}
