//! `guohe draw panel|decline|show` — 评审专家随机抽取 from the command line (湖北第十五条第一款,
//! 湖南第九条第3项): the pool is the province's expert accounts (created with their title, unit
//! and domains by `guohe account create`), avoidance of the applicant's own unit and of declared
//! conflicts is automatic on both provinces, a panel rerun from the published seed is the same
//! panel, a decline calls in the next reserve, and a pool given by hand must name accounts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");
const HUNAN: &str = include_str!("../../../examples/applications/hunan-joint-research.json");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn run_in(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join("guohe.db").display()))
            .env_remove("GUOHE_KEY_FILE")
            .env_remove("GUOHE_DATABASE_URL")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_in(args, "")
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}{}", out(&o), err(&o));
        out(&o)
    }
    fn refused(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}{}", out(&o), err(&o));
        err(&o)
    }
    fn write(&self, name: &str, v: &Value) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p.to_str().unwrap().to_string()
    }
    fn apply(&self, actor: &str, on: &str, v: Value) -> Output {
        let file = self.write("cmd.json", &v);
        self.run(&["apply", &file, "--as", actor, "--on", on])
    }
    fn expert(&self, login: &str, province: &str, unit: &str, domains: &str) {
        let o = self.run_in(
            &[
                "account",
                "create",
                "--login",
                login,
                "--name",
                &format!("专家{login}"),
                "--role",
                "expert",
                "--province",
                province,
                "--unit-uscc",
                unit,
                "--title",
                "教授",
                "--unit-name",
                &format!("{login}所在大学"),
                "--domains",
                domains,
                "--password-stdin",
            ],
            "Good#Pass2026x\n",
        );
        assert_eq!(o.status.code(), Some(0), "{login}: {}", err(&o));
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A valid USCC registered in a division.
fn uscc_in(division: &str, n: u32) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("91{division}00{n:06}");
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {division}/{n}");
}

/// A province's case: an application A1 recommended for review, and its expert accounts — one
/// of the applicant's own unit, one who declares a conflict before the draw, one of another
/// domain, and six who may sit.
struct Case {
    province: &'static str,
    policy: &'static str,
    article: &'static str,
    applicant: String,
}

fn hubei() -> Case {
    Case {
        province: "42",
        policy: "hubei-2022",
        article: "hubei-2022:15(1)",
        applicant: "91420100MA4K56786D".into(),
    }
}

fn hunan() -> Case {
    Case {
        province: "43",
        policy: "hunan-2026",
        article: "hunan-2026:9.3",
        applicant: "91430100MA4L12346D".into(),
    }
}

fn setup(c: &Case) -> Env {
    let env = Env::new();
    let (facts, domain, division): (Value, &str, &str) = if c.province == "42" {
        (serde_json::from_str(HUBEI).unwrap(), "光电子信息", "420100")
    } else {
        (serde_json::from_str(HUNAN).unwrap(), "生物医药", "430100")
    };
    let o = env.apply(
        "dept:zhang",
        "2026-03-01",
        json!({"type": "OpenRound", "id": "R", "policy": c.policy, "title": "2026年度申报",
               "opens_on": "2026-03-01", "closes_on": "2026-04-30"}),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = env.apply(
        &format!("unit:{}", c.applicant),
        "2026-03-16",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // A Hunan application goes straight to review when its unit applies directly; otherwise
    // it is recommended first. Either way it is in review after this.
    let _ = env.apply(
        "recommender:city",
        "2026-03-20",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "市科学技术局", "opinion": "同意推荐"}),
    );
    env.expert("own", c.province, &c.applicant, domain);
    env.expert("conflicted", c.province, &uscc_in(division, 50), domain);
    env.expert("chemist", c.province, &uscc_in(division, 51), "化学");
    for i in 1..=6 {
        env.expert(
            &format!("px{i}"),
            c.province,
            &uscc_in(division, 60 + i),
            &format!("{domain},新材料"),
        );
    }
    let o = env.apply(
        "expert:conflicted",
        "2026-03-25",
        json!({"type": "DeclareConflict", "application": "A1", "expert": "conflicted", "reason": "曾在该单位兼职"}),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    env
}

fn draw<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "draw",
        "panel",
        "--application",
        "A1",
        "--seed",
        "专家抽取-A1-2026",
        "--as",
        "dept:zhang",
        "--on",
        "2026-04-01",
    ];
    v.extend_from_slice(extra);
    v
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn avoidance_and_reproducibility(c: &Case) {
    let env = setup(c);
    // A dry run prints the panel and writes nothing.
    let dry = env.ok(&draw(&["--dry-run"]));
    assert!(dry.contains("专家抽取-A1-2026") && dry.contains(c.article), "{dry}");
    assert!(dry.contains("未写入"), "{dry}");
    assert!(dry.contains("专家own（own所在大学）"), "names, not logins: {dry}");
    env.refused(&["draw", "show", "A1"]);

    let drawn: Value = serde_json::from_str(&env.ok(&draw(&["--format", "json"]))).unwrap();
    let (panel, reserves) = (strs(&drawn["panel"]), strs(&drawn["reserves"]));
    assert_eq!(
        (panel.len(), reserves.len()),
        (3, 2),
        "min_experts and reserves of the policy"
    );
    let ground = |e: &str| {
        drawn["exclusions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["expert"] == e)
            .map(|x| x["reason"].as_str().unwrap().to_string())
    };
    // 回避: the applicant's own unit and the declared conflict, and the other domain.
    assert_eq!(ground("own").as_deref(), Some("own_unit"));
    assert_eq!(ground("conflicted").as_deref(), Some("declared_conflict"));
    assert_eq!(ground("chemist").as_deref(), Some("domain"));
    for e in ["own", "conflicted", "chemist"] {
        assert!(!panel.iter().chain(&reserves).any(|x| x == e), "{e} kept off");
    }
    assert_eq!(strs(&drawn["eligible"]), ["px1", "px2", "px3", "px4", "px5", "px6"]);
    // The published record is what was drawn, and reruns to the same panel.
    let shown: Value = serde_json::from_str(&env.ok(&["draw", "show", "A1", "--format", "json"])).unwrap();
    assert_eq!(shown, drawn);
    let record: guohe_domain::ExpertPanelDrawn = serde_json::from_value(shown).unwrap();
    assert_eq!(record.rerun(), (panel.clone(), reserves.clone()));
    // Rerun from the published seed on another machine: the same panel and reserves.
    let again = setup(c);
    let redrawn: Value = serde_json::from_str(&again.ok(&draw(&["--format", "json"]))).unwrap();
    assert_eq!(strs(&redrawn["panel"]), panel);
    assert_eq!(strs(&redrawn["reserves"]), reserves);
    // Never redrawn.
    let e = env.refused(&draw(&[]));
    assert!(e.contains("duplicate") && e.contains(c.article), "{e}");

    // A member declines: the first reserve is called in; `draw show` tells it with names.
    let first = panel[0].clone();
    let said = env.ok(&[
        "draw",
        "decline",
        "--application",
        "A1",
        "--expert",
        &first,
        "--reason",
        "出差",
        "--as",
        &format!("expert:{first}"),
        "--on",
        "2026-04-02",
    ]);
    assert!(
        said.contains("PanelSeatDeclined") && said.contains(&reserves[0]),
        "{said}"
    );
    let shown = env.ok(&["draw", "show", "A1"]);
    assert!(shown.contains("谢绝 declined") && shown.contains("出差"), "{shown}");
    assert!(
        shown.contains(&format!("专家{}（{}所在大学）", reserves[0], reserves[0])),
        "{shown}"
    );
    assert!(shown.contains("本单位") && shown.contains("申明回避"), "{shown}");
}

/// 湖北第十五条第一款.
#[test]
fn hubei_panel_avoids_own_unit_and_conflicts_and_reruns_from_its_seed() {
    avoidance_and_reproducibility(&hubei());
}

/// 湖南第九条第3项.
#[test]
fn hunan_panel_avoids_own_unit_and_conflicts_and_reruns_from_its_seed() {
    avoidance_and_reproducibility(&hunan());
}

/// A pool given by hand names active expert accounts of the province with the units on their
/// accounts; anything else is refused naming the experts, and nothing is drawn.
#[test]
fn a_pool_given_by_hand_is_checked_against_the_accounts() {
    let c = hubei();
    let env = setup(&c);
    env.ok(&["account", "disable", "px6"]);
    let pool = env.write(
        "pool.json",
        &json!([
            {"id": "px1", "unit_uscc": uscc_in("420100", 61), "domains": ["光电子信息"]},
            {"id": "ghost", "unit_uscc": uscc_in("420100", 90), "domains": ["光电子信息"]},
            {"id": "px6", "unit_uscc": uscc_in("420100", 66), "domains": ["光电子信息"]},
            {"id": "px2", "unit_uscc": uscc_in("420100", 99), "domains": ["光电子信息"]}
        ]),
    );
    let e = env.refused(&draw(&["--pool", &pool]));
    assert!(
        e.contains("--pool") && e.contains("ghost") && e.contains("px6") && e.contains("px2"),
        "{e}"
    );
    assert!(!e.contains("“px1”"), "p1 is fine: {e}");
    env.refused(&["draw", "show", "A1"]);
}

/// `guohe account create --role expert` takes the title, unit and domains the panel draw needs,
/// naming the flag at fault.
#[test]
fn expert_details_from_the_command_line() {
    let env = Env::new();
    let base = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec![
            "account",
            "create",
            "--login",
            "li-si",
            "--name",
            "李四",
            "--role",
            "expert",
            "--province",
            "42",
        ];
        v.extend_from_slice(extra);
        v.push("--password-stdin");
        v
    };
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--unit-uscc",
                "91420100MA4K56786D",
                "--title",
                "教授",
                "--unit-name",
                "某大学",
            ],
            "--domains",
        ),
        (
            &[
                "--unit-uscc",
                "91420100MA4K56786X",
                "--title",
                "教授",
                "--unit-name",
                "某大学",
                "--domains",
                "激光",
            ],
            "--unit-uscc",
        ),
        (
            &[
                "--unit-uscc",
                "91420100MA4K56786D",
                "--unit-name",
                "某大学",
                "--domains",
                "激光",
            ],
            "--title",
        ),
        (
            &[
                "--unit-uscc",
                "91420100MA4K56786D",
                "--title",
                "教授",
                "--domains",
                "激光",
            ],
            "--unit-name",
        ),
        (
            &[
                "--unit-uscc",
                "91420100MA4K56786D",
                "--title",
                "教授",
                "--unit-name",
                "某大学",
                "--domains",
                "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
            ],
            "--domains",
        ),
    ];
    for (extra, flag) in cases {
        let o = env.run_in(&base(extra), "Good#Pass2026x\n");
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", out(&o));
        assert!(err(&o).contains(flag), "{extra:?} names {flag}: {}", err(&o));
    }
    let o = env.run_in(
        &base(&[
            "--unit-uscc",
            "91420100MA4K56786D",
            "--title",
            "教授",
            "--unit-name",
            "某大学",
            "--domains",
            "激光,光电子信息",
        ]),
        "Good#Pass2026x\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let list = env.ok(&["account", "list", "--role", "expert"]);
    assert!(list.contains("li-si"), "{list}");
    // Only an expert has these details.
    let o = env.run_in(
        &[
            "account",
            "create",
            "--login",
            "hb-dept2",
            "--name",
            "厅",
            "--role",
            "department",
            "--province",
            "42",
            "--domains",
            "激光",
            "--password-stdin",
        ],
        "Good#Pass2026x\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--domains"), "{}", err(&o));
}
