//! The lifecycle from the command line: apply, tick, register, history, simulate, and the audit
//! chain catching a tampered record.

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
    fn db(&self) -> PathBuf {
        self.dir.path().join("guohe.db")
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.db().display()))
            .current_dir(root())
            .output()
            .unwrap()
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

fn carry(env: &Env, id: &str) -> String {
    env.write(
        &format!("{id}.json"),
        serde_json::json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地",
            "unit_name": "武汉示范新材料有限公司", "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"}),
    )
}

#[test]
fn apply_tick_register_history_and_verify() {
    let env = Env::new();
    let file = carry(&env, "HB-OLD-1");
    let o = env.run(&["apply", &file, "--as", "dept:zhang", "--on", "2026-01-05"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("BaseCarriedOver") && out(&o).contains("hubei-2022:31"),
        "{}",
        out(&o)
    );

    // The same command again is refused with a reason, exit code 2, and nothing is written.
    let o = env.run(&["apply", &file, "--as", "dept:zhang", "--on", "2026-01-06"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("不予办理"), "{}", err(&o));

    // A unit may not carry bases over.
    let o = env.run(&[
        "apply",
        &carry(&env, "HB-OLD-2"),
        "--as",
        "unit:91420100MA4K56786D",
        "--on",
        "2026-01-06",
    ]);
    assert_eq!(o.status.code(), Some(2));

    // No report for 2026 by 15 January 2027: 不合格 under 第二十二条, and ticking again changes nothing.
    let o = env.run(&["tick", "--date", "2027-01-20"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("hubei-2022:22"), "{}", out(&o));
    let o = env.run(&["tick", "--date", "2027-01-20"]);
    assert!(out(&o).contains("nothing fell due"), "{}", out(&o));

    let o = env.run(&["register", "--as-of", "2026-06-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let o = env.run(&["register", "--as-of", "2018-01-01", "--format", "csv"]);
    assert_eq!(out(&o).lines().count(), 1, "header only: {}", out(&o));

    let o = env.run(&["history", "base/HB-OLD-1"]);
    assert!(
        out(&o).contains("BaseCarriedOver") && out(&o).contains("AnnualAssessmentRecorded"),
        "{}",
        out(&o)
    );
    let o = env.run(&["history", "base/NOPE"]);
    assert_eq!(o.status.code(), Some(2));

    let o = env.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("intact"));
}

#[test]
fn bad_command_files_name_the_field() {
    let env = Env::new();
    let f = env.write("bad.json", serde_json::json!({"type": "CarryOverBase", "base_id": "X"}));
    let o = env.run(&["apply", &f, "--as", "dept:zhang", "--on", "2026-01-05"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("missing field"), "{}", err(&o));
    let f = env.write("unknown.json", serde_json::json!({"type": "MakeBase"}));
    let o = env.run(&["apply", &f, "--as", "dept:zhang"]);
    assert_eq!(o.status.code(), Some(2));
    let o = env.run(&["apply", &carry(&env, "A"), "--as", "zhang"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--as"));
}

#[test]
fn simulate_prints_states_and_events() {
    let env = Env::new();
    let o = env.run(&["simulate", "crates/domain/examples/hubei-two-fails.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("BaseTerminated") && text.contains("hubei-2022:28.1") && text.contains("终止并注销命名"),
        "{text}"
    );
    let o = env.run(&[
        "simulate",
        "crates/domain/examples/hubei-two-fails.json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["events"].as_array().unwrap().len() > 10);
}

/// `guohe simulate` runs in memory: without `--database` it creates nothing in the working
/// directory, and its JSON gives each step's outcome (accepted, or refused with code and article).
#[test]
fn simulate_writes_nothing_and_reports_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let timeline = root().join("crates/domain/examples/hubei-two-fails.json");
    let o = Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(["simulate", timeline.to_str().unwrap(), "--format", "json"])
        .env_remove("GUOHE_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "simulate wrote {left:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["outcome"] == "accepted"));
    let refused: Vec<&serde_json::Value> = steps.iter().filter(|s| s["outcome"] == "refused").collect();
    assert_eq!(refused.len(), 2, "{steps:?}");
    assert_eq!(refused[0]["refusal"]["code"], "notice_period");
    assert!(
        refused[0]["refusal"]["citation"]
            .as_str()
            .unwrap()
            .starts_with("hubei-2022:17"),
        "{}",
        refused[0]
    );
}

#[test]
fn audit_verify_names_a_tampered_record() {
    let env = Env::new();
    for id in ["T1", "T2", "T3"] {
        let o = env.run(&["apply", &carry(&env, id), "--as", "dept:zhang", "--on", "2026-01-05"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }
    let url = format!("sqlite://{}", env.db().display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("DROP TRIGGER IF EXISTS events_no_update")
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::query("UPDATE events SET actor = 'dept:mallory' WHERE seq = 2")
                .execute(&mut c)
                .await
                .unwrap();
        });
    let o = env.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("record 2"), "{} / {}", out(&o), err(&o));
    // The English line explains the break in words, not as Rust debug output.
    assert!(err(&o).contains("the record was altered"), "{}", err(&o));
    assert!(
        !err(&o).contains("HashMismatch {") && !err(&o).contains("stored_hash:"),
        "{}",
        err(&o)
    );
}
