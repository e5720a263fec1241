//! The register in every status round-trips: bases carried over and then put under
//! rectification, terminated, revoked, disqualified or moved to the national list by the
//! policies' own steps, exported as xlsx (and CSV) with every status, import into an empty
//! database as the same register — the same rows, the same statuses from the same dates on the
//! same grounds. A status row without its date, or with grounds that do not give it, is refused.

use crate::common;

use common::grid;

use chrono::NaiveDate;
use guohe_app::export::Table;
use guohe_app::import::{Grid, ImportReport, read_csv, read_workbook};
use guohe_app::import_columns::{Column, complete_uscc};
use guohe_app::{Guohe, exports};
use guohe_domain::{Actor, BaseStatus, Command, StatusEntry};
use guohe_policy::PolicySet;
use serde_json::json;

const TODAY: &str = "2026-11-20";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dept() -> Actor {
    Actor::parse("dept:zhang").unwrap()
}

async fn open(url: &str) -> Guohe {
    Guohe::open(url, PolicySet::default()).await.unwrap()
}

async fn import(g: &Guohe, grid: &Grid) -> ImportReport {
    g.import_bases(&dept(), d(TODAY), grid, false)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message_zh()))
}

/// (id, policy, division, recognised on).
const BASES: &[(&str, &str, &str, &str)] = &[
    ("HN-A", "hunan-2026", "430100", "2019-06-01"),
    ("HN-R", "hunan-2026", "430200", "2019-06-01"),
    ("HN-D", "hunan-2026", "430300", "2020-06-01"),
    ("HN-X", "hunan-2026", "430400", "2021-06-01"),
    ("HB-A", "hubei-2022", "420100", "2019-06-01"),
    ("HB-T", "hubei-2022", "420200", "2019-06-01"),
    ("HB-V", "hubei-2022", "420500", "2018-06-01"),
    ("HB-E", "hubei-2022", "420600", "2023-03-01"),
];

fn row(i: usize, extra: &[(Column, &str)]) -> Vec<(Column, String)> {
    let (id, policy, division, on) = BASES[i];
    let mut r = vec![
        (Column::BaseId, id.to_string()),
        (Column::OfficialName, format!("{id}国际科技合作基地")),
        (Column::UnitName, format!("{id}有限公司")),
        (Column::Uscc, complete_uscc(&format!("91{division}MA{i:06}")).unwrap()),
        (Column::Policy, policy.into()),
        (
            Column::Category,
            if policy == "hunan-2026" { "联合研究类" } else { "" }.into(),
        ),
        (Column::Domain, "新材料".into()),
        (Column::Director, format!("{id}负责人")),
        (Column::RecognisedOn, on.into()),
    ];
    r.extend(extra.iter().map(|(c, v)| (*c, v.to_string())));
    r
}

/// Every base's status history, by id.
async fn histories(g: &Guohe) -> Vec<(String, Vec<StatusEntry>)> {
    g.read(|w, _, _| {
        let mut v: Vec<_> = w.bases().map(|b| (b.id.clone(), b.history.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    })
    .await
}

#[tokio::test]
async fn a_register_in_every_status_exported_as_xlsx_or_csv_imports_as_the_same_register() {
    let one = common::database("sqlite").await.unwrap();
    let g = open(&one.url).await;
    let all: Vec<_> = (0..BASES.len()).map(|i| row(i, &[])).collect();
    assert!(import(&g, &grid(&all)).await.written);
    let run = |on: &str, c: serde_json::Value| {
        let g = &g;
        let on = d(on);
        async move {
            let c: Command = serde_json::from_value(c).unwrap();
            g.execute(&dept(), on, c).await.unwrap_or_else(|e| panic!("{e}"));
        }
    };
    // Hunan 第十五条: an unqualified evaluation orders a year's rectification.
    run(
        "2026-06-01",
        json!({"type": "RecordEvaluation", "base": "HN-R", "grade": "unqualified"}),
    )
    .await;
    // Hunan 第十六条第（八）项: disqualified (with the ban on applying again).
    run("2026-07-10", json!({"type": "RecordFinding", "case": "base/HN-D", "finding": "other_unfit", "effective_on": "2026-07-01", "evidence": "核查报告"})).await;
    // Hunan 第十七条: recognised nationally, it leaves the provincial register.
    run("2026-08-10", json!({"type": "RecordFinding", "case": "base/HN-X", "finding": "national_recognition", "effective_on": "2026-08-01", "evidence": "国科发外〔2026〕1号"})).await;
    // Hubei 第二十八条第（二）项 and 第二十九条第（一）项: terminated, revoked.
    run("2026-03-10", json!({"type": "RecordFinding", "case": "base/HB-T", "finding": "unable_to_operate", "effective_on": "2026-03-01", "evidence": "依托单位注销"})).await;
    run("2026-04-10", json!({"type": "RecordFinding", "case": "base/HB-V", "finding": "false_materials", "effective_on": "2026-04-01", "evidence": "核查报告"})).await;
    // Hubei 第二十八条第（一）项: an unqualified evaluation terminates.
    run(
        "2026-09-01",
        json!({"type": "RecordEvaluation", "base": "HB-E", "grade": "unqualified"}),
    )
    .await;

    let original = histories(&g).await;
    let statuses: Vec<&str> = original
        .iter()
        .map(|(_, h)| guohe_app::import_columns::status_code(h.last().unwrap().status))
        .collect();
    for s in [
        "active",
        "rectification",
        "disqualified",
        "exited_national",
        "terminated",
        "revoked",
    ] {
        assert!(statuses.contains(&s), "{s} in {statuses:?}");
    }
    let register = g.read(|w, _, _| guohe_domain::register(w, d(TODAY))).await;
    let table: Table = g
        .read(|w, _, p| {
            let bases = exports::all_bases(w, d(TODAY), None);
            exports::register_table(p, &bases, "全部状态", d(TODAY))
        })
        .await;
    assert_eq!(table.rows.len(), BASES.len());
    let xlsx = table.xlsx().unwrap();

    for (name, grid) in [
        ("xlsx", read_workbook(&xlsx).unwrap()),
        ("csv", read_csv(table.csv().as_bytes()).unwrap()),
    ] {
        let two = common::database("sqlite").await.unwrap();
        let g2 = open(&two.url).await;
        let r = import(&g2, &grid).await;
        assert!(r.written, "{name}: {:#?}", r.errors);
        assert_eq!(
            histories(&g2).await,
            original,
            "{name}: the same statuses, dates and grounds"
        );
        let again = g2.read(|w, _, _| guohe_domain::register(w, d(TODAY))).await;
        assert_eq!(again, register, "{name}: the same register");
        // Each status step cites its article.
        let d_row = r.new.iter().find(|n| n.base == "HN-D").unwrap();
        assert!(
            d_row.articles.iter().any(|a| a == "hunan-2026:16.8"),
            "{:?}",
            d_row.articles
        );
        assert_eq!(d_row.status.as_ref().map(|s| s.1), Some(d("2026-07-01")));
        // The rectification runs its year from the date in the sheet.
        let r_status = g2.read(|w, _, _| w.base("HN-R").unwrap().status).await;
        assert_eq!(r_status, BaseStatus::UnderRectification { until: d("2027-06-01") });
        // A second run adds nothing.
        let again = import(&g2, &grid).await;
        assert!(again.is_clean() && !again.written, "{:?}", again.errors);
        assert_eq!(again.unchanged.len(), BASES.len());
        assert!(g2.verify().await.unwrap().is_intact());
    }
}

#[tokio::test]
async fn a_status_without_its_date_or_with_the_wrong_grounds_is_refused() {
    let db = common::database("sqlite").await.unwrap();
    let g = open(&db.url).await;
    let file = grid(&[
        row(0, &[(Column::Status, "取消资格"), (Column::StatusSince, "2026-05-01")]),
        row(1, &[(Column::Status, "限期整改")]),
        row(2, &[(Column::Status, "撤销命名"), (Column::StatusSince, "2026-05-01")]),
        row(
            5,
            &[
                (Column::Status, "终止并注销命名"),
                (Column::StatusSince, "2026-05-01"),
                (
                    Column::StatusGrounds,
                    "提供虚假材料和不实信息，申请阶段驳回申请，已认定的撤销命名",
                ),
            ],
        ),
        row(6, &[(Column::Status, "暂停"), (Column::StatusSince, "2026-05-01")]),
        row(
            7,
            &[
                (Column::Status, "撤销命名"),
                (Column::StatusSince, "2030-01-01"),
                (Column::StatusGrounds, "false_materials"),
            ],
        ),
    ]);
    let r = import(&g, &file).await;
    assert!(!r.written);
    let got: Vec<(u32, &str)> = r.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, "状态依据"),
            (3, "状态日期"),
            (4, "状态"),
            (5, "状态依据"),
            (6, "状态"),
            (7, "状态日期"),
        ],
        "{:#?}",
        r.errors
    );
    assert!(r.errors[0].reason.contains("可选"), "{}", r.errors[0].reason);
    assert!(r.errors[3].reason.contains("撤销命名"), "{}", r.errors[3].reason);
}
