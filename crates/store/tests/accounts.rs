//! Accounts, organisations and sessions, run against SQLite and PostgreSQL.

#[allow(dead_code)]
use crate::support;

use chrono::{DateTime, Duration, Utc};
use guohe_store::{AccountError, AccountRole, AccountStore, EventLog, NewAccount, Organisation, Session};
use support::TestDb;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000 + s, 0).expect("time")
}

fn unit(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        display_name: "湖南示范生物医药股份有限公司".into(),
        role: AccountRole::SupportUnit,
        org_id: Some("91430100MA4L12346D".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        province: "43".into(),
        must_change_password: false,
        profile: Default::default(),
        pending_approval: false,
    }
}

async fn accounts_round_trip(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    // Opening again is idempotent.
    AccountStore::open(&db.log).await.expect("reopen");
    let a = store.create_account(&unit("hnsw"), t(0)).await.expect("create");
    assert_eq!(a.role, AccountRole::SupportUnit);
    assert_eq!(a.province, "43");
    assert!(!a.must_change_password);
    assert_eq!(a.failed_logins, 0);
    assert!(a.active && a.locked_until.is_none());
    assert_eq!(a.created_at, t(0));
    assert!(matches!(
        store.create_account(&unit("hnsw"), t(1)).await,
        Err(AccountError::DuplicateLogin(l)) if l == "hnsw"
    ));
    assert_eq!(store.account("hnsw").await.expect("get"), Some(a.clone()));
    assert_eq!(store.account("nobody").await.expect("get"), None);
    store.set_password("hnsw", "new-hash", t(5)).await.expect("set");
    let b = store.account("hnsw").await.expect("get").expect("some");
    assert_eq!((b.password_hash.as_str(), b.password_changed_at), ("new-hash", t(5)));
    assert!(matches!(
        store.set_password("nobody", "x", t(5)).await,
        Err(AccountError::NoSuchAccount(_))
    ));
    store.set_active("hnsw", false).await.expect("disable");
    assert!(!store.account("hnsw").await.expect("get").expect("some").active);
    assert_eq!(store.accounts().await.expect("all").len(), 1);
    // The event log is untouched by the account tables.
    assert_eq!(db.log.head().await.expect("head"), None);
    assert!(db.log.verify().await.expect("verify").is_intact());
    // An administrator's reset obliges a change; the owner's own change clears it.
    store
        .reset_password("hnsw", "$argon2id$reset", t(1))
        .await
        .expect("reset");
    assert!(store.account("hnsw").await.unwrap().unwrap().must_change_password);
    store.set_password("hnsw", "$argon2id$own", t(2)).await.expect("set");
    assert!(!store.account("hnsw").await.unwrap().unwrap().must_change_password);
    // Every role is stored and read back, the three administrators included.
    for role in AccountRole::ALL {
        let login = format!("r-{}", role.as_str().replace('_', "-"));
        let mut n = unit(&login);
        n.role = role;
        n.must_change_password = true;
        let back = store.create_account(&n, t(0)).await.expect("create any role");
        assert_eq!((back.role, back.must_change_password), (role, true));
    }
}

async fn five_failures_lock_and_unlock(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    store.create_account(&unit("u1"), t(0)).await.expect("create");
    for i in 1..=4 {
        let f = store
            .record_failed_login("u1", 5, t(i), Duration::minutes(15))
            .await
            .expect("fail")
            .expect("account");
        assert_eq!(f.failures, i);
        assert_eq!(f.locked_until, None);
    }
    let f = store
        .record_failed_login("u1", 5, t(10), Duration::minutes(15))
        .await
        .expect("fail")
        .expect("account");
    assert_eq!(f.locked_until, Some(t(10 + 900)));
    let a = store.account("u1").await.expect("get").expect("some");
    assert!(a.is_locked(t(11)) && !a.is_locked(t(10 + 900)));
    assert_eq!(a.failed_logins, 0);
    // A failure while locked does not extend the lock.
    let f = store
        .record_failed_login("u1", 5, t(20), Duration::minutes(15))
        .await
        .expect("fail")
        .expect("account");
    assert_eq!((f.failures, f.locked_until), (1, None));
    assert_eq!(
        store.account("u1").await.expect("get").expect("some").locked_until,
        Some(t(910))
    );
    assert_eq!(
        store
            .record_failed_login("ghost", 5, t(0), Duration::minutes(15))
            .await
            .expect("ok"),
        None
    );
    store.unlock("u1").await.expect("unlock");
    let a = store.account("u1").await.expect("get").expect("some");
    assert_eq!((a.failed_logins, a.locked_until), (0, None));
    store
        .record_failed_login("u1", 5, t(30), Duration::minutes(15))
        .await
        .expect("fail");
    store.record_successful_login("u1").await.expect("ok");
    assert_eq!(store.account("u1").await.expect("get").expect("some").failed_logins, 0);
    store.lock("u1", t(5000)).await.expect("lock");
    assert!(
        store
            .account("u1")
            .await
            .expect("get")
            .expect("some")
            .is_locked(t(4999))
    );
}

async fn sessions_expire_and_are_stored_hashed(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    store.create_account(&unit("u2"), t(0)).await.expect("create");
    let s = Session {
        login: "u2".into(),
        csrf_token: "csrf-1".into(),
        created_at: t(0),
        last_seen: t(0),
        client_ip: "127.0.0.1".into(),
        user_agent: "test".into(),
    };
    let id = "f".repeat(64);
    store.create_session(&id, &s).await.expect("create");
    assert_eq!(store.session(&id, t(-1)).await.expect("get"), Some(s.clone()));
    assert_eq!(store.session("other", t(-1)).await.expect("get"), None);
    let raw = db
        .exec(&format!("DELETE FROM sessions WHERE id_digest = '{id}'"))
        .await
        .expect("sql");
    assert_eq!(raw, 0, "the raw id is not stored");
    store.touch_session(&id, t(100)).await.expect("touch");
    assert_eq!(
        store.session(&id, t(99)).await.expect("get").expect("live").last_seen,
        t(100)
    );
    // Idle since t(100) or earlier: gone, and deleted.
    assert_eq!(store.session(&id, t(100)).await.expect("get"), None);
    assert_eq!(store.session(&id, t(-1)).await.expect("get"), None);

    store.create_session("a", &s).await.expect("a");
    store
        .create_session(
            "b",
            &Session {
                last_seen: t(50),
                ..s.clone()
            },
        )
        .await
        .expect("b");
    assert_eq!(store.purge_idle_sessions(t(10)).await.expect("purge"), 1);
    assert!(store.session("b", t(10)).await.expect("get").is_some());
    assert_eq!(store.delete_sessions_of("u2").await.expect("delete"), 1);
    store.create_session("c", &s).await.expect("c");
    store.set_active("u2", false).await.expect("disable");
    assert_eq!(
        store.session("c", t(-1)).await.expect("get"),
        None,
        "disabling ends sessions"
    );
}

async fn organisations_keep_their_jurisdiction(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    let org = Organisation {
        id: "rec-changsha".into(),
        name: "长沙市科学技术局".into(),
        kind: "recommender".into(),
        region_prefixes: vec!["4301".into()],
        unit_usccs: vec![],
        province: "43".into(),
    };
    store.create_organisation(&org, t(0)).await.expect("create");
    let direct = Organisation {
        id: "rec-edu".into(),
        name: "湖南省教育厅".into(),
        kind: "recommender".into(),
        region_prefixes: vec![],
        unit_usccs: vec!["12430000444881590X".into()],
        province: "43".into(),
    };
    store.create_organisation(&direct, t(0)).await.expect("create");
    assert!(matches!(
        store.create_organisation(&org, t(1)).await,
        Err(AccountError::DuplicateOrganisation(_))
    ));
    assert_eq!(
        store.organisation("rec-changsha").await.expect("get"),
        Some(org.clone())
    );
    assert_eq!(store.organisations().await.expect("all"), vec![org, direct]);
    assert_eq!(store.organisation("x").await.expect("get"), None);
}

#[tokio::test]
async fn in_memory_sqlite_shares_the_logs_database() {
    let log = EventLog::connect("sqlite::memory:").await.expect("memory");
    let store = AccountStore::open(&log).await.expect("open");
    store.create_account(&unit("m"), t(0)).await.expect("create");
    assert!(store.account("m").await.expect("get").is_some());
}

/// 注册审核: a province's department sees the self-registrations waiting in its province, oldest
/// first (then by login), and an approved or refused one leaves the list.
async fn pending_registrations_are_the_provinces_oldest_first(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    let pending = |login: &str, province: &str| {
        let mut a = unit(login);
        a.province = province.into();
        a.pending_approval = true;
        a
    };
    store
        .create_account(&pending("c-late", "43"), t(30))
        .await
        .expect("create");
    store
        .create_account(&pending("b-early", "43"), t(10))
        .await
        .expect("create");
    store
        .create_account(&pending("a-early", "43"), t(10))
        .await
        .expect("create");
    store
        .create_account(&pending("hubei", "42"), t(5))
        .await
        .expect("create");
    store.create_account(&unit("active"), t(1)).await.expect("create");
    let logins = |v: Vec<guohe_store::Account>| v.into_iter().map(|a| a.login).collect::<Vec<_>>();
    let hunan = store.pending_registrations("43").await.expect("pending");
    assert!(hunan.iter().all(|a| a.pending_approval && a.province == "43"));
    assert_eq!(logins(hunan), ["a-early", "b-early", "c-late"]);
    assert_eq!(
        logins(store.pending_registrations("42").await.expect("pending")),
        ["hubei"]
    );
    assert!(store.pending_registrations("11").await.expect("pending").is_empty());
    store.approve_registration("b-early").await.expect("approve");
    store.refuse_registration("c-late").await.expect("refuse");
    assert_eq!(
        logins(store.pending_registrations("43").await.expect("pending")),
        ["a-early"]
    );
    assert!(matches!(
        store.approve_registration("b-early").await,
        Err(AccountError::NoSuchAccount(_))
    ));
}

fn expert(login: &str, province: &str) -> NewAccount {
    NewAccount {
        role: AccountRole::Expert,
        province: province.into(),
        display_name: format!("专家{login}"),
        ..unit(login)
    }
}

/// 名录: a page names the people in its records by asking for those logins only. Text that is
/// no stored login is skipped, the answer is in login order, and it holds across the queries a
/// long list is split into (500 logins each).
async fn accounts_named_are_read_by_login(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    for login in ["u0003", "u0499", "u0500", "u0501", "u0998", "zz-unit"] {
        store.create_account(&unit(login), t(0)).await.expect("create");
    }
    let logins = |v: Vec<guohe_store::Account>| v.into_iter().map(|a| a.login).collect::<Vec<_>>();
    let mut asked: Vec<String> = (0..1000).rev().map(|i| format!("u{i:04}")).collect();
    asked.extend(["U0003", "刘明（中南大学）", "", "u0003"].map(String::from));
    assert_eq!(
        logins(store.accounts_named(&asked).await.expect("named")),
        ["u0003", "u0499", "u0500", "u0501", "u0998"]
    );
    assert_eq!(
        logins(store.accounts_named(["zz-unit", "nobody"]).await.expect("named")),
        ["zz-unit"]
    );
    assert!(
        store
            .accounts_named(Vec::<String>::new())
            .await
            .expect("named")
            .is_empty()
    );
}

/// 专家库: a province's experts, active or not, and nobody else; 登录失败处理: the accounts held
/// back now, and not one whose lock has run out or was lifted.
async fn experts_of_a_province_and_locked_accounts(db: &TestDb) {
    let store = AccountStore::open(&db.log).await.expect("open");
    store.create_account(&expert("ex-b", "43"), t(0)).await.expect("create");
    store.create_account(&expert("ex-a", "43"), t(0)).await.expect("create");
    store
        .create_account(&expert("ex-hubei", "42"), t(0))
        .await
        .expect("create");
    store.create_account(&unit("unit-43"), t(0)).await.expect("create");
    store.set_active("ex-b", false).await.expect("disable");
    let logins = |v: Vec<guohe_store::Account>| v.into_iter().map(|a| a.login).collect::<Vec<_>>();
    let hunan = store.experts_of_province("43").await.expect("experts");
    assert!(
        hunan
            .iter()
            .all(|a| a.role == AccountRole::Expert && a.province == "43")
    );
    assert_eq!(logins(hunan), ["ex-a", "ex-b"]);
    assert_eq!(
        logins(store.experts_of_province("42").await.expect("experts")),
        ["ex-hubei"]
    );
    assert!(store.experts_of_province("11").await.expect("experts").is_empty());

    store.lock("unit-43", t(100)).await.expect("lock");
    store.lock("ex-a", t(50)).await.expect("lock");
    store.lock("ex-hubei", t(100)).await.expect("lock");
    store.unlock("ex-hubei").await.expect("unlock");
    assert_eq!(
        logins(store.locked_accounts(t(10)).await.expect("locked")),
        ["ex-a", "unit-43"]
    );
    // A lock that has run out is no longer one, as `Account::is_locked` says.
    assert_eq!(logins(store.locked_accounts(t(50)).await.expect("locked")), ["unit-43"]);
    assert!(store.locked_accounts(t(100)).await.expect("locked").is_empty());
}

/// 账号管理: the system administrator's list, a page at a time — search (case aside, `%` and `_`
/// as themselves), province, role and standing filters, the order, the page and the total.
async fn the_account_list_is_searched_filtered_ordered_and_paged(db: &TestDb) {
    use guohe_store::{AccountOrder, AccountQuery, AccountStatus};
    let store = AccountStore::open(&db.log).await.expect("open");
    let make = |login: &str, name: &str, province: &str| NewAccount {
        display_name: name.into(),
        province: province.into(),
        ..unit(login)
    };
    for a in [
        make("a-unit", "长沙甲公司", "43"),
        make("b-unit", "长沙乙公司", "43"),
        NewAccount {
            org_id: None,
            ..make("c-unit", "武汉丙公司", "42")
        },
        NewAccount {
            org_id: Some("9143XYZ".into()),
            ..expert("ex-1", "43")
        },
        NewAccount {
            pending_approval: true,
            ..make("p-unit", "株洲丁公司", "43")
        },
        make("l-unit", "湘潭戊公司", "43"),
    ] {
        store.create_account(&a, t(0)).await.expect("create");
    }
    store.set_active("b-unit", false).await.expect("disable");
    store.lock("l-unit", t(100)).await.expect("lock");

    let page = |q: AccountQuery| {
        let store = &store;
        async move {
            let p = store
                .account_page(&AccountQuery {
                    limit: 20,
                    now: t(10),
                    ..q
                })
                .await
                .expect("page");
            (p.accounts.into_iter().map(|a| a.login).collect::<Vec<_>>(), p.total)
        }
    };
    let all = ["a-unit", "b-unit", "c-unit", "ex-1", "l-unit", "p-unit"];
    assert_eq!(page(AccountQuery::default()).await, (all.map(String::from).to_vec(), 6));
    let hunan = || AccountQuery {
        provinces: vec!["43".into()],
        ..AccountQuery::default()
    };
    assert_eq!(page(hunan()).await.1, 5);
    assert_eq!(
        page(AccountQuery {
            role: Some(AccountRole::Expert),
            ..hunan()
        })
        .await,
        (vec!["ex-1".to_string()], 1)
    );
    // Two provinces at once (the administrator's and another chosen) match nothing.
    assert_eq!(
        page(AccountQuery {
            provinces: vec!["43".into(), "42".into()],
            ..AccountQuery::default()
        })
        .await
        .1,
        0
    );
    // Standing at t(10), and at t(100) when the lock has run out.
    let status = |s: AccountStatus| AccountQuery {
        status: Some(s),
        ..AccountQuery::default()
    };
    assert_eq!(page(status(AccountStatus::Locked)).await.0, ["l-unit"]);
    assert_eq!(page(status(AccountStatus::Disabled)).await.0, ["b-unit"]);
    assert_eq!(page(status(AccountStatus::Pending)).await.0, ["p-unit"]);
    assert_eq!(
        page(status(AccountStatus::Active)).await.0,
        ["a-unit", "c-unit", "ex-1"]
    );
    let later = store
        .account_page(&AccountQuery {
            limit: 20,
            now: t(100),
            ..status(AccountStatus::Active)
        })
        .await
        .expect("page");
    assert_eq!(later.total, 4, "the lock has run out");
    // Each account's own standing says the same as the filter.
    for a in store
        .account_page(&AccountQuery {
            limit: 20,
            ..AccountQuery::default()
        })
        .await
        .expect("page")
        .accounts
    {
        let s = a.status(t(10));
        assert!(page(status(s)).await.0.contains(&a.login), "{} {s:?}", a.login);
    }
    // Search: login, name, organisation (case aside), province code; `%` is a percent sign.
    let text = |q: &str| AccountQuery {
        text: q.into(),
        ..AccountQuery::default()
    };
    assert_eq!(page(text("UNIT")).await.1, 5);
    assert_eq!(page(text("长沙")).await.0, ["a-unit", "b-unit"]);
    assert_eq!(page(text("9143xyz")).await.0, ["ex-1"]);
    assert_eq!(page(text("42")).await.0, ["c-unit"]);
    assert_eq!(page(text("%")).await.1, 0);
    assert_eq!(page(text("_")).await.1, 0);
    // Order (names by their characters' code points, 长 U+957F first when reversed) and page.
    assert_eq!(
        page(AccountQuery {
            order: AccountOrder::Name,
            descending: true,
            ..hunan()
        })
        .await
        .0,
        ["a-unit", "b-unit", "l-unit", "p-unit", "ex-1"]
    );
    assert_eq!(
        page(AccountQuery {
            order: AccountOrder::Organisation,
            ..AccountQuery::default()
        })
        .await
        .0,
        ["c-unit", "a-unit", "b-unit", "l-unit", "p-unit", "ex-1"],
        "no organisation first on both backends; 91430100… before 9143XYZ"
    );
    let second = store
        .account_page(&AccountQuery {
            offset: 2,
            limit: 2,
            now: t(10),
            ..AccountQuery::default()
        })
        .await
        .expect("page");
    assert_eq!((second.accounts.len(), second.total), (2, 6));
    assert_eq!(
        (second.accounts[0].login.as_str(), second.accounts[1].login.as_str()),
        ("c-unit", "ex-1")
    );
    let past = store
        .account_page(&AccountQuery {
            offset: 40,
            limit: 20,
            ..AccountQuery::default()
        })
        .await
        .expect("page");
    assert!(past.accounts.is_empty() && past.total == 6);
    let every = store
        .account_page(&AccountQuery {
            limit: usize::MAX,
            ..AccountQuery::default()
        })
        .await
        .expect("page");
    assert_eq!(every.accounts.len(), 6);
}

on_both_backends!(
    the_account_list_is_searched_filtered_ordered_and_paged,
    accounts_named_are_read_by_login,
    experts_of_a_province_and_locked_accounts,
    pending_registrations_are_the_provinces_oldest_first,
    accounts_round_trip,
    five_failures_lock_and_unlock,
    sessions_expire_and_are_stored_hashed,
    organisations_keep_their_jurisdiction,
);
