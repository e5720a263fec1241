//! The `guohe` binary end to end: policy commands, eligibility, naming, calendar.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guohe(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(args)
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .current_dir(root())
        .output()
        .expect("guohe runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("guohe.db");
    (dir, p)
}

#[test]
fn eligibility_text_and_json() {
    let (_d, db) = db();
    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "hubei-2022",
            "examples/applications/hubei-enterprise.json",
            "--as-of",
            "2026-11-21",
        ],
        &db,
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("待专家评审") && out.contains("hubei-2022:10.4"), "{out}");

    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "hunan-2026",
            "examples/applications/hunan-joint-research.json",
            "--as-of",
            "2026-11-21",
            "--format",
            "json",
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "needs_review");
    let rd = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "joint_research.rd_ratio")
        .unwrap();
    assert_eq!(rd["article"], "hunan-2026:6.2");
    assert_eq!(rd["status"], "pass");
}

#[test]
fn an_ineligible_verdict_still_exits_zero() {
    let (dir, db) = db();
    let mut app: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/applications/hubei-enterprise.json")).unwrap(),
    )
    .unwrap();
    app["unit"]["independent_legal_person"] = false.into();
    let f = dir.path().join("app.json");
    std::fs::write(&f, app.to_string()).unwrap();
    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "hubei-2022",
            f.to_str().unwrap(),
            "--as-of",
            "2026-11-21",
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.contains("不符合申报条件"));
}

#[test]
fn bad_input_exits_two_naming_the_field() {
    let (dir, db) = db();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let base = std::fs::read_to_string(root().join("examples/applications/hubei-enterprise.json")).unwrap();
    let cases = [
        (write("malformed.json", "{\"policy\": "), "JSON 格式错误"),
        (
            write(
                "type.json",
                &base.replace("\"registered_in_province\": true", "\"registered_in_province\": 1"),
            ),
            "unit.registered_in_province",
        ),
        (
            write("uscc.json", &base.replace("91420100MA4K56786D", "91420100MA4K56786X")),
            "unit.uscc",
        ),
        (
            write(
                "missing.json",
                &base.replace("\"technology_domain\": \"光电子信息\",", ""),
            ),
            "technology_domain",
        ),
    ];
    for (file, expect) in cases {
        let o = guohe(
            &["eligibility", "--policy", "hubei-2022", &file, "--as-of", "2026-11-21"],
            &db,
        );
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(expect), "{file}: {err}");
    }
    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "shanghai-2030",
            "examples/applications/hubei-enterprise.json",
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("unknown policy"));
    let o = guohe(&["eligibility", "--policy", "hubei-2022", "no-such-file.json"], &db);
    assert_eq!(o.status.code(), Some(2));
    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "hubei-2022",
            "examples/applications/hubei-enterprise.json",
            "--as-of",
            "21/11/2026",
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--as-of"));
}

#[test]
fn policy_list_show_and_check() {
    let (dir, db) = db();
    let o = guohe(&["policy", "list"], &db);
    let (out, _) = text(&o);
    assert!(
        out.contains("湘科发〔2026〕27号") && out.contains("鄂科技规〔2022〕6号"),
        "{out}"
    );
    let o = guohe(&["policy", "show", "hubei-2022", "--article", "28"], &db);
    let (out, _) = text(&o);
    assert!(
        out.contains("第二十八条") && out.contains("two_annual_unqualified_terminate"),
        "{out}"
    );
    let o = guohe(&["policy", "check", "policies/hunan-2026.yaml"], &db);
    assert_eq!(o.status.code(), Some(0));
    let broken = std::fs::read_to_string(root().join("policies/hunan-2026.yaml"))
        .unwrap()
        .replace("article: \"7.2\"", "article: \"7.3\"");
    let f = dir.path().join("broken.yaml");
    std::fs::write(&f, broken).unwrap();
    let o = guohe(&["policy", "check", f.to_str().unwrap()], &db);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("broken.yaml") && err.contains("eligibility[") && err.contains("item 3 of article 7"),
        "{err}"
    );
}

#[test]
fn naming_prints_the_official_name() {
    let (_d, db) = db();
    let o = guohe(
        &[
            "naming",
            "--policy",
            "hunan-2026",
            "--domain",
            "生物医药",
            "--category",
            "joint_research",
        ],
        &db,
    );
    assert_eq!(
        text(&o).0.trim(),
        "湖南省科学技术厅生物医药国际科技合作基地（联合研究）"
    );
    let o = guohe(&["naming", "--policy", "hunan-2026", "--domain", "生物医药"], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--category"));
}

#[test]
fn calendar_day_add_and_load() {
    let (dir, db) = db();
    let o = guohe(&["calendar", "add", "2026-09-28", "5"], &db);
    assert_eq!(text(&o).0.trim(), "2026-10-09");
    let o = guohe(&["calendar", "day", "2026-10-10"], &db);
    assert!(text(&o).0.contains("调休上班"));
    // The first year after the built-in schedules, whichever that is, is unknown ...
    let next = guohe_calendar::Calendar::builtin().years().last().unwrap() + 1;
    let day = format!("{next}-02-10");
    let o = guohe(&["calendar", "day", &day], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains(&format!("{next}年的节假日安排尚未载入")),
        "{:?}",
        text(&o)
    );
    // ... until a schedule for it (a test fixture, not an official one) is loaded, for every
    // later run.
    let f = dir.path().join("next.csv");
    std::fs::write(
        &f,
        format!("date,kind,festival\n{next}-01-01,off,元旦\n{next}-02-09,off,春节\n{next}-02-10,off,春节\n{next}-02-11,off,春节\n"),
    )
    .unwrap();
    let o = guohe(&["calendar", "load", f.to_str().unwrap()], &db);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let o = guohe(&["calendar", "day", &day], &db);
    assert!(text(&o).0.contains("春节"), "{:?}", text(&o));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "date,kind,festival\n2027-13-01,off,元旦\n").unwrap();
    let o = guohe(&["calendar", "load", bad.to_str().unwrap()], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("第2行日期“2027-13-01”无效"), "{:?}", text(&o));
}

/// 鄂科技规〔2022〕6号 第十一条: a primary partner in the Chinese mainland is not bad input (exit 2,
/// no article) but a failed condition, reported with its article.
#[test]
fn a_mainland_primary_partner_fails_article_11() {
    let (dir, db) = db();
    let base = std::fs::read_to_string(root().join("examples/applications/hubei-enterprise.json")).unwrap();
    let file = dir.path().join("cn.json");
    std::fs::write(
        &file,
        base.replacen(
            "\"primary_partner\": { \"country\": \"DE\" }",
            "\"primary_partner\": { \"country\": \"CN\" }",
            1,
        ),
    )
    .unwrap();
    let o = guohe(
        &[
            "eligibility",
            "--policy",
            "hubei-2022",
            file.to_str().unwrap(),
            "--as-of",
            "2026-11-21",
        ],
        &db,
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("第十一条") && out.contains("不应为中国（CN）"), "{out}");
}

#[test]
fn policy_diff_between_provinces_text_and_json() {
    // 湖北第二十二条第一款设年度考核；湖南第十四条只有年度报告。
    let (_d, db) = db();
    let o = guohe(&["policy", "diff", "hunan-2026", "hubei-2022"], &db);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("== 报告、考核与评估安排"), "{out}");
    assert!(out.contains("B 年度考核") && out.contains("hubei-2022:22(1)"), "{out}");
    assert!(out.contains("已折叠"), "identical lines fold: {out}");
    assert!(!out.contains("= 公示期"), "folded lines are not printed without --all");
    let o = guohe(&["policy", "diff", "hunan-2026", "hubei-2022", "--all"], &db);
    assert!(text(&o).0.contains("= 公示期"));

    let o = guohe(&["policy", "diff", "hunan-2026", "hubei-2022", "--format", "json"], &db);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines: Vec<&serde_json::Value> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["lines"].as_array().unwrap())
        .collect();
    let ev = lines
        .iter()
        .find(|l| l["key"] == "consequence:evaluation:unqualified")
        .unwrap();
    assert_eq!(ev["status"], "changed");
    assert_eq!(ev["a"]["articles"][0]["citation"], "hunan-2026:15");
    assert_eq!(ev["b"]["articles"][0]["citation"], "hubei-2022:28.1");
}

#[test]
fn policy_diff_of_a_new_version_loaded_from_a_file() {
    // A copy of Hubei with 公示不少于7个工作日 (第十七条第一款 says 5), under another id, loaded
    // with --policy-file; and the same copy named by its path.
    let (dir, db) = db();
    let original = std::fs::read_to_string(root().join("policies/hubei-2022.yaml")).unwrap();
    let copy =
        original
            .replacen("id: hubei-2022", "id: hubei-2027", 1)
            .replacen("working_days: 5", "working_days: 7", 1);
    let file = dir.path().join("hubei-2027.yaml");
    std::fs::write(&file, &copy).unwrap();
    let f = file.to_str().unwrap();
    let o = guohe(&["--policy-file", f, "policy", "diff", "hubei-2022", "hubei-2027"], &db);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("不同 1 项"), "only the notice period differs: {out}");
    assert!(out.contains("≠ 公示期"), "{out}");
    assert!(
        out.contains("不少于 5 个工作日") && out.contains("不少于 7 个工作日"),
        "{out}"
    );
    assert!(out.contains("hubei-2027:17(1)"), "{out}");

    let same_id = original.replacen("working_days: 5", "working_days: 7", 1);
    let file = dir.path().join("hubei-v2.yaml");
    std::fs::write(&file, &same_id).unwrap();
    let o = guohe(&["policy", "diff", "hubei-2022", file.to_str().unwrap()], &db);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("不同 1 项"), "{out}");

    let o = guohe(&["policy", "diff", "hubei-2022", "no-such-policy"], &db);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("B:") && err.contains("no-such-policy"), "{err}");
}

#[test]
fn policy_coverage_lists_rules_reasons_and_tests() {
    let (_d, db) = db();
    let o = guohe(&["policy", "coverage", "hubei-2022"], &db);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("共 33 条") && out.contains("未说明 0"), "{out}");
    // 第十条第（四）项：依托单位为企业的研发费用比例 — its rule and a test of it.
    assert!(out.contains("规则 enterprise.rd_ratio [10.4]"), "{out}");
    assert!(out.contains("policy/tests/hubei_2022.rs"), "{out}");
    // 第三十二条：本办法由省科技厅负责解释 — not encoded, with its reason.
    assert!(out.contains("第三十二条 hubei-2022:32\n  – 不编码（授权）"), "{out}");

    let o = guohe(&["policy", "coverage", "hunan-2026", "--format", "json"], &db);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["gaps"], 0);
    assert_eq!(v["articles"][0]["not_encoded"]["reason"], "purpose");

    let o = guohe(&["policy", "coverage", "hubei-2022", "--tests", "no/such/dir"], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--tests"));
}
