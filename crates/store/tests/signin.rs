//! Throttle counters, second factors, recovery codes, flash messages, form limits and rate
//! windows, run against SQLite and PostgreSQL.

#[allow(dead_code)]
use crate::support;

use chrono::{DateTime, Utc};
use guohe_store::signin::{SigninStore, ThrottleScope};
use guohe_store::{AccountRole, AccountStore, NewAccount};
use support::TestDb;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000 + s, 0).expect("time")
}

async fn stores(db: &TestDb) -> (AccountStore, SigninStore) {
    let accounts = AccountStore::open(&db.log).await.expect("open");
    accounts
        .create_account(
            &NewAccount {
                login: "dept".into(),
                display_name: "省科技厅国际合作处".into(),
                role: AccountRole::Department,
                org_id: None,
                password_hash: "x".into(),
                province: "43".into(),
                must_change_password: false,
                profile: Default::default(),
                pending_approval: false,
            },
            t(0),
        )
        .await
        .expect("create");
    (accounts, SigninStore::new(&db.log))
}

async fn throttle_counters_count_forget_and_clear(db: &TestDb) {
    let (_, s) = stores(db).await;
    let pair = "dept\n192.0.2.1";
    assert_eq!(s.failures(ThrottleScope::Pair, pair).await.unwrap(), None);
    for i in 1..=3 {
        let (n, prev) = s
            .record_failure(ThrottleScope::Pair, pair, "dept", t(i), t(i - 100))
            .await
            .unwrap();
        assert_eq!(n, i);
        assert_eq!(prev, (i > 1).then(|| t(i - 1)), "the failure before this one");
    }
    s.record_failure(ThrottleScope::Account, "dept", "dept", t(3), t(-100))
        .await
        .unwrap();
    s.record_failure(ThrottleScope::Client, "192.0.2.1", "", t(3), t(-100))
        .await
        .unwrap();
    let f = s.failures(ThrottleScope::Pair, pair).await.unwrap().unwrap();
    assert_eq!((f.count, f.last), (3, t(3)));
    // A counter whose last failure is older than the forgetting horizon starts again.
    let (n, prev) = s
        .record_failure(ThrottleScope::Pair, pair, "dept", t(1000), t(500))
        .await
        .unwrap();
    assert_eq!((n, prev), (1, None));
    // An attempt that succeeded is taken back.
    s.uncount(ThrottleScope::Pair, pair).await.unwrap();
    assert_eq!(s.failures(ThrottleScope::Pair, pair).await.unwrap().unwrap().count, 0);
    s.uncount(ThrottleScope::Pair, pair).await.unwrap();
    assert_eq!(s.failures(ThrottleScope::Pair, pair).await.unwrap().unwrap().count, 0);
    // Clearing an account's counters leaves the address's own counter.
    assert_eq!(s.clear_failures_of("dept").await.unwrap(), 2);
    assert_eq!(s.failures(ThrottleScope::Pair, pair).await.unwrap(), None);
    assert_eq!(s.failures(ThrottleScope::Account, "dept").await.unwrap(), None);
    assert!(s.failures(ThrottleScope::Client, "192.0.2.1").await.unwrap().is_some());
    s.clear_failures(ThrottleScope::Client, "192.0.2.1").await.unwrap();
    assert_eq!(s.failures(ThrottleScope::Client, "192.0.2.1").await.unwrap(), None);
}

async fn second_factor_steps_and_recovery_codes_are_spent_once(db: &TestDb) {
    let (_, s) = stores(db).await;
    let pending = s.start_enrolment("dept", "AAAA", t(0)).await.unwrap();
    assert_eq!(pending.confirmed_at, None);
    // Starting again keeps the pending secret.
    assert_eq!(s.start_enrolment("dept", "BBBB", t(1)).await.unwrap().secret, "AAAA");
    assert!(!s.accept_step("dept", 10).await.unwrap(), "not confirmed yet");
    s.confirm_enrolment("dept", "AAAA", Some(10), &["h1".into(), "h2".into()], t(2))
        .await
        .unwrap();
    let f = s.second_factor("dept").await.unwrap().unwrap();
    assert_eq!((f.confirmed_at, f.last_step), (Some(t(2)), Some(10)));
    assert!(
        !s.accept_step("dept", 10).await.unwrap(),
        "the confirming step is spent"
    );
    assert!(!s.accept_step("dept", 9).await.unwrap(), "older steps too");
    assert!(s.accept_step("dept", 11).await.unwrap());
    assert!(!s.accept_step("dept", 11).await.unwrap(), "replay");
    assert_eq!(s.unused_recovery_codes("dept").await.unwrap(), 2);
    assert!(s.spend_recovery_code("dept", "h1", t(3)).await.unwrap());
    assert!(!s.spend_recovery_code("dept", "h1", t(4)).await.unwrap(), "spent");
    assert!(!s.spend_recovery_code("dept", "nope", t(4)).await.unwrap());
    assert_eq!(s.unused_recovery_codes("dept").await.unwrap(), 1);
    // Enrolling again replaces the secret and the codes.
    s.confirm_enrolment("dept", "CCCC", None, &["h3".into()], t(5))
        .await
        .unwrap();
    let f = s.second_factor("dept").await.unwrap().unwrap();
    assert_eq!((f.secret.as_str(), f.last_step), ("CCCC", None));
    assert!(
        !s.spend_recovery_code("dept", "h2", t(6)).await.unwrap(),
        "old codes are gone"
    );
    s.reset_second_factor("dept").await.unwrap();
    assert_eq!(s.second_factor("dept").await.unwrap(), None);
    assert_eq!(s.unused_recovery_codes("dept").await.unwrap(), 0);
}

async fn flashes_are_taken_once_and_expire(db: &TestDb) {
    let (_, s) = stores(db).await;
    s.put_flash("k1", "已提交。", "Submitted.", t(300), t(0)).await.unwrap();
    s.put_flash("k2", "旧", "old", t(10), t(0)).await.unwrap();
    assert_eq!(
        s.take_flash("k1", t(1)).await.unwrap(),
        Some(("已提交。".into(), "Submitted.".into()))
    );
    assert_eq!(s.take_flash("k1", t(2)).await.unwrap(), None, "shown once");
    assert_eq!(s.take_flash("k2", t(20)).await.unwrap(), None, "expired");
}

async fn form_counts_are_per_key_and_day(db: &TestDb) {
    let (_, s) = stores(db).await;
    for i in 1..=3 {
        assert_eq!(s.bump_form_count("objection", "ip\nN1", "2026-11-20").await.unwrap(), i);
    }
    assert_eq!(s.bump_form_count("objection", "ip\nN2", "2026-11-20").await.unwrap(), 1);
    assert_eq!(s.bump_form_count("objection", "ip\nN1", "2026-11-21").await.unwrap(), 1);
    assert_eq!(s.form_count("objection", "ip\nN1", "2026-11-20").await.unwrap(), 3);
    assert_eq!(s.form_count("objection", "other", "2026-11-20").await.unwrap(), 0);
}

/// A burst of parallel attempts on the same three counters: each attempt takes the same place
/// in every counter, so the first three (and only they) are within a threshold of three.
async fn a_parallel_burst_takes_the_same_place_in_every_counter(db: &TestDb) {
    let (_, s) = stores(db).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let s = s.clone();
        set.spawn(async move {
            s.record_attempt(
                &[
                    (ThrottleScope::Pair, "dept\n192.0.2.9", "dept"),
                    (ThrottleScope::Client, "192.0.2.9", ""),
                    (ThrottleScope::Account, "dept", "dept"),
                ],
                t(5),
                t(-100),
            )
            .await
            .expect("counted")
        });
    }
    let mut places = Vec::new();
    while let Some(counted) = set.join_next().await {
        let counted = counted.expect("task");
        let counts: Vec<i64> = counted.iter().map(|(n, _)| *n).collect();
        assert!(
            counts.windows(2).all(|w| w[0] == w[1]),
            "one place in all counters: {counts:?}"
        );
        places.push(counts[0]);
    }
    places.sort();
    assert_eq!(places, (1..=16).collect::<Vec<i64>>());
    let f = s.failures(ThrottleScope::Account, "dept").await.unwrap().unwrap();
    assert_eq!(f.count, 16);
}

async fn rate_windows_count_per_key_start_again_and_are_pruned(db: &TestDb) {
    let (_, s) = stores(db).await;
    let minute = chrono::Duration::seconds(60);
    let at = |ms: i64| t(0) + chrono::Duration::milliseconds(ms);
    for i in 1..=3 {
        let c = s
            .count_request("verify", "192.0.2.1", at(i * 1000), minute)
            .await
            .unwrap();
        assert_eq!(
            (c.count, c.window_start),
            (i, at(1000)),
            "one window from the first request"
        );
    }
    let other = s.count_request("verify", "192.0.2.2", at(5000), minute).await.unwrap();
    assert_eq!(other.count, 1, "another key");
    let scope = s.count_request("other", "192.0.2.1", at(5000), minute).await.unwrap();
    assert_eq!(scope.count, 1, "another scope");
    // The window ends exactly a minute after it began: the next request starts a new one.
    let last = s
        .count_request("verify", "192.0.2.1", at(60_999), minute)
        .await
        .unwrap();
    assert_eq!(last.count, 4);
    let fresh = s
        .count_request("verify", "192.0.2.1", at(61_000), minute)
        .await
        .unwrap();
    assert_eq!((fresh.count, fresh.window_start), (1, at(61_000)));
    // 192.0.2.2's window (from 5 s) has ended at 65 s; 192.0.2.1's (from 61 s) has not, nor
    // has the other scope's.
    assert_eq!(s.prune_rate_windows("verify", at(65_000), minute).await.unwrap(), 1);
    assert_eq!(
        s.count_request("verify", "192.0.2.1", at(65_000), minute)
            .await
            .unwrap()
            .count,
        2
    );
    assert_eq!(
        s.count_request("other", "192.0.2.1", at(6000), minute)
            .await
            .unwrap()
            .count,
        2
    );
}

/// Requests counted at once through separate connections are all counted: the count is one
/// statement, not a read and a write.
async fn rate_windows_count_concurrent_requests_once_each(db: &TestDb) {
    let (_, s) = stores(db).await;
    let minute = chrono::Duration::seconds(60);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.count_request("verify", "192.0.2.9", t(1), minute).await })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().unwrap().count);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=16).collect::<Vec<i64>>());
}

on_both_backends!(
    a_parallel_burst_takes_the_same_place_in_every_counter,
    throttle_counters_count_forget_and_clear,
    second_factor_steps_and_recovery_codes_are_spent_once,
    flashes_are_taken_once_and_expire,
    form_counts_are_per_key_and_day,
    rate_windows_count_per_key_start_again_and_are_pruned,
    rate_windows_count_concurrent_requests_once_each,
);
