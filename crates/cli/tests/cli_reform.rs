//! `guohe reform`: a draft of the Hubei policy against the demo's database — only what changes,
//! with both sides' articles, as text, JSON and an Excel workbook; bad arguments exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo's data on its business date, in a SQLite file of its own.
fn demo_database(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("g.db").display());
    let cfg = guohe_web::ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        demo: true,
        argon2_memory_kib: 64,
        ..guohe_web::ServeConfig::default()
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { guohe_web::app(cfg).await.map(|_| ()) })
        .expect("the demo builds");
    url
}

fn reform(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guohe"))
        .arg("reform")
        .args(args)
        .arg("--database")
        .arg(db)
        .current_dir(root())
        .output()
        .unwrap()
}

fn draft(dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join("policies/hubei-2022.yaml")).unwrap();
    // 第二十二条第二款: reports by 15 January → a draft moving it to 31 March.
    let changed = text.replacen("due_month: 1, due_day: 15", "due_month: 3, due_day: 31", 1);
    assert_ne!(text, changed);
    let p = dir.join("draft.yaml");
    std::fs::write(&p, changed).unwrap();
    p.display().to_string()
}

#[test]
fn a_draft_reports_each_bases_moved_deadline_as_text_json_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let file = draft(dir.path());
    let on = guohe_web::demo::DEMO_DATE.to_string();

    let o = reform(&db, &["--policy-file", &file, "--as-of", &on, "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["current"], "hubei-2022");
    assert!(r["bases_replayed"].as_u64().unwrap() > 0);
    let bases = r["bases"].as_array().unwrap();
    assert_eq!(
        bases.len() as u64,
        r["bases_replayed"].as_u64().unwrap(),
        "one change per base: {bases:#?}"
    );
    for b in bases {
        assert_eq!(b["topic"], "下次年度报告截止日");
        assert_eq!(b["current"]["value"], "2027-01-15");
        assert_eq!(b["draft"]["value"], "2027-03-31");
        assert_eq!(b["current"]["articles"], serde_json::json!(["hubei-2022:22(2)"]));
        assert_eq!(b["draft"]["articles_zh"], serde_json::json!(["第二十二条第二款"]));
    }
    // The deadline is no condition of eligibility: no application changes.
    assert!(r["applications_checked"].as_u64().unwrap() > 0);
    assert_eq!(r["applications"], serde_json::json!([]));

    let o = reform(&db, &["--policy-file", &file, "--as-of", &on]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(
        text.contains("2027-01-15  [hubei-2022:22(2)]") && text.contains("2027-03-31"),
        "{text}"
    );

    let xlsx = dir.path().join("reform.xlsx");
    let o = reform(
        &db,
        &[
            "--policy-file",
            &file,
            "--as-of",
            &on,
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip archive");
}

#[test]
fn the_policy_in_force_as_its_own_draft_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let on = guohe_web::demo::DEMO_DATE.to_string();
    for id in ["hubei-2022", "hunan-2026"] {
        let file = root().join(format!("policies/{id}.yaml"));
        let o = reform(
            &db,
            &[
                "--policy-file",
                file.to_str().unwrap(),
                "--as-of",
                &on,
                "--format",
                "json",
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["current"], id);
        assert!(
            r["applications_checked"].as_u64().unwrap() > 0,
            "{id} has open applications in the demo"
        );
        assert_eq!(r["applications"], serde_json::json!([]), "{id}");
        assert_eq!(r["bases"], serde_json::json!([]), "{id}");
    }
}

#[test]
fn bad_arguments_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("none.db").display());
    let file = draft(dir.path());
    let cases: [(&[&str], &str); 4] = [
        (&[], "--policy-file"),
        (&["--policy-file", &file, "--format", "xlsx"], "-o"),
        (&["--policy-file", &file, "--as-of", "2026-13-01"], "--as-of"),
        (&["--policy-file", &file, "--replaces", "nowhere-2020"], "--database"),
    ];
    for (args, flag) in cases {
        let o = reform(&missing, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with(flag), "{args:?}: {err}");
    }
    assert!(
        !dir.path().join("none.db").exists(),
        "a missing database is not created"
    );
}
