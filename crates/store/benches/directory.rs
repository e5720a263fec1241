//! What naming people costs a page with 1,000 support-unit accounts and with a country's 62,000
//! (one per base), beside 31 provinces of 300 experts each, on both backends:
//!
//! * **the names on a case's page** — its actors and experts, 20 logins — read by login
//!   (`AccountStore::accounts_named`), against the previous implementation as the reference:
//!   every account read to name them (`AccountStore::accounts`);
//! * **a province's expert pool** (`AccountStore::experts_of_province`: the pool of a draw, the
//!   experts a department may assign);
//! * **the system administrator's account list** (`AccountStore::account_page`): a province's
//!   first page with its count, and a search that every name matches. Both still count or scan the
//!   matching rows in the database, so they grow with the accounts, but read 20 accounts.
//!
//! Each query's median with 62,000 units is divided by its median with 1,000: what a page costs
//! should follow the page, not the number of accounts.
//! The sides alternate round after round; medians and 10th–90th percentiles are printed as
//! Markdown.
//!
//! `cargo bench -p guohe-store --bench directory`. Environment: `GUOHE_BENCH_ROUNDS` (default
//! 200), `GUOHE_TEST_POSTGRES_URL`, `GUOHE_SKIP_POSTGRES=1` (as the other store benchmarks).
//! The accounts are copied from two made through `AccountStore::create_account` by one
//! `INSERT … SELECT` (a bench's shortcut: 63,000 commits one by one would take minutes); talks
//! to nothing but the local PostgreSQL and a temporary directory, and stops by itself.

mod support;

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use guohe_store::{AccountQuery, AccountRole, AccountStore, EventLog, NewAccount};
use sqlx::AssertSqlSafe;

use support::{ScratchDb, Times, env_usize, load_average, ms, on_two_workers, ratio, scratch_db};

const WARM_UP: usize = 10;
const PROVINCES: usize = 31;
const EXPERTS_PER_PROVINCE: usize = 300;
/// The province whose pool is read (the first of the 31 the experts are spread over).
const PROVINCE: &str = "p00";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
}

fn template(login: &str, role: AccountRole) -> NewAccount {
    NewAccount {
        login: login.into(),
        display_name: "示范单位".into(),
        role,
        org_id: Some("91430100MA4L12346D".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        province: PROVINCE.into(),
        must_change_password: false,
        profile: Default::default(),
        pending_approval: false,
    }
}

/// Copies the template account `from` as `count` accounts `{prefix}{i:05}`, spread over the
/// provinces `p00`…`p30`.
fn copies_sql(postgres: bool, from: &str, prefix: &str, count: usize) -> String {
    let cols = "display_name, role, org_id, password_hash, failed_logins, locked_until, active, created_at, \
                password_changed_at, must_change_password, profile, pending_approval";
    let (series, login, province) = if postgres {
        (
            format!("generate_series(0, {}) AS n(i)", count - 1),
            format!("'{prefix}' || lpad(i::text, 5, '0')"),
            format!("'p' || lpad((i % {PROVINCES})::text, 2, '0')"),
        )
    } else {
        (
            format!(
                "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < {count}) SELECT i FROM s) AS n"
            ),
            format!("printf('{prefix}%05d', i)"),
            format!("printf('p%02d', i % {PROVINCES})"),
        )
    };
    format!(
        "INSERT INTO accounts (login, province, {cols}) SELECT {login}, {province}, {cols} \
         FROM {series}, (SELECT * FROM accounts WHERE login = '{from}') AS t"
    )
}

/// A database holding `units` support-unit accounts and the experts; `None` when its backend is
/// skipped.
struct World {
    log: EventLog,
    store: AccountStore,
    scratch: Option<ScratchDb>,
}

impl World {
    async fn new(backend: &str, dir: &std::path::Path, units: usize) -> Option<World> {
        let (url, scratch) = match backend {
            "sqlite" => (
                format!("sqlite://{}", dir.join(format!("accounts_{units}.db")).display()),
                None,
            ),
            _ => {
                let db = scratch_db(&format!("directory_{units}")).await?;
                (db.url.clone(), Some(db))
            }
        };
        let log = EventLog::connect(&url).await.expect("open the log");
        let store = AccountStore::open(&log).await.expect("open the accounts");
        store
            .create_account(&template("tpl-unit", AccountRole::SupportUnit), now())
            .await
            .expect("template");
        store
            .create_account(&template("tpl-expert", AccountRole::Expert), now())
            .await
            .expect("template");
        let raw = RawSql(url);
        raw.run(&copies_sql(scratch.is_some(), "tpl-unit", "u", units)).await;
        raw.run(&copies_sql(
            scratch.is_some(),
            "tpl-expert",
            "e",
            PROVINCES * EXPERTS_PER_PROVINCE,
        ))
        .await;
        raw.run("ANALYZE").await;
        Some(World { log, store, scratch })
    }

    async fn close(self) {
        self.log.close().await;
        if let Some(db) = self.scratch {
            db.drop_now().await;
        }
    }
}

/// One connection of the bench's own, for the copies.
struct RawSql(String);

impl RawSql {
    async fn run(&self, sql: &str) {
        if self.0.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.0).await.expect("connect");
            sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&pool)
                .await
                .expect(sql);
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&self.0).await.expect("connect");
            sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&pool)
                .await
                .expect(sql);
            pool.close().await;
        }
    }
}

/// A case page's people: a unit, a recommender-like actor, and experts of several provinces,
/// spread over the logins (some are no account's, as actors such as `system` are not).
fn case_logins(units: usize) -> Vec<String> {
    let mut v: Vec<String> = (0..10).map(|k| format!("u{:05}", k * units / 10)).collect();
    v.extend((0..8).map(|k| format!("e{:05}", k * 1_117)));
    v.extend(["system".to_string(), "nobody-here".to_string()]);
    v
}

async fn time<F, Fut>(f: F) -> Duration
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = usize>,
{
    let start = Instant::now();
    let n = f().await;
    let took = start.elapsed();
    assert!(n > 0, "the query found nothing");
    took
}

/// The queries a comparison runs, each on a world of `units` unit accounts; the count of
/// accounts it found.
#[derive(Clone, Copy)]
enum Query {
    /// A case's people, by login.
    Named,
    /// The reference: every account, as pages read them before.
    Every,
    /// A province's experts.
    Pool,
    /// The administrator's account list, first page of a province, with its count.
    ListPage,
    /// The same list searched (a name's text, found anywhere).
    ListSearch,
}

impl Query {
    fn label(self) -> &'static str {
        match self {
            Query::Named => "a case's 20 names, by login",
            Query::Every => "reference: every account (before)",
            Query::Pool => "a province's 300 experts",
            Query::ListPage => "account list: a province's first page and count",
            Query::ListSearch => "account list: a search every name matches",
        }
    }

    async fn run(self, w: &World, logins: &[String]) -> usize {
        match self {
            Query::Named => w.store.accounts_named(logins).await.expect("named").len(),
            Query::Every => w.store.accounts().await.expect("all").len(),
            Query::Pool => w.store.experts_of_province(PROVINCE).await.expect("pool").len(),
            Query::ListPage | Query::ListSearch => {
                let q = AccountQuery {
                    provinces: if matches!(self, Query::ListPage) {
                        vec![PROVINCE.into()]
                    } else {
                        Vec::new()
                    },
                    text: if matches!(self, Query::ListSearch) {
                        "单位".into()
                    } else {
                        String::new()
                    },
                    now: now(),
                    limit: 20,
                    ..AccountQuery::default()
                };
                w.store.account_page(&q).await.expect("list").accounts.len()
            }
        }
    }
}

/// One query on the small world and on the large, alternating which goes first.
async fn small_vs_large(
    q: Query,
    small: (&World, &[String]),
    large: (&World, &[String]),
    rounds: usize,
) -> (Times, Times) {
    let (mut s, mut l) = (Times::default(), Times::default());
    for round in 0..WARM_UP + rounds {
        let (first, second) = if round % 2 == 0 { (small, large) } else { (large, small) };
        let a = time(|| q.run(first.0, first.1)).await;
        let b = time(|| q.run(second.0, second.1)).await;
        let (ts, tl) = if round % 2 == 0 { (a, b) } else { (b, a) };
        if round >= WARM_UP {
            s.0.push(ts);
            l.0.push(tl);
        }
    }
    (s, l)
}

async fn run() {
    let rounds = env_usize("GUOHE_BENCH_ROUNDS", 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = (1_000, 62_000);
    let experts = PROVINCES * EXPERTS_PER_PROVINCE;
    println!("load average before: {}", load_average());
    println!(
        "{rounds} timed rounds (after {WARM_UP} untimed; the reference {} rounds), the two worlds alternating; \
         {experts} experts in {PROVINCES} provinces beside the units\n",
        rounds / 10
    );
    println!(
        "| backend | query | {} accounts (p10–p90) | {} accounts (p10–p90) | large / small |",
        small + experts,
        large + experts
    );
    println!("|---|---|---:|---:|---:|");
    for backend in ["sqlite", "postgres"] {
        let (Some(ws), Some(wl)) = (
            World::new(backend, dir.path(), small).await,
            World::new(backend, dir.path(), large).await,
        ) else {
            continue;
        };
        let (ls, ll) = (case_logins(small), case_logins(large));
        let mut medians = Vec::new();
        for q in [
            Query::Named,
            Query::Pool,
            Query::ListPage,
            Query::ListSearch,
            Query::Every,
        ] {
            // The reference reads tens of thousands of rows a round: a tenth of the rounds.
            let n = if matches!(q, Query::Every) {
                (rounds / 10).max(5)
            } else {
                rounds
            };
            let (s, l) = small_vs_large(q, (&ws, &ls), (&wl, &ll), n).await;
            println!(
                "| {backend} | {} | {} ({}) | {} ({}) | {} |",
                q.label(),
                ms(s.median()),
                s.spread(),
                ms(l.median()),
                l.spread(),
                ratio(l.median(), s.median()),
            );
            medians.push(l.median());
        }
        println!(
            "| {backend} | every account ÷ 20 names, with {} accounts | | | {} |",
            large + experts,
            ratio(medians[4], medians[0])
        );
        ws.close().await;
        wl.close().await;
    }
    println!("\nload average after: {}", load_average());
}

fn main() {
    on_two_workers(run());
}
