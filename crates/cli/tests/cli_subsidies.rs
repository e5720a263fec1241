//! `guohe subsidy` — 建设经费后补助 from the command line (湖北第二十五条 “按一定比例评选优秀的省国合
//! 基地，并给予一定金额的建设经费后补助”): candidates with the share, a dry run that writes nothing,
//! the award beyond the share refused with the article, the list as text, CSV and xlsx; under
//! Hunan (第十五条 “优秀基地加大支持力度”) an award is refused as not provided.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join("guohe.db").display()))
            .current_dir(root())
            .output()
            .unwrap()
    }
    fn apply(&self, name: &str, v: serde_json::Value, on: &str) {
        let p = self.dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        let o = self.run(&["apply", p.to_str().unwrap(), "--as", "dept:zhang", "--on", on]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A valid unified social credit code of a Wuhan unit: the organisation code's check (GB 11714)
/// and the code's own (GB 32100-2015).
fn uscc(n: u32) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let body = format!("{n:08}");
    let org_sum: u32 = body
        .bytes()
        .zip([3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let org_check = match 11 - org_sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap(),
    };
    let stem = format!("91420100{body}{org_check}");
    let sum: u32 = stem
        .bytes()
        .zip(W)
        .map(|(c, w)| CHARS.iter().position(|&x| x == c).unwrap() as u32 * w)
        .sum();
    let check = CHARS[((31 - sum % 31) % 31) as usize] as char;
    format!("{stem}{check}")
}

/// Five Hubei bases graded on 2026-09-01: HB-1 and HB-2 优秀, the rest 合格 — 20% of 5 is 1.
fn setup() -> Env {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    for i in 1..=5u32 {
        env.apply(
            &format!("b{i}.json"),
            serde_json::json!({"type": "CarryOverBase", "base_id": format!("HB-{i}"), "policy": "hubei-2022",
                "official_name": format!("湖北省第{i}国际科技合作基地"), "unit_name": format!("单位{i}"), "uscc": uscc(i),
                "domain": format!("领域{i}"), "director": format!("负责人{i}"), "recognised_on": "2023-03-01"}),
            "2026-03-01",
        );
    }
    for i in 1..=5u32 {
        let grade = if i <= 2 { "excellent" } else { "qualified" };
        env.apply(
            &format!("e{i}.json"),
            serde_json::json!({"type": "RecordEvaluation", "base": format!("HB-{i}"), "grade": grade}),
            "2026-09-01",
        );
    }
    env
}

fn award<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "subsidy",
        "award",
        "--policy",
        "hubei-2022",
        "--year",
        "2026",
        "--document",
        "鄂科技函〔2026〕9号",
        "--issued-on",
        "2026-12-01",
        "--as",
        "dept:zhang",
        "--on",
        "2026-12-01",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn hubei_25_award_within_the_share_listed_and_exported() {
    let env = setup();
    let o = env.run(&["subsidy", "candidates", "--policy", "hubei-2022", "--year", "2026"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("评估基地 5 个") && text.contains("即 1 个"), "{text}");
    assert!(
        text.contains("HB-1") && text.contains("HB-2") && !text.contains("HB-3"),
        "{text}"
    );

    // Beyond the share (2 of 5 at 20%, rounded down): refused with the article, exit 2.
    let o = env.run(&award(&["--base", "HB-1=50", "--base", "HB-2=30"]));
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        err(&o).contains("not_allowed") && err(&o).contains("hubei-2022:25"),
        "{}",
        err(&o)
    );

    // A dry run prints the award and writes nothing.
    let o = env.run(&award(&["--base", "HB-1=50", "--dry-run"]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("HB-1") && out(&o).contains("dry run"), "{}", out(&o));
    let o = env.run(&["subsidy", "list"]);
    assert!(out(&o).contains("共 0 个基地"), "{}", out(&o));

    let o = env.run(&award(&["--base", "HB-1=50.25"]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("hubei-2022:25, hubei-2022:26"), "{}", out(&o));

    let o = env.run(&["subsidy", "list", "--year", "2026"]);
    let text = out(&o);
    assert!(
        text.contains("鄂科技函〔2026〕9号") && text.contains("50.25") && text.contains("共 1 个基地"),
        "{text}"
    );
    let o = env.run(&["subsidy", "list", "--year", "2025"]);
    assert!(out(&o).contains("共 0 个基地"), "{}", out(&o));

    let o = env.run(&["subsidy", "list", "--format", "csv"]);
    let csv = out(&o);
    assert!(csv.starts_with("\u{feff}评估年度,文号,发文日期"), "{csv}");
    assert!(
        csv.contains("2026,鄂科技函〔2026〕9号,2026-12-01,HB-1,湖北省第1国际科技合作基地,单位1,50.25,hubei-2022"),
        "{csv}"
    );

    let o = env.run(&["subsidy", "list", "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(2), "xlsx needs -o");
    let file = env.dir.path().join("subsidies.xlsx");
    let o = env.run(&["subsidy", "list", "--format", "xlsx", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        std::fs::read(&file).unwrap().starts_with(b"PK"),
        "an xlsx is a zip file"
    );

    // The base's history carries the award with its articles.
    let o = env.run(&["history", "base/HB-1"]);
    assert!(out(&o).contains("PostSubsidyAwarded"), "{}", out(&o));

    // 同一评估只给予一次.
    let o = env.run(&[
        "subsidy",
        "award",
        "--policy",
        "hubei-2022",
        "--year",
        "2026",
        "--document",
        "鄂科技函〔2026〕10号",
        "--base",
        "HB-1=10",
        "--as",
        "dept:zhang",
        "--on",
        "2026-12-02",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("already_recorded"), "{}", err(&o));
}

#[test]
fn malformed_amounts_and_hunan_are_refused() {
    let env = setup();
    let o = env.run(&award(&["--base", "HB-1=五十"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("awards[0].amount_wan") && err(&o).contains("不是数字"),
        "{}",
        err(&o)
    );
    let o = env.run(&award(&["--base", "HB-1=0"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("大于零"), "{}", err(&o));
    let o = env.run(&award(&["--base", "HB-1"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("BASE=AMOUNT"), "{}", err(&o));

    // 湖南第十五条: no post-subsidy in the Hunan measures.
    let o = env.run(&[
        "subsidy",
        "award",
        "--policy",
        "hunan-2026",
        "--year",
        "2026",
        "--document",
        "湘科函〔2026〕1号",
        "--base",
        "HN-1=10",
        "--as",
        "dept:li",
        "--on",
        "2026-12-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("not_provided") && err(&o).contains("加大支持力度") && err(&o).contains("hunan-2026:15"),
        "{}",
        err(&o)
    );
}
