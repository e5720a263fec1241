//! Accounts opened from the import file, on a real database: the support unit's and the
//! director's accounts are opened after the bases, with initial passwords handed back once (only
//! their hashes stored) that must be changed at the first sign-in, phone and e-mail sealed; a
//! second run opens nothing; a login held by someone else, or a bad account cell, refuses the
//! whole file naming row and column; a file whose bases are in but whose accounts are not
//! completes them when run again; the import is on the hash chain.

use crate::common;

use common::grid;

use chrono::NaiveDate;
use common::on_both;
use guohe_app::Guohe;
use guohe_app::import::{Grid, ImportOptions, ImportReport};
use guohe_app::import_accounts::Holder;
use guohe_app::import_columns::{Column, complete_uscc};
use guohe_app::personal::AccountField;
use guohe_domain::Actor;
use guohe_keys::Revealed;
use guohe_policy::PolicySet;
use guohe_store::{AccountRole, AccountStore, NewAccount};

const TODAY: &str = "2026-11-20";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn uscc(i: usize) -> String {
    complete_uscc(&format!("91430100MA{i:06}")).unwrap()
}

/// A Hunan row with the given account cells.
fn row(i: usize, accounts: &[(Column, &str)]) -> Vec<(Column, String)> {
    let mut r = vec![
        (Column::BaseId, format!("OLD-{i:04}")),
        (Column::OfficialName, format!("湖南省第{i}号国际科技合作基地")),
        (Column::UnitName, format!("示范单位{i}有限公司")),
        (Column::Uscc, uscc(i)),
        (Column::Policy, "hunan-2026".into()),
        (Column::Category, "联合研究类".into()),
        (Column::Domain, format!("领域{i}")),
        (Column::Director, format!("负责人{i}")),
        (Column::RecognisedOn, "2019-06-01".into()),
    ];
    r.extend(accounts.iter().map(|(c, v)| (*c, v.to_string())));
    r
}

async fn import(g: &Guohe, grid: &Grid, dry_run: bool) -> ImportReport {
    let opts = ImportOptions {
        dry_run,
        argon2_memory_kib: 64,
        ..ImportOptions::new("bases.xlsx")
    };
    g.import(&Actor::parse("dept:zhang").unwrap(), d(TODAY), grid, &opts)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message_zh()))
}

async fn head(g: &Guohe) -> i64 {
    g.log().head().await.unwrap().map_or(0, |(s, _)| s)
}

fn full(i: usize) -> Vec<(Column, String)> {
    let unit = format!("unit-{i}");
    let director = format!("director-{i}");
    row(
        i,
        &[
            (Column::UnitLogin, unit.as_str()),
            (Column::UnitPhone, "13812341234"),
            (Column::UnitEmail, "office@example.cn"),
            (Column::DirectorLogin, director.as_str()),
            (Column::DirectorEmail, "director@example.cn"),
        ],
    )
}

#[tokio::test]
async fn accounts_are_opened_once_with_passwords_shown_once_and_a_second_run_adds_nothing() {
    on_both(|url| async move {
        let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
        let store = AccountStore::open(g.log()).await.unwrap();
        // Two bases of one unit (same unit account on both rows) and a third unit.
        let mut second = full(1);
        for (c, v) in second.iter_mut() {
            match c {
                Column::BaseId => *v = "OLD-0101".into(),
                Column::OfficialName => *v = "湖南省第101号国际科技合作基地".into(),
                Column::Domain => *v = "另一领域".into(),
                Column::Director => *v = "负责人101".into(),
                Column::DirectorLogin => *v = "director-101".into(),
                _ => {}
            }
        }
        let file = grid(&[full(1), second, full(2)]);

        let dry = import(&g, &file, true).await;
        assert!(dry.is_clean(), "{:?}", dry.errors);
        assert_eq!(dry.accounts.len(), 5, "the unit's account once");
        assert!(dry.accounts.iter().all(|a| a.initial_password.is_none()));
        assert!(store.accounts().await.unwrap().is_empty(), "a dry run opens nothing");

        let done = import(&g, &file, false).await;
        assert!(done.is_clean() && done.written, "{:?}", done.errors);
        assert_eq!(done.accounts.len(), 5);
        for a in &done.accounts {
            let password = a.initial_password.as_deref().expect("handed back once");
            let stored = store.account(&a.login).await.unwrap().unwrap();
            assert_eq!(stored.role, AccountRole::SupportUnit);
            assert_eq!(stored.org_id.as_deref(), Some(a.org_id.as_str()));
            assert_eq!(stored.province, "43");
            assert!(stored.must_change_password, "changed at the first sign-in");
            assert!(stored.active && !stored.pending_approval);
            assert!(stored.password_hash.starts_with("$argon2id$"));
            assert!(!stored.password_hash.contains(password), "never stored in clear");
            let phc = argon2::PasswordHash::new(&stored.password_hash).unwrap();
            assert!(
                argon2::password_hash::PasswordVerifier::verify_password(
                    &argon2::Argon2::default(),
                    password.as_bytes(),
                    &phc
                )
                .is_ok(),
                "the handed-over password signs in"
            );
        }
        let unit = store.account("unit-1").await.unwrap().unwrap();
        assert_eq!(unit.display_name, "示范单位1有限公司");
        let director = done.accounts.iter().find(|a| a.login == "director-1").unwrap();
        assert_eq!(
            (director.holder, director.display_name.as_str()),
            (Holder::Director, "负责人1")
        );
        // Phone and e-mail are the account's sealed personal fields.
        let fields = g.account_fields("unit-1").await.unwrap();
        assert!(
            fields.contains(&(AccountField::Phone, Revealed::Value("13812341234".into()))),
            "{fields:?}"
        );
        assert_eq!(
            g.account_email("director-1").await.unwrap().as_deref(),
            Some("director@example.cn")
        );
        // On the chain: who imported what, each account's creation — never a password.
        let day = g.history(&format!("audit/{TODAY}")).await.unwrap();
        let imported: Vec<_> = day.iter().filter(|e| e.kind == "BasesImported").collect();
        assert_eq!(imported.len(), 1);
        assert_eq!(imported[0].actor, "dept:zhang");
        assert_eq!(imported[0].payload["file"], "bases.xlsx");
        assert_eq!(imported[0].payload["accounts"].as_array().unwrap().len(), 5);
        assert_eq!(day.iter().filter(|e| e.kind == "AccountCreated").count(), 5);
        for e in &day {
            for a in &done.accounts {
                let text = e.payload.to_string();
                assert!(!text.contains(a.initial_password.as_deref().unwrap()), "{}", e.kind);
                assert!(!text.contains("13812341234"), "{}", e.kind);
            }
        }

        let before = head(&g).await;
        let again = import(&g, &file, false).await;
        assert!(again.is_clean(), "{:?}", again.errors);
        assert_eq!(
            (again.new.len(), again.accounts.len(), again.accounts_unchanged.len()),
            (0, 0, 5)
        );
        assert_eq!(
            head(&g).await,
            before,
            "a second run adds nothing, not even an audit record"
        );
        assert!(g.verify().await.unwrap().is_intact());
    })
    .await;
}

#[tokio::test]
async fn a_taken_login_or_a_bad_account_cell_refuses_the_whole_file() {
    on_both(|url| async move {
        let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
        let store = AccountStore::open(g.log()).await.unwrap();
        let hash = guohe_app::passwords::hash("Someone#2026x", 64).unwrap();
        store
            .create_account(
                &NewAccount {
                    login: "taken".into(),
                    display_name: "别的单位".into(),
                    role: AccountRole::SupportUnit,
                    org_id: Some(uscc(900)),
                    password_hash: hash,
                    province: "43".into(),
                    must_change_password: false,
                    profile: Default::default(),
                    pending_approval: false,
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let before = head(&g).await;
        let file = grid(&[
            full(1),
            row(2, &[(Column::UnitLogin, "taken")]),
            row(3, &[(Column::DirectorLogin, "Bad Login!")]),
            row(4, &[(Column::UnitLogin, "unit-4"), (Column::UnitPhone, "12345")]),
            row(5, &[(Column::DirectorEmail, "d@example.cn")]),
            row(6, &[(Column::UnitLogin, "same-6"), (Column::DirectorLogin, "same-6")]),
            row(7, &[(Column::UnitLogin, "unit-1")]),
        ]);
        let r = import(&g, &file, false).await;
        assert!(!r.written);
        assert_eq!(head(&g).await, before, "nothing written");
        assert_eq!(store.accounts().await.unwrap().len(), 1, "no account opened");
        let got: Vec<(u32, &str)> = r.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "依托单位账号"),
                (4, "负责人账号"),
                (5, "依托单位手机"),
                (6, "负责人邮箱"),
                (7, "负责人账号"),
                (8, "依托单位账号"),
            ],
            "{:#?}",
            r.errors
        );
        assert!(
            r.errors[0].reason.contains("已被其他单位或人员使用"),
            "{}",
            r.errors[0].reason
        );
        assert!(r.errors[2].reason.contains("11位"), "{}", r.errors[2].reason);
        assert!(r.errors[3].reason.contains("未填写"), "{}", r.errors[3].reason);
        assert!(r.errors[5].reason.contains("第 2 行"), "{}", r.errors[5].reason);
    })
    .await;
}

#[tokio::test]
async fn bases_in_without_their_accounts_get_them_when_the_file_is_run_again() {
    let db = common::database("sqlite").await.unwrap();
    let g = Guohe::open(&db.url, PolicySet::default()).await.unwrap();
    // As if the accounts failed after the events: the bases are in, no account is.
    let bare = import(&g, &grid(&[row(1, &[]), row(2, &[])]), false).await;
    assert!(bare.written && bare.accounts.is_empty());
    let r = import(&g, &grid(&[full(1), full(2)]), false).await;
    assert!(r.is_clean(), "{:?}", r.errors);
    assert_eq!((r.new.len(), r.unchanged.len(), r.accounts.len()), (0, 2, 4));
    assert!(!r.written, "no base written twice");
    assert!(r.accounts.iter().all(|a| a.initial_password.is_some()));
    let store = AccountStore::open(g.log()).await.unwrap();
    assert_eq!(store.accounts().await.unwrap().len(), 4);
    let day = g.history(&format!("audit/{TODAY}")).await.unwrap();
    assert_eq!(day.iter().filter(|e| e.kind == "BasesImported").count(), 2);
}
