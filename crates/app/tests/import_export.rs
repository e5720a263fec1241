//! 存量基地导入与 Excel 导出 on a real database: a 200-row xlsx of existing bases imports with a
//! dry run (nothing written) and then for real, all or nothing; a second run adds nothing; a
//! file with bad rows is refused as a whole with each row's reason; the register exported as
//! xlsx (and CSV) imports into an empty database and gives the same register; every export
//! opens as a workbook.

use crate::common;

use calamine::Reader;
use chrono::NaiveDate;
use common::on_both;
use guohe_app::export::Table;
use guohe_app::import::{Grid, ImportReport, read_csv, read_workbook};
use guohe_app::import_columns::{Column, complete_uscc};
use guohe_app::{Guohe, exports};
use guohe_domain::{Actor, Command};
use guohe_policy::PolicySet;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-20";

fn dept() -> Actor {
    Actor::parse("dept:zhang").unwrap()
}

async fn open(url: &str) -> Guohe {
    Guohe::open(url, PolicySet::default()).await.unwrap()
}

/// One row of the sheet, by column.
fn row(i: usize) -> Vec<(Column, String)> {
    let hunan = i.is_multiple_of(2);
    let (division, province, policy) = if hunan {
        ("430100", "湖南省", "湘科发〔2026〕27号")
    } else {
        ("420100", "湖北省", "hubei-2022")
    };
    let uscc = complete_uscc(&format!("91{division}MA{i:06}")).unwrap();
    // Hunan 第二十二条: every fourth row names an old category, mapped to the new one.
    let category = match (hunan, i % 4) {
        (false, _) => "",
        (true, 0) => "国际技术转移中心",
        (true, _) => "联合研究类",
    };
    vec![
        (Column::BaseId, format!("OLD-{i:04}")),
        (Column::OfficialName, format!("{province}第{i}号国际科技合作基地")),
        (Column::UnitName, format!("示范单位{i}有限公司")),
        (Column::Uscc, uscc),
        (Column::Policy, policy.into()),
        (Column::Category, category.into()),
        (Column::Domain, format!("领域{}", i % 7)),
        (
            Column::Country,
            if i.is_multiple_of(3) {
                "德国".into()
            } else {
                "FR".into()
            },
        ),
        (
            Column::Region,
            if i.is_multiple_of(5) {
                division.into()
            } else {
                String::new()
            },
        ),
        (Column::Director, format!("负责人{i}")),
        (Column::RecognisedOn, format!("{}-06-{:02}", 2015 + i % 10, 1 + i % 28)),
        (
            Column::National,
            if !hunan && i % 10 == 1 {
                "是".into()
            } else {
                "否".into()
            },
        ),
        (Column::Status, "正常运行".into()),
    ]
}

/// An xlsx written the way a department's own spreadsheet would be: a title line, the headings,
/// dates as date cells, a region code typed as a number.
fn workbook(rows: &[Vec<(Column, String)>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "存量基地").unwrap();
    for (j, c) in Column::ALL.iter().enumerate() {
        ws.write_string(1, j as u16, c.heading()).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let at = 2 + i as u32;
        for (j, (c, v)) in r.iter().enumerate() {
            let j = j as u16;
            match c {
                Column::RecognisedOn if NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() => {
                    let x = d(v);
                    use chrono::Datelike;
                    let dt = ExcelDateTime::from_ymd(x.year() as u16, x.month() as u8, x.day() as u8).unwrap();
                    ws.write_datetime_with_format(at, j, &dt, &date).unwrap();
                }
                Column::Region if !v.is_empty() => {
                    ws.write_number(at, j, v.parse::<f64>().unwrap()).unwrap();
                }
                _ if v.is_empty() => {}
                _ => {
                    ws.write_string(at, j, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(g: &Guohe, grid: &Grid, dry_run: bool) -> ImportReport {
    g.import_bases(&dept(), d(TODAY), grid, dry_run)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message_zh()))
}

async fn head(g: &Guohe) -> i64 {
    g.log().head().await.unwrap().map_or(0, |(s, _)| s)
}

async fn register(g: &Guohe) -> Vec<guohe_domain::RegisterEntry> {
    g.read(|w, _, _| guohe_domain::register(w, d(TODAY))).await
}

#[tokio::test]
async fn two_hundred_existing_bases_import_after_a_dry_run_and_a_second_run_adds_nothing() {
    on_both(|url| async move {
        let g = open(&url).await;
        let rows: Vec<_> = (0..200).map(row).collect();
        let grid = read_workbook(&workbook(&rows)).unwrap();
        let before = head(&g).await;

        let dry = import(&g, &grid, true).await;
        assert!(dry.is_clean(), "{:?}", dry.errors);
        assert_eq!((dry.rows, dry.new.len(), dry.written), (200, 200, false));
        assert_eq!(head(&g).await, before, "a dry run writes nothing");
        assert!(register(&g).await.is_empty());

        let done = import(&g, &grid, false).await;
        assert!(done.written);
        assert_eq!(done.new.len(), 200);
        let reg = register(&g).await;
        assert_eq!(reg.len(), 200);
        // Hunan 第二十二条: 国际技术转移中心 is carried over as 技术转移类, citing the article.
        let mapped = done.new.iter().find(|n| n.base == "OLD-0000").unwrap();
        assert_eq!(
            mapped.reclassified,
            Some(("国际技术转移中心".into(), "technology_transfer".into()))
        );
        assert!(
            mapped.articles.iter().any(|a| a == "hunan-2026:22"),
            "{:?}",
            mapped.articles
        );
        let b = g.read(|w, _, _| w.base("OLD-0000").cloned()).await.unwrap();
        assert_eq!(b.category.as_deref(), Some("technology_transfer"));
        assert_eq!(b.partner_country.as_deref(), Some("DE"));
        // Hubei 第三十条: a national base joins without re-recognition.
        let n = done.new.iter().find(|n| n.base == "OLD-0001").unwrap();
        assert!(n.articles.iter().any(|a| a == "hubei-2022:30"), "{:?}", n.articles);

        let after = head(&g).await;
        let again = import(&g, &grid, false).await;
        assert!(again.is_clean(), "{:?}", again.errors);
        assert_eq!((again.new.len(), again.unchanged.len(), again.written), (0, 200, false));
        assert_eq!(head(&g).await, after, "a second run adds nothing");
        assert!(g.verify().await.unwrap().is_intact());
    })
    .await;
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_as_a_whole_naming_row_column_and_reason() {
    on_both(|url| async move {
        let g = open(&url).await;
        let mut rows: Vec<_> = (0..10).map(row).collect();
        let set = |r: &mut Vec<(Column, String)>, c: Column, v: &str| {
            r.iter_mut().find(|(x, _)| *x == c).unwrap().1 = v.into();
        };
        set(&mut rows[1], Column::Uscc, "91420100MA4K56786A");
        set(&mut rows[2], Column::Country, "火星");
        set(&mut rows[3], Column::RecognisedOn, "去年");
        set(&mut rows[4], Column::BaseId, "OLD-0000");
        // Recognised after Hunan's regulation entered into force: an old category no longer applies.
        set(&mut rows[8], Column::RecognisedOn, "2026-05-01");
        set(&mut rows[6], Column::Region, "420100");
        set(&mut rows[9], Column::Status, "限期整改");
        let grid = read_workbook(&workbook(&rows)).unwrap();
        let before = head(&g).await;
        let r = import(&g, &grid, false).await;
        assert!(!r.written);
        assert_eq!(head(&g).await, before, "nothing written");
        assert!(register(&g).await.is_empty(), "no partial import");
        let got: Vec<(u32, &str)> = r.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        // Sheet rows: the title is row 1, the headings row 2, data row i is row i + 3.
        assert_eq!(
            got,
            vec![
                (4, "统一社会信用代码"),
                (5, "合作国别"),
                (6, "认定日期"),
                (7, "基地编号"),
                (9, "地区"),
                (11, "基地类型"),
                // Hubei has no rule an import can take to 限期整改, and the date is missing.
                (12, "状态日期"),
                (12, "状态"),
            ],
            "{:#?}",
            r.errors
        );
        assert!(r.errors[0].reason.contains("校验码"), "{}", r.errors[0].reason);
        assert!(r.errors[1].reason.contains("火星"));
        assert!(r.errors[3].reason.contains("第 3 行重复"), "{}", r.errors[3].reason);
        assert!(r.errors[5].reason.contains("旧类型"), "{}", r.errors[5].reason);
        // The same good rows alone import.
        let good: Vec<_> = [0, 5, 7].into_iter().map(row).collect();
        let ok = import(&g, &read_workbook(&workbook(&good)).unwrap(), false).await;
        assert!(ok.written && ok.new.len() == 3, "{:?}", ok.errors);
    })
    .await;
}

fn sheet_rows(bytes: &[u8], sheet: usize) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(sheet).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn the_register_exported_as_xlsx_or_csv_imports_into_an_empty_database_as_the_same_register() {
    let one = common::database("sqlite").await.unwrap();
    let g = open(&one.url).await;
    let rows: Vec<_> = (0..40).map(row).collect();
    assert!(
        import(&g, &read_workbook(&workbook(&rows)).unwrap(), false)
            .await
            .written
    );
    let original = register(&g).await;
    let table: Table = g
        .read(|w, _, p| {
            let bases = exports::register_bases(w, d(TODAY), None);
            exports::register_table(p, &bases, "在册", d(TODAY))
        })
        .await;
    assert!(
        table.title.contains("在册") && table.title.contains(TODAY),
        "{}",
        table.title
    );
    let xlsx = table.xlsx().unwrap();
    let back = sheet_rows(&xlsx, 0);
    assert_eq!(back[1][0], "基地编号");
    assert_eq!(back.len(), 42);

    for (name, grid) in [
        ("xlsx", read_workbook(&xlsx).unwrap()),
        ("csv", read_csv(table.csv().as_bytes()).unwrap()),
    ] {
        let two = common::database("sqlite").await.unwrap();
        let g2 = open(&two.url).await;
        let r = import(&g2, &grid, false).await;
        assert!(r.written, "{name}: {:?}", r.errors);
        assert_eq!(register(&g2).await, original, "{name}: the same register");
    }
}

#[tokio::test]
async fn every_export_and_the_template_open_as_workbooks() {
    let db = common::database("sqlite").await.unwrap();
    let g = open(&db.url).await;
    let run = |on: &str, c: serde_json::Value, who: &str| {
        let g = &g;
        let on = d(on);
        let who = Actor::parse(who).unwrap();
        async move {
            let c: Command = serde_json::from_value(c).unwrap();
            g.execute(&who, on, c).await.unwrap_or_else(|e| panic!("{e}"));
        }
    };
    // A round with one application reviewed by three experts.
    run("2026-03-01", json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国合基地申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}), "dept:zhang").await;
    let facts: serde_json::Value =
        serde_json::from_str(include_str!("../../../examples/applications/hubei-enterprise.json")).unwrap();
    run(
        "2026-03-16",
        json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026", "facts": facts}),
        "unit:91420100MA4K56786D",
    )
    .await;
    run("2026-03-20", json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科学技术局", "opinion": "同意推荐"}), "recommender:wuhan").await;
    for (i, (uscc, conclusion)) in [
        ("12100000441626842D", "recommend"),
        ("12100000441626770L", "recommend"),
        ("12430000444881590X", "neutral"),
    ]
    .iter()
    .enumerate()
    {
        run("2026-04-01", json!({"type": "AssignExpert", "application": "A1", "expert_id": format!("e{i}"), "expert_unit_uscc": uscc}), "dept:zhang").await;
        run("2026-04-10", json!({"type": "SubmitReview", "application": "A1", "expert": format!("e{i}"), "score": 80 + i, "conclusion": conclusion, "comments": "基础扎实"}), &format!("expert:e{i}")).await;
    }
    // A legacy Hubei base (第三十一条) with no annual report: graded by rule in January.
    let rows: Vec<_> = [3].into_iter().map(row).collect();
    assert!(
        import(&g, &read_workbook(&workbook(&rows)).unwrap(), false)
            .await
            .written
    );
    g.tick(d("2027-01-20")).await.unwrap();

    let as_of = d("2027-01-20");
    let (rec, assess, eval, years) = g
        .read(|w, _, p| {
            (
                exports::recommendation_table(w, p, "HB-2026", as_of).unwrap(),
                exports::assessment_table(w, p, Some(2026), as_of, &|_| true),
                exports::evaluation_table(w, p, None, as_of, &|_| true),
                exports::result_years(w, &|_| true),
            )
        })
        .await;
    assert_eq!(years.0, vec![2026]);
    let r = sheet_rows(&rec.xlsx().unwrap(), 0);
    assert_eq!(
        r[1],
        [
            "序号",
            "申报编号",
            "依托单位",
            "基地名称",
            "推荐单位",
            "评审专家数",
            "专家平均分",
            "推荐",
            "一般",
            "不推荐",
            "条件核查结论"
        ]
    );
    assert_eq!(r[2][1], "A1");
    assert_eq!(r[2][4], "武汉市科学技术局");
    assert_eq!(&r[2][5..10], ["3", "81", "2", "1", "0"]);
    let a = sheet_rows(&assess.xlsx().unwrap(), 0);
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(a[2][1], "OLD-0003");
    assert_eq!(a[2][6], "是", "graded for the missing report");
    let e = sheet_rows(&eval.xlsx().unwrap(), 0);
    assert_eq!(e[1][6], "评估结果");
    assert!(rec.csv().starts_with('\u{feff}'));

    // Several tables in one workbook.
    let book = guohe_app::export::book(&[rec, assess, eval]).unwrap();
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(book)).unwrap();
    assert_eq!(wb.sheet_names(), ["推荐汇总表", "年度考核结果", "评估结果"]);

    // The template: its example row passes a dry run; drop-downs sit on a hidden sheet.
    let tpl = exports::import_template(
        &g.policies().all().iter().collect::<Vec<_>>(),
        &["新材料".into()],
        d(TODAY),
    )
    .unwrap();
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(tpl.clone())).unwrap();
    assert_eq!(wb.sheet_names(), ["基地名录", "选项", "说明"]);
    let fresh = common::database("sqlite").await.unwrap();
    let g2 = open(&fresh.url).await;
    let r = import(&g2, &read_workbook(&tpl).unwrap(), true).await;
    assert!(r.is_clean() && r.new.len() == 1, "{:?}", r.errors);
}
