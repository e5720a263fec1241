//! `guohe policy load` / `unload` end to end: a stored policy is used by later processes without
//! `--policy-file`, its text's SM3 is on an intact chain, an invalid file writes nothing, and a
//! policy that a round uses cannot be unloaded.

use crate::common;

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
        self.dir.path().join("data").join("guohe.db")
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
    fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A modified copy of the shipped Hubei policy under another id (written to the temp dir).
fn third_policy(env: &Env) -> (String, String) {
    let text = std::fs::read_to_string(root().join("policies/hubei-2022.yaml"))
        .unwrap()
        .replacen("id: hubei-2022", "id: hubei-2099", 1)
        .replacen(
            "title: 湖北省国际科技合作基地管理办法",
            "title: 湖北省国际科技合作基地管理办法（修订试行）",
            1,
        );
    assert!(text.contains("id: hubei-2099") && text.contains("（修订试行）"));
    (env.write("hubei-2099.yaml", &text), text)
}

fn open_round(env: &Env, id: &str, policy: &str) -> Output {
    let f = env.write(
        &format!("{id}.json"),
        &serde_json::json!({"type": "OpenRound", "id": id, "policy": policy, "title": "2026年度申报",
            "opens_on": "2026-03-01", "closes_on": "2026-04-30"})
        .to_string(),
    );
    env.run(&["apply", &f, "--as", "dept:zhang", "--on", "2026-03-01"])
}

#[test]
fn a_loaded_policy_is_used_by_later_commands_and_its_hash_is_on_the_chain() {
    let env = Env::new();
    let (file, text) = third_policy(&env);
    let o = env.run(&["policy", "load", &file, "--as", "admin:li"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let sm3 = guohe_store_sm3(&text);
    assert!(out(&o).contains("hubei-2099") && out(&o).contains(&sm3), "{}", out(&o));

    // A new process lists it, with where it comes from, without --policy-file.
    let o = env.run(&["policy", "list", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out(&o)).unwrap();
    let row = rows
        .iter()
        .find(|r| r["id"] == "hubei-2099")
        .expect("stored policy listed");
    assert_eq!(row["title"], "湖北省国际科技合作基地管理办法（修订试行）");
    assert_eq!(row["source"]["kind"], "stored");
    assert_eq!(row["source"]["sm3"], sm3.as_str());
    assert_eq!(row["source"]["loaded_by"], "admin:li");
    let builtin = rows.iter().find(|r| r["id"] == "hubei-2022").unwrap();
    assert_eq!(builtin["source"]["kind"], "builtin");
    let o = env.run(&["policy", "list"]);
    assert!(
        out(&o).contains("入库 stored") && out(&o).contains("内置 built-in"),
        "{}",
        out(&o)
    );

    // 第十三条 "省科技厅原则上每年组织申报省国合基地": a round opened under the stored policy
    // cites that article of the stored policy.
    let o = open_round(&env, "HB-2099", "hubei-2099");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("RoundOpened") && out(&o).contains("hubei-2099:13"),
        "{}",
        out(&o)
    );

    // The chain is intact and holds the text's hash.
    let o = env.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("intact"), "{}", out(&o));
    let o = env.run(&["history", "policy/hubei-2099", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let records: Vec<serde_json::Value> = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["kind"], "PolicyLoaded");
    assert_eq!(records[0]["actor"], "admin:li");
    assert_eq!(records[0]["payload"]["sm3"], sm3.as_str());
    assert_eq!(records[0]["payload"]["yaml"], text.as_str());

    // Loading the same text again writes nothing.
    let o = env.run(&["policy", "load", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("nothing written"), "{}", out(&o));

    // A changed version of a policy the round uses needs --replace.
    let changed = env.write("changed.yaml", &text.replacen("（修订试行）", "（修订）", 1));
    let o = env.run(&["policy", "load", &changed]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("--replace") && err(&o).contains("1 round(s)"),
        "{}",
        err(&o)
    );
    let o = env.run(&["policy", "load", &changed, "--replace"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));

    // Unloading a policy a round uses is refused, naming the cases.
    let o = env.run(&["policy", "unload", "hubei-2099"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("批次 1 个") && err(&o).contains("1 round(s)"),
        "{}",
        err(&o)
    );
    let o = env.run(&["policy", "list"]);
    assert!(out(&o).contains("hubei-2099"), "{}", out(&o));
}

/// SM3 of a text, computed independently of the binary (the store's own function).
fn guohe_store_sm3(text: &str) -> String {
    guohe_store::sm3_hex(text.as_bytes())
}

#[test]
fn an_invalid_policy_is_refused_naming_the_path_and_nothing_is_written() {
    let env = Env::new();
    let text = std::fs::read_to_string(root().join("policies/hubei-2022.yaml"))
        .unwrap()
        .replacen("id: hubei-2022", "id: hubei-2099", 1)
        .replacen(
            r#"validity: { years: 5, article: "33" }"#,
            r#"validity: { years: 5, article: "99" }"#,
            1,
        );
    let file = env.write("bad.yaml", &text);
    let o = env.run(&["policy", "load", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("bad.yaml") && err(&o).contains("validity.article") && err(&o).contains("99"),
        "{}",
        err(&o)
    );
    // Not even the database was created.
    assert!(!env.db().exists());
    let o = env.run(&["policy", "list"]);
    assert!(!out(&o).contains("hubei-2099"), "{}", out(&o));
}

#[test]
fn built_ins_need_replace_and_cannot_be_unloaded_and_unused_ones_unload() {
    let env = Env::new();
    // A built-in id: loading another version needs --replace.
    let text = std::fs::read_to_string(root().join("policies/hubei-2022.yaml"))
        .unwrap()
        .replacen(
            "title: 湖北省国际科技合作基地管理办法",
            "title: 湖北省国际科技合作基地管理办法（地方修订）",
            1,
        );
    let f = env.write("hubei-2022.yaml", &text);
    let o = env.run(&["policy", "load", &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("built in") && err(&o).contains("--replace"),
        "{}",
        err(&o)
    );
    let o = env.run(&["policy", "unload", "hubei-2022"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("内置办法，不能卸载"), "{}", err(&o));

    // An unused stored policy unloads; later commands no longer know it.
    let (file, _) = third_policy(&env);
    assert_eq!(env.run(&["policy", "load", &file]).status.code(), Some(0));
    let o = env.run(&["policy", "unload", "hubei-2099", "--as", "admin:li"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("unloaded policy hubei-2099"), "{}", out(&o));
    let o = env.run(&["policy", "list"]);
    assert!(!out(&o).contains("hubei-2099"), "{}", out(&o));
    let o = open_round(&env, "HB-2099", "hubei-2099");
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = env.run(&["policy", "unload", "hubei-2099"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("no stored policy"), "{}", err(&o));
    let o = env.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[tokio::test]
async fn the_web_app_on_the_database_lists_the_stored_policy() {
    let env = Env::new();
    let (file, _) = third_policy(&env);
    let o = env.run(&["policy", "load", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // The key file `guohe` made beside the SQLite file on first use.
    let key_file = PathBuf::from(format!("{}.keys.json", env.db().display()));
    assert!(key_file.is_file());
    let app = common::spawn_with(common::Options {
        existing: Some(common::Existing {
            database_url: format!("sqlite://{}", env.db().display()),
            key_file,
        }),
        ..Default::default()
    })
    .await;
    let r = app.get("/api/v1/policies?per_page=200").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["total"], 3, "{v}");
    let r = app.get("/api/v1/policies/hubei-2099").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["summary"]["title"], "湖北省国际科技合作基地管理办法（修订试行）");
}
