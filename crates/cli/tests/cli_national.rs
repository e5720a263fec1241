//! `guohe national` — recommending bases to the national programme from the command line (湖北
//! 第二十七条 with 第二十二条、第二十四条, then 第三十条): the candidate list with reasons as text,
//! JSON, CSV and xlsx, a dry run that writes nothing, the recommendation, its refusal for a base
//! that does not qualify, and the outcome.

use std::io::Read;
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
    fn apply(&self, on: &str, v: serde_json::Value) {
        let p = self.dir.path().join("cmd.json");
        std::fs::write(&p, v.to_string()).unwrap();
        let o = self.run(&["apply", p.to_str().unwrap(), "--as", "dept:zhang", "--on", on]);
        assert_eq!(o.status.code(), Some(0), "{v}: {}", err(&o));
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Two national bases joining Hubei's register (第三十条) on 2023-01-05, graded every year;
/// HB-N-1 has a 不合格 for 2024; both evaluated 优秀 on 2026-07-01.
fn setup() -> Env {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let usccs = ["91420100MA4K56786D", "91420100748310252B"];
    for (i, uscc) in usccs.iter().enumerate() {
        env.apply(
            "2023-01-05",
            serde_json::json!({"type": "CarryOverBase", "base_id": format!("HB-N-{i}"), "policy": "hubei-2022",
                "official_name": format!("湖北省第{i}国际科技合作基地"), "unit_name": format!("单位{i}"), "uscc": uscc,
                "domain": format!("领域{i}"), "director": format!("负责人{i}"), "recognised_on": "2023-01-05", "national": true}),
        );
    }
    for year in 2023..=2025 {
        for i in 0..2 {
            env.apply(
                &format!("{}-01-10", year + 1),
                serde_json::json!({"type": "SubmitAnnualReport", "base": format!("HB-N-{i}"), "year": year, "submitted_on": format!("{}-01-10", year + 1)}),
            );
        }
        for i in 0..2 {
            let grade = if i == 1 && year == 2024 {
                "unqualified"
            } else {
                "qualified"
            };
            env.apply(
                &format!("{}-02-20", year + 1),
                serde_json::json!({"type": "RecordAnnualAssessment", "base": format!("HB-N-{i}"), "year": year, "grade": grade}),
            );
        }
    }
    for i in 0..2 {
        env.apply(
            "2026-07-01",
            serde_json::json!({"type": "RecordEvaluation", "base": format!("HB-N-{i}"), "grade": "excellent"}),
        );
    }
    env
}

fn unzip(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn candidates_recommend_and_outcome_with_their_articles() {
    let env = setup();
    let list = [
        "national",
        "candidates",
        "--policy",
        "hubei-2022",
        "--as-of",
        "2026-11-20",
    ];
    let o = env.run(&list);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("第二十七条"), "{text}");
    let (cands, excluded) = text.split_once("不符合 excluded").unwrap();
    assert!(cands.contains("HB-N-0") && !cands.contains("HB-N-1"), "{text}");
    assert!(
        excluded.contains("2024年度不合格") && excluded.contains("hubei-2022:22(1)"),
        "{text}"
    );

    let o = env.run(&[&list[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["candidates"][0]["base"], "HB-N-0");
    assert_eq!(v["excluded"][0]["checks"][2]["article"], "hubei-2022:22(1)");

    let o = env.run(&[&list[..], &["--format", "csv"]].concat());
    let csv = out(&o);
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("截至 2026-11-20"), "{csv}");
    assert!(lines[1].starts_with("\"结论\",\"基地编号\""), "{csv}");
    assert!(lines[2].starts_with("\"候选\",\"HB-N-0\""), "{csv}");

    // xlsx: Chinese headers, a title row with the policy and the date, the header frozen and
    // filtered, the evaluation's date a date.
    let o = env.run(&[&list[..], &["--format", "xlsx"]].concat());
    assert_eq!(o.status.code(), Some(2), "xlsx needs -o");
    let file = env.dir.path().join("candidates.xlsx");
    let o = env.run(&[&list[..], &["--format", "xlsx", "-o", file.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let strings = unzip(&file, "xl/sharedStrings.xml");
    assert!(
        strings.contains("最近一次评估日期") && strings.contains("截至 2026-11-20"),
        "{strings}"
    );
    let sheet = unzip(&file, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("ySplit=\"2\""), "frozen under the header: {sheet}");
    assert!(sheet.contains("<autoFilter ref=\"A2:J4\""), "{sheet}");
    // 2026-07-01 is Excel serial 46204, written as a number with the date format.
    assert!(sheet.contains("<v>46204</v>"), "{sheet}");
    assert!(unzip(&file, "xl/styles.xml").contains("yyyy-mm-dd"));

    // A base that does not qualify is refused with the criterion's article; nothing written.
    let rec = |bases: &[&str], extra: &[&str]| {
        let mut a = vec![
            "national",
            "recommend",
            "--policy",
            "hubei-2022",
            "--year",
            "2026",
            "--document",
            "鄂科技函〔2026〕30号",
            "--on",
            "2026-11-20",
        ];
        a.extend_from_slice(bases);
        a.extend_from_slice(extra);
        env.run(&a)
    };
    let o = rec(&["HB-N-0", "HB-N-1"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("hubei-2022:22(1)") && err(&o).contains("bases[1]"),
        "{}",
        err(&o)
    );
    let o = rec(&["HB-N-0"], &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("RecommendedToNational") && out(&o).contains("dry run"));
    let o = env.run(&["national", "list"]);
    assert!(out(&o).contains("暂无推荐记录"), "the dry run wrote nothing");
    let o = rec(&["HB-N-0"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("hubei-2022:27"), "{}", out(&o));
    let o = rec(&["HB-N-0"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("already_recorded"), "{}", err(&o));

    // The outcome: recognised, and under 第三十条 the base stays on the provincial register.
    let o = env.run(&[
        "national",
        "outcome",
        "--base",
        "HB-N-0",
        "--year",
        "2026",
        "--outcome",
        "recognised",
        "--document",
        "国科发外〔2026〕120号",
        "--effective-on",
        "2026-11-25",
        "--on",
        "2026-11-30",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("hubei-2022:30"), "{}", out(&o));
    let o = env.run(&["national", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["outcome"], "recognised");
    assert!(v[0]["follow_up"].as_str().unwrap().contains("第三十条"));
    let o = env.run(&["history", "base/HB-N-0"]);
    assert!(out(&o).contains("NationalOutcomeRecorded"), "{}", out(&o));
}

#[test]
fn bad_input_names_the_flag() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let o = env.run(&[
        "national",
        "candidates",
        "--policy",
        "hubei-2022",
        "--as-of",
        "2026-13-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--as-of"), "{}", err(&o));
    let o = env.run(&["national", "candidates", "--policy", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("nowhere"), "{}", err(&o));
}
