//! `guohe draw` — 双随机、一公开 site-inspection draws from the command line (Hubei 第二十二条第一款):
//! a dry run writes nothing, the draw is recorded and shown with its seed, and its published
//! record reruns to the same selection.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join("guohe.db").display()))
            .current_dir(root())
            .output()
            .unwrap()
    }
    fn expert(&self, login: &str, unit: &str) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args([
                "account",
                "create",
                "--login",
                login,
                "--name",
                login,
                "--role",
                "expert",
                "--province",
                "42",
                "--unit-uscc",
                unit,
                "--title",
                "研究员",
                "--unit-name",
                "某研究院",
                "--domains",
                "激光",
                "--password-stdin",
            ])
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join("guohe.db").display()))
            .current_dir(root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"Good#Pass2026x\n").unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{login}: {}", err(&o));
    }
    fn write(&self, name: &str, v: serde_json::Value) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p.to_str().unwrap().to_string()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const USCCS: [&str; 3] = ["91420100MA4K56786D", "91420100748310252B", "91420500177681622L"];

fn setup() -> (Env, String) {
    let env = Env::new();
    for (i, uscc) in USCCS.iter().enumerate() {
        let file = env.write(
            &format!("b{i}.json"),
            serde_json::json!({"type": "CarryOverBase", "base_id": format!("HB-OLD-{i}"), "policy": "hubei-2022",
                "official_name": format!("湖北省第{i}国际科技合作基地"), "unit_name": format!("单位{i}"), "uscc": uscc,
                "domain": format!("领域{i}"), "director": format!("负责人{i}"), "recognised_on": "2019-06-01"}),
        );
        let o = env.run(&["apply", &file, "--as", "dept:zhang", "--on", "2026-01-05"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }
    // The pool given by hand must name the province's expert accounts, with their units.
    let mut pool = vec![serde_json::json!({"id": "own-0", "unit_uscc": USCCS[0]})];
    env.expert("own-0", USCCS[0]);
    for i in 1..=3 {
        let unit = uscc_in("420300", i);
        env.expert(&format!("ex{i}"), &unit);
        pool.push(serde_json::json!({"id": format!("ex{i}"), "unit_uscc": unit}));
    }
    let pool = env.write("pool.json", serde_json::Value::Array(pool));
    (env, pool)
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

fn draw_args<'a>(pool: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "draw",
        "inspections",
        "--round",
        "HB-2026-A",
        "--policy",
        "hubei-2022",
        "--year",
        "2026",
        "--share",
        "0.5",
        "--seed",
        "鄂-2026",
        "--pool",
        pool,
        "--as",
        "dept:zhang",
        "--on",
        "2026-11-02",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn dry_run_then_draw_show_and_rerun() {
    let (env, pool) = setup();
    let o = env.run(&draw_args(&pool, &["--dry-run"]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let dry = out(&o);
    assert!(
        dry.contains("鄂-2026") && dry.contains("guohe-draw/1") && dry.contains("hubei-2022:22(1)"),
        "{dry}"
    );
    assert!(dry.contains("未写入"), "{dry}");
    let o = env.run(&["draw", "show", "HB-2026-A"]);
    assert_eq!(o.status.code(), Some(2), "the dry run wrote nothing: {}", out(&o));

    let o = env.run(&draw_args(&pool, &["--format", "json"]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let drawn: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(drawn["count"], 2, "⌈0.5 × 3⌉");
    assert_eq!(drawn["seed"], "鄂-2026");
    let o = env.run(&["draw", "show", "HB-2026-A", "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(shown, drawn);
    // The dry run printed the same selection as the recorded draw.
    for b in shown["selected"].as_array().unwrap() {
        assert!(dry.contains(b["base"].as_str().unwrap()), "{dry}");
    }
    // The own-unit expert never inspects HB-OLD-0, and that is recorded.
    for b in shown["selected"].as_array().unwrap() {
        if b["base"] == "HB-OLD-0" {
            assert!(
                !b["inspectors"]
                    .as_array()
                    .unwrap()
                    .contains(&serde_json::json!("own-0"))
            );
        }
    }
    assert!(
        shown["exclusions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["expert"] == "own-0" && e["base"] == "HB-OLD-0" && e["reason"] == "own_unit")
    );

    // Never redone.
    let o = env.run(&draw_args(&pool, &[]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("duplicate") && err(&o).contains("hubei-2022:22(1)"),
        "{}",
        err(&o)
    );

    // A result against a drawn base.
    let base = shown["selected"][0]["base"].as_str().unwrap();
    let o = env.run(&[
        "draw",
        "result",
        "--draw",
        "HB-2026-A",
        "--base",
        base,
        "--findings",
        "运行正常",
        "--as",
        "dept:zhang",
        "--on",
        "2026-11-20",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("InspectionResultRecorded"), "{}", out(&o));
    let o = env.run(&["draw", "show", "HB-2026-A"]);
    assert!(out(&o).contains("运行正常"), "{}", out(&o));
}

#[test]
fn refusals_name_the_field_and_cite_the_article() {
    let (env, pool) = setup();
    let mut args = draw_args(&pool, &[]);
    let i = args.iter().position(|a| *a == "0.5").unwrap();
    args[i] = "1.5";
    let o = env.run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("share") && err(&o).contains("hubei-2022:22(1)"),
        "{}",
        err(&o)
    );
    args[i] = "abc";
    let o = env.run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--share"), "{}", err(&o));
    // Hunan has no annual assessment to draw for (湖南第十五条 evaluations only).
    let o = env.run(&[
        "draw",
        "inspections",
        "--round",
        "HN",
        "--policy",
        "hunan-2026",
        "--share",
        "0.5",
        "--seed",
        "s",
        "--on",
        "2026-11-02",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("not_provided") && err(&o).contains("hunan-2026:15"),
        "{}",
        err(&o)
    );
}

/// A pool given on the command line names active expert accounts of the policy's province,
/// each with the unit on the account: an unknown or disabled expert, or another unit, is
/// refused naming them, and nothing is drawn.
#[test]
fn a_given_pool_is_checked_against_the_expert_accounts() {
    let (env, _) = setup();
    let o = env.run(&["account", "disable", "ex3"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let bad_pool = env.write(
        "bad-pool.json",
        serde_json::json!([
            {"id": "ex1", "unit_uscc": uscc_in("420300", 1)},
            {"id": "nobody", "unit_uscc": uscc_in("420300", 7)},
            {"id": "ex2", "unit_uscc": USCCS[1]},
            {"id": "ex3", "unit_uscc": uscc_in("420300", 3)}
        ]),
    );
    let o = env.run(&draw_args(&bad_pool, &[]));
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let e = err(&o);
    assert!(
        e.contains("--pool") && e.contains("nobody") && e.contains("ex2") && e.contains("ex3"),
        "{e}"
    );
    assert!(!e.contains("“ex1”"), "{e}");
    let o = env.run(&["draw", "show", "HB-2026-A"]);
    assert_eq!(o.status.code(), Some(2), "nothing drawn");
}
