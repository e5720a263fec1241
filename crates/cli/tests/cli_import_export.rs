//! `guohe import bases` and `guohe export` — a 200-row xlsx of existing bases imports with
//! `--dry-run` (nothing written) and then for real; a second run adds nothing; a file with bad
//! rows is refused as a whole (exit 2) with row, column and Chinese reason; the register
//! exported as xlsx imports into an empty database as the same register; every export opens
//! as a workbook. Accounts named in the file are opened with their initial passwords printed
//! once; bases in every status round-trip through `export register --all`; the import is on the
//! hash chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::Reader;
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const TODAY: &str = "2026-11-20";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn run_on(&self, db: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join(db).display()))
            .current_dir(root())
            .output()
            .unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_on("guohe.db", args)
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
    fn register(&self, db: &str) -> String {
        let o = self.run_on(db, &["register", "--as-of", TODAY, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        out(&o)
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A valid USCC of a unit in `division` (GB 11714 and GB 32100 check characters).
fn uscc(division: &str, n: usize) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("91{division}MA{n:06}");
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {stem}")
}

const HEADINGS: [&str; 13] = [
    "基地编号",
    "基地名称",
    "依托单位",
    "统一社会信用代码",
    "管理办法",
    "基地类型",
    "技术领域",
    "合作国别",
    "地区",
    "基地负责人",
    "认定日期",
    "国家基地",
    "状态",
];

/// Row `i`: Hunan (old category names every fourth row, Hunan 第二十二条) or Hubei.
fn row(i: usize) -> Vec<String> {
    let hunan = i.is_multiple_of(2);
    let (division, province, policy) = if hunan {
        ("430100", "湖南省", "湘科发〔2026〕27号")
    } else {
        ("420100", "湖北省", "鄂科技规〔2022〕6号")
    };
    let category = match (hunan, i % 4) {
        (false, _) => "",
        (true, 0) => "国际联合研究中心（实验室）",
        (true, _) => "特色类",
    };
    vec![
        format!("B-{i:04}"),
        format!("{province}第{i}号国际科技合作基地"),
        format!("示范单位{i}"),
        uscc(division, i),
        policy.into(),
        category.into(),
        format!("领域{}", i % 9),
        "日本".into(),
        String::new(),
        format!("负责人{i}"),
        format!("{}-03-{:02}", 2012 + i % 12, 1 + i % 28),
        "否".into(),
        "正常运行".into(),
    ]
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (j, h) in HEADINGS.iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            let (row, col) = (1 + i as u32, j as u16);
            match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => {
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).unwrap();
                    ws.write_datetime_with_format(row, col, &dt, &date).unwrap();
                }
                Err(_) if v.is_empty() => {}
                Err(_) => {
                    ws.write_string(row, col, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn sheet(path: &str) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let r = wb.worksheet_range_at(0).unwrap().unwrap();
    r.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn two_hundred_bases_import_after_a_dry_run_the_register_round_trips_and_exports_open() {
    let env = Env::new();
    let file = env.path("bases.xlsx");
    std::fs::write(&file, xlsx(&(0..200).map(row).collect::<Vec<_>>())).unwrap();
    let import = |db: &str, f: &str, dry: bool| {
        let mut args = vec!["import", "bases", f, "--as", "dept:zhang", "--on", TODAY];
        if dry {
            args.push("--dry-run");
        }
        env.run_on(db, &args)
    };

    let empty = env.register("guohe.db");
    let o = import("guohe.db", &file, true);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("新增 200"), "{}", out(&o));
    assert!(out(&o).contains("试运行"), "{}", out(&o));
    assert_eq!(env.register("guohe.db"), empty, "a dry run writes nothing");

    let o = import("guohe.db", &file, false);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("已导入"), "{}", out(&o));
    // Hunan 第二十二条 maps the old category.
    assert!(
        out(&o).contains("国际联合研究中心（实验室） → joint_research"),
        "{}",
        out(&o)
    );
    let reg = env.register("guohe.db");
    let v: serde_json::Value = serde_json::from_str(&reg).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(200));

    let o = import("guohe.db", &file, false);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("新增 0，已在登记簿 200"), "{}", out(&o));
    assert_eq!(env.register("guohe.db"), reg, "a second run adds nothing");

    // The register as xlsx (and CSV), into an empty database: the same register.
    for (fmt, name, db) in [("xlsx", "register.xlsx", "two.db"), ("csv", "register.csv", "three.db")] {
        let path = env.path(name);
        let o = env.run(&["export", "register", "--format", fmt, "--as-of", TODAY, "-o", &path]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let o = import(db, &path, false);
        assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
        assert_eq!(env.register(db), reg, "{fmt}: the same register");
    }
    let s = sheet(&env.path("register.xlsx"));
    assert!(s[0][0].contains(TODAY), "the title row says as of when: {}", s[0][0]);
    assert_eq!(s[1][..13], HEADINGS);
    assert_eq!(s[1][13..], ["状态日期", "状态依据"], "a status's date and grounds");
    assert_eq!(s.len(), 202);

    for what in ["assessments", "evaluations"] {
        let path = env.path(&format!("{what}.xlsx"));
        let o = env.run(&["export", what, "--as-of", TODAY, "-o", &path]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert_eq!(sheet(&path)[1][0], "年度");
    }
    let o = env.run(&["export", "applications", "-o", &env.path("a.xlsx")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--round"), "{}", err(&o));
    let o = env.run(&["export", "applications", "--round", "NONE", "-o", &env.path("a.xlsx")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("申报批次“NONE”不存在"), "{}", err(&o));
}

#[test]
fn a_file_with_bad_rows_is_refused_as_a_whole() {
    let env = Env::new();
    let mut rows: Vec<_> = (0..6).map(row).collect();
    rows[2][3] = "91430100MA00000200".into();
    rows[4][10] = "2030-01-01".into();
    rows[5][4] = "某省办法".into();
    let file = env.path("bad.csv");
    let mut csv = HEADINGS.join(",") + "\n";
    for r in &rows {
        csv.push_str(&(r.join(",") + "\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let empty = env.register("guohe.db");
    let o = env.run(&["import", "bases", &file, "--as", "dept:zhang", "--on", TODAY]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("第 4 行  统一社会信用代码："), "{text}");
    assert!(
        text.contains("第 6 行  认定日期：认定日期 2030-01-01 晚于今天"),
        "{text}"
    );
    assert!(text.contains("第 7 行  管理办法：管理办法“某省办法”未载入"), "{text}");
    assert!(err(&o).contains("整份文件未导入"), "{}", err(&o));
    assert_eq!(env.register("guohe.db"), empty, "nothing written");
}

#[test]
fn accounts_open_with_passwords_printed_once_statuses_round_trip_and_the_import_is_audited() {
    let env = Env::new();
    let mut headings: Vec<&str> = HEADINGS.to_vec();
    headings.extend([
        "状态日期",
        "状态依据",
        "依托单位账号",
        "依托单位手机",
        "依托单位邮箱",
        "负责人账号",
        "负责人手机",
        "负责人邮箱",
    ]);
    let mut csv = headings.join(",") + "\n";
    for i in 0..3 {
        let mut r = row(2 * i);
        let (status, since, grounds) = match i {
            0 => ("正常运行", "", ""),
            1 => ("取消资格", "2026-07-01", "其他不宜继续作为国合基地的情形，取消资格"),
            _ => ("退出省级管理序列（国家基地）", "2026-08-01", ""),
        };
        r[12] = status.into();
        r.extend([since.to_string(), grounds.to_string()]);
        r.extend([format!("unit-{i}"), "13812341234".into(), String::new()]);
        r.extend([format!("director-{i}"), String::new(), format!("d{i}@example.cn")]);
        csv.push_str(&(r.join(",") + "\n"));
    }
    let file = env.path("bases.csv");
    std::fs::write(&file, csv).unwrap();
    let import = |db: &str, f: &str, dry: bool| {
        let mut args = vec!["import", "bases", f, "--as", "dept:zhang", "--on", TODAY];
        if dry {
            args.push("--dry-run");
        }
        env.run_on(db, &args)
    };

    let o = import("guohe.db", &file, true);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("新开账号 6"), "{}", out(&o));
    assert!(!out(&o).contains("初始口令"), "a dry run opens nothing: {}", out(&o));

    let o = import("guohe.db", &file, false);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    let passwords: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once("初始口令 initial password: ").map(|(_, p)| p.trim()))
        .collect();
    assert_eq!(passwords.len(), 6, "{text}");
    assert!(text.contains("取消资格（自 2026-07-01）"), "{text}");
    assert!(text.contains("只显示这一次"), "{text}");
    let o = env.run(&["account", "list", "--role", "support_unit"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    for login in ["unit-0", "director-2"] {
        assert!(out(&o).contains(login), "{}", out(&o));
    }
    // Who imported what is on the chain — without a password.
    let o = env.run(&["history", &format!("audit/{TODAY}"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let audit: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let imported: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "BasesImported")
        .collect();
    assert_eq!(imported.len(), 1, "{audit:#}");
    assert_eq!(imported[0]["actor"], "dept:zhang");
    assert_eq!(imported[0]["payload"]["file"], "bases.csv");
    assert_eq!(imported[0]["payload"]["bases"].as_array().map(Vec::len), Some(3));
    for p in &passwords {
        assert!(!out(&o).contains(p), "no password on the chain");
    }

    let o = import("guohe.db", &file, false);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("新开账号 0，已有账号 6"), "{}", out(&o));
    assert!(!out(&o).contains("初始口令"), "{}", out(&o));

    // Every status through `export register --all`, into an empty database: the same.
    let one = env.path("all.csv");
    let o = env.run(&[
        "export", "register", "--all", "--format", "csv", "--as-of", TODAY, "-o", &one,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let exported = std::fs::read_to_string(&one).unwrap();
    assert!(
        exported.contains("取消资格") && exported.contains("2026-08-01"),
        "{exported}"
    );
    let o = import("two.db", &one, false);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let two = env.path("all-two.csv");
    let o = env.run_on(
        "two.db",
        &[
            "export", "register", "--all", "--format", "csv", "--as-of", TODAY, "-o", &two,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(&two).unwrap(),
        exported,
        "the same register, every status"
    );
}

#[test]
fn a_taken_login_refuses_the_file_naming_the_column() {
    let env = Env::new();
    let o = env.run(&[
        "account",
        "create",
        "--login",
        "taken",
        "--name",
        "别的单位",
        "--role",
        "support_unit",
        "--org",
        &uscc("430100", 999),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let mut headings: Vec<&str> = HEADINGS.to_vec();
    headings.push("依托单位账号");
    let mut r = row(0);
    r.push("taken".into());
    let file = env.path("taken.csv");
    std::fs::write(&file, headings.join(",") + "\n" + &r.join(",") + "\n").unwrap();
    let empty = env.register("guohe.db");
    let o = env.run(&["import", "bases", &file, "--as", "dept:zhang", "--on", TODAY]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("第 2 行  依托单位账号：账号“taken”已被其他单位或人员使用"),
        "{}",
        out(&o)
    );
    assert!(err(&o).contains("整份文件未导入"), "{}", err(&o));
    assert_eq!(env.register("guohe.db"), empty, "nothing written");
}
