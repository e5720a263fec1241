//! Fuzz target: import rows (issue 9, docs/fuzzing.md). Sheets of a few rows, each a good row of
//! the template with cells replaced by arbitrary ones — hostile text, numbers at the edges,
//! dates, blanks — in every column the import reads (the register's, the status's, the
//! accounts'), are checked the way `guohe import bases` checks them: never a panic, and every
//! rejection of a row names the row (one of the sheet's) and the column (one of the sheet's
//! headings) and says why.
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

#[path = "../../policy/tests/fuzz_support/mod.rs"]
mod fuzz_support;

use std::collections::HashMap;

use chrono::NaiveDate;
use fuzz_support::*;
use guohe_app::import::{Grid, ImportError, Raw, plan};
use guohe_app::import_columns::{Column, complete_uscc};
use guohe_calendar::Calendar;
use guohe_domain::{Actor, Ctx, World};
use guohe_policy::PolicySet;
use guohe_store::{Account, AccountRole};
use proptest::prelude::*;

const TODAY: &str = "2026-11-20";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A good row: a Hunan base, disqualified, with both accounts.
fn good(i: usize) -> Vec<Raw> {
    let t = |s: &str| Raw::Text(s.to_string());
    Column::ALL
        .iter()
        .map(|c| match c {
            Column::BaseId => t(&format!("OLD-{i:04}")),
            Column::OfficialName => t(&format!("湖南省第{i}号国际科技合作基地")),
            Column::UnitName => t(&format!("示范单位{i}有限公司")),
            Column::Uscc => t(&complete_uscc(&format!("91430100MA{i:06}")).unwrap()),
            Column::Policy => t("湘科发〔2026〕27号"),
            Column::Category => t("联合研究类"),
            Column::Domain => t("新材料"),
            Column::Country => t("德国"),
            Column::Region => Raw::Number(430100.0),
            Column::Director => t("张三"),
            Column::RecognisedOn => Raw::Date(d("2019-06-01")),
            Column::National => t("否"),
            Column::Status => t("取消资格"),
            Column::StatusSince => Raw::Date(d("2026-05-01")),
            Column::StatusGrounds => t("其他不宜继续作为国合基地的情形，取消资格"),
            Column::UnitLogin => t(&format!("unit-{i}")),
            Column::UnitPhone => t("13812341234"),
            Column::UnitEmail => t("office@example.cn"),
            Column::DirectorLogin => t(&format!("director-{i}")),
            Column::DirectorPhone => Raw::Empty,
            Column::DirectorEmail => t("zhang@example.cn"),
        })
        .collect()
}

/// Any cell: hostile text, a number, a date, a blank, or a good value of another column.
fn cell() -> impl Strategy<Value = Raw> {
    prop_oneof![
        hostile_text().prop_map(Raw::Text),
        Just(Raw::Empty),
        any::<f64>().prop_map(Raw::Number),
        (-1_000_000i32..3_000_000)
            .prop_map(|n| { Raw::Date(NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN)) }),
        (0usize..Column::ALL.len()).prop_map(|j| good(1).swap_remove(j)),
        prop::sample::select(vec![
            "正常运行",
            "限期整改",
            "终止并注销命名",
            "撤销命名",
            "退出省级管理序列",
            "active",
            "x"
        ])
        .prop_map(|s| Raw::Text(s.to_string())),
    ]
}

/// Replacements: (row, column, cell).
fn damages() -> impl Strategy<Value = Vec<(usize, usize, Raw)>> {
    prop::collection::vec((0usize..3, 0usize..Column::ALL.len(), cell()), 1..10)
}

fn sheet(rows: usize, damages: &[(usize, usize, Raw)]) -> Grid {
    let mut grid = Grid::default();
    grid.rows.push((1, vec![Raw::Text("存量基地".into())]));
    grid.rows.push((
        2,
        Column::ALL.iter().map(|c| Raw::Text(c.heading().to_string())).collect(),
    ));
    for i in 0..rows {
        grid.rows.push((3 + i as u32, good(i)));
    }
    for (r, c, v) in damages {
        if let Some((_, cells)) = grid.rows.get_mut(2 + r % rows) {
            cells[*c] = v.clone();
        }
    }
    grid
}

/// An account that holds `unit-1` for another unit, so that clashes are reached too.
fn existing() -> HashMap<String, Account> {
    let now = chrono::Utc::now();
    let a = Account {
        login: "unit-1".into(),
        display_name: "别的单位".into(),
        role: AccountRole::SupportUnit,
        org_id: Some(complete_uscc("91430100MA999999").unwrap()),
        password_hash: String::new(),
        failed_logins: 0,
        locked_until: None,
        active: true,
        created_at: now,
        password_changed_at: now,
        province: "43".into(),
        must_change_password: true,
        profile: Default::default(),
        pending_approval: false,
    };
    HashMap::from([(a.login.clone(), a)])
}

fn check(
    grid: &Grid,
    policies: &PolicySet,
    calendar: &Calendar,
    accounts: &HashMap<String, Account>,
) -> Result<(), TestCaseError> {
    let ctx = Ctx {
        policies,
        calendar,
        actor: Actor::parse("dept:fuzz").unwrap(),
        today: d(TODAY),
    };
    let rows: Vec<u32> = grid.rows.iter().skip(2).map(|(n, _)| *n).collect();
    let headings: Vec<&str> = Column::ALL.iter().map(|c| c.heading()).collect();
    match plan(&World::default(), &ctx, grid, &|_| true, accounts) {
        Ok((report, events)) => {
            for e in &report.errors {
                prop_assert!(rows.contains(&e.row), "a rejection names no row of the sheet: {:?}", e);
                prop_assert!(
                    headings.contains(&e.column.as_str()),
                    "a rejection names no column: {:?}",
                    e
                );
                prop_assert!(!e.reason.trim().is_empty(), "a rejection says not why: {:?}", e);
            }
            if report.is_clean() {
                // Every row is accounted for, and a clean sheet carries its bases over.
                prop_assert_eq!(report.new.len() + report.unchanged.len(), report.rows);
                prop_assert!(report.new.is_empty() || !events.is_empty());
            }
        }
        // Whole-file faults (no data rows left, …) say so without a row.
        Err(ImportError::App(e)) => return Err(TestCaseError::fail(format!("plan failed: {e}"))),
        Err(e) => prop_assert!(!e.message_zh().is_empty()),
    }
    Ok(())
}

#[test]
fn the_good_sheet_passes() {
    let (policies, calendar) = (PolicySet::default(), Calendar::builtin());
    let grid = sheet(3, &[]);
    let ctx = Ctx {
        policies: &policies,
        calendar: &calendar,
        actor: Actor::parse("dept:fuzz").unwrap(),
        today: d(TODAY),
    };
    let (report, _) = plan(&World::default(), &ctx, &grid, &|_| true, &HashMap::new()).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!((report.new.len(), report.accounts.len()), (3, 6));
}

#[test]
fn damaged_rows_are_refused_naming_row_and_column_never_a_panic() {
    let (policies, calendar) = (PolicySet::default(), Calendar::builtin());
    let accounts = existing();
    run("import rows", (1usize..4, damages()), |(rows, ds)| {
        check(&sheet(rows, &ds), &policies, &calendar, &accounts)
    });
}
