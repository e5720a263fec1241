//! Personal data from the command line: an objection lodged with `guohe apply` is sealed, then
//! `person list`, `person export`, `person erase --yes`, `key rotate`, `audit verify`, and a
//! wrong key file refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");
const NAME: &str = "欧阳明轩";
const CONTACT: &str = "13912345678";

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
    fn run_with(&self, args: &[&str], key_file: Option<&Path>) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
        c.args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.db().display()))
            .env_remove("GUOHE_KEY_FILE")
            .env_remove("GUOHE_DATABASE_URL")
            .current_dir(root());
        if let Some(k) = key_file {
            c.env("GUOHE_KEY_FILE", k);
        }
        c.output().unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, None)
    }
    fn apply(&self, actor: &str, on: &str, cmd: serde_json::Value) {
        let p = self.dir.path().join("cmd.json");
        std::fs::write(&p, cmd.to_string()).unwrap();
        let o = self.run(&["apply", p.to_str().unwrap(), "--as", actor, "--on", on]);
        assert!(o.status.success(), "{cmd}: {}", err(&o));
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Round → … → 公示 N1 → a real-name objection, all through `guohe apply`.
fn lodge_objection(env: &Env) {
    env.apply("dept:zhang", "2026-03-01", json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国合基地申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}));
    let facts: serde_json::Value = serde_json::from_str(HUBEI).unwrap();
    env.apply(
        "unit:91420100MA4K56786D",
        "2026-03-16",
        json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026", "facts": facts}),
    );
    env.apply("recommender:wuhan", "2026-03-20", json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科学技术局", "opinion": "同意推荐"}));
    for (i, uscc) in ["12100000441626842D", "12100000441626770L", "12430000444881590X"]
        .iter()
        .enumerate()
    {
        env.apply("dept:zhang", "2026-04-01", json!({"type": "AssignExpert", "application": "A1", "expert_id": format!("e{i}"), "expert_unit_uscc": uscc}));
        env.apply(&format!("expert:e{i}"), "2026-04-10", json!({"type": "SubmitReview", "application": "A1", "expert": format!("e{i}"), "score": 85, "conclusion": "recommend", "comments": "基础扎实"}));
    }
    env.apply(
        "dept:zhang",
        "2026-09-20",
        json!({"type": "Decide", "application": "A1", "decision": "approve", "reasons": "同意"}),
    );
    env.apply(
        "dept:zhang",
        "2026-09-28",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-09-28"}),
    );
    env.apply("public:objector", "2026-09-30", json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": NAME, "contact": CONTACT, "content": "合作协议已过期"}));
}

fn subject(env: &Env) -> String {
    let o = env.run(&["person", "list"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let line = text
        .lines()
        .find(|l| l.contains("N1-1"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("objector") && line.contains("live"), "{line}");
    line.split_whitespace().next().unwrap().to_string()
}

#[test]
fn export_erase_rotate_and_verify_from_the_command_line() {
    let env = Env::new();
    lodge_objection(&env);
    let key_file = env.dir.path().join("guohe.db.keys.json");
    assert!(key_file.exists(), "created beside the database on first use");
    let bytes = std::fs::read(env.db()).unwrap();
    assert!(!bytes.windows(NAME.len()).any(|w| w == NAME.as_bytes()));

    // History shows the token, never the name.
    let h = env.run(&["history", "notice/N1", "--format", "json"]);
    assert!(
        out(&h).contains("pii:v1:objector/") && !out(&h).contains(NAME),
        "{}",
        out(&h)
    );

    let s = subject(&env);
    let e = env.run(&["person", "export", &s]);
    assert!(e.status.success(), "{}", err(&e));
    let v: serde_json::Value = serde_json::from_str(&out(&e)).unwrap();
    assert_eq!(v["status"], "live");
    let values: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, [CONTACT, NAME]);

    // Rotation: everything still decrypts.
    let r = env.run(&["key", "rotate"]);
    assert!(r.status.success(), "{}", err(&r));
    assert!(
        out(&r).contains("第 1 版 → 第 2 版") && out(&r).contains("1 data keys rewrapped"),
        "{}",
        out(&r)
    );
    let e = env.run(&["person", "export", &s]);
    assert!(out(&e).contains(NAME), "{}", out(&e));

    // Erasure needs --yes, then the data is gone and the chain still verifies.
    let no = env.run(&["person", "erase", &s]);
    assert_eq!(no.status.code(), Some(2));
    assert!(err(&no).contains("--yes"));
    let yes = env.run(&["person", "erase", &s, "--yes"]);
    assert!(yes.status.success(), "{}", err(&yes));
    let again = env.run(&["person", "erase", &s, "--yes"]);
    assert_eq!(again.status.code(), Some(2), "already erased");
    let v = env.run(&["audit", "verify"]);
    assert!(
        v.status.success() && out(&v).contains("intact"),
        "{}{}",
        out(&v),
        err(&v)
    );
    let e = env.run(&["person", "export", &s]);
    let v: serde_json::Value = serde_json::from_str(&out(&e)).unwrap();
    assert_eq!(v["status"], "erased");
    assert!(v["records"].as_array().unwrap().is_empty());
    assert!(!out(&e).contains(NAME));

    let st = env.run(&["key", "status"]);
    assert!(st.status.success(), "{}", err(&st));
    assert!(
        out(&st).contains("guohe.db.keys.json") && out(&st).contains("master key version: 2"),
        "{}",
        out(&st)
    );
    assert!(out(&st).contains("subjects: 1 (1 erased"), "{}", out(&st));

    // An SM2 signing key joins the same file and survives nothing else changing.
    let add = env.run(&["key", "add-signing-key"]);
    assert!(add.status.success(), "{}", err(&add));
    let pk = out(&add)
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap()
        .to_string();
    assert_eq!(pk.len(), 130);
    let st = env.run(&["key", "status"]);
    assert!(
        out(&st).contains(&format!("SM2 checkpoint-signing version 1: {pk}")),
        "{}",
        out(&st)
    );
    let e = env.run(&["person", "export", &s]);
    assert!(e.status.success(), "the master key is untouched: {}", err(&e));
    assert_eq!(
        env.run(&["key", "add-signing-key", "--name", "pii-master"])
            .status
            .code(),
        Some(2)
    );

    // Every step is on the chain.
    let day = chrono::Local::now().date_naive().to_string();
    let a = env.run(&["history", &format!("audit/{day}"), "--format", "json"]);
    for kind in [
        "PersonalDataExported",
        "MasterKeyRotated",
        "PersonalDataErased",
        "SigningKeyAdded",
    ] {
        assert!(out(&a).contains(kind), "{kind}: {}", out(&a));
    }

    // Bad subjects and unknown ones are bad input.
    assert_eq!(env.run(&["person", "export", "nobody"]).status.code(), Some(2));
    assert_eq!(env.run(&["person", "export", "objector/000"]).status.code(), Some(2));
}

#[test]
fn a_wrong_or_missing_key_file_is_refused_naming_the_file() {
    let env = Env::new();
    lodge_objection(&env);
    let other = Env::new();
    assert!(other.run(&["person", "list"]).status.success());
    let theirs = other.dir.path().join("guohe.db.keys.json");
    let o = env.run_with(&["person", "list"], Some(&theirs));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("不是本数据库的主密钥") && err(&o).contains(theirs.to_str().unwrap()),
        "{}",
        err(&o)
    );

    let missing = env.dir.path().join("vol").join("guohe.keys.json");
    let o = env.run_with(&["register"], Some(&missing));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("不存在") && err(&o).contains("vol/guohe.keys.json"),
        "{}",
        err(&o)
    );
    assert!(!missing.exists());
}
