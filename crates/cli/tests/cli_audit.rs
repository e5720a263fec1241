//! `guohe audit checkpoint sign|export` and `guohe audit verify [--checkpoints FILE]
//! [--public-key HEX]` on a SQLite file: the chain cut short with its head moved back verifies
//! "intact" on its own, and fails (exit 1, naming the checkpoint) against the exported file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("guohe.db").display())
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(self.url())
            .env_remove("GUOHE_KEY_FILE")
            .env_remove("GUOHE_DATABASE_URL")
            .current_dir(root())
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}\n{}", text(&o.stdout), text(&o.stderr));
        text(&o.stdout)
    }
    fn round(&self, id: &str) {
        let f = self.dir.path().join(format!("{id}.json"));
        std::fs::write(
            &f,
            format!(
                r#"{{"type": "OpenRound", "id": "{id}", "policy": "hubei-2022", "title": "申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}}"#
            ),
        )
        .unwrap();
        self.ok(&["apply", f.to_str().unwrap(), "--as", "dept:zhang", "--on", "2026-03-01"]);
    }
    async fn sql(&self, sql: &str) {
        let p = sqlx::SqlitePool::connect(&self.url()).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&p)
            .await
            .unwrap();
        p.close().await;
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn a_chain_cut_short_verifies_alone_but_not_against_the_exported_checkpoints() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    for i in 1..=4 {
        env.round(&format!("HB-R{i}"));
    }
    // No key yet: signing by hand names the key to add (exit 2), verifying says there is none.
    let o = env.run(&["audit", "checkpoint", "sign"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("add-signing-key --name checkpoint-signing"));
    assert!(env.ok(&["audit", "verify"]).contains("没有签名检查点"));

    let added = env.ok(&["key", "add-signing-key", "--name", "checkpoint-signing"]);
    let public_key = added
        .split_whitespace()
        .find(|w| w.len() == 130 && w.starts_with("04"))
        .unwrap_or_else(|| panic!("public key in {added}"))
        .to_string();
    let signed = env.ok(&["audit", "checkpoint", "sign"]);
    let n = env.ok(&["audit", "verify"]);
    let n: i64 = n
        .split("intact: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("event count in {n}"));
    assert!(signed.contains(&format!("signed checkpoint: seq {n} ")), "{signed}");
    assert!(
        env.ok(&["audit", "checkpoint", "sign"])
            .contains("already checkpointed")
    );
    let file = env.dir.path().join("checkpoints.json");
    assert!(
        env.ok(&["audit", "checkpoint", "export", "-o", file.to_str().unwrap()])
            .contains("exported 1")
    );
    let out = env.ok(&[
        "audit",
        "verify",
        "--checkpoints",
        file.to_str().unwrap(),
        "--public-key",
        &public_key,
    ]);
    assert!(out.contains(&format!("records 1–{n} are as signed")), "{out}");

    // Cut the last record off, move the head back, delete the stored checkpoints.
    env.sql("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
        .await;
    env.sql(&format!("DELETE FROM events WHERE seq = {n}; DELETE FROM checkpoints;"))
        .await;
    env.sql(&format!(
        "UPDATE chain_head SET seq = {m}, hash = (SELECT hash FROM events WHERE seq = {m}) WHERE id = 1",
        m = n - 1
    ))
    .await;
    let alone = env.ok(&["audit", "verify"]);
    assert!(
        alone.contains(&format!("intact: {} events", n - 1)) && alone.contains("没有签名检查点"),
        "{alone}"
    );

    let o = env.run(&[
        "audit",
        "verify",
        "--checkpoints",
        file.to_str().unwrap(),
        "--public-key",
        &public_key,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!(
            "已签名的检查点覆盖到第 {n} 号记录，而事件日志现仅有 {} 条",
            n - 1
        )),
        "{out}"
    );
    assert!(text(&o.stderr).contains("records were cut off the end"));

    // Another key is not trusted; bad arguments exit 2 naming the flag.
    let other = format!("04{}", "ab".repeat(64));
    let o = env.run(&[
        "audit",
        "verify",
        "--checkpoints",
        file.to_str().unwrap(),
        "--public-key",
        &other,
    ]);
    assert!(text(&o.stdout).contains("不受信任的公钥"));
    let o = env.run(&["audit", "verify", "--public-key", "xyz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--public-key"));
    let o = env.run(&["audit", "verify", "--checkpoints", "/nonexistent/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--checkpoints"));
}
