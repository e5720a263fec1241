//! A deadline day's inbox work, a batch at a time against the previous implementation, a message
//! or an account at a time, on the same database: who of the recipients has an e-mail address
//! (`Guohe::logins_with_email` against `account_email` per login), which messages exist already
//! (`NotifyStore::existing_keys` against `exists` per key) and putting the new ones in the inboxes
//! (`enqueue_all` against `enqueue` per message, each its own commit).
//!
//! On SQLite (a file in a temporary directory, the log's pragmas) and on PostgreSQL (a scratch
//! database on 127.0.0.1:5432, created and dropped; `GUOHE_SKIP_POSTGRES=1` leaves it out).
//! `GUOHE_BENCH_MESSAGES` messages (default 4,000), to as many recipients, half of whom have an
//! address; a country has about 62,000 bases, each with a reminder for its unit and for its
//! province's department on an annual report's deadline. Both sides must find the same answers,
//! or the benchmark stops.
//!
//! `cargo bench -p guohe-notify --bench inbox`. Stops by itself; talks to nothing but that
//! server and the temporary directory.

#[path = "../../store/benches/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use guohe_app::Guohe;
use guohe_app::personal::AccountField;
use guohe_keys::KeyLocation;
use guohe_policy::PolicySet;
use guohe_store::{NewMessage, NotifyStore};

use support::{env_usize, load_average, on_two_workers, ratio, scratch_db};

fn message(prefix: &str, i: usize) -> NewMessage {
    NewMessage {
        key: format!("{prefix}:annual_report:base/HN-{i:05}:2026:d-7:unit-{i:05}"),
        login: format!("unit-{i:05}"),
        kind: "annual_report".into(),
        subject: "年度报告将于7日后截止".into(),
        body: format!("国际科技合作基地 HN-{i:05} 的2026年度报告将于2027-01-31截止，请按时提交。"),
        link: format!("/unit/bases/HN-{i:05}"),
        due_on: NaiveDate::from_ymd_opt(2027, 1, 31),
        mail: i.is_multiple_of(2),
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn row(what: &str, batched: Duration, reference: Duration, n: usize) {
    println!(
        "| {what} | {} | {} | {} | {:.1} µs |",
        secs(batched),
        secs(reference),
        ratio(reference, batched),
        reference.as_secs_f64() * 1e6 / n as f64
    );
}

async fn run(backend: &str, url: &str, n: usize) {
    let g = Guohe::open_with_keys(url, PolicySet::default(), KeyLocation::Ephemeral)
        .await
        .expect("open Guohe");
    let store = NotifyStore::open(g.log()).await.expect("notify tables");
    let on = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    let logins: Vec<String> = (0..n).map(|i| format!("unit-{i:05}")).collect();
    for login in logins.iter().step_by(2) {
        g.set_account_field(
            login,
            AccountField::Email,
            &format!("{login}@example.cn"),
            "system:bench",
            on,
        )
        .await
        .expect("e-mail");
    }

    let start = Instant::now();
    let with = g.logins_with_email(&logins).await.expect("batched addresses");
    let addresses = start.elapsed();
    let start = Instant::now();
    let mut with_one = BTreeSet::new();
    for login in &logins {
        if g.account_email(login).await.expect("address").is_some() {
            with_one.insert(login.clone());
        }
    }
    let addresses_one = start.elapsed();
    assert_eq!(with, with_one, "the same accounts have an address");
    assert_eq!(with.len(), n.div_ceil(2));

    // Half the messages of each side exist already, as when a second server's pass runs.
    let half = |prefix: &str| (0..n).step_by(2).map(|i| message(prefix, i)).collect::<Vec<_>>();
    store.enqueue_all(&half("all"), Utc::now()).await.expect("first half");
    store.enqueue_all(&half("one"), Utc::now()).await.expect("first half");
    let batch: Vec<NewMessage> = (0..n).map(|i| message("all", i)).collect();
    let single: Vec<NewMessage> = (0..n).map(|i| message("one", i)).collect();

    let start = Instant::now();
    let keys: Vec<&str> = batch.iter().map(|m| m.key.as_str()).collect();
    let existing = store.existing_keys(&keys).await.expect("batched look-up");
    let new: Vec<NewMessage> = batch.iter().filter(|m| !existing.contains(&m.key)).cloned().collect();
    let looked_up = start.elapsed();
    let start = Instant::now();
    let mut new_one = Vec::new();
    for m in &single {
        if !store.exists(&m.key).await.expect("look-up") {
            new_one.push(m.clone());
        }
    }
    let looked_up_one = start.elapsed();
    assert_eq!(new.len(), new_one.len(), "the same messages are new");

    let start = Instant::now();
    let inserted = store.enqueue_all(&new, Utc::now()).await.expect("batched insert");
    let enqueued = start.elapsed();
    let start = Instant::now();
    let mut inserted_one = 0;
    for m in &new_one {
        if store.enqueue(m, Utc::now()).await.expect("insert") {
            inserted_one += 1;
        }
    }
    let enqueued_one = start.elapsed();
    assert_eq!(
        (inserted, inserted_one),
        (n as u64 / 2, n / 2),
        "the same messages inserted"
    );

    println!();
    println!(
        "{backend}: {n} recipients, {} with an address; {n} messages, {} of them new",
        with.len(),
        new.len()
    );
    println!();
    println!("| {backend} | batched | one at a time (before) | ratio | before, per item |");
    println!("|---|---:|---:|---:|---:|");
    row("who has an address", addresses, addresses_one, n);
    row("which messages exist", looked_up, looked_up_one, n);
    row("the new messages inserted", enqueued, enqueued_one, new.len());
    row(
        "all three",
        addresses + looked_up + enqueued,
        addresses_one + looked_up_one + enqueued_one,
        n,
    );
    g.log().close().await;
}

fn main() {
    let n = env_usize("GUOHE_BENCH_MESSAGES", 4_000).max(2);
    on_two_workers(async {
        println!("load average before: {}", load_average());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("inbox.db");
        run("sqlite", &format!("sqlite://{}", path.display()), n).await;
        if let Some(db) = scratch_db("inbox").await {
            run("postgres", &db.url, n).await;
            db.drop_now().await;
        }
        println!();
        println!("load average after: {}", load_average());
    });
}
