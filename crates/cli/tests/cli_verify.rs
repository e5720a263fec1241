//! `guohe verify` — 核验 from the command line: the register as of the date, text and JSON, a
//! bad USCC or a future date refused (exit 2), the statement signed once the key file has a
//! `verification-signing` key, and every answer audited. Priority articles: hubei-2022:19,
//! hubei-2022:20.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const USCC: &str = "91420100MA4K56786D";

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
            .env_remove("GUOHE_KEY_FILE")
            .env_remove("GUOHE_DATABASE_URL")
            .current_dir(root())
            .output()
            .unwrap()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", err(o));
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn verify_answers_signs_and_audits() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let cmd = env.dir.path().join("carry.json");
    std::fs::write(
        &cmd,
        serde_json::json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地",
            "unit_name": "武汉示范新材料有限公司", "uscc": USCC, "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"})
        .to_string(),
    )
    .unwrap();
    let o = env.run(&[
        "apply",
        cmd.to_str().unwrap(),
        "--as",
        "dept:zhang",
        "--on",
        "2026-01-05",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));

    // Before recognition: not named; the articles are cited all the same.
    let v = json(&env.run(&["verify", "--uscc", USCC, "--on", "2019-05-31", "--format", "json"]));
    assert_eq!(v["answer"]["result"], "not_named", "{v}");
    let cited: Vec<&str> = v["answer"]["priority"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["citation"].as_str().unwrap())
        .collect();
    assert_eq!(cited, ["hubei-2022:19", "hubei-2022:20"]);
    assert!(v["statement"].is_null(), "no key yet: {v}");
    assert!(
        v["statement_unavailable"]["reason_zh"]
            .as_str()
            .unwrap()
            .contains("verification-signing")
    );

    // Named; in text, Chinese first; no director.
    let o = env.run(&["verify", "--uscc", USCC, "--on", "2026-01-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("named") && text.contains("HB-OLD-1") && text.contains("第十九条"),
        "{text}"
    );
    assert!(!text.contains("赵强"), "{text}");

    // Bad input: exit 2 naming the field.
    let o = env.run(&["verify", "--uscc", "91420100MA4K56786X"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("uscc") && err(&o).contains("统一社会信用代码"),
        "{}",
        err(&o)
    );
    let tomorrow = (chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string();
    let o = env.run(&["verify", "--uscc", USCC, "--on", &tomorrow]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("on:"), "{}", err(&o));
    let o = env.run(&["verify", "--uscc", USCC, "--on", "2026-02-30"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));

    // With a verification key, the statement is signed and checks out with its public key.
    let add = env.run(&["key", "add-signing-key", "--name", "verification-signing"]);
    assert_eq!(add.status.code(), Some(0), "{}", err(&add));
    let status = out(&env.run(&["key", "status"]));
    assert!(status.contains("SM2 verification-signing version 1"), "{status}");
    let v = json(&env.run(&["verify", "--uscc", USCC, "--on", "2026-01-10", "--format", "json"]));
    let s = &v["statement"];
    assert_eq!(s["result"], "named");
    assert_eq!(s["bases"][0], "HB-OLD-1");
    let canonical = s["canonical"].as_str().unwrap();
    let (pk, sig) = (s["public_key"].as_str().unwrap(), s["signature"].as_str().unwrap());
    assert!(status.contains(pk), "the key file's key signed it");
    assert!(guohe_keys::signing::verify(pk, canonical.as_bytes(), sig));
    assert!(!guohe_keys::signing::verify(
        pk,
        canonical.replace("on=2026-01-10", "on=2026-01-11").as_bytes(),
        sig
    ));

    // Every answer is on the chain, without the director.
    let day = chrono::Local::now().date_naive().to_string();
    let a = out(&env.run(&["history", &format!("audit/{day}"), "--format", "json"]));
    assert!(a.matches("VerificationAnswered").count() >= 3, "{a}");
    assert!(a.contains("\"via\":\"cli\"") || a.contains("\"via\": \"cli\""), "{a}");
    assert!(!a.contains("赵强"), "{a}");
}
